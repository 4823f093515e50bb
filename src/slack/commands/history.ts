/** `/tics history <league> …` */
import type { RespondFn } from '@slack/bolt';
import { DEFAULT_LIMIT, type HistoryArgs } from '../../history/query.js';
import type { Logger } from '../../log.js';
import { CURSOR_VERSION, type HistoryCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderHistory, type Rendered, type Requester } from '../history-service.js';
import { safeRespond } from '../respond.js';

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

export async function runHistory(deps: SlackDeps, args: HistoryArgs, requester: Requester, respond: RespondFn, log: Logger): Promise<Rendered['outcome']> {
  const { message, outcome } = await renderHistory(deps, cursorFor(args), requester);
  await safeRespond(respond, { response_type: 'ephemeral', ...message }, log, { league: args.league });
  return outcome;
}
