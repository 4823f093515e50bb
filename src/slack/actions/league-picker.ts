/**
 * The league picker of `/tics history|watch|unwatch`: the menu's options as the person types
 * (`block_suggestion`), and the pick, which continues the command as if the league had been typed,
 * in place of the picker. Anyone can craft either payload, so the channel's TICS_ACCESS is applied
 * to what is offered and again to what is picked.
 */
import type { App, BlockAction, RespondFn, StaticSelectAction, ExternalSelectAction } from '@slack/bolt';
import type { LeagueSummary } from '../../leagues/summary.js';
import type { Logger } from '../../log.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import { accessDenied } from '../access.js';
import { runHistory } from '../commands/history.js';
import { parseCommand } from '../commands/parse.js';
import { runWatchCommand } from '../commands/watch.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral } from '../respond.js';
import { staleButtonError, usageError } from '../views/errors.js';
import { commandTextFor, decodePickBlockId, isPickedLeagueId, LEAGUE_PICKER_ACTIONS, searchOptions, type PickState } from '../views/league-picker.js';

/** Slack waits 3 s for the options: past this the menu gets the configured aliases instead of the list. */
export const OPTIONS_WAIT_MS = 2_000;

export function registerLeaguePicker(app: App, deps: SlackDeps): void {
  app.options(LEAGUE_PICKER_ACTIONS.search, async ({ ack, body }) => {
    const channelId = body.channel?.id;
    const decoded = decodePickBlockId(body.block_id);
    if (!decoded.ok || channelId === undefined) {
      await ack({ options: [] });
      return;
    }
    const leagues = await leaguesFor(deps, targetChannel(decoded.value, channelId));
    await ack({ options: searchOptions(leagues, body.value) });
  });

  const metrics = deps.metrics ?? noopMetrics;
  for (const actionId of Object.values(LEAGUE_PICKER_ACTIONS)) {
    app.action<BlockAction<StaticSelectAction | ExternalSelectAction>>(actionId, async ({ ack, action, body, respond: slackRespond, context }) => {
      await ack();
      await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(actionId, outcome), async (respond) => {
        const log = deps.logger.child({ action: actionId, user: body.user.id });
        return continueCommand(deps, { blockId: action.block_id, picked: action.selected_option?.value, channelId: body.channel?.id, channelName: body.channel?.name, userId: body.user.id }, respond, log);
      });
    });
  }
}

interface Pick {
  blockId: string;
  picked: string | undefined;
  channelId: string | undefined;
  channelName: string | undefined;
  userId: string;
}

async function continueCommand(deps: SlackDeps, pick: Pick, respond: RespondFn, log: Logger): Promise<InteractionOutcome> {
  const decoded = decodePickBlockId(pick.blockId);
  if (!decoded.ok) {
    log.info({ reason: decoded.reason }, 'rejected a league pick');
    await replyEphemeral(respond, staleButtonError(decoded.reason), log);
    return 'stale_button';
  }
  if (!isPickedLeagueId(pick.picked) || pick.channelId === undefined) {
    log.info('a league pick without a league id or a channel');
    await replyEphemeral(respond, staleButtonError('the menu sent no league this bot offered'), log);
    return 'stale_button';
  }
  const channelId = pick.channelId;
  // The answer takes the picker's place.
  const inPlace: RespondFn = (message) => respond(typeof message === 'string' ? { text: message, replace_original: true } : { ...message, replace_original: true });
  const parsed = parseCommand(commandTextFor(decoded.value, pick.picked));
  if (!parsed.ok) {
    await replyEphemeral(inPlace, usageError(parsed.problem, parsed.usage), log);
    return 'usage_error';
  }
  const command = parsed.command;
  if (command.kind !== 'history' && command.kind !== 'watch' && command.kind !== 'unwatch') {
    await replyEphemeral(respond, staleButtonError('the league menu state is damaged'), log);
    return 'stale_button';
  }
  // Checked here too, for unwatch as for the rest: a crafted value must not reach a league the channel may not use.
  const target = command.kind === 'history' ? channelId : (command.args.channelId ?? channelId);
  const denied = accessDenied(deps, { channelId: target, league: { id: pick.picked }, user: pick.userId, what: command.kind === 'history' ? 'query' : 'watch' }, log);
  if (denied) {
    await replyEphemeral(inPlace, denied, log);
    return 'denied';
  }
  if (command.kind === 'history') return runHistory(deps, command.args, { channelId, userId: pick.userId }, inPlace, log);
  return runWatchCommand(deps, command, { channel_id: channelId, user_id: pick.userId, channel_name: pick.channelName ?? '' }, inPlace, log);
}

/** watch/unwatch with a #channel: the leagues that channel may use; otherwise the picker's own. */
function targetChannel(state: PickState, channelId: string): string {
  if (state.c === 'history') return channelId;
  const parsed = parseCommand(commandTextFor(state, 'x'));
  return parsed.ok && (parsed.command.kind === 'watch' || parsed.command.kind === 'unwatch') ? (parsed.command.args.channelId ?? channelId) : channelId;
}

/**
 * The directory's list (cached a minute per replica) when it comes within the wait; otherwise the
 * configured aliases, so the menu is never empty only because TICS is slow.
 */
export async function leaguesFor(deps: SlackDeps, channelId: string): Promise<LeagueSummary[]> {
  const allowed = (l: LeagueSummary) => !deps.access || deps.access.allows(channelId, l.id);
  const aliases = (): LeagueSummary[] => [...deps.leagues.byAlias].map(([alias, id]) => ({ id, name: alias, alias })).filter(allowed);
  if (!deps.directory) return aliases();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), OPTIONS_WAIT_MS);
  });
  const listed = await Promise.race([deps.directory.list({ channelId }).catch((error: unknown) => {
    deps.logger.info({ err: error instanceof Error ? error.message : String(error) }, 'league menu: the league list could not be read; offering the aliases');
    return undefined;
  }), late]).finally(() => clearTimeout(timer));
  return listed?.filter(allowed) ?? aliases();
}
