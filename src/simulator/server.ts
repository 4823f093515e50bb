/**
 * A strict local TICS: ListInstanceHistory, ListLeagues, ShowLeague, ListFlJob, ListSqlJob,
 * ShowInstanceReport, ShowJobInstanceDag and IAM's token endpoint over real HTTP, as unforgiving
 * as Huawei's gateway (tics-api.md). Used by `npm run simulator`, the demo, the CLI's
 * `--simulator` mode and, in-process, by every test of the client, the Slack app and the watcher.
 *
 * Order of checks for each request: scripted fault → route (404) → throttle (429) → method (405)
 * → auth (401) → path ids and query (400) → project (403) → league, then instance (404) → 200.
 */
import { setMaxListeners } from 'node:events';
import { randomBytes } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { toWireFlJob, toWireSqlJob } from '../tics/jobs-schema.js';
import { LEAGUE_LIST_TYPES, toWireLeague } from '../tics/leagues-schema.js';
import { toWireDag, toWireReport } from '../tics/report-schema.js';
import { toWireInstance, ticsIdSchema } from '../tics/schema.js';
import type { SignableRequest } from '../tics/sign.js';
import { Gatekeeper } from './auth.js';
import { FaultQueue, htmlErrorPage, MALFORMED_BODY, WRONG_SHAPE_BODY, type Fault, type FaultOptions, type RouteKind, type TicsRouteKind } from './faults.js';
import { handleTokenRequest, iamError, type IamUser } from './iam.js';
import { instanceDag, instanceReport } from './reports.js';
import { seedWorld } from './seed.js';
import { RateWindow } from './throttle.js';
import { SimWorld, type SimJob } from './world.js';

export type { Fault, FaultOptions } from './faults.js';
export { DEMO_LEAGUES, UNKNOWN_DEMO_JOB_TYPE, UNKNOWN_DEMO_STATUS, UNKNOWN_DEMO_TYPE, type DemoLeague } from './seed.js';
export { SimWorld, jobIdFor, type LeagueInfo, type ProgressStep, type SimJob } from './world.js';
export { LOCKOUT_MS, LOCKOUT_TOLERATED_FAILURES } from './auth.js';

/** 32 letters/digits, like a real project id (which is 32 hex). */
export const DEFAULT_PROJECT_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
/** Shaped like Huawei keys: 20-character AK, 40-character SK. */
export const DEFAULT_AK = 'SIMULATORACCESSKEY01';
export const DEFAULT_SK = 'SimulatorSecretKey0000000000000000000001';
export const DEFAULT_IAM_USER: IamUser = { name: 'sim-user', password: 'sim-password', domain: 'sim-account' };

export interface SimulatorOptions {
  port?: number;
  host?: string;
  projectId?: string;
  credentials?: Array<{ ak: string; sk: string }>;
  tokens?: string[];
  iamUsers?: IamUser[];
  tokenTtlMs?: number;
  now?: () => number;
  seed?: number | false;
  speed?: number;
  latencyMs?: number;
  rateLimitPerSecond?: number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Status sent; 0 while in flight, and for a `reset` fault (no answer at all). */
  status: number;
  auth: 'aksk' | 'token' | 'none';
  leagueId?: string;
  at: number;
  requestId: string;
}

export interface TicsSimulator {
  readonly url: string;
  readonly projectId: string;
  readonly credentials: { ak: string; sk: string };
  readonly world: SimWorld;
  readonly requests: RequestRecord[];
  injectFault(fault: Fault, opts?: FaultOptions): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

const optionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  projectId: ticsIdSchema.default(DEFAULT_PROJECT_ID),
  credentials: z
    .array(z.object({ ak: z.string().min(1), sk: z.string().min(1) }))
    .min(1)
    .default([{ ak: DEFAULT_AK, sk: DEFAULT_SK }]),
  tokens: z.array(z.string().min(1)).default([]),
  iamUsers: z.array(z.object({ name: z.string(), password: z.string(), domain: z.string() })).default([DEFAULT_IAM_USER]),
  tokenTtlMs: z.number().positive().default(24 * 60 * 60_000),
  seed: z.union([z.number().int(), z.literal(false)]).default(1),
  speed: z.number().positive().default(60),
  latencyMs: z.number().min(0).default(0),
  rateLimitPerSecond: z.number().int().positive().default(200),
});

