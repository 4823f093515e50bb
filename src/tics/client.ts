/**
 * A small TICS SDK of our own: the read operations (ListInstanceHistory, leagues, jobs, reports)
 * with validated inputs, signed requests, retries of 429/5xx/network faults through undici's retry
 * interceptor (the decision is `retryDelay`), a hedged second request when the first hangs, and
 * errors a caller can act on.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { Logger } from '../log.js';
import type { BotMetrics, TicsOperation, TicsOutcome } from '../metrics.js';
import type { TicsAuth } from './auth.js';
import {
  TicsAuthError,
  TicsInputError,
  TicsRequestError,
  TicsResponseError,
  TicsThrottledError,
  TicsUpstreamError,
  type TicsErrorDetails,
} from './errors.js';
import { parseFlJobPage, parseSqlJobPage, type FlJobPage, type SqlJobPage } from './jobs-schema.js';
import { LEAGUE_LIST_TYPES, parseLeagueDetail, parseLeaguePage, type LeagueDetail, type LeagueListType, type LeaguePage } from './leagues-schema.js';
import { parseInstanceDag, parseInstanceReport, type Deploy, type InstanceReport } from './report-schema.js';
import { errorBodySchema, parseInstancePage, ticsIdSchema, type InstancePage, type ParseResult } from './schema.js';

export interface ListInstanceHistoryParams {
  leagueId: string;
  offset: number;
  limit: number;
  jobId?: string;
}

export interface ListLeaguesParams {
  type: LeagueListType;
  offset: number;
  limit: number;
}

export interface ListJobsParams {
  leagueId: string;
  offset: number;
  limit: number;
}

export interface InstanceParams {
  leagueId: string;
  instanceId: string;
}

export interface InstanceDagParams extends InstanceParams {
  roundId: number;
}

export type CallOptions = { signal?: AbortSignal };

export interface PageWithOffset extends InstancePage {
  offset: number;
}

/** What the Slack and watch layers need; tests and benches can supply their own. */
export interface TicsApi {
  listInstanceHistory(params: ListInstanceHistoryParams, options?: { signal?: AbortSignal }): Promise<InstancePage>;
  // Optional: fakes that only serve history need not implement the rest.
  listLeagues?(params: ListLeaguesParams, options?: CallOptions): Promise<LeaguePage>;
  showLeague?(params: { leagueId: string }, options?: CallOptions): Promise<LeagueDetail>;
  listFlJobs?(params: ListJobsParams, options?: CallOptions): Promise<FlJobPage>;
  listSqlJobs?(params: ListJobsParams, options?: CallOptions): Promise<SqlJobPage>;
  showInstanceReport?(params: InstanceParams, options?: CallOptions): Promise<InstanceReport>;
  showJobInstanceDag?(params: InstanceDagParams, options?: CallOptions): Promise<Deploy[]>;
}

export interface TicsClientOptions {
  endpoint: string;
  projectId: string;
  auth: TicsAuth;
  connectTimeoutMs?: number;
  /** Per attempt: time to response headers, and between body chunks. */
  requestTimeoutMs?: number;
  /** Retries after the first attempt for 429, 5xx and network faults. */
  maxRetries?: number;
  /** Backoff bounds; `Retry-After` is honoured up to `maxRetryDelayMs`. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * When a first attempt has not answered after this long, send the same GET again and take
   * whichever answers first (off when absent or 0). See `HedgeBudget` for the bound on extra load.
   */
  hedgeAfterMs?: number;
  /** Max sockets to the endpoint (keep-alive pool): a burst of commands beyond it waits in line. */
  connections?: number;
  logger?: Logger;
  metrics?: Pick<BotMetrics, 'ticsRequest' | 'ticsRetry' | 'ticsHedge'>;
}

const offsetSchema = z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(2_147_483_647);
const limitSchema = z.number().int('must be a whole number').min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');

const paramsSchema = z.object({
  leagueId: ticsIdSchema,
  offset: offsetSchema,
  limit: limitSchema,
  jobId: ticsIdSchema.optional(),
});

const leaguesParamsSchema = z.object({ type: z.enum(LEAGUE_LIST_TYPES, 'must be owned or participativenormal'), offset: offsetSchema, limit: limitSchema });
const leagueParamsSchema = z.object({ leagueId: ticsIdSchema });
const jobsParamsSchema = z.object({ leagueId: ticsIdSchema, offset: offsetSchema, limit: limitSchema });
const instanceParamsSchema = z.object({ leagueId: ticsIdSchema, instanceId: ticsIdSchema });
const dagParamsSchema = instanceParamsSchema.extend({ roundId: z.number().int('must be a whole number').min(0, 'must be ≥ 0').max(2_147_483_647) });

