/**
 * The pure heart of the watcher: a league's previous snapshot + a fresh observation → what changed.
 *
 * "What changed" is computed once per league and shared by every subscription watching it;
 * "who cares" (`alertsFor`, `transitionsSince`) is applied per subscription afterwards. No IO, no
 * clock: every time comes in as a parameter, and the snapshot is plain JSON for the keyv store.
 *
 * How a never-seen instance is told apart from an old one we merely forgot (the duplicate-alert
 * trap): the snapshot keeps a `floor`, a start time at or below which an unknown instance is
 * history, never news. Terminal ids are pruned oldest-start-first and every prune raises the floor
 * to the newest start it dropped, so a pruned instance that shows up again (it is still on page 1,
 * or a deeper scan reaches it) is always at or below the floor and stays silent. Anything unknown
 * above the floor is new — even if it started before the newest instance we know (clock skew
 * between parties, a record inserted late, a gap left by a scan cut short) — so those failures are
 * alerted rather than lost. We chose this over "watermark minus a tolerance" because no tolerance
 * is right for every league: the floor moves only when we actually forget something, so it is
 * exactly as permissive as our memory allows. Equal start times at the floor count as history.
 */
import { hoursToMilliseconds } from 'date-fns/hoursToMilliseconds';
import { z } from 'zod';
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';

/**
 * Terminal ids kept per league (those with a start time; the same cap again for those without).
 * Twice the API's largest page, so everything on the first page — where a terminal instance lives
 * until newer ones push it down — is always remembered.
 */
export const MAX_TERMINAL_KEPT = 200;

/**
 * A tracked non-terminal instance not seen for this long is dropped: it was deleted, or sank below
 * the pages we can afford to scan. Should it come back terminal it is unknown and alerts then.
 */
export const FORGET_UNSEEN_AFTER_MS = hoursToMilliseconds(24);

export const DEFAULT_TRIGGER_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'TERMINATED']);

/** The order the server lists instances in, as inferred from start times (it is undocumented). */
export type ListOrder = 'asc' | 'desc';

export interface SeenEntry {
  status: string;
  startTime?: number;
  lastSeenAt: number;
  /**
   * When an unfinished instance without a start time was first seen: the only clock a stuck check
   * has for it (a job waiting for its partner often has no start time yet). Kept from the first
   * sighting while it stays tracked; left out for timed and terminal entries so snapshots stay
   * small, which also means a terminal instance that is re-run starts counting afresh.
   */
  firstSeenAt?: number;
}

export interface LeagueSnapshot {
  v: 1;
  /** Epoch ms of the observation this snapshot reflects. */
  takenAt: number;
  /** Every instance we remember with its last seen status: all non-terminal ones, recent terminal ones. */
  seen: Record<string, SeenEntry>;
  /** Newest start_time seen so far (the scan planner's "known territory" line). */
  newestStart?: number;
  /** An unknown instance whose start_time is at or below this is history: recorded, never alerted. */
  floor?: number;
  /** `total` reported at the last observation. */
  total: number;
  /** Last order the server was seen to use, for pages too small to tell. */
  order?: ListOrder;
}

export interface Observation {
  /** In fetch order (later pages last): when an id repeats, the later copy is the fresher one. */
  instances: JobInstance[];
  total: number;
  /** True when the scan covered every record (offset reached total). */
  complete: boolean;
  observedAt: number;
  order?: ListOrder;
  /**
   * Newest start time an instance this scan did not cover can have, when the list order lets us
   * tell. Only a baseline uses it: there, everything not seen is history.
   */
  unseenNewestStart?: number;
}

export interface Transition {
  instance: JobInstance;
  /** undefined: first seen. */
  from?: string;
  to: string;
  observedAt: number;
}

export interface Detection {
  /** All status changes and new instances, oldest start first. */
  transitions: Transition[];
  next: LeagueSnapshot;
}

const seenEntrySchema = z.object({
  status: z.string(),
  startTime: z.number().exactOptional(),
  lastSeenAt: z.number(),
  firstSeenAt: z.number().exactOptional(),
});