const JSON_TYPE = 'application/json;charset=UTF-8';
const MAX_BODY_BYTES = 64 * 1024;
const MAX_OFFSET = 2_147_483_647;
const ROUTES: ReadonlyArray<readonly [RegExp, TicsRouteKind]> = [
  [/^\/v1\/([^/]+)\/league-info$/, 'leagues'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)$/, 'league'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)\/fl-jobs$/, 'fl_jobs'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)\/sql-jobs$/, 'sql_jobs'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)\/job-instances$/, 'instances'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)\/job-instances\/([^/]+)\/report$/, 'report'],
  [/^\/v1\/([^/]+)\/leagues\/([^/]+)\/job-instances\/([^/]+)\/dag$/, 'dag'],
];

/** Error codes TICS does not document; these mimic Huawei's `SERVICE.0NNN` style. */
const CODES = {
  badRequest: 'TICS.0400',
  /** The path's project is not the caller's. */
  forbidden: 'TICS.0403',
  /** The league, or the instance in it, does not exist (or is not visible to this project). */
  noLeague: 'TICS.0404',
  method: 'TICS.0405',
  internal: 'TICS.0500',
  /** What APIG says for a path it has no API for. */
  noApi: 'APIGW.0101',
  throttled: 'APIGW.0308',
} as const;

/** A TICS route with its raw (still percent-encoded) path ids. */
interface TicsRoute {
  kind: TicsRouteKind;
  project: string;
  league?: string;
  instance?: string;
}
type Route = TicsRoute | { kind: 'iam' } | { kind: 'other' };

function classify(pathname: string): Route {
  if (pathname === '/v3/auth/tokens') return { kind: 'iam' };
  for (const [pattern, kind] of ROUTES) {
    const m = pattern.exec(pathname);
    if (!m?.[1]) continue;
    return { kind, project: m[1], ...(m[2] ? { league: m[2] } : {}), ...(m[3] ? { instance: m[3] } : {}) };
  }
  return { kind: 'other' };
}

function wireJob(job: SimJob): Record<string, unknown> {
  if (job.kind === 'fl') {
    const { kind: _kind, ...fl } = job;
    return toWireFlJob(fl);
  }
  const { kind: _kind, ...sql } = job;
  return toWireSqlJob(sql);
}