/** One request: what it is called in metrics and logs, where it goes, and how its body is read. */
interface Call<T> {
  operation: TicsOperation;
  url: URL;
  leagueId: string | undefined;
  parse: (json: unknown) => ParseResult<T>;
  /** What a caller is told when the body is not the documented shape. */
  unreadable: string;
}

function validated<T>(schema: z.ZodType<T>, params: unknown, operation: string): T {
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
    throw new TicsInputError(`Invalid ${operation} request: ${problems}`);
  }
  return parsed.data;
}

export interface RetryPolicy {
  maxRetries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
}

/** What undici hands a `retry` callback: a network error, or a `RequestRetryError` for a status. */
export type AttemptError = Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };

const RETRY_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);
const RETRY_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * The one place that decides whether a failed attempt is tried again: the delay before retry
 * number `retry` (1 for the first retry), or undefined to give up. 429 and 5xx statuses and
 * transient network errors are retried, `maxRetries` times at most; `Retry-After` wins over the
 * exponential backoff, both capped at `maxRetryDelayMs`.
 */
export function retryDelay(err: AttemptError, retry: number, policy: RetryPolicy): number | undefined {
  // undici reports a retriable status as code UND_ERR_REQ_RETRY with the status beside it.
  const retriable = err.statusCode !== undefined ? RETRY_STATUS.has(err.statusCode) : err.code !== undefined && RETRY_ERROR_CODES.has(err.code);
  if (!retriable || retry > policy.maxRetries) return undefined;
  const retryAfter = retryAfterMs(first(err.headers?.['retry-after']));
  return Math.min(retryAfter ?? policy.minRetryDelayMs * 2 ** (retry - 1), policy.maxRetryDelayMs);
}

/**
 * Hedged requests may add at most `ratio` extra requests per request on average (plus a small
 * burst), so a TICS that is slow for everyone gets a little more load, never twice as much.
 */
export class HedgeBudget {
  private tokens: number;

  constructor(
    private readonly ratio = 0.1,
    private readonly burst = 5,
  ) {
    this.tokens = burst;
  }

  deposit(): void {
    this.tokens = Math.min(this.burst, this.tokens + this.ratio);
  }

  take(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** How one request is going, for messages and the hedging decision (performance.now() times). */
interface AttemptState {
  attempts: number;
  attemptStartedAt: number;
  /** Set while waiting between attempts: when the next one starts. */
  waitingUntil?: number | undefined;
}

export class TicsClient implements TicsApi {
  private readonly dispatcher: Dispatcher;
  private readonly agent: Agent;
  private readonly base: string;
  private readonly policy: RetryPolicy;
  private readonly hedgeBudget = new HedgeBudget();

  constructor(private readonly options: TicsClientOptions) {
    this.base = options.endpoint.replace(/\/+$/, '');
    const timeout = options.requestTimeoutMs ?? 15_000;
    this.agent = new Agent({
      connect: { timeout: options.connectTimeoutMs ?? 5_000 },
      headersTimeout: timeout,
      bodyTimeout: timeout,
      keepAliveTimeout: 30_000,
      connections: options.connections ?? 64,
    });
    this.policy = { maxRetries: options.maxRetries ?? 3, minRetryDelayMs: options.minRetryDelayMs ?? 500, maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000 };
    // Every request passes its own `retryOptions.retry` (see `get`), which the interceptor merges
    // over these and which replaces undici's default decision entirely: only `throwOnError` is read
    // here. test/tics/undici-retry-contract.test.ts pins that merge.
    // throwOnError false hands the final response to us (error body, X-Request-Id) instead of a
    // bare RequestRetryError.
    this.dispatcher = this.agent.compose(interceptors.retry({ throwOnError: false }));
  }

  get description(): string {
    return `${this.options.auth.description} → ${this.base} (project ${this.options.projectId})`;
  }

  async listInstanceHistory(params: ListInstanceHistoryParams, options: { signal?: AbortSignal } = {}): Promise<InstancePage> {
    const { leagueId, offset, limit, jobId } = validated(paramsSchema, params, 'ListInstanceHistory');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}/job-instances`, { offset, limit, ...(jobId ? { job_id: jobId } : {}) });
    return this.call({ operation: 'list_instance_history', url, leagueId, parse: parseInstancePage, unreadable: 'TICS returned a page the bot could not read' }, options.signal);
  }

  /** One type per call: to see every league, list both types and merge by id. */
  async listLeagues(params: ListLeaguesParams, options: CallOptions = {}): Promise<LeaguePage> {
    const { type, offset, limit } = validated(leaguesParamsSchema, params, 'ListLeagues');
    const url = this.url('/league-info', { offset, limit, type });
    return this.call({ operation: 'list_leagues', url, leagueId: undefined, parse: parseLeaguePage, unreadable: 'TICS returned a league list the bot could not read' }, options.signal);
  }

  async showLeague(params: { leagueId: string }, options: CallOptions = {}): Promise<LeagueDetail> {
    const { leagueId } = validated(leagueParamsSchema, params, 'ShowLeague');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}`, {});
    return this.call({ operation: 'show_league', url, leagueId, parse: parseLeagueDetail, unreadable: 'TICS returned a league the bot could not read' }, options.signal);
  }

