/** `/tics`: ack at once (Slack allows 3 s), then parse, fetch and reply through response_url. */
import type { App } from '@slack/bolt';
import type { LeagueSummary } from '../../leagues/summary.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction, subcommandOf } from '../interaction-metrics.js';
import { safeRespond } from '../respond.js';
import { buildHelpMessage } from '../views/help.js';
import { usageError } from '../views/errors.js';
import { SLASH_COMMAND } from '../command-name.js';
import { buildLeaguePicker, type PickVerb } from '../views/league-picker.js';
import { COMMANDS, parseCommand, wordsBesidesLeague } from './parse.js';
import { runHistory } from './history.js';
import { runLeagues } from './leagues.js';
import { runWatchCommand } from './watch.js';

export function registerCommands(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  app.command(SLASH_COMMAND, async ({ ack, command, respond: slackRespond, context }) => {
    await ack();
    const started = deps.now();
    const log = deps.logger.child({ command: SLASH_COMMAND, user: command.user_id, channel: command.channel_id, team: command.team_id });
    const parsed = parseCommand(command.text);
    await measureInteraction(
      metrics,
      'command',
      context,
      slackRespond,
      (outcome) => metrics.command(subcommandOf(parsed), outcome),
      async (respond): Promise<InteractionOutcome> => {
        if (!parsed.ok && parsed.pick) {
          // The league is all that is missing: ask for it with a menu that then continues the command.
          await safeRespond(respond, { response_type: 'ephemeral', ...buildLeaguePicker({ state: { v: 1, c: parsed.pick.verb, a: parsed.pick.rest } }) }, log);
          return 'ok';
        }
        if (!parsed.ok) {
          log.info({ problem: parsed.problem }, 'rejected /tics input');
          await safeRespond(respond, { response_type: 'ephemeral', ...usageError(parsed.problem, parsed.usage) }, log);
          return 'usage_error';
        }
        // A name several leagues share: a menu of them, carrying the rest of the command.
        const pickAmong = (verb: PickVerb) => async (matches: readonly LeagueSummary[], typed: string): Promise<InteractionOutcome> => {
          const state = { v: 1 as const, c: verb, a: wordsBesidesLeague(command.text, typed) };
          await safeRespond(respond, { response_type: 'ephemeral', ...buildLeaguePicker({ state, ambiguous: { typed, matches } }) }, log);
          return 'ok';
        };
        let outcome: InteractionOutcome;
        switch (parsed.command.kind) {
          case 'help':
            await safeRespond(respond, { response_type: 'ephemeral', ...buildHelpMessage([...COMMANDS]) }, log);
            outcome = 'ok';
            break;
          case 'history':
            outcome = await runHistory(deps, parsed.command.args, { channelId: command.channel_id, userId: command.user_id }, respond, log, pickAmong('history'));
            break;
          case 'leagues':
            outcome = await runLeagues(deps, parsed.command.filter, { channelId: command.channel_id, userId: command.user_id }, respond, log);
            break;
          case 'watch':
          case 'unwatch':
            outcome = await runWatchCommand(deps, parsed.command, command, respond, log, pickAmong(parsed.command.kind));
            break;
          case 'watches':
          case 'unsnooze':
            outcome = await runWatchCommand(deps, parsed.command, command, respond, log);
            break;
        }
        log.debug({ kind: parsed.command.kind, ms: deps.now() - started }, 'handled /tics');
        return outcome;
      },
    );
  });
}
