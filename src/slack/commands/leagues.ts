/** `/tics leagues [text]` and its page buttons: the leagues this channel may query, by name. */
import type { RespondFn } from '@slack/bolt';
import { normalizeName } from '../../leagues/summary.js';
import type { Logger } from '../../log.js';
import type { InteractionOutcome } from '../../metrics.js';
import { isTicsError } from '../../tics/errors.js';
import type { SlackDeps } from '../deps.js';
import type { Requester } from '../history-service.js';
import { safeRespond } from '../respond.js';
import { genericError, internalError, ticsErrorMessage } from '../views/errors.js';
import type { SlackMessage } from '../views/format.js';
import { buildLeaguesMessage } from '../views/leagues.js';
import type { LeaguesPage } from '../views/leagues-state.js';

export interface RenderedLeagues {
  message: SlackMessage;
  outcome: Extract<InteractionOutcome, 'ok' | 'refused' | 'tics_error' | 'error'>;
}

export async function renderLeagues(deps: SlackDeps, state: LeaguesPage, requester: Requester): Promise<RenderedLeagues> {
  const directory = deps.directory;
  if (!directory) return { message: genericError('Listing leagues is not enabled in this deployment of tics-bot.'), outcome: 'refused' };
  try {
    const visible = await directory.list({ channelId: requester.channelId ?? '' });
    const wanted = state.q === undefined ? undefined : normalizeName(state.q);
    const leagues = wanted === undefined ? visible : visible.filter((l) => [l.name, l.alias ?? '', l.id].some((field) => normalizeName(field).includes(wanted)));
    return { message: buildLeaguesMessage({ leagues, state, fetchedAt: deps.now(), canWatch: deps.watch !== undefined, simulated: deps.simulated }), outcome: 'ok' };
  } catch (error) {
    if (isTicsError(error)) {
      deps.logger.warn({ kind: error.kind, httpStatus: error.httpStatus, errorCode: error.errorCode, requestId: error.requestId }, `TICS league list failed: ${error.message}`);
      return { message: ticsErrorMessage(error, { league: 'the league list' }), outcome: 'tics_error' };
    }
    deps.logger.error({ err: error }, 'unexpected failure listing leagues');
    return { message: internalError(), outcome: 'error' };
  }
}

export async function runLeagues(deps: SlackDeps, filter: string | undefined, requester: Requester, respond: RespondFn, log: Logger): Promise<InteractionOutcome> {
  const { message, outcome } = await renderLeagues(deps, { v: 1, ...(filter !== undefined ? { q: filter } : {}), offset: 0 }, requester);
  await safeRespond(respond, { response_type: 'ephemeral', ...message }, log);
  return outcome;
}