  async listFlJobs(params: ListJobsParams, options: CallOptions = {}): Promise<FlJobPage> {
    const { leagueId, offset, limit } = validated(jobsParamsSchema, params, 'ListFlJob');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}/fl-jobs`, { offset, limit });
    return this.call({ operation: 'list_fl_jobs', url, leagueId, parse: parseFlJobPage, unreadable: 'TICS returned a job list the bot could not read' }, options.signal);
  }

  async listSqlJobs(params: ListJobsParams, options: CallOptions = {}): Promise<SqlJobPage> {
    const { leagueId, offset, limit } = validated(jobsParamsSchema, params, 'ListSqlJob');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}/sql-jobs`, { offset, limit });
    return this.call({ operation: 'list_sql_jobs', url, leagueId, parse: parseSqlJobPage, unreadable: 'TICS returned a job list the bot could not read' }, options.signal);
  }

  async showInstanceReport(params: InstanceParams, options: CallOptions = {}): Promise<InstanceReport> {
    const { leagueId, instanceId } = validated(instanceParamsSchema, params, 'ShowInstanceReport');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}/job-instances/${encodeURIComponent(instanceId)}/report`, {});
    return this.call({ operation: 'show_instance_report', url, leagueId, parse: parseInstanceReport, unreadable: 'TICS returned a report the bot could not read' }, options.signal);
  }

  /** The execution graph of one round, one entry per node. */
  async showJobInstanceDag(params: InstanceDagParams, options: CallOptions = {}): Promise<Deploy[]> {
    const { leagueId, instanceId, roundId } = validated(dagParamsSchema, params, 'ShowJobInstanceDag');
    const url = this.url(`/leagues/${encodeURIComponent(leagueId)}/job-instances/${encodeURIComponent(instanceId)}/dag`, { round_id: roundId });
    return this.call({ operation: 'show_job_instance_dag', url, leagueId, parse: parseInstanceDag, unreadable: 'TICS returned an execution graph the bot could not read' }, options.signal);
  }

  private url(path: string, query: Record<string, string | number>): URL {
    const url = new URL(`${this.base}/v1/${encodeURIComponent(this.options.projectId)}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    return url;
  }

  /** The path every operation shares: signed, retried, hedged, typed errors, one metric per call. */
  private async call<T>(call: Call<T>, signal: AbortSignal | undefined): Promise<T> {
    const started = performance.now();
    let outcome: TicsOutcome = 'ok';
    try {
      const body = await this.hedged(call, signal);
      const parsed = call.parse(body.json);
      if (!parsed.ok) {
        throw new TicsResponseError(call.unreadable, { httpStatus: body.status, requestId: body.requestId, attempts: body.attempts, excerpt: excerpt(parsed.issues) });
      }
      return parsed.value;
    } catch (error) {
      outcome = ticsOutcomeOf(error);
      throw error;
    } finally {
      this.options.metrics?.ticsRequest(call.operation, outcome, (performance.now() - started) / 1000);
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /**
   * `get`, hedged: when the attempt in flight has not answered `hedgeAfterMs` after it started, the
   * same GET goes out again and the first success wins (the other is aborted). A wait between
   * attempts (backoff, `Retry-After`) is never hedged: the retry policy is in charge there.
   */
  private async hedged(call: Target, signal: AbortSignal | undefined): Promise<Body> {
    const hedgeAfterMs = this.options.hedgeAfterMs ?? 0;
    this.hedgeBudget.deposit();
    if (hedgeAfterMs <= 0) return this.get(call, signal);
    const primaryAbort = new AbortController();
    const primaryState: AttemptState = { attempts: 1, attemptStartedAt: performance.now() };
    const primary = this.get(call, anySignal(signal, primaryAbort.signal), false, primaryState);
    const done = primary.then(settled, settled);
    // Each pass ends with an answer or a deadline; the deadline only moves when a retry starts, so
    // this runs at most maxRetries + 2 times.
    for (;;) {
      const { waitingUntil, attemptStartedAt } = primaryState;
      const wait = (waitingUntil ?? attemptStartedAt) + hedgeAfterMs - performance.now();
      if (wait <= 0 && waitingUntil === undefined) break;
      let timer: NodeJS.Timeout | undefined;
      const due = new Promise<'due'>((resolve) => {
        timer = setTimeout(() => resolve('due'), Math.max(wait, 1));
      });
      const first = await Promise.race([done, due]);
      clearTimeout(timer);
      if (first === 'settled') return primary;
    }
    if (signal?.aborted || !this.hedgeBudget.take()) return primary;
    this.options.metrics?.ticsHedge(call.operation);
    this.options.logger?.debug({ leagueId: call.leagueId, afterMs: hedgeAfterMs, attempt: primaryState.attempts }, 'TICS has not answered yet; sending the request again');
    const hedgeAbort = new AbortController();
    const hedge = this.get(call, anySignal(signal, hedgeAbort.signal));
    try {
      const winner = await Promise.any([primary.then((body) => ({ body, loser: hedgeAbort })), hedge.then((body) => ({ body, loser: primaryAbort }))]);
      winner.loser.abort();
      return winner.body;
    } catch (error) {
      // Both failed: the first request's error says what happened (its attempts, its status).
      throw error instanceof AggregateError ? error.errors[0] : error;
    }
  }

  /** `attemptsBefore`: attempts already spent on this request (a garbled answer re-requested below). */
  private async get(call: Target, signal: AbortSignal | undefined, refreshed = false, state: AttemptState = { attempts: 1, attemptStartedAt: performance.now() }, attemptsBefore = 0): Promise<Body> {
    const { url, leagueId } = call;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    Object.assign(headers, await this.options.auth.headers({ method: 'GET', url, headers }));
    state.attempts = attemptsBefore + 1;
    state.attemptStartedAt = performance.now();
    let res: Dispatcher.ResponseData<unknown>;
    try {
      res = await request(url, {
        method: 'GET',
        headers,
        dispatcher: this.dispatcher,
        ...(signal ? { signal } : {}),
        retryOptions: { retry: this.retryCallback(state, call) },
      } as Parameters<typeof request>[1]);
    } catch (cause) {
      const { attempts } = state;
      throw new TicsUpstreamError(`TICS could not be reached (${describeNetworkError(cause)}) after ${attempts} attempt${attempts > 1 ? 's' : ''}`, { cause, attempts });
    }
    const requestId = first(res.headers['x-request-id']);
    const text = await res.body.text().catch(() => '');
    if (res.statusCode >= 200 && res.statusCode < 300) {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        // Not JSON, so no error_code/error_msg to pick out of it either.
        const error = new TicsResponseError('TICS answered with a body that is not JSON', { httpStatus: res.statusCode, requestId, attempts: state.attempts, excerpt: excerpt(text) });
        // A 2xx that is not JSON is a transport fault (a proxy's page, a body cut short), not an
        // answer: asked again like a 5xx, within the same retry budget. undici cannot do this one:
        // its retry decision is taken at the status line, before the body is read.
        const delay = retryDelay(Object.assign(new Error(error.message), { statusCode: 502 }), state.attempts, this.policy);
        if (delay === undefined || signal?.aborted) throw error;
        const spent = state.attempts;
        this.noteRetry(state, call, delay, { status: res.statusCode, code: 'body_not_json' });
        await sleep(delay, undefined, signal ? { signal } : {}).catch(() => undefined);
        state.waitingUntil = undefined;
        if (signal?.aborted) throw error;
        return this.get(call, signal, refreshed, state, spent);
      }
      return { json, status: res.statusCode, requestId, attempts: state.attempts };
    }
    // Only error bodies are searched for error_code/error_msg: a page would be parsed twice for nothing.
    const details: TicsErrorDetails = { httpStatus: res.statusCode, requestId, attempts: state.attempts, ...errorFields(text) };
    if (res.statusCode === 401) {
      if (!refreshed && this.options.auth.refreshAfterRejection && (await this.options.auth.refreshAfterRejection(details.errorCode))) {
        this.options.logger?.info({ leagueId, requestId, errorCode: details.errorCode }, 'TICS rejected the token; re-issued it, retrying once');
        return this.get(call, signal, true, state);
      }
      throw new TicsAuthError(`TICS rejected the credentials (${this.options.auth.description})`, details);
    }
    if (res.statusCode === 429) {
      throw new TicsThrottledError('TICS is throttling the bot', { ...details, retryAfterMs: retryAfterMs(first(res.headers['retry-after'])) });
    }
    if (res.statusCode >= 500) throw new TicsUpstreamError(`TICS is unavailable (HTTP ${res.statusCode})`, details);
    throw new TicsRequestError(`TICS refused the request (HTTP ${res.statusCode})`, details);
  }

  /** undici's `retry` callback for one request: asks `retryDelay`, counts, logs, waits. */
  private noteRetry(state: AttemptState, { operation, leagueId }: Target, delay: number, why: { status?: number | undefined; code?: string | undefined }): void {
    this.options.logger?.warn({ leagueId, attempt: state.attempts, ...why, delayMs: delay }, 'TICS request failed; retrying');
    state.attempts += 1;
    state.waitingUntil = performance.now() + delay;
    this.options.metrics?.ticsRetry(operation);
  }

  private retryCallback(state: AttemptState, target: Target) {
    return (err: AttemptError, _undici: unknown, cb: (err?: Error | null) => void) => {
      // Our own count, not undici's state.counter: a garbled answer re-requested in get() spends
      // from the same budget.
      const delay = retryDelay(err, state.attempts, this.policy);
      if (delay === undefined) {
        cb(err);
        return;
      }
      this.noteRetry(state, target, delay, { status: err.statusCode, code: err.code });
      setTimeout(() => {
        state.waitingUntil = undefined;
        state.attemptStartedAt = performance.now();
        cb(null);
      }, delay).unref?.();
    };
  }
}

