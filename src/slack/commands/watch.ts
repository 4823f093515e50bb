/** `/tics watch`, `/tics unwatch`, `/tics watches`, `/tics unsnooze`. */
import type { RespondFn, SlashCommand } from '@slack/bolt';
import type { Logger } from '../../log.js';
import type { InteractionOutcome } from '../../metrics.js';
import { leagueLabel } from '../../tics/leagues.js';
import { jobKeyOf, slotOf } from '../../watch/incidents/keys.js';
import { subscriptionId } from '../../watch/subscriptions.js';
import { accessDenied } from '../access.js';
import { SLASH_COMMAND } from '../command-name.js';
import { resolveLeagueInput, resolutionProblem } from '../league-input.js';
import type { SlackDeps } from '../deps.js';
import { withLeagueNames } from '../league-names.js';
import { safeRespond } from '../respond.js';
import { genericError, usageError } from '../views/errors.js';
import { buildUnwatchConfirmation, buildWatchConfirmation, buildWatchesMessage } from '../views/watch.js';
import { buildNotSnoozed, buildUnsnoozed } from '../views/watch-extras.js';
import type { OnAmbiguous } from './history.js';
import type { TicsCommand } from './parse.js';
import { COMMANDS } from './parse.js';

type WatchCommand = Extract<TicsCommand, { kind: 'watch' | 'unwatch' | 'watches' | 'unsnooze' }>;

/** Who typed it and where: a slash command, or the Watch here button of `/tics leagues`. */
export type WatchInvocation = Pick<SlashCommand, 'channel_id' | 'user_id' | 'channel_name'>;

export async function runWatchCommand(deps: SlackDeps, parsed: WatchCommand, command: WatchInvocation, respond: RespondFn, log: Logger, onAmbiguous?: OnAmbiguous): Promise<InteractionOutcome> {
  const reply = async (message: Parameters<typeof safeRespond>[1], outcome: InteractionOutcome = 'ok') => {
    await safeRespond(respond, { response_type: 'ephemeral', ...message }, log);
    return outcome;
  };
  const watch = deps.watch;
  if (!watch) return reply(genericError('Watching is not enabled in this deployment of tics-bot.'), 'refused');
  if (parsed.kind === 'watches') {
    const scope = parsed.all ? 'all' : { channelId: command.channel_id };
    const [listed, snoozes] = await Promise.all([watch.list(scope), watch.snoozes(scope)]);
    const rows = await withLeagueNames(deps, listed);
    return reply(
      buildWatchesMessage({
        rows,
        snoozes,
        scope: parsed.all ? 'all' : 'channel',
        channelId: command.channel_id,
        now: deps.now(),
        intervalSeconds: watch.intervalSeconds,
        simulated: deps.simulated,
      }),
    );
  }

  const usage = COMMANDS.find((c) => c.name === parsed.kind)?.usage ?? '';
  const channelId = parsed.args.channelId ?? command.channel_id;
  // Names are looked up among the leagues the target channel may see.
  const resolved = await resolveLeagueInput(deps, parsed.args.league, channelId);
  // unsnooze names a job after the league: a picker could not carry it through.
  if (!resolved.ok && resolved.ambiguous?.length && onAmbiguous && parsed.kind !== 'unsnooze') return onAmbiguous(resolved.ambiguous, parsed.args.league);
  if (!resolved.ok) return reply(usageError(resolutionProblem(resolved, (id) => `${SLASH_COMMAND} ${parsed.kind} ${id}`), usage), 'usage_error');
  // The confirmations show the league's real name when it is known without asking TICS.
  const [league = resolved.league] = await withLeagueNames(deps, [{ league: resolved.league }]).then((rows) => rows.map((row) => row.league));
  if (parsed.kind === 'watch') {
    const denied = accessDenied(deps, { channelId, league, user: command.user_id, what: 'watch' }, log);
    if (denied) return reply(denied, 'denied');
    const result = await watch.subscribe({
      leagueId: league.id,
      ...(league.alias ? { leagueAlias: league.alias } : {}),
      channelId,
      ...(parsed.args.triggers ? { triggers: parsed.args.triggers } : {}),
      ...(parsed.args.options ? { options: parsed.args.options } : {}),
      userId: command.user_id,
    });
    if (result.configManaged) {
      return reply(
        genericError(
          `This channel already watches *${leagueLabel(league)}* through the bot's configuration (TICS_WATCH), on ${result.subscription.triggers.join(', ')}. Change it there; a change made here would be undone at the next restart.`,
        ),
        'refused',
      );
    }
    return reply(
      buildWatchConfirmation({
        subscription: result.subscription,
        league,
        ...(result.baseline ? { baseline: result.baseline } : {}),
        ...(result.baselineError ? { baselineError: result.baselineError } : {}),
        updated: !result.created,
        channelIsPrivateHint: channelId.startsWith('G') || command.channel_name === 'privategroup',
        simulated: deps.simulated,
        given: {
          notify: parsed.args.options?.notify !== undefined,
          stuck: parsed.args.options?.stuckMs !== undefined,
          recovery: parsed.args.options?.recovery !== undefined,
        },
      }),
    );
  }
  if (parsed.kind === 'unsnooze') {
    const denied = accessDenied(deps, { channelId, league, user: command.user_id, what: 'watch' }, log);
    if (denied) return reply(denied, 'denied');
    // Snoozes are per job name (the key poll and delivery use for a named job).
    const slot = slotOf(subscriptionId(league.id, channelId), jobKeyOf(parsed.args.jobName, ''));
    const result = await watch.unsnooze(slot, command.user_id);
    if (result.ok) return reply(buildUnsnoozed({ snooze: result.snooze, channelId }));
    const id = subscriptionId(league.id, channelId);
    const [rows, snoozes] = await Promise.all([watch.list({ channelId }), watch.snoozes({ channelId })]);
    const watched = rows.some((row) => row.subscription.id === id);
    const snoozed = snoozes.filter((row) => row.subscriptionId === id);
    return reply(buildNotSnoozed({ jobName: parsed.args.jobName, league, channelId, snoozed, watched }));
  }
  const result = await watch.unsubscribe(league.id, channelId);
  return reply(buildUnwatchConfirmation({ league, channelId, removed: result.removed, configManaged: result.configManaged, pendingDropped: result.pendingDropped }));
}

