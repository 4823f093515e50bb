/**
 * One league, one poll: read the pages the scan planner asks for, compare with the stored snapshot,
 * record what each subscription should hear about in the outbox, then save the new snapshot.
 * Ordering matters for "never missed, never twice": alerts are recorded (idempotently) BEFORE the
 * snapshot moves on, so a crash in between re-detects the same transitions and the outbox claims
 * swallow the repeats.
 */
import type { Logger } from '../log.js';
import type { BotMetrics } from '../metrics.js';
import type { TicsApi } from '../tics/client.js';
import { isTicsError } from '../tics/errors.js';
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';
import type { Store } from '../store.js';
import { alertKey, alertsFor, detectTransitions, parseSnapshot, takeBaseline, transitionsSince, type LeagueSnapshot, type Transition } from './detect.js';
import { alertItemKey, type Outbox } from './outbox.js';
import { isIncidentEvent, slotOfItem } from './incidents/deliver-slot.js';
import { jobKeyOf, slotOf } from './incidents/keys.js';
import type { IncidentStore } from './incidents/store.js';
import { planNext, toObservation, type ScanState } from './scan-plan.js';
import { runningMs, stuckItems } from './stuck.js';
import { STUCK_MIN_MS } from './watch-options.js';
import type { StuckMemo, StuckWatchLookup } from './stuck-watches.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import type { AlertItem, LeagueHealth, Subscription } from './types.js';

export interface PollOptions {
  pageSize: number;
  maxPages: number;
  signal?: AbortSignal;
}

export interface ScanResult {
  requests: number;
  cutShort: boolean;
  /** No previous snapshot: this scan is the baseline, and detects nothing. */
  baseline: boolean;
  transitions: Transition[];
  snapshot: LeagueSnapshot;
  /** What the scan read (stuck detection looks at the unfinished ones). */
  instances: JobInstance[];
}

export const snapshotKey = (leagueId: string) => `snap:${leagueId}`;

export async function loadSnapshot(store: Store, leagueId: string): Promise<LeagueSnapshot | undefined> {
  return parseSnapshot(await store.get(snapshotKey(leagueId)));
}

/** Reads the league and detects; pure apart from the TICS calls (no store writes). */
export async function scanLeague(tics: TicsApi, leagueId: string, previous: LeagueSnapshot | undefined, now: number, options: PollOptions): Promise<ScanResult> {
  const state: ScanState = { pages: [] };
  let cutShort = false;
  for (;;) {
    const step = planNext(previous, state, { pageSize: options.pageSize, maxPages: options.maxPages });
    if (step.done) {
      cutShort = step.reason === 'cut-short';
      break;
    }
    options.signal?.throwIfAborted();
    const page = await tics.listInstanceHistory({ leagueId, offset: step.offset, limit: options.pageSize }, options.signal ? { signal: options.signal } : {});
    state.pages.push({ offset: step.offset, limit: options.pageSize, instances: page.instances, total: page.total });
  }
  const observation = toObservation(previous, state, now);
  const instances = observation.instances;
  if (!previous) return { requests: state.pages.length, cutShort, baseline: true, transitions: [], snapshot: takeBaseline(observation), instances };
  const { transitions, next } = detectTransitions(previous, observation);
  return { requests: state.pages.length, cutShort, baseline: false, transitions, snapshot: next, instances };
}

type LeagueDisplay = { id: string; alias?: string; name?: string };

function alertItemFor(sub: Subscription, t: Transition, league: LeagueDisplay, kind?: 'recovery'): AlertItem {
  return {
    key: alertItemKey(sub.id, kind === 'recovery' ? `${t.instance.id}:RECOVERED:${t.instance.endTime ?? ''}` : alertKey(t)),
    subscriptionId: sub.id,
    channelId: sub.channelId,
    league: sub.leagueAlias ? { ...league, alias: sub.leagueAlias } : league,
    instance: t.instance,
    ...(t.from !== undefined ? { from: t.from } : {}),
    to: t.to,
    observedAt: t.observedAt,
    ...(kind ? { kind } : {}),
    ...(sub.notify?.length ? { notify: sub.notify } : {}),
  };
}