type Body = { json: unknown; status: number; requestId: string | undefined; attempts: number };
type Target = Pick<Call<unknown>, 'operation' | 'url' | 'leagueId'>;

const settled = () => 'settled' as const;

function anySignal(outer: AbortSignal | undefined, own: AbortSignal): AbortSignal {
  return outer ? AbortSignal.any([outer, own]) : own;
}

export async function* iteratePages(
  api: TicsApi,
  params: { leagueId: string; jobId?: string; pageSize?: number; maxRecords?: number; signal?: AbortSignal },
): AsyncGenerator<PageWithOffset> {
  const pageSize = params.pageSize ?? 100;
  const maxRecords = params.maxRecords ?? 10_000;
  let offset = 0;
  for (;;) {
    const limit = Math.min(pageSize, maxRecords - offset);
    if (limit <= 0) return;
    const page = await api.listInstanceHistory(
      { leagueId: params.leagueId, offset, limit, ...(params.jobId ? { jobId: params.jobId } : {}) },
      params.signal ? { signal: params.signal } : {},
    );
    yield { ...page, offset };
    offset += page.instances.length;
    if (page.instances.length === 0 || offset >= page.total) return;
  }
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function errorFields(text: string): Pick<TicsErrorDetails, 'errorCode' | 'errorMsg'> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const parsed = errorBodySchema.safeParse(json);
  if (!parsed.success) return {};
  return {
    ...(parsed.data.error_code ? { errorCode: parsed.data.error_code.slice(0, 64) } : {}),
    ...(parsed.data.error_msg ? { errorMsg: parsed.data.error_msg.slice(0, 300) } : {}),
  };
}

