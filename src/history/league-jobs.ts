/**
 * A league's jobs for the history page's job filter: ListFlJob and ListSqlJob merged by id, newest
 * first, cached per replica for a minute so paging through a history does not ask again.
 */
import type { TicsApi } from '../tics/client.js';

export interface LeagueJob {
  /** Usable as ListInstanceHistory's `job_id`. */
  id: string;
  name: string;
}

export interface LeagueJobs {
  /** Newest first (as far as TICS says when each was created). */
  jobs: LeagueJob[];
  /** Jobs TICS counts in both lists: more than `jobs.length` when the lists were longer than one page. */
  total: number;
}

export const JOBS_CACHE_TTL_MS = 60_000;
/** One page of each list: the select holds at most 100 options anyway. */
const PAGE = 100;

/** False when the TICS API at hand cannot list jobs (test fakes serving only history). */
export function canListJobs(api: TicsApi): boolean {
  return typeof api.listFlJobs === 'function' && typeof api.listSqlJobs === 'function';
}

export async function fetchLeagueJobs(api: TicsApi, leagueId: string, options: { signal?: AbortSignal } = {}): Promise<LeagueJobs> {
  if (!api.listFlJobs || !api.listSqlJobs) throw new Error('this TICS API cannot list jobs');
  const params = { leagueId, offset: 0, limit: PAGE };
  const [fl, sql] = await Promise.all([api.listFlJobs(params, options), api.listSqlJobs(params, options)]);
  const dated = [
    ...fl.jobs.map((j) => ({ id: j.jobId, name: j.jobName, at: j.createTime })),
    // A deleted SQL job has no history worth filtering for.
    ...sql.jobs.filter((j) => j.deleted !== true).map((j) => ({ id: j.id, name: j.name, at: j.createTime })),
  ];
  dated.sort((a, b) => (b.at ?? -Infinity) - (a.at ?? -Infinity));
  const seen = new Set<string>();
  const jobs: LeagueJob[] = [];
  for (const { id, name } of dated) {
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    jobs.push({ id, name });
  }
  // What was read, plus what either list holds beyond its first page.
  const unread = Math.max(0, fl.total - fl.jobs.length) + Math.max(0, sql.total - sql.jobs.length);
  return { jobs, total: jobs.length + unread };
}

interface Entry {
  at: number;
  value: Promise<LeagueJobs>;
}

/**
 * Per TicsApi (one per replica) rather than module-wide: two bots in one process, as in tests,
 * must not see each other's cache.
 */
const caches = new WeakMap<TicsApi, Map<string, Entry>>();

/**
 * The cached list when it is under a minute old; otherwise a new fetch, shared by concurrent callers.
 * A failed fetch is forgotten at once so the next page asks again.
 */
export function leagueJobsCached(api: TicsApi, leagueId: string, now: number, load: () => Promise<LeagueJobs>): Promise<LeagueJobs> {
  let cache = caches.get(api);
  if (!cache) {
    cache = new Map();
    caches.set(api, cache);
  }
  const hit = cache.get(leagueId);
  if (hit && now - hit.at < JOBS_CACHE_TTL_MS) return hit.value;
  for (const [key, entry] of cache) if (now - entry.at >= JOBS_CACHE_TTL_MS) cache.delete(key);
  const value = load();
  const entry = { at: now, value };
  cache.set(leagueId, entry);
  value.catch(() => {
    if (cache.get(leagueId) === entry) cache.delete(leagueId);
  });
  return value;
}
