/**
 * How many pages of a league's instance list to read this cycle, decided page by page, purely.
 *
 * The common case costs one request: page 0 already shows something we know (so no unseen new
 * instances hide further on) and every tracked non-terminal instance. We read on while a tracked
 * instance is missing (a long job sinks off page 1) or while every instance read so far is new
 * (a burst), up to `maxPages`.
 *
 * A baseline alerts on nothing, so older pages are history; it reads on only while the last page
 * still holds unfinished jobs, because those are the ones later cycles must be able to follow.
 *
 * The server's order is undocumented. Newest-first is assumed until the start times say otherwise;
 * if they run oldest-first, page 0 is the stale end and the news is at the back, so the planner
 * reads page 0 (it is also how we learn `total`), then walks backwards from the last page.
 */
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';
import { dedupeInstances, type LeagueSnapshot, type ListOrder, type Observation } from './detect.js';

/** The API's maximum `limit`. */
export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_MAX_PAGES = 10;

export interface ScanPage {
  offset: number;
  limit: number;
  instances: JobInstance[];
  total: number;
}

/** Pages read so far this cycle, in the order they were fetched. */
export interface ScanState {
  pages: ScanPage[];
}

export interface ScanOptions {
  pageSize: number;
  maxPages: number;
}

/**
 * covered: every record was read. caught-up: nothing left worth reading. cut-short: more was
 * needed but `maxPages` was reached — the caller should log it.
 */
export type StopReason = 'covered' | 'caught-up' | 'cut-short';
export type ScanStep = { done: false; offset: number } | { done: true; reason: StopReason };

/**
 * The order start times follow within a page, or undefined when they do not say (fewer than two
 * distinct start times, or no clear trend). A few inversions are tolerated: start times come from
 * different parties' clocks while the server presumably sorts by its own record time.
 */
export function detectOrder(instances: readonly JobInstance[]): ListOrder | undefined {
  let up = 0;
  let down = 0;
  let previous: number | undefined;
  for (const { startTime } of instances) {
    if (startTime === undefined) continue;
    if (previous !== undefined) {
      if (startTime > previous) up += 1;
      else if (startTime < previous) down += 1;
    }
    previous = startTime;
  }
  if (down > 3 * up) return 'desc';
  if (up > 3 * down) return 'asc';
  return undefined;
}

/**
 * The order to plan with, when the data can tell: the first page with a trend, else what the
 * league did last time, else a cross-cycle hint — page 0 of a newest-first list holds the newest
 * instance, so a page 0 entirely older than something already seen, with more records behind it,
 * means the news is elsewhere.
 */
export function observedOrder(prev: LeagueSnapshot | undefined, state: ScanState): ListOrder | undefined {
  for (const page of state.pages) {
    const order = detectOrder(page.instances);
    if (order) return order;
  }
  if (prev?.order) return prev.order;
  const first = state.pages[0];
  if (!first || prev?.newestStart === undefined || first.total <= first.instances.length) return undefined;
  const starts = first.instances.flatMap((i) => (i.startTime === undefined ? [] : [i.startTime]));
  if (starts.length > 0 && Math.max(...starts) < prev.newestStart) return 'asc';
  return undefined;
}

function latestTotal(state: ScanState): number {
  return state.pages.at(-1)?.total ?? 0;
}

/** Merged [from, to) offset ranges actually returned. */
function coveredRanges(state: ScanState): Array<[number, number]> {
  const ranges = state.pages
    .filter((p) => p.instances.length > 0)
    .map((p): [number, number] => [p.offset, p.offset + p.instances.length])
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of ranges) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Unread [from, to) ranges of [0, total). */
function gaps(state: ScanState): Array<[number, number]> {
  const total = latestTotal(state);
  const result: Array<[number, number]> = [];
  let cursor = 0;
  for (const [from, to] of coveredRanges(state)) {
    if (from > cursor) result.push([cursor, Math.min(from, total)]);
    cursor = Math.max(cursor, to);
  }
  if (cursor < total) result.push([cursor, total]);
  return result.filter(([from, to]) => from < to);
}

/** End of the contiguous run of records read from offset 0. */
function prefixEnd(state: ScanState): number {
  const first = coveredRanges(state)[0];
  return first && first[0] === 0 ? first[1] : 0;
}

function oldestStart(instances: readonly JobInstance[]): number | undefined {
  let oldest: number | undefined;
  for (const { startTime } of instances) {
    if (startTime !== undefined && (oldest === undefined || startTime < oldest)) oldest = startTime;
  }
  return oldest;
}

