/**
 * Scripted misbehaviour: tests queue faults and the next matching requests get them, in the order
 * they were injected. One fault per request.
 */
export type Fault =
  | { kind: 'status'; status: number; errorCode?: string; errorMsg?: string }
  | { kind: 'throttle'; retryAfterSeconds?: number }
  | { kind: 'auth'; errorCode?: 'APIGW.0301' | 'APIGW.0303' | 'APIGW.0307' }
  | { kind: 'latency'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'html'; status: number }
  | { kind: 'schema' }
  | { kind: 'reset' };

/** The TICS operations served: ListInstanceHistory, ListLeagues, ShowLeague, ListFlJob, ListSqlJob, ShowInstanceReport, ShowJobInstanceDag. */
export type TicsRouteKind = 'instances' | 'leagues' | 'league' | 'fl_jobs' | 'sql_jobs' | 'report' | 'dag';
/** Which endpoint a request hit; `other` is anything the simulator does not serve. */
export type RouteKind = TicsRouteKind | 'iam' | 'other';
type FaultPath = Exclude<RouteKind, 'other'>;

export interface FaultOptions {
  /** How many matching requests get this fault (default 1). */
  times?: number;
  /** Only requests for this league: ListInstanceHistory ones unless `path` names another league route. */
  leagueId?: string;
  /** Only this endpoint. Without `path` or `leagueId`, any request matches — IAM calls included. */
  path?: FaultPath;
}

interface Entry {
  fault: Fault;
  remaining: number;
  leagueId: string | undefined;
  path: FaultPath | undefined;
}

export class FaultQueue {
  private entries: Entry[] = [];

  inject(fault: Fault, opts: FaultOptions = {}): void {
    const times = opts.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
    if (opts.leagueId !== undefined && (opts.path === 'iam' || opts.path === 'leagues')) throw new Error(`a leagueId fault cannot target the ${opts.path} endpoint`);
    this.entries.push({ fault, remaining: times, leagueId: opts.leagueId, path: opts.path ?? (opts.leagueId !== undefined ? 'instances' : undefined) });
  }

  /** The fault for this request, if any; consumes one use of it. */
  take(route: RouteKind, leagueId: string | undefined): Fault | undefined {
    const entry = this.entries.find((e) => (e.path === undefined || e.path === route) && (e.leagueId === undefined || e.leagueId === leagueId));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.fault;
  }

  get pending(): number {
    return this.entries.reduce((n, e) => n + e.remaining, 0);
  }

  clear(): void {
    this.entries = [];
  }
}

/** What nginx-style proxies send instead of JSON. */
export function htmlErrorPage(status: number, reason: string): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

/** A 200 body cut off mid-stream. */
export const MALFORMED_BODY = '{"total": 3, "lists": [{"id": "f9533bfefca7467e88feca4f592c3b04", "status": "SUCC';

/** Valid JSON, wrong shape: what a schema drift or a misrouted response looks like. */
export const WRONG_SHAPE_BODY = { total: 'many', lists: 'not-an-array' };