/** Short, single-line, and free of anything that looks like a credential. */
export function excerpt(text: string, max = 160): string {
  const flat = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/(Signature=|Access=|X-Auth-Token:?\s*|token"?\s*[:=]\s*"?)[^\s,"]+/gi, '$1[redacted]')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A bounded label for how a request ended: the status class, or what kind of network failure. */
export function ticsOutcomeOf(error: unknown): TicsOutcome {
  const status = (error as { httpStatus?: number } | undefined)?.httpStatus;
  if (status !== undefined) {
    if (status >= 200 && status < 300) return 'invalid_response';
    if (status >= 400 && status < 500) return '4xx';
    if (status >= 500 && status < 600) return '5xx';
    return 'other_status';
  }
  type Coded = { code?: unknown; name?: string } | undefined;
  // Our errors wrap undici's in `cause`; a bare undici or abort error is read as it is. A
  // DOMException's `code` is a legacy number (20 for AbortError): its name says what it is.
  const inner = (error as { cause?: Coded } | undefined)?.cause ?? (error as Coded);
  switch (typeof inner?.code === 'string' ? inner.code : inner?.name) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
    case 'TimeoutError':
      return 'timeout';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
    case 'AbortError':
      return 'aborted';
    default:
      return 'network';
  }
}

function describeNetworkError(cause: unknown): string {
  const code = (cause as { code?: string } | undefined)?.code;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timed out waiting for the response';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host not found';
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
      return 'connection reset';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return 'request aborted';
    default:
      return code ?? 'network error';
  }
}