/** Unknown ids that detection will count as new (see `floor` in detect.ts). */
function countNewcomers(prev: LeagueSnapshot, found: ReadonlySet<string>, state: ScanState): number {
  const starts = new Map(state.pages.flatMap((p) => p.instances.map((i) => [i.id, i.startTime] as const)));
  let count = 0;
  for (const id of found) {
    if (!id || Object.hasOwn(prev.seen, id)) continue;
    const start = starts.get(id);
    if (prev.floor === undefined || start === undefined || start > prev.floor) count += 1;
  }
  return count;
}

/**
 * Whether the pages read from the newest end (`head`) leave anything unaccounted for: more growth
 * of `total` than new instances found; no sign yet of known territory (so the next page may hold
 * more new instances); or a tracked non-terminal instance neither found anywhere nor passed (the
 * head already reaches older starts than its own, so it is gone, not further down).
 */
function needsMore(
  prev: LeagueSnapshot,
  head: readonly JobInstance[],
  found: ReadonlySet<string>,
  newcomers: number,
  total: number,
): boolean {
  // The list grew by more than the new instances read so far: the rest are elsewhere (a page 0
  // too flat to show its order, or a server order we have not recognised).
  if (total - prev.total > newcomers) return true;
  const newestKnown = prev.newestStart;
  const reachedKnown = head.some(
    (i) =>
      Object.hasOwn(prev.seen, i.id) ||
      (i.startTime !== undefined && newestKnown !== undefined && i.startTime < newestKnown),
  );
  if (!reachedKnown) return true;
  const reached = oldestStart(head);
  return Object.entries(prev.seen).some(
    ([id, entry]) =>
      !isTerminalStatus(entry.status) &&
      !found.has(id) &&
      !(entry.startTime !== undefined && reached !== undefined && reached < entry.startTime),
  );
}

export function planNext(prev: LeagueSnapshot | undefined, state: ScanState, opts: ScanOptions): ScanStep {
  if (state.pages.length === 0) return { done: false, offset: 0 };
  const total = latestTotal(state);
  if (gaps(state).length === 0) return { done: true, reason: 'covered' };

  const found = new Set(state.pages.flatMap((p) => p.instances.map((i) => i.id)));
  const asc = observedOrder(prev, state) === 'asc';
  // Pages read from the newest end, oldest-reaching last; when the list is oldest-first, page 0
  // is the stale end and only what was read walking back from the last page counts.
  const head = asc ? state.pages.filter((p) => p.offset > 0).sort((a, b) => b.offset - a.offset) : state.pages;
  const frontier = head.at(-1);
  let offset: number;
  if (!frontier) {
    offset = Math.max(0, total - opts.pageSize);
  } else {
    const more = prev
      ? needsMore(prev, head.flatMap((p) => p.instances), found, countNewcomers(prev, found, state), total)
      : // A baseline has nothing to miss, but should learn the unfinished jobs it will have to follow:
        // they cluster at the newest end, so read on while the last page still holds one.
        frontier.instances.some((i) => !isTerminalStatus(i.status));
    if (!more) return { done: true, reason: 'caught-up' };
    offset = asc ? Math.max(prefixEnd(state), frontier.offset - opts.pageSize) : prefixEnd(state);
  }
  // A page that came back short of what `total` promised must not be asked for again and again.
  if (offset >= total || state.pages.some((p) => p.offset === offset)) return { done: true, reason: 'covered' };
  if (state.pages.length >= opts.maxPages) return { done: true, reason: 'cut-short' };
  return { done: false, offset };
}

/**
 * Folds the pages read into an Observation. `unseenNewestStart` bounds what the scan missed: in a
 * sorted list every unread run sits next to a read record on its newer side, and nothing in the
 * run is newer than that record.
 */
export function toObservation(prev: LeagueSnapshot | undefined, state: ScanState, observedAt: number): Observation {
  const total = latestTotal(state);
  const instances = dedupeInstances(state.pages.flatMap((p) => p.instances));
  const unread = gaps(state);
  const order = observedOrder(prev, state);
  const observation: Observation = { instances, total, complete: unread.length === 0, observedAt };
  if (order) observation.order = order;
  if (unread.length > 0 && order) {
    const atIndex = new Map<number, JobInstance>();
    for (const page of state.pages) page.instances.forEach((instance, i) => atIndex.set(page.offset + i, instance));
    let bound: number | undefined;
    let bounded = true;
    for (const [from, to] of unread) {
      const neighbour = atIndex.get(order === 'desc' ? from - 1 : to)?.startTime;
      if (neighbour === undefined) bounded = false;
      else bound = bound === undefined ? neighbour : Math.max(bound, neighbour);
    }
    if (bounded && bound !== undefined) observation.unseenNewestStart = bound;
  }
  return observation;
}