/** Which alerts each subscription gets from one league's transitions. */
export function alertsForSubscriptions(
  transitions: readonly Transition[],
  previousTakenAt: number,
  subscriptions: readonly Subscription[],
  league: LeagueDisplay,
): AlertItem[] {
  const items: AlertItem[] = [];
  for (const sub of subscriptions) {
    const relevant = alertsFor(transitionsSince(transitions, previousTakenAt, sub.createdAt), new Set(sub.triggers));
    for (const t of relevant) items.push(alertItemFor(sub, t, league));
  }
  return items;
}

/**
 * Records one subscription's alerts in transition order (oldest start first), with incidents: a
 * failure marks its job failing; a later success of a failing job records a recovery, which
 * resolves the job's incident when delivered. Only this league's poller (it holds the lease)
 * writes the failing marks, so they need no locking.
 */
async function recordForSubscription(
  deps: Pick<PollDeps, 'outbox' | 'incidents'>,
  sub: Subscription,
  transitions: readonly Transition[],
  previousTakenAt: number,
  league: LeagueDisplay,
): Promise<number> {
  const triggers = new Set(sub.triggers);
  let recorded = 0;
  for (const t of transitionsSince(transitions, previousTakenAt, sub.createdAt)) {
    if (triggers.has(t.to) && t.from !== t.to) {
      const item = alertItemFor(sub, t, league);
      if (await deps.outbox.record(item)) recorded += 1;
      if (deps.incidents && isIncidentEvent(item)) await deps.incidents.markFailing(slotOfItem(item)!, t.observedAt, t.instance.startTime);
    }
    if (deps.incidents && t.to === 'SUCCEEDED' && sub.recovery !== false) {
      const slot = slotOf(sub.id, jobKeyOf(t.instance.jobName, t.instance.id));
      const failing = await deps.incidents.failing(slot);
      if (!failing) continue;
      // A run that started before the failing one and finished after it says nothing about the fix.
      if (failing.startTime !== undefined && t.instance.startTime !== undefined && t.instance.startTime < failing.startTime) continue;
      if (await deps.outbox.record(alertItemFor(sub, t, league, 'recovery'))) recorded += 1;
      await deps.incidents.clearFailing(slot);
    }
  }
  return recorded;
}

export function unfinishedCount(snapshot: LeagueSnapshot): number {
  return Object.values(snapshot.seen).filter((e) => !isTerminalStatus(e.status)).length;
}

export interface PollDeps {
  store: Store;
  tics: TicsApi;
  registry: SubscriptionRegistry;
  outbox: Outbox;
  logger: Logger;
  metrics: BotMetrics;
  now: () => number;
  intervalMs: number;
  pageSize: number;
  maxPages: number;
  /** Per-poll deadline, so a hung league frees its slot. */
  pollTimeoutMs: number;
  maxBackoffMs: number;
  aliasOf?: ((leagueId: string) => string | undefined) | undefined;
  /** Incidents on: failures mark their job, and a later success records its recovery. */
  incidents?: IncidentStore | undefined;
  /** The league's real name if the store has it cached (never a TICS request): alerts show it. */
  leagueNameOf?: ((leagueId: string) => Promise<string | undefined>) | undefined;
  /** The league's `stuck:` watches, cached (see stuck-watches.ts). Absent: stuck alerts are off. */
  stuckWatches?: StuckWatchLookup | undefined;
  /** Stuck alerts already recorded by this process (see StuckMemo). */
  stuckMemo?: StuckMemo | undefined;
}

export type PollOnceResult = { ok: true; requests: number; recorded: number } | { ok: false; requests: number; error: unknown };

/**
 * Polls one league once, now (whether it is due, and the lease, are the caller's): scan, record the
 * alerts, then move the snapshot and the league's health on. A failure after the snapshot was read
 * backs the league off and comes back as `ok: false`; a store that fails before that throws.
 * `leaseSignal` aborts when another replica took the league over: the snapshot is then left to it.
 */