function isTicsRoute(route: Route): route is TicsRoute {
  return route.kind !== 'iam' && route.kind !== 'other';
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A required non-negative integer query parameter, with messages that name it. */
function intParam(name: string, max: number) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`) })
    .regex(/^-?\d+$/, `${name} must be an integer`)
    .transform(Number)
    .pipe(z.number().min(0, `${name} must be between 0 and ${max}`).max(max, `${name} must be between 0 and ${max}`));
}

const paging = { limit: intParam('limit', 100), offset: intParam('offset', MAX_OFFSET) };

/** Each route's query: the parameters it reads (each at most once) and how they must look. */
const QUERIES: Record<TicsRouteKind, z.ZodObject> = {
  instances: z.object({ ...paging, job_id: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'job_id must be 1–32 letters or digits').optional() }),
  leagues: z.object({
    ...paging,
    type: z.enum(LEAGUE_LIST_TYPES, { error: (issue) => (issue.input === undefined ? 'type is required' : 'type must be owned or participativenormal') }),
  }),
  league: z.object({}),
  fl_jobs: z.object(paging),
  sql_jobs: z.object(paging),
  report: z.object({}),
  dag: z.object({ round_id: intParam('round_id', MAX_OFFSET) }),
};

interface Exchange {
  res: ServerResponse;
  record: RequestRecord;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<TicsSimulator> {
  const { now: nowOption, ...rest } = options;
  const opts = optionsSchema.parse(rest);
  const now = nowOption ?? Date.now;
  const world = new SimWorld({ now, speed: opts.speed });
  if (opts.seed !== false) seedWorld(world, { seed: opts.seed, now: now() });
  const gate = new Gatekeeper({ projectId: opts.projectId, credentials: opts.credentials, tokens: opts.tokens, now });
  const faults = new FaultQueue();
  const throttle = new RateWindow(opts.rateLimitPerSecond);
  const requests: RequestRecord[] = [];
  const closing = new AbortController();
  // Every delayed response listens for close: more than 10 in flight is normal, not a leak.
  setMaxListeners(0, closing.signal);
  let latencyMs = opts.latencyMs;

  const sleep = async (ms: number) => {
    if (ms > 0) await delay(ms, undefined, { signal: closing.signal }).catch(() => undefined);
  };

  const send = (ex: Exchange, status: number, body: string, headers: Record<string, string> = {}) => {
    ex.record.status = status;
    if (ex.res.destroyed || closing.signal.aborted) return;
    ex.res.writeHead(status, { 'Content-Type': JSON_TYPE, 'X-Request-Id': ex.record.requestId, ...headers });
    ex.res.end(body);
  };
  const sendJson = (ex: Exchange, status: number, body: unknown, headers?: Record<string, string>) => send(ex, status, JSON.stringify(body), headers);
  const ticsError = (ex: Exchange, status: number, code: string, msg: string, headers?: Record<string, string>) =>
    // The gateway adds its request id to its own errors; TICS's documented body is just code + msg.
    sendJson(ex, status, code.startsWith('APIGW.') ? { error_code: code, error_msg: msg, request_id: ex.record.requestId } : { error_code: code, error_msg: msg }, headers);

  const applyFault = (ex: Exchange, fault: Fault, route: RouteKind): boolean => {
    switch (fault.kind) {
      case 'status': {
        const reason = STATUS_CODES[fault.status] ?? 'Error';
        if (route === 'iam' && !fault.errorCode) sendJson(ex, fault.status, iamError(fault.status, reason, fault.errorMsg ?? reason).body);
        else ticsError(ex, fault.status, fault.errorCode ?? `TICS.0${fault.status}`, fault.errorMsg ?? reason);
        return true;
      }
      case 'throttle': {
        const seconds = fault.retryAfterSeconds ?? 2;
        ticsError(ex, 429, CODES.throttled, 'The throttling threshold has been reached: policy user over ratelimit', { 'Retry-After': String(seconds) });
        return true;
      }
      case 'auth':
        ticsError(ex, 401, fault.errorCode ?? 'APIGW.0301', 'Incorrect IAM authentication information (injected fault)');
        return true;
      case 'malformed':
        send(ex, 200, MALFORMED_BODY);
        return true;
      case 'html':
        send(ex, fault.status, htmlErrorPage(fault.status, STATUS_CODES[fault.status] ?? 'Error'), { 'Content-Type': 'text/html' });
        return true;
      case 'schema':
        sendJson(ex, 200, WRONG_SHAPE_BODY);
        return true;
      case 'reset':
        ex.record.status = 0;
        ex.res.socket?.destroy();
        return true;
      case 'latency':
        return false;
    }
  };

  const handleTics = (ex: Exchange, req: SignableRequest, route: TicsRoute, searchParams: URLSearchParams) => {
    const auth = gate.check(req);
    ex.record.auth = auth.kind;
    if (!auth.ok) return ticsError(ex, 401, auth.code, auth.message);

    const project = safeDecode(route.project) ?? '';
    const league = route.league === undefined ? undefined : (safeDecode(route.league) ?? '');
    const instance = route.instance === undefined ? undefined : (safeDecode(route.instance) ?? '');
    if (!ticsIdSchema.safeParse(project).success) return ticsError(ex, 400, CODES.badRequest, 'project_id must be 1–32 letters or digits');
    if (league !== undefined && !ticsIdSchema.safeParse(league).success) return ticsError(ex, 400, CODES.badRequest, 'league_id must be 1–32 letters or digits');
    if (instance !== undefined && !ticsIdSchema.safeParse(instance).success) return ticsError(ex, 400, CODES.badRequest, 'instance_id must be 1–32 letters or digits');
    const querySchema = QUERIES[route.kind];
    for (const key of Object.keys(querySchema.shape)) {
      if (searchParams.getAll(key).length > 1) return ticsError(ex, 400, CODES.badRequest, `${key} must be given once`);
    }
    const parsed = querySchema.safeParse(Object.fromEntries(searchParams));
    if (!parsed.success) return ticsError(ex, 400, CODES.badRequest, parsed.error.issues[0]?.message ?? 'invalid query');
    const query = parsed.data as { limit: number; offset: number; job_id?: string; type?: (typeof LEAGUE_LIST_TYPES)[number]; round_id?: number };
    if (project !== opts.projectId || project !== auth.projectId) {
      return ticsError(ex, 403, CODES.forbidden, `No permission for project ${project}`);
    }
    world.advanceTo(now());
    if (route.kind === 'leagues') {
      const page = world.queryLeagues(query.type ?? 'owned', query);
      return sendJson(ex, 200, page.total === 0 ? { total: 0 } : { total: page.total, lists: page.leagues.map((l) => toWireLeague(l, false)) });
    }
    if (league === undefined) throw new Error(`route ${route.kind} has no league`);
    if (!world.hasLeague(league)) return ticsError(ex, 404, CODES.noLeague, `League ${league} does not exist`);
    if (instance !== undefined && !world.instance(league, instance)) return ticsError(ex, 404, CODES.noLeague, `Job instance ${instance} does not exist in league ${league}`);
    switch (route.kind) {
      case 'league':
        return sendJson(ex, 200, toWireLeague(world.league(league), true));
      case 'fl_jobs':
      case 'sql_jobs': {
        const page = world.queryJobs(league, route.kind === 'fl_jobs' ? 'fl' : 'sql', query);
        const lists = page.jobs.map(wireJob);
        return sendJson(ex, 200, page.total === 0 ? { total: 0 } : { total: page.total, lists });
      }
      case 'report':
        return sendJson(ex, 200, toWireReport(instanceReport(world, league, instance ?? '', opts.projectId) ?? {}));
      case 'dag':
        return sendJson(ex, 200, toWireDag(instanceDag(world, league, instance ?? '', query.round_id ?? 0) ?? []));
      case 'instances': {
        const page = world.query(league, { offset: query.offset, limit: query.limit, jobId: query.job_id });
        // The SDK models make `lists` optional and an empty league may leave it out: do the stricter thing.
        return sendJson(ex, 200, page.total === 0 ? { total: 0 } : { total: page.total, lists: page.instances.map(toWireInstance) });
      }
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const route = classify(url.pathname);
    const record: RequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      auth: 'none',
      at: now(),
      requestId: randomBytes(16).toString('hex'),
    };
    if (isTicsRoute(route) && route.league !== undefined) {
      const league = safeDecode(route.league);
      if (league !== undefined) record.leagueId = league;
    }
    requests.push(record);
    const ex: Exchange = { res, record };
    const body = await readBody(req);
    await sleep(latencyMs);

    const fault = faults.take(route.kind, record.leagueId);
    if (fault) {
      if (applyFault(ex, fault, route.kind)) return;
      if (fault.kind === 'latency') await sleep(fault.ms);
    }
    if (closing.signal.aborted) return;

    if (route.kind === 'other') return ticsError(ex, 404, CODES.noApi, 'The API does not exist or has not been published in the environment');
    const retryAfter = throttle.hit(route.kind, now());
    if (retryAfter !== undefined) {
      return ticsError(ex, 429, CODES.throttled, `The throttling threshold has been reached: policy user over ratelimit,limit:${opts.rateLimitPerSecond},time:1 second`, {
        'Retry-After': String(retryAfter),
      });
    }

    if (route.kind === 'iam') {
      if (record.method !== 'POST') return sendJson(ex, 405, iamError(405, 'Method Not Allowed', 'Only POST is allowed.').body, { Allow: 'POST' });
      const reply = handleTokenRequest(body, {
        users: opts.iamUsers,
        projectId: opts.projectId,
        ttlMs: opts.tokenTtlMs,
        nocatalog: url.searchParams.get('nocatalog') === 'true',
        issue: (projectId, ttl) => gate.issueToken(projectId, ttl),
      });
      return sendJson(ex, reply.status, reply.body, reply.headers);
    }

    if (record.method !== 'GET') return ticsError(ex, 405, CODES.method, `Method ${record.method} is not allowed; use GET`, { Allow: 'GET' });
    const segments = url.pathname.split('/').map(safeDecode);
    if (segments.some((s) => s === undefined)) return ticsError(ex, 400, CODES.badRequest, 'The path is not valid percent-encoding');
    const signable: SignableRequest = { method: record.method, path: segments.join('/'), query: [...url.searchParams], headers: flatHeaders(req), body };
    if (isTicsRoute(route)) handleTics(ex, signable, route, url.searchParams);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('simulator: request failed', error);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': JSON_TYPE });
        res.end(JSON.stringify({ error_code: CODES.internal, error_msg: 'Internal error' }));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;

  return {
    url: `http://${hostPart}:${port}`,
    projectId: opts.projectId,
    credentials: opts.credentials[0]!,
    world,
    requests,
    injectFault: (fault, faultOpts) => faults.inject(fault, faultOpts),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => {
      latencyMs = Math.max(0, ms);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
