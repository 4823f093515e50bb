/**
 * Stuck jobs: instances still unfinished longer than a subscription's `stuck:` limit. Pure, like
 * detect.ts — it reads only what this poll already fetched (the observation and the new snapshot),
 * so stuck detection costs no extra TICS request, and the time comes in as `now`.
 *
 * A stuck instance is seen on every poll; the key is the same every time (`<sub>|<instance>:STUCK`),
 * so the outbox's claim keeps exactly one alert per instance and subscription, ever.
 *
 * A subscription created after an instance was already past the limit still hears about it: being
 * stuck is a condition that holds now, not an event that happened before the subscriber asked
 * (unlike a failure, see `transitionsSince`), and "that job has been hanging for 5 h" is exactly
 * what someone adding `stuck:2h` wants to know.
 */
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';
import { dedupeInstances, type LeagueSnapshot } from './detect.js';
import { alertItemKey } from './outbox.js';
import type { AlertItem, Subscription } from './types.js';

/** Fewer successful runs than this say nothing about what is usual. */
const MIN_USUAL_SAMPLES = 2;

/**
 * Median run time (end − start, ms) of `jobName`'s SUCCEEDED instances among `instances`; undefined
 * with fewer than two usable samples. Only successes count: a failure ends early or times out, so
 * it says little about how long the job takes. The median shrugs off the odd slow run; a record
 * repeated across pages counts once.
 */
export function usualDurationMs(instances: readonly JobInstance[], jobName: string): number | undefined {
  const durations: number[] = [];
  for (const { jobName: name, status, startTime, endTime } of dedupeInstances(instances)) {
    if (name !== jobName || status !== 'SUCCEEDED' || startTime === undefined || endTime === undefined) continue;
    // An end before the start is skewed clocks or a bad record, not a duration.
    if (endTime >= startTime) durations.push(endTime - startTime);
  }
  if (durations.length < MIN_USUAL_SAMPLES) return undefined;
  durations.sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  // Whole milliseconds keep the stored item plain JSON-friendly integers.
  return durations.length % 2 === 1 ? durations[middle]! : Math.round((durations[middle - 1]! + durations[middle]!) / 2);
}

/** How long `instance` has been unfinished at `now`, or undefined when nothing says when it began. */
export function runningMs(instance: JobInstance, snapshot: LeagueSnapshot, now: number): number | undefined {
  const since = instance.startTime ?? (Object.hasOwn(snapshot.seen, instance.id) ? snapshot.seen[instance.id]?.firstSeenAt : undefined);
  return since === undefined ? undefined : now - since;
}

export interface StuckArgs {
  /** The observation's instances (deduped again here, so repeats never mean two alerts). */
  instances: readonly JobInstance[];
  /** The snapshot this poll produced: it holds `firstSeenAt` for instances without a start time. */
  snapshot: LeagueSnapshot;
  subscriptions: readonly Subscription[];
  now: number;
  league: { id: string; alias?: string; name?: string };
}

/**
 * One `stuck` alert per unfinished instance (with an id) whose running time is strictly over a
 * subscription's `stuckMs`, for every subscription that set one. Exactly at the limit is not yet
 * stuck. Subscriptions without `stuckMs` (or a non-positive one) get nothing.
 */
export function stuckItems(args: StuckArgs): AlertItem[] {
  const { snapshot, subscriptions, now, league } = args;
  const watching = subscriptions.filter((sub): sub is Subscription & { stuckMs: number } => sub.stuckMs !== undefined && sub.stuckMs > 0);
  if (watching.length === 0) return [];
  const unfinished: Array<{ instance: JobInstance; running: number }> = [];
  for (const instance of dedupeInstances(args.instances)) {
    if (isTerminalStatus(instance.status)) continue;
    const running = runningMs(instance, snapshot, now);
    if (running !== undefined) unfinished.push({ instance, running });
  }
  if (unfinished.length === 0) return [];
  // Computed only for jobs that alert, and once per job: most polls have no stuck instance at all.
  const usual = new Map<string, number | undefined>();
  const usualOf = (jobName: string): number | undefined => {
    if (!usual.has(jobName)) usual.set(jobName, usualDurationMs(args.instances, jobName));
    return usual.get(jobName);
  };
  const items: AlertItem[] = [];
  for (const sub of watching) {
    for (const { instance, running } of unfinished) {
      if (running <= sub.stuckMs) continue;
      const usualMs = usualOf(instance.jobName);
      items.push({
        key: alertItemKey(sub.id, `${instance.id}:STUCK`),
        subscriptionId: sub.id,
        channelId: sub.channelId,
        league: sub.leagueAlias ? { ...league, alias: sub.leagueAlias } : league,
        instance,
        from: instance.status,
        to: instance.status,
        observedAt: now,
        kind: 'stuck',
        stuck: usualMs === undefined ? { runningMs: running, thresholdMs: sub.stuckMs } : { runningMs: running, thresholdMs: sub.stuckMs, usualMs },
        ...(sub.notify ? { notify: sub.notify } : {}),
      });
    }
  }
  return items;
}
