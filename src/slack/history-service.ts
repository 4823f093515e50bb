/**
 * Cursor in, finished message out: resolves the league, fetches the page, lays it out, and turns
 * every failure into a message a person can act on. Shared by `/tics history` and the buttons.
 */
import { fetchHistoryPage, type HistoryPage } from '../history/fetch-page.js';
import { canListJobs, fetchLeagueJobs, leagueJobsCached, type LeagueJobs } from '../history/league-jobs.js';
import type { InteractionOutcome } from '../metrics.js';
import { iteratePages } from '../tics/client.js';
import { isTicsError } from '../tics/errors.js';
import { leagueLabel, resolveLeague, type LeagueRef } from '../tics/leagues.js';
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';
import { accessDenied } from './access.js';
import { SLASH_COMMAND } from './command-name.js';
import type { HistoryCursor, DetailsRef } from './cursor.js';
import type { SlackDeps } from './deps.js';
import { withinBudget, type Fetched } from './partial.js';
import { buildDetailsMessage } from './views/details.js';
import type { DetailsExtras } from './views/details-report.js';
import { instanceGoneError, internalError, ticsErrorMessage, usageError } from './views/errors.js';
import { buildHistoryMessage, type SlackMessage } from './views/history.js';
import { HISTORY_USAGE } from '../history/query.js';

/** How far the Details button looks for an instance that moved since the page was drawn. */
const DETAILS_SCAN_RECORDS = 500;
/** How long the job menu may hold up a page; past it the page goes out without the menu. */
export const JOBS_BUDGET_MS = 3_000;
/** How long Details waits for the report and execution graph; past it, Details goes out without them. */
export const DETAILS_EXTRAS_BUDGET_MS = 4_000;

/** The message, and how the request ended (for the metrics). */
export interface Rendered {
  message: SlackMessage;
  outcome: Extract<InteractionOutcome, 'ok' | 'usage_error' | 'denied' | 'tics_error' | 'error'>;
}

/** Who is asking, for the TICS_ACCESS allow-list. */
export interface Requester {
  channelId: string | undefined;
  userId: string;
}

export async function renderHistory(deps: SlackDeps, cursor: HistoryCursor, requester: Requester): Promise<Rendered> {
  const resolved = resolveLeague(cursor.league, deps.leagues);
  if (!resolved.ok) return { message: usageError(resolved.problem, `${SLASH_COMMAND} ${HISTORY_USAGE}`), outcome: 'usage_error' };
  const league = resolved.league;
  const denied = accessDenied(deps, { channelId: requester.channelId, league, user: requester.userId, what: 'query' }, deps.logger);
  if (denied) return { message: denied, outcome: 'denied' };
  try {
    // In parallel with the page, and never its failure: without the list the page loses only its job menu.
    const jobs = loadJobs(deps, league.id);
    const named = withName(deps, league);
    const page = await fetchHistoryPage(deps.tics, {
      leagueId: league.id,
      limit: cursor.limit,
      offset: cursor.offset,
      ...(cursor.jobId ? { jobId: cursor.jobId } : {}),
      ...(cursor.jobName !== undefined ? { jobName: cursor.jobName } : {}),
      ...(cursor.statuses?.length ? { statuses: cursor.statuses } : {}),
      ...(cursor.back ? { back: cursor.back } : {}),
    });
    return { message: buildHistoryMessage(toViewModel(deps, await named, cursor, page, await jobs)), outcome: 'ok' };
  } catch (error) {
    return failure(deps, error, league, 'history');
  }
}

/** The league's jobs for the menu (cached a minute per replica); `undefined` when the API cannot list jobs. */
async function loadJobs(deps: SlackDeps, leagueId: string): Promise<Fetched<LeagueJobs> | undefined> {
  if (!canListJobs(deps.tics)) return undefined;
  const fetched = await withinBudget(JOBS_BUDGET_MS, (signal) => leagueJobsCached(deps.tics, leagueId, deps.now(), () => fetchLeagueJobs(deps.tics, leagueId, { signal })));
  if (!fetched.ok) deps.logger.warn({ leagueId, reason: fetched.missing.reason, httpStatus: fetched.missing.httpStatus }, 'history: the job list could not be loaded; the page goes out without the job menu');
  return fetched;
}

/**
 * The league's real name for the header, from the directory's cached list or the store: no TICS
 * request of its own (a page is read often; names arrive with any league list). Alias or id otherwise.
 */
async function withName(deps: SlackDeps, league: LeagueRef): Promise<LeagueRef & { name?: string }> {
  if (!deps.directory) return league;
  const label = (await deps.directory.labelsOf([league.id])).get(league.id);
  return label !== undefined && label !== league.id && label !== league.alias ? { ...league, name: label } : league;
}