export async function pollOnce(deps: PollDeps, leagueId: string, health: LeagueHealth | undefined, leaseSignal: AbortSignal): Promise<PollOnceResult> {
  const { store, registry, logger } = deps;
  const signal = AbortSignal.any([leaseSignal, AbortSignal.timeout(deps.pollTimeoutMs)]);
  const previous = await loadSnapshot(store, leagueId);
  const observedAt = deps.now();
  let requests = 0;
  try {
    const result = await scanLeague(deps.tics, leagueId, previous, observedAt, { pageSize: deps.pageSize, maxPages: deps.maxPages, signal });
    requests = result.requests;
    let recorded = 0;
    let display: LeagueDisplay | undefined;
    // Only when something is recorded, and from the store's cache: never a TICS request for a name.
    const league = async (): Promise<LeagueDisplay> => {
      if (display) return display;
      const alias = deps.aliasOf?.(leagueId);
      const name = await deps.leagueNameOf?.(leagueId).catch(() => undefined);
      return (display = { id: leagueId, ...(alias ? { alias } : {}), ...(name ? { name } : {}) });
    };
    let subs: Subscription[] | undefined;
    if (previous && result.transitions.length) {
      subs = await registry.forLeague(leagueId);
      for (const sub of subs) recorded += await recordForSubscription(deps, sub, result.transitions, previous.takenAt, await league());
    }
    recorded += await recordStuck(deps, leagueId, result, observedAt, league, async () => (subs ??= await registry.forLeague(leagueId)));
    if (recorded) deps.metrics.alertsRecorded(recorded);
    // Lost the lease mid-poll: another replica owns this league now; leave the snapshot to it.
    signal.throwIfAborted();
    await store.set(snapshotKey(leagueId), result.snapshot);
    await registry.setLeagueHealth({
      leagueId,
      lastPollAt: observedAt,
      lastSuccessAt: observedAt,
      consecutiveFailures: 0,
      lastRequests: result.requests,
      lastCutShort: result.cutShort,
    });
    if (result.cutShort) logger.warn({ leagueId, requests: result.requests }, 'scan stopped at its page bound before catching up');
    if (recorded) logger.info({ leagueId, alerts: recorded, transitions: result.transitions.length }, 'alerts recorded');
    return { ok: true, requests: result.requests, recorded };
  } catch (error) {
    await recordFailure(deps, leagueId, health, error, observedAt);
    return { ok: false, requests, error };
  }
}

/**
 * Stuck alerts, cheapest checks first: an unfinished instance running longer than any `stuck:` may
 * be, then the cached watches, then what this process already recorded; only a new stuck alert
 * reads the live subscriptions (the cache may be a minute old) before it is recorded.
 */
async function recordStuck(
  deps: PollDeps,
  leagueId: string,
  result: ScanResult,
  now: number,
  league: () => Promise<LeagueDisplay>,
  liveSubscriptions: () => Promise<Subscription[]>,
): Promise<number> {
  if (!deps.stuckWatches) return 0;
  const long = result.instances.some((instance) => !isTerminalStatus(instance.status) && (runningMs(instance, result.snapshot, now) ?? 0) > STUCK_MIN_MS);
  if (!long) return 0;
  const cached = await deps.stuckWatches(leagueId);
  if (!cached.length) return 0;
  const args = { instances: result.instances, snapshot: result.snapshot, now, league: { id: leagueId } };
  if (stuckItems({ ...args, subscriptions: cached }).every((item) => deps.stuckMemo?.has(item.key))) return 0;
  let recorded = 0;
  for (const item of stuckItems({ ...args, league: await league(), subscriptions: await liveSubscriptions() })) {
    if (deps.stuckMemo?.has(item.key)) continue;
    if (await deps.outbox.record(item)) recorded += 1;
    if (deps.incidents) await deps.incidents.markFailing(slotOfItem(item)!, now, item.instance.startTime);
    deps.stuckMemo?.add(item.key);
  }
  return recorded;
}

async function recordFailure(deps: PollDeps, leagueId: string, previous: LeagueHealth | undefined, error: unknown, at: number): Promise<void> {
  const failures = (previous?.consecutiveFailures ?? 0) + 1;
  const backoff = Math.min(deps.intervalMs * 2 ** (failures - 1), deps.maxBackoffMs);
  const lastError = isTicsError(error)
    ? { kind: error.kind, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}), at }
    : { kind: 'internal', message: error instanceof Error ? error.message.slice(0, 200) : 'unknown error', at };
  await deps.registry.setLeagueHealth({
    ...previous,
    leagueId,
    lastPollAt: at,
    lastError,
    consecutiveFailures: failures,
    nextPollAt: at + backoff,
  });
  deps.logger.warn({ leagueId, failures, backoffMs: backoff, error: lastError }, 'polling a league failed; backing off');
}
