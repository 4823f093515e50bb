/**
 * One league, one poll: read the pages the scan planner asks for, compare with the stored snapshot,
 * record what each subscription should hear about in the outbox, then save the new snapshot.
 * Ordering matters for "never missed, never twice": alerts are recorded (idempotently) BEFORE the
 * snapshot moves on, so a crash in between re-detects the same transitions and the outbox claims
 * swallow the repeats.
 */
import type { TicsApi } from '../tics/client.js';
import type { Store } from '../store.js';
import { alertKey, alertsFor, detectTransitions, parseSnapshot, takeBaseline, transitionsSince, type LeagueSnapshot, type Transition } from './detect.js';
import { planNext, toObservation, type ScanState } from './scan-plan.js';
import type { AlertItem, Subscription } from './types.js';
import { isTerminalStatus } from '../tics/schema.js';

export interface PollResult {
  requests: number;
  cutShort: boolean;
  baseline: boolean;
  transitions: Transition[];
  alerts: AlertItem[];
  snapshot: LeagueSnapshot;
}

export interface PollOptions {
  pageSize: number;
  maxPages: number;
  signal?: AbortSignal;
}

export const snapshotKey = (leagueId: string) => `snap:${leagueId}`;

export async function loadSnapshot(store: Store, leagueId: string): Promise<LeagueSnapshot | undefined> {
  return parseSnapshot(await store.get(snapshotKey(leagueId)));
}

/** Reads the league and detects; pure apart from the TICS calls (no store writes). */
export async function scanLeague(tics: TicsApi, leagueId: string, previous: LeagueSnapshot | undefined, now: number, options: PollOptions) {
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
  if (!previous) return { requests: state.pages.length, cutShort, baseline: true, transitions: [] as Transition[], snapshot: takeBaseline(observation) };
  const { transitions, next } = detectTransitions(previous, observation);
  return { requests: state.pages.length, cutShort, baseline: false, transitions, snapshot: next };
}

/** Which alerts each subscription gets from one league's transitions. */
export function alertsForSubscriptions(
  transitions: readonly Transition[],
  previousTakenAt: number,
  subscriptions: readonly Subscription[],
  league: { id: string; alias?: string },
): AlertItem[] {
  const items: AlertItem[] = [];
  for (const sub of subscriptions) {
    const relevant = alertsFor(transitionsSince(transitions, previousTakenAt, sub.createdAt), new Set(sub.triggers));
    for (const t of relevant) {
      items.push({
        key: `${sub.id}|${alertKey(t)}`,
        subscriptionId: sub.id,
        channelId: sub.channelId,
        league: sub.leagueAlias ? { id: league.id, alias: sub.leagueAlias } : league,
        instance: t.instance,
        ...(t.from !== undefined ? { from: t.from } : {}),
        to: t.to,
        observedAt: t.observedAt,
      });
    }
  }
  return items;
}

export function unfinishedCount(snapshot: LeagueSnapshot): number {
  return Object.values(snapshot.seen).filter((e) => !isTerminalStatus(e.status)).length;
}
