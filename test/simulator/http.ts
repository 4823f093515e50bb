/**
 * Raw HTTP against the simulator, signed by hand with src/tics/sign.ts, so each test controls every
 * header (undici's `request` lets us set Host and tamper freely; fetch would not).
 */
import { request } from 'undici';
import { formatSdkDate, percentEncode, sign, type SignableRequest } from '../../src/tics/sign.js';
import type { TicsSimulator } from '../../src/simulator/server.js';

export interface CallOptions {
  method?: string;
  path: string;
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string;
  /** Sign with these credentials (default: the simulator's first pair) unless `unsigned` or `token`. */
  credentials?: { ak: string; sk: string };
  unsigned?: boolean;
  token?: string;
  /** Signing time (default: now()). */
  date?: Date;
  signedHeaders?: string[];
  /** Change the request after it was signed. */
  tamper?: (req: { path: string; query: Array<[string, string]>; headers: Record<string, string> }) => void;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: () => unknown;
}

export function queryString(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
}

export function instancesPath(sim: Pick<TicsSimulator, 'projectId'>, league: string, project = sim.projectId): string {
  return `/v1/${project}/leagues/${league}/job-instances`;
}

export async function call(sim: TicsSimulator, options: CallOptions, now: () => number = Date.now): Promise<CallResult> {
  const method = options.method ?? 'GET';
  const url = new URL(sim.url);
  let path = options.path;
  let query = [...(options.query ?? [])];
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', 'x-project-id': sim.projectId, ...options.headers };
  if (options.token !== undefined) headers['x-auth-token'] = options.token;
  else if (!options.unsigned) {
    headers['x-sdk-date'] = formatSdkDate(options.date ?? new Date(now()));
    const signable: SignableRequest = { method, path: decodeURIComponent(path), query, headers, body: options.body ?? '' };
    headers.authorization = sign(signable, options.credentials ?? sim.credentials, options.signedHeaders ?? ['host', 'x-sdk-date', 'content-type', 'x-project-id']).authorization;
  }
  if (options.tamper) {
    const req = { path, query, headers };
    options.tamper(req);
    ({ path, query, headers } = req);
  }
  const qs = queryString(query);
  const res = await request(`${sim.url}${path}${qs ? `?${qs}` : ''}`, { method: method as 'GET', headers, ...(options.body === undefined ? {} : { body: options.body }) });
  const text = await res.body.text();
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(',') : v;
  return { status: res.statusCode, headers: flat, text, json: () => JSON.parse(text) as unknown };
}

/** A page request with the required parameters. */
export function list(sim: TicsSimulator, league: string, params: { offset?: number; limit?: number; jobId?: string } = {}, now?: () => number): Promise<CallResult> {
  const query: Array<[string, string]> = [
    ['offset', String(params.offset ?? 0)],
    ['limit', String(params.limit ?? 100)],
  ];
  if (params.jobId !== undefined) query.push(['job_id', params.jobId]);
  return call(sim, { path: instancesPath(sim, league), query }, now);
}

/** A settable clock, for skew, expiry, lockout, throttle and progression. */
export function fakeClock(start = Date.parse('2024-05-01T08:00:00.000Z')): { now: () => number; advance: (ms: number) => void; set: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
