/**
 * One page of a league's history as a person wants to see it: offset paging when unfiltered; with a
 * status or job-name filter, a bounded scan that keeps reading API pages until the page is full
 * (TICS cannot filter by either server-side).
 */
import type { TicsApi } from '../tics/client.js';
import type { JobInstance } from '../tics/schema.js';

export interface PageQuery {
  leagueId: string;
  jobId?: string;
  statuses?: readonly string[];
  /** Exact job name: like `statuses`, filtered here because TICS cannot. */
  jobName?: string;
  limit: number;
  /** Raw API offset where this page starts. */
  offset: number;
  /** Status-filtered views: start offsets of the pages before this one, most recent last. */
  back?: readonly number[];
}

export interface HistoryPage {
  instances: JobInstance[];
  /** Records on the server matching league + job (before any status filter). */
  total: number;
  pageNumber: number;
  /** Unknown when a status filter is active. */
  pageCount?: number;
  next?: { offset: number; back?: number[] };
  prev?: { offset: number; back?: number[] };
  scan?: { scanned: number; cutShort: boolean };
}

/** Records read per status-filtered page before giving up (5 API calls of 100). */
export const MAX_SCAN_RECORDS = 500;
const API_PAGE = 100;
/** How many "previous page" offsets a status-filtered view remembers (the cursor carries them). */
export const MAX_BACK = 40;

export function newestFirst(instances: readonly JobInstance[]): JobInstance[] {
  // The API's order is undocumented; people read history newest first. Undated rows go last.
  return [...instances].sort((a, b) => (b.startTime ?? -Infinity) - (a.startTime ?? -Infinity) || a.id.localeCompare(b.id));
}

export async function fetchHistoryPage(api: TicsApi, query: PageQuery, options: { maxScanRecords?: number; signal?: AbortSignal } = {}): Promise<HistoryPage> {
  const callOptions = options.signal ? { signal: options.signal } : {};
  const base = { leagueId: query.leagueId, ...(query.jobId ? { jobId: query.jobId } : {}) };
  if (!query.statuses?.length && query.jobName === undefined) {
    const page = await api.listInstanceHistory({ ...base, offset: query.offset, limit: query.limit }, callOptions);
    const end = query.offset + page.instances.length;
    return {
      instances: newestFirst(page.instances),
      total: page.total,
      pageNumber: Math.floor(query.offset / query.limit) + 1,
      pageCount: Math.max(1, Math.ceil(page.total / query.limit)),
      ...(end < page.total && page.instances.length > 0 ? { next: { offset: query.offset + query.limit } } : {}),
      ...(query.offset > 0 ? { prev: { offset: Math.max(0, query.offset - query.limit) } } : {}),
    };
  }

  const wanted = query.statuses?.length ? new Set(query.statuses) : undefined;
  const matchesFilter = (i: JobInstance) => (!wanted || wanted.has(i.status)) && (query.jobName === undefined || i.jobName === query.jobName);
  const maxScan = options.maxScanRecords ?? MAX_SCAN_RECORDS;
  const matches: JobInstance[] = [];
  let offset = query.offset;
  let scanned = 0;
  let total = 0;
  let resumeAt: number | undefined;
  while (scanned < maxScan) {
    const page = await api.listInstanceHistory({ ...base, offset, limit: Math.min(API_PAGE, maxScan - scanned) }, callOptions);
    total = page.total;
    let consumed = 0;
    for (const instance of page.instances) {
      consumed += 1;
      if (matchesFilter(instance)) {
        matches.push(instance);
        if (matches.length === query.limit) break;
      }
    }
    scanned += consumed;
    offset += consumed;
    if (matches.length === query.limit) {
      resumeAt = offset < total ? offset : undefined;
      break;
    }
    if (page.instances.length === 0 || offset >= total) break;
    if (scanned >= maxScan) resumeAt = offset;
  }
  const cutShort = matches.length < query.limit && resumeAt !== undefined;
  const back = [...(query.back ?? [])];
  const prevOffset = back.pop();
  return {
    instances: newestFirst(matches),
    total,
    pageNumber: (query.back?.length ?? 0) + 1,
    scan: { scanned, cutShort },
    ...(resumeAt !== undefined ? { next: { offset: resumeAt, back: [...(query.back ?? []), query.offset].slice(-MAX_BACK) } } : {}),
    ...(prevOffset !== undefined ? { prev: { offset: prevOffset, back } } : {}),
  };
}
