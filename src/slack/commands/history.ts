/** `/tics history <league> …` */
import type { RespondFn } from '@slack/bolt';
import { DEFAULT_LIMIT, type HistoryArgs } from '../../history/query.js';
import type { Logger } from '../../log.js';
import type { LeagueSummary } from '../../leagues/summary.js';
import type { InteractionOutcome } from '../../metrics.js';
import { CURSOR_VERSION, type HistoryCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderHistory, type Requester } from '../history-service.js';
import { resolveLeagueInput, resolutionProblem } from '../league-input.js';
import { safeRespond } from '../respond.js';
import { SLASH_COMMAND } from '../command-name.js';
import { usageError } from '../views/errors.js';
import { COMMANDS } from './parse.js';

export function cursorFor(args: HistoryArgs): HistoryCursor {
  return {
    v: CURSOR_VERSION,
    league: args.league,
    limit: args.limit ?? DEFAULT_LIMIT,
    offset: 0,
    ...(args.jobId ? { jobId: args.jobId } : {}),
    ...(args.statuses ? { statuses: args.statuses } : {}),
  };
}

/** A name several leagues share: answered by the caller (with a picker) instead of the usage error. */
export type OnAmbiguous = (matches: LeagueSummary[], typed: string) => Promise<InteractionOutcome>;

export async function runHistory(deps: SlackDeps, args: HistoryArgs, requester: Requester, respond: RespondFn, log: Logger, onAmbiguous?: OnAmbiguous): Promise<InteractionOutcome> {
  let league = args.league;
  if (deps.directory) {
    // A name is turned into an alias or id here, so the page and its buttons carry one of those.
    const resolved = await resolveLeagueInput(deps, args.league, requester.channelId);
    if (!resolved.ok && resolved.ambiguous?.length && onAmbiguous) return onAmbiguous(resolved.ambiguous, args.league);
    if (!resolved.ok) {
      const usage = COMMANDS.find((c) => c.name === 'history')?.usage ?? '';
      await safeRespond(respond, { response_type: 'ephemeral', ...usageError(resolutionProblem(resolved, (id) => `${SLASH_COMMAND} history ${id}`), usage) }, log, { league: args.league });
      return 'usage_error';
    }
    league = resolved.league.alias ?? resolved.league.id;
  }
  const { message, outcome } = await renderHistory(deps, cursorFor({ ...args, league }), requester);
  await safeRespond(respond, { response_type: 'ephemeral', ...message }, log, { league: args.league });
  return outcome;
}