export const leagueSnapshotSchema = z.object({
  v: z.literal(1),
  takenAt: z.number(),
  seen: z.record(z.string(), seenEntrySchema),
  newestStart: z.number().exactOptional(),
  floor: z.number().exactOptional(),
  total: z.number().int().nonnegative(),
  order: z.enum(['asc', 'desc']).exactOptional(),
});

/** Reads a snapshot back from the store; anything unrecognised (older version, corruption) is `undefined`, i.e. re-baseline. */
export function parseSnapshot(value: unknown): LeagueSnapshot | undefined {
  const parsed = leagueSnapshotSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * One copy per id, id-less records dropped. The list can shift between page requests, so an id
 * may come twice: a terminal copy beats a non-terminal one (terminal is final; the other copy is
 * older), otherwise the later copy wins (it was fetched later). First-appearance order is kept.
 */
export function dedupeInstances(instances: readonly JobInstance[]): JobInstance[] {
  const byId = new Map<string, JobInstance>();
  for (const instance of instances) {
    if (!instance.id) continue;
    const earlier = byId.get(instance.id);
    if (earlier && isTerminalStatus(earlier.status) && !isTerminalStatus(instance.status)) continue;
    byId.set(instance.id, instance);
  }
  return [...byId.values()];
}

/** Oldest start first; no start time sorts last (most likely not started yet); ties by id for stable output. */
export function byStartTime(a: { startTime?: number; id: string }, b: { startTime?: number; id: string }): number {
  const sa = a.startTime ?? Number.POSITIVE_INFINITY;
  const sb = b.startTime ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sa < sb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `previous`: the entry this one replaces, whose `firstSeenAt` carries over. */
function entryFor(instance: JobInstance, observedAt: number, previous?: SeenEntry): SeenEntry {
  if (instance.startTime !== undefined) return { status: instance.status, startTime: instance.startTime, lastSeenAt: observedAt };
  const entry: SeenEntry = { status: instance.status, lastSeenAt: observedAt };
  if (!isTerminalStatus(instance.status)) entry.firstSeenAt = previous?.firstSeenAt ?? observedAt;
  return entry;
}

function newestStartOf(instances: readonly JobInstance[], previous?: number): number | undefined {
  let newest = previous;
  for (const { startTime } of instances) {
    if (startTime !== undefined && (newest === undefined || startTime > newest)) newest = startTime;
  }
  return newest;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/**
 * Caps the terminal entries and returns the floor raised past everything dropped. Entries without
 * a start time cannot move the floor, so they are capped by recency of sight instead: one still on
 * a scanned page is refreshed every cycle and never dropped.
 */
function pruneTerminal(seen: Map<string, SeenEntry>, floor: number | undefined): number | undefined {
  const timed: Array<[string, SeenEntry & { startTime: number }]> = [];
  const untimed: Array<[string, SeenEntry]> = [];
  for (const [id, entry] of seen) {
    if (!isTerminalStatus(entry.status)) continue;
    if (entry.startTime === undefined) untimed.push([id, entry]);
    else timed.push([id, { ...entry, startTime: entry.startTime }]);
  }
  let raised = floor;
  if (timed.length > MAX_TERMINAL_KEPT) {
    timed.sort(([idA, a], [idB, b]) => byStartTime({ id: idB, startTime: b.startTime }, { id: idA, startTime: a.startTime }));
    for (const [id, entry] of timed.slice(MAX_TERMINAL_KEPT)) {
      seen.delete(id);
      raised = maxDefined(raised, entry.startTime);
    }
  }
  if (untimed.length > MAX_TERMINAL_KEPT) {
    untimed.sort(([idA, a], [idB, b]) => b.lastSeenAt - a.lastSeenAt || (idA < idB ? -1 : 1));
    for (const [id] of untimed.slice(MAX_TERMINAL_KEPT)) seen.delete(id);
  }
  return raised;
}

function snapshotOf(
  seen: Map<string, SeenEntry>,
  fields: { takenAt: number; total: number; newestStart?: number | undefined; floor?: number | undefined; order?: ListOrder | undefined },
): LeagueSnapshot {
  const floor = pruneTerminal(seen, fields.floor);
  const snapshot: LeagueSnapshot = { v: 1, takenAt: fields.takenAt, seen: Object.fromEntries(seen), total: fields.total };
  // Optional fields are left out rather than set to undefined so the stored JSON round-trips exactly.
  if (fields.newestStart !== undefined) snapshot.newestStart = fields.newestStart;
  if (floor !== undefined) snapshot.floor = floor;
  if (fields.order !== undefined) snapshot.order = fields.order;
  return snapshot;
}

/**
 * The first observation of a league: everything in it is history, nothing alerts. When the scan
 * was partial, whatever it missed is history too — the floor is set above anything unseen.
 */
export function takeBaseline(obs: Observation): LeagueSnapshot {
  const instances = dedupeInstances(obs.instances);
  const seen = new Map(instances.map((instance) => [instance.id, entryFor(instance, obs.observedAt)]));
  const newestStart = newestStartOf(instances);
  // Without an ordering to reason from, treat everything up to the newest start seen as history.
  const floor = obs.complete ? undefined : (obs.unseenNewestStart ?? newestStart);
  return snapshotOf(seen, { takenAt: obs.observedAt, total: obs.total, newestStart, floor, order: obs.order });
}

function isNewcomer(instance: JobInstance, floor: number | undefined): boolean {
  // No start time cannot be placed against the floor; a missed failure is worse than a repeat.
  return floor === undefined || instance.startTime === undefined || instance.startTime > floor;
}

export function detectTransitions(prev: LeagueSnapshot, obs: Observation): Detection {
  const instances = dedupeInstances(obs.instances).sort(byStartTime);
  const seen = new Map(Object.entries(prev.seen));
  const transitions: Transition[] = [];
  for (const instance of instances) {
    const known = seen.get(instance.id);
    if (known) {
      if (known.status !== instance.status) {
        transitions.push({ instance, from: known.status, to: instance.status, observedAt: obs.observedAt });
      }
    } else if (isNewcomer(instance, prev.floor)) {
      transitions.push({ instance, to: instance.status, observedAt: obs.observedAt });
    }
    // Old unknown instances are recorded silently: a non-terminal one is tracked from now on.
    seen.set(instance.id, entryFor(instance, obs.observedAt, known));
  }
  for (const [id, entry] of seen) {
    if (!isTerminalStatus(entry.status) && obs.observedAt - entry.lastSeenAt > FORGET_UNSEEN_AFTER_MS) seen.delete(id);
  }
  const next = snapshotOf(seen, {
    takenAt: obs.observedAt,
    total: obs.total,
    newestStart: newestStartOf(instances, prev.newestStart),
    floor: prev.floor,
    order: obs.order ?? prev.order,
  });
  return { transitions, next };
}

/** The transitions a subscription with these trigger statuses is alerted about. */
export function alertsFor(transitions: readonly Transition[], triggers: ReadonlySet<string>): Transition[] {
  return transitions.filter((t) => triggers.has(t.to) && t.from !== t.to);
}

/**
 * Drops what happened before a subscription existed. The transitions came from an observation
 * covering (prevTakenAt, observedAt]; a subscription created inside that window only gets those
 * the instance's own times place at or after its creation: the end time for a terminal status, the
 * start time for a newly seen running one. Without such evidence the transition is withheld — the
 * subscriber asked for what happens from now on. (Those times come from TICS' clock, createdAt from
 * ours; skew of a few seconds only matters for events straddling the creation instant.)
 */
export function transitionsSince(
  transitions: readonly Transition[],
  prevTakenAt: number,
  subscriptionCreatedAt: number,
): Transition[] {
  if (subscriptionCreatedAt <= prevTakenAt) return [...transitions];
  return transitions.filter((t) => {
    if (t.observedAt < subscriptionCreatedAt) return false;
    const evidence = isTerminalStatus(t.to)
      ? t.instance.endTime
      : t.from === undefined
        ? t.instance.startTime
        : undefined;
    return evidence !== undefined && evidence >= subscriptionCreatedAt;
  });
}

/**
 * Idempotency key for the outbox. The end time is part of it so a stale read flapping
 * FAILED → RUNNING → FAILED with the same end time is one alert, while a genuine re-run of the
 * same instance that fails again (new end time) is another.
 */
export function alertKey(t: Transition): string {
  return `${t.instance.id}:${t.to}:${t.instance.endTime ?? ''}`;
}