function toViewModel(deps: SlackDeps, league: LeagueRef & { name?: string }, cursor: HistoryCursor, page: HistoryPage, jobs: Fetched<LeagueJobs> | undefined) {
  const at = (to: { offset: number; back?: number[] }): HistoryCursor => {
    const { back: _drop, ...rest } = cursor;
    return { ...rest, offset: to.offset, ...(to.back ? { back: to.back } : {}) };
  };
  const now = deps.now();
  return {
    league,
    instances: page.instances,
    total: page.total,
    cursor,
    ...(page.prev ? { prev: at(page.prev) } : {}),
    ...(page.next ? { next: at(page.next) } : {}),
    pageNumber: page.pageNumber,
    ...(page.pageCount !== undefined ? { pageCount: page.pageCount } : {}),
    ...(page.scan ? { scan: page.scan } : {}),
    fetchedAt: now,
    now,
    simulated: deps.simulated,
    filters: jobs === undefined ? {} : { jobs },
  };
}

export async function renderDetails(deps: SlackDeps, ref: DetailsRef, requester: Requester): Promise<Rendered> {
  const resolved = resolveLeague(ref.league, deps.leagues);
  if (!resolved.ok) return { message: usageError(resolved.problem, `${SLASH_COMMAND} ${HISTORY_USAGE}`), outcome: 'usage_error' };
  const league = resolved.league;
  const denied = accessDenied(deps, { channelId: requester.channelId, league, user: requester.userId, what: 'query' }, deps.logger);
  if (denied) return { message: denied, outcome: 'denied' };
  try {
    // TICS has no "get one instance" call: find it in the (job-filtered when possible) history.
    let found: JobInstance | undefined;
    for await (const page of iteratePages(deps.tics, { leagueId: league.id, ...(ref.jobId ? { jobId: ref.jobId } : {}), maxRecords: DETAILS_SCAN_RECORDS })) {
      found = page.instances.find((i) => i.id === ref.instanceId);
      if (found) break;
    }
    if (!found) {
      // The button outlived its instance: an answer, not a failure.
      return {
        message: instanceGoneError({ instanceId: ref.instanceId, scanned: DETAILS_SCAN_RECORDS, league: leagueLabel(league), typedLeague: ref.league }),
        outcome: 'ok',
      };
    }
    const extras = await loadDetailsExtras(deps, league.id, found);
    return { message: buildDetailsMessage({ league, instance: found, now: deps.now(), simulated: deps.simulated, ...(extras ? { extras } : {}) }), outcome: 'ok' };
  } catch (error) {
    return failure(deps, error, league, 'details');
  }
}

/**
 * For a finished instance, its report and (when it failed) its execution graph, in parallel and
 * within one time budget; `undefined` for an unfinished one. Never throws: what fails is named.
 */
async function loadDetailsExtras(deps: SlackDeps, leagueId: string, instance: JobInstance): Promise<DetailsExtras | undefined> {
  if (!isTerminalStatus(instance.status)) return undefined;
  const api = deps.tics;
  const params = { leagueId, instanceId: instance.id };
  // The graph that shows how the run ended is its last round. Whether TICS counts rounds from 0 or 1
  // is undocumented (tics-api-more.md, open question 8); the simulator's last round is max(round_id, 1).
  const round = Math.max(instance.roundId ?? 0, 1);
  const [report, dag] = await Promise.all([
    api.showInstanceReport ? withinBudget(DETAILS_EXTRAS_BUDGET_MS, (signal) => api.showInstanceReport!(params, { signal })) : undefined,
    instance.status === 'FAILED' && api.showJobInstanceDag ? withinBudget(DETAILS_EXTRAS_BUDGET_MS, (signal) => api.showJobInstanceDag!({ ...params, roundId: round }, { signal })) : undefined,
  ]);
  for (const [what, fetched] of [['report', report], ['execution graph', dag]] as const) {
    if (fetched?.ok === false) deps.logger.warn({ leagueId, instanceId: instance.id, reason: fetched.missing.reason, httpStatus: fetched.missing.httpStatus }, `details: the ${what} could not be loaded; Details goes out without it`);
  }
  if (!report && !dag) return undefined;
  return { ...(report ? { report } : {}), ...(dag ? { dag, dagRound: round } : {}) };
}

function failure(deps: SlackDeps, error: unknown, league: LeagueRef, what: string): Rendered {
  if (isTicsError(error)) {
    deps.logger.warn(
      { leagueId: league.id, kind: error.kind, httpStatus: error.httpStatus, errorCode: error.errorCode, requestId: error.requestId, attempts: error.attempts },
      `TICS ${what} request failed: ${error.message}`,
    );
    return { message: ticsErrorMessage(error, { league: leagueLabel(league) }), outcome: 'tics_error' };
  }
  deps.logger.error({ err: error, leagueId: league.id }, `unexpected failure rendering ${what}`);
  return { message: internalError(), outcome: 'error' };
}
