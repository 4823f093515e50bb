import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_STATUSES, isTerminalStatus, type JobInstance } from '../../src/tics/schema.js';
import {
  DEFAULT_TRIGGER_STATUSES,
  FORGET_UNSEEN_AFTER_MS,
  MAX_TERMINAL_KEPT,
  alertKey,
  alertsFor,
  dedupeInstances,
  detectTransitions,
  parseSnapshot,
  takeBaseline,
  transitionsSince,
  type LeagueSnapshot,
  type Observation,
  type Transition,
} from '../../src/watch/detect.js';
import { planNext, toObservation, type ScanPage, type ScanState } from '../../src/watch/scan-plan.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

function inst(id: string, status: string, startMinute?: number, extra: Partial<JobInstance> = {}): JobInstance {
  const base: JobInstance = { id, jobName: `job ${id}`, type: 'VFL_TRAIN', status };
  if (startMinute !== undefined) base.startTime = T0 + startMinute * MINUTE;
  return { ...base, ...extra };
}

/** A one-page observation at minute `at` of everything passed (complete unless told otherwise). */
function obs(at: number, instances: JobInstance[], more: Partial<Observation> = {}): Observation {
  return { instances, total: instances.length, complete: true, observedAt: T0 + at * MINUTE, ...more };
}

/** Runs observations through detection after a baseline, returning the snapshot and every alert per cycle. */
function run(
  first: Observation,
  rest: Observation[],
  triggers: ReadonlySet<string> = DEFAULT_TRIGGER_STATUSES,
): { snapshot: LeagueSnapshot; alerts: Transition[][]; transitions: Transition[][] } {
  let snapshot = takeBaseline(first);
  const alerts: Transition[][] = [];
  const transitions: Transition[][] = [];
  for (const o of rest) {
    const detection = detectTransitions(snapshot, o);
    transitions.push(detection.transitions);
    alerts.push(alertsFor(detection.transitions, triggers));
    snapshot = detection.next;
  }
  return { snapshot, alerts, transitions };
}

const summary = (ts: Transition[]) => ts.map((t) => `${t.instance.id}:${t.from ?? '∅'}→${t.to}`);

describe('baseline', () => {
  it('alerts on nothing, and remembers everything it saw', () => {
    const first = obs(0, [inst('a', 'FAILED', 1), inst('b', 'TERMINATED', 2), inst('c', 'RUNNING', 3)]);
    const { alerts, snapshot } = run(first, [obs(1, first.instances)]);
    expect(alerts).toEqual([[]]);
    expect(Object.keys(snapshot.seen).sort()).toEqual(['a', 'b', 'c']);
    expect(snapshot.seen.c).toEqual({ status: 'RUNNING', startTime: T0 + 3 * MINUTE, lastSeenAt: T0 + MINUTE });
  });

  it('records newest start and leaves the floor open when it saw the whole league', () => {
    const snapshot = takeBaseline(obs(0, [inst('a', 'FAILED', 1), inst('b', 'RUNNING', 9)]));
    expect(snapshot.newestStart).toBe(T0 + 9 * MINUTE);
    expect(snapshot.floor).toBeUndefined();
    expect(snapshot.takenAt).toBe(T0);
  });

  it('treats what a partial baseline did not read as history', () => {
    const snapshot = takeBaseline(
      obs(0, [inst('n1', 'SUCCEEDED', 50), inst('n2', 'SUCCEEDED', 40)], { total: 500, complete: false, unseenNewestStart: T0 + 40 * MINUTE }),
    );
    expect(snapshot.floor).toBe(T0 + 40 * MINUTE);
    const later = detectTransitions(snapshot, obs(1, [inst('old', 'FAILED', 39), inst('tie', 'FAILED', 40), inst('new', 'FAILED', 41)]));
    expect(summary(later.transitions)).toEqual(['new:∅→FAILED']);
  });

  it('falls back to the newest start seen when the partial scan cannot bound what it missed', () => {
    const snapshot = takeBaseline(obs(0, [inst('x', 'SUCCEEDED', 10), inst('y', 'SUCCEEDED', 30)], { total: 90, complete: false }));
    expect(snapshot.floor).toBe(T0 + 30 * MINUTE);
  });
});

describe('transitions', () => {
  it('RUNNING → FAILED alerts once', () => {
    const { alerts } = run(obs(0, [inst('a', 'RUNNING', 1)]), [
      obs(1, [inst('a', 'FAILED', 1)]),
      obs(2, [inst('a', 'FAILED', 1)]),
      obs(3, [inst('a', 'FAILED', 1)]),
    ]);
    expect(alerts.map(summary)).toEqual([['a:RUNNING→FAILED'], [], []]);
  });

  it('FAILED staying FAILED is not news', () => {
    const { transitions } = run(obs(0, [inst('a', 'FAILED', 1)]), [obs(1, [inst('a', 'FAILED', 1)])]);
    expect(transitions).toEqual([[]]);
  });

  it('a new instance first seen already FAILED alerts (it failed between polls)', () => {
    const { alerts } = run(obs(0, [inst('a', 'SUCCEEDED', 1)]), [obs(1, [inst('a', 'SUCCEEDED', 1), inst('b', 'FAILED', 2)])]);
    expect(alerts.map(summary)).toEqual([['b:∅→FAILED']]);
  });

  it('a new RUNNING instance is reported but not alerted, then alerts when it fails', () => {
    const { alerts, transitions } = run(obs(0, []), [obs(1, [inst('b', 'RUNNING', 2)]), obs(2, [inst('b', 'FAILED', 2)])]);
    expect(transitions.map(summary)).toEqual([['b:∅→RUNNING'], ['b:RUNNING→FAILED']]);
    expect(alerts.map(summary)).toEqual([[], ['b:RUNNING→FAILED']]);
  });

  it('TERMINATING → TERMINATED alerts on TERMINATED only', () => {
    const { alerts } = run(obs(0, [inst('a', 'RUNNING', 1)]), [obs(1, [inst('a', 'TERMINATING', 1)]), obs(2, [inst('a', 'TERMINATED', 1)])]);
    expect(alerts.map(summary)).toEqual([[], ['a:TERMINATING→TERMINATED']]);
  });

  it('SUCCEEDED alerts only for a subscription that asked for it', () => {
    const first = obs(0, [inst('a', 'RUNNING', 1)]);
    const rest = [obs(1, [inst('a', 'SUCCEEDED', 1)])];
    expect(run(first, rest).alerts).toEqual([[]]);
    expect(run(first, rest, new Set(['FAILED', 'SUCCEEDED'])).alerts.map(summary)).toEqual([['a:RUNNING→SUCCEEDED']]);
  });

  it('an unknown status (PAUSED) is tracked like any unfinished one', () => {
    const { transitions, alerts, snapshot } = run(obs(0, [inst('a', 'RUNNING', 1)]), [
      obs(1, [inst('a', 'PAUSED', 1)]),
      obs(2, []), // off the page: still tracked because PAUSED is not terminal
      obs(3, [inst('a', 'FAILED', 1)]),
    ]);
    expect(transitions.map(summary)).toEqual([['a:RUNNING→PAUSED'], [], ['a:PAUSED→FAILED']]);
    expect(alerts.map(summary)).toEqual([[], [], ['a:PAUSED→FAILED']]);
    expect(snapshot.seen.a?.status).toBe('FAILED');
  });

  it('an instance that fell off the page stays tracked and alerts when seen failed again', () => {
    const { alerts, snapshot } = run(obs(0, [inst('long', 'RUNNING', 1)]), [
      obs(1, [inst('n1', 'SUCCEEDED', 2)]),
      obs(2, [inst('n2', 'SUCCEEDED', 3)]),
      obs(3, [inst('long', 'FAILED', 1)]),
    ]);
    expect(alerts.map(summary)).toEqual([[], [], ['long:RUNNING→FAILED']]);
    expect(snapshot.seen.long?.lastSeenAt).toBe(T0 + 3 * MINUTE);
  });

  it('the same id twice in one observation (the list shifted between pages) is one instance', () => {
    const { transitions } = run(obs(0, [inst('a', 'RUNNING', 1)]), [obs(1, [inst('a', 'RUNNING', 1), inst('a', 'FAILED', 1), inst('a', 'RUNNING', 1)])]);
    expect(summary(transitions[0] ?? [])).toEqual(['a:RUNNING→FAILED']);
  });

  it('a new instance read twice is reported once', () => {
    const { transitions } = run(obs(0, []), [obs(1, [inst('b', 'FAILED', 2), inst('b', 'FAILED', 2)])]);
    expect(summary(transitions[0] ?? [])).toEqual(['b:∅→FAILED']);
  });

  it('ignores records without an id', () => {
    const { transitions, snapshot } = run(obs(0, [inst('', 'RUNNING', 1)]), [obs(1, [inst('', 'FAILED', 1), inst('b', 'FAILED', 2)])]);
    expect(summary(transitions[0] ?? [])).toEqual(['b:∅→FAILED']);
    expect(Object.keys(snapshot.seen)).toEqual(['b']);
  });

  it('lists transitions oldest start first, instances without a start last', () => {
    const { transitions } = run(obs(0, []), [
      obs(1, [inst('late', 'FAILED', 30), inst('nostart', 'FAILED'), inst('early', 'FAILED', 10), inst('mid', 'FAILED', 20)]),
    ]);
    expect((transitions[0] ?? []).map((t) => t.instance.id)).toEqual(['early', 'mid', 'late', 'nostart']);
  });

  it('stamps transitions with the observation time', () => {
    const { transitions } = run(obs(0, []), [obs(7, [inst('b', 'FAILED', 2)])]);
    expect(transitions[0]?.[0]?.observedAt).toBe(T0 + 7 * MINUTE);
  });

  it('does not mutate the previous snapshot', () => {
    const prev = takeBaseline(obs(0, [inst('a', 'RUNNING', 1)]));
    const copy = structuredClone(prev);
    detectTransitions(prev, obs(1, [inst('a', 'FAILED', 1), inst('b', 'RUNNING', 2)]));
    expect(prev).toEqual(copy);
  });
});

describe('forgetting and the floor', () => {
  const terminal = (from: number, count: number, startOf = (n: number) => n) =>
    Array.from({ length: count }, (_, k) => inst(`t${from + k}`, 'FAILED', startOf(from + k)));

  it('keeps only the newest terminal ids, and raises the floor past what it dropped', () => {
    const snapshot = takeBaseline(obs(0, terminal(0, MAX_TERMINAL_KEPT + 50)));
    expect(Object.keys(snapshot.seen)).toHaveLength(MAX_TERMINAL_KEPT);
    expect(snapshot.seen.t49).toBeUndefined();
    expect(snapshot.seen.t50).toBeDefined();
    expect(snapshot.floor).toBe(T0 + 49 * MINUTE);
  });

  it('never drops unfinished instances, however many', () => {
    const running = Array.from({ length: MAX_TERMINAL_KEPT + 10 }, (_, k) => inst(`r${k}`, 'RUNNING', k));
    const snapshot = takeBaseline(obs(0, [...running, ...terminal(1000, MAX_TERMINAL_KEPT + 10)]));
    expect(Object.values(snapshot.seen).filter((e) => e.status === 'RUNNING')).toHaveLength(MAX_TERMINAL_KEPT + 10);
    expect(Object.values(snapshot.seen).filter((e) => e.status === 'FAILED')).toHaveLength(MAX_TERMINAL_KEPT);
  });

  it('a failed instance that was dropped and is seen again does not alert again', () => {
    let snapshot = takeBaseline(obs(0, []));
    const first = detectTransitions(snapshot, obs(1, [inst('f', 'FAILED', 1)]));
    expect(summary(alertsFor(first.transitions, DEFAULT_TRIGGER_STATUSES))).toEqual(['f:∅→FAILED']);
    snapshot = first.next;
    // Enough newer failures to push `f` out of memory…
    const flood = detectTransitions(snapshot, obs(2, terminal(10, MAX_TERMINAL_KEPT)));
    snapshot = flood.next;
    expect(snapshot.seen.f).toBeUndefined();
    // …then `f` shows up again (a deeper scan, or newer records deleted).
    const again = detectTransitions(snapshot, obs(3, [inst('f', 'FAILED', 1)]));
    expect(again.transitions).toEqual([]);
  });

  it('treats an unknown instance with the same start as a dropped one as history', () => {
    // Five failures share minute 5; only some fit under the cap.
    const ties = Array.from({ length: 5 }, (_, k) => inst(`tie${k}`, 'FAILED', 5));
    const snapshot = takeBaseline(obs(0, [...ties, ...terminal(6, MAX_TERMINAL_KEPT - 2)]));
    const kept = ties.filter((t) => snapshot.seen[t.id]);
    expect(kept).toHaveLength(2);
    expect(snapshot.floor).toBe(T0 + 5 * MINUTE);
    const again = detectTransitions(snapshot, obs(1, ties));
    expect(again.transitions).toEqual([]);
  });

  it('alerts on an unknown instance that starts before the newest known one but above the floor (clock skew, late insert)', () => {
    const snapshot = takeBaseline(obs(0, [inst('a', 'SUCCEEDED', 100)]));
    const late = detectTransitions(snapshot, obs(1, [inst('a', 'SUCCEEDED', 100), inst('skewed', 'FAILED', 97)]));
    expect(summary(late.transitions)).toEqual(['skewed:∅→FAILED']);
    expect(late.next.newestStart).toBe(T0 + 100 * MINUTE);
  });

  it('records an old unfinished instance silently and follows it from then on', () => {
    const snapshot = takeBaseline(obs(0, [inst('n', 'SUCCEEDED', 50)], { total: 300, complete: false, unseenNewestStart: T0 + 50 * MINUTE }));
    const deep = detectTransitions(snapshot, obs(1, [inst('n', 'SUCCEEDED', 50), inst('old', 'RUNNING', 20)]));
    expect(deep.transitions).toEqual([]);
    const failed = detectTransitions(deep.next, obs(2, [inst('old', 'FAILED', 20)]));
    expect(summary(failed.transitions)).toEqual(['old:RUNNING→FAILED']);
  });

  it('an instance without a start time is alerted when new and remembered while it stays in view', () => {
    let snapshot = takeBaseline(obs(0, []));
    const nostart = inst('ns', 'FAILED');
    const seenAlerts: string[] = [];
    for (let c = 1; c <= 300; c += 1) {
      const d = detectTransitions(snapshot, obs(c, [nostart, inst(`churn${c}`, 'SUCCEEDED', c)]));
      seenAlerts.push(...summary(alertsFor(d.transitions, DEFAULT_TRIGGER_STATUSES)));
      snapshot = d.next;
    }
    expect(seenAlerts).toEqual(['ns:∅→FAILED']);
  });

  it('caps terminal instances without a start time by how recently they were seen', () => {
    let snapshot = takeBaseline(obs(0, []));
    for (let c = 1; c <= MAX_TERMINAL_KEPT + 20; c += 1) {
      snapshot = detectTransitions(snapshot, obs(c, [inst(`ns${c}`, 'FAILED')])).next;
    }
    expect(Object.keys(snapshot.seen)).toHaveLength(MAX_TERMINAL_KEPT);
    expect(snapshot.seen.ns20).toBeUndefined();
    expect(snapshot.seen[`ns${MAX_TERMINAL_KEPT + 20}`]).toBeDefined();
    expect(snapshot.floor).toBeUndefined();
  });

  it('forgets an unfinished instance unseen for longer than the limit, not before', () => {
    const start = takeBaseline(obs(0, [inst('gone', 'RUNNING', 1)]));
    const limitMinutes = FORGET_UNSEEN_AFTER_MS / MINUTE;
    const justBefore = detectTransitions(start, obs(limitMinutes, []));
    expect(justBefore.next.seen.gone).toBeDefined();
    const after = detectTransitions(justBefore.next, obs(limitMinutes + 1, []));
    expect(after.next.seen.gone).toBeUndefined();
  });
});

describe('firstSeenAt (the stuck check\'s clock for instances without a start time)', () => {
  it('is set at the first sighting, in a baseline or later, and kept while the instance stays unfinished', () => {
    let snapshot = takeBaseline(obs(0, [inst('early', 'PENDING')]));
    expect(snapshot.seen.early).toEqual({ status: 'PENDING', lastSeenAt: T0, firstSeenAt: T0 });
    snapshot = detectTransitions(snapshot, obs(5, [inst('early', 'PENDING'), inst('late', 'NEW')])).next;
    expect(snapshot.seen.late?.firstSeenAt).toBe(T0 + 5 * MINUTE);
    for (const [minute, status] of [[6, 'DEPLOYING'], [7, 'RUNNING']] as const) {
      snapshot = detectTransitions(snapshot, obs(minute, [inst('early', status), inst('late', status)])).next;
    }
    // Out of view for a while, then back: still counted from the first sighting.
    snapshot = detectTransitions(snapshot, obs(30, [])).next;
    snapshot = detectTransitions(snapshot, obs(60, [inst('early', 'RUNNING'), inst('late', 'RUNNING')])).next;
    expect(snapshot.seen.early).toEqual({ status: 'RUNNING', lastSeenAt: T0 + 60 * MINUTE, firstSeenAt: T0 });
    expect(snapshot.seen.late?.firstSeenAt).toBe(T0 + 5 * MINUTE);
  });

  it('is left out for instances with a start time, and once an instance has finished', () => {
    let snapshot = takeBaseline(obs(0, [inst('timed', 'RUNNING', 1), inst('done', 'FAILED'), inst('ends', 'RUNNING')]));
    expect(snapshot.seen.timed).toEqual({ status: 'RUNNING', startTime: T0 + MINUTE, lastSeenAt: T0 });
    expect(snapshot.seen.done).toEqual({ status: 'FAILED', lastSeenAt: T0 });
    snapshot = detectTransitions(snapshot, obs(1, [inst('ends', 'SUCCEEDED')])).next;
    expect(snapshot.seen.ends).toEqual({ status: 'SUCCEEDED', lastSeenAt: T0 + MINUTE });
  });

  it('gives way to a start time that appears later', () => {
    let snapshot = takeBaseline(obs(0, [inst('a', 'NEW')]));
    snapshot = detectTransitions(snapshot, obs(3, [inst('a', 'RUNNING', 2)])).next;
    expect(snapshot.seen.a).toEqual({ status: 'RUNNING', startTime: T0 + 2 * MINUTE, lastSeenAt: T0 + 3 * MINUTE });
  });
});

describe('snapshot storage', () => {
  it('survives a JSON round trip through the store', () => {
    const { snapshot } = run(obs(0, [inst('a', 'RUNNING', 1), inst('b', 'FAILED')], { total: 400, complete: false, order: 'desc' }), [
      obs(1, [inst('a', 'FAILED', 1), inst('c', 'PAUSED', 3)]),
    ]);
    const stored: unknown = JSON.parse(JSON.stringify(snapshot));
    expect(parseSnapshot(stored)).toEqual(snapshot);
    expect(snapshot.order).toBe('desc');
  });

  it('keeps firstSeenAt through the store, and reads snapshots written before it existed', () => {
    const snapshot = takeBaseline(obs(0, [inst('w', 'PENDING')]));
    expect(parseSnapshot(JSON.parse(JSON.stringify(snapshot)))?.seen.w?.firstSeenAt).toBe(T0);
    const old = { v: 1, takenAt: T0, seen: { w: { status: 'PENDING', lastSeenAt: T0 } }, total: 1 };
    const parsed = parseSnapshot(old);
    expect(parsed?.seen.w).toEqual({ status: 'PENDING', lastSeenAt: T0 });
    // Such an entry starts its clock at the next sighting rather than never.
    const next = detectTransitions(parsed!, obs(4, [inst('w', 'PENDING')])).next;
    expect(next.seen.w?.firstSeenAt).toBe(T0 + 4 * MINUTE);
  });

  it('rejects what it does not recognise, so the caller re-baselines', () => {
    expect(parseSnapshot(undefined)).toBeUndefined();
    expect(parseSnapshot({ v: 2, takenAt: 1, seen: {}, total: 0 })).toBeUndefined();
    expect(parseSnapshot({ v: 1, takenAt: 1, seen: { a: { status: 'FAILED' } }, total: 0 })).toBeUndefined();
  });

  it('an id named like an Object property is just an id', () => {
    const snapshot = takeBaseline(obs(0, []));
    const d = detectTransitions(snapshot, obs(1, [inst('constructor', 'FAILED', 1), inst('__proto__', 'FAILED', 2)]));
    expect(summary(d.transitions)).toEqual(['constructor:∅→FAILED', '__proto__:∅→FAILED']);
    const again = detectTransitions(d.next, obs(2, [inst('constructor', 'FAILED', 1), inst('__proto__', 'FAILED', 2)]));
    expect(again.transitions).toEqual([]);
  });
});

describe('dedupeInstances', () => {
  it('keeps the terminal copy over an unfinished one, else the later copy', () => {
    const out = dedupeInstances([inst('a', 'FAILED', 1), inst('b', 'NEW', 2), inst('a', 'RUNNING', 1), inst('b', 'RUNNING', 2, { roundId: 3 })]);
    expect(out).toEqual([inst('a', 'FAILED', 1), inst('b', 'RUNNING', 2, { roundId: 3 })]);
  });
});

describe('alertsFor', () => {
  const t = (to: string, from?: string): Transition => ({ instance: inst('x', to, 1), to, observedAt: T0, ...(from ? { from } : {}) });

  it('keeps the transitions into a trigger status', () => {
    const all = [t('FAILED', 'RUNNING'), t('RUNNING', 'NEW'), t('TERMINATED'), t('SUCCEEDED', 'RUNNING')];
    expect(alertsFor(all, DEFAULT_TRIGGER_STATUSES)).toEqual([all[0], all[2]]);
    expect(alertsFor(all, new Set(['RUNNING']))).toEqual([all[1]]);
  });

  it('never alerts a "change" to the same status', () => {
    expect(alertsFor([t('FAILED', 'FAILED')], DEFAULT_TRIGGER_STATUSES)).toEqual([]);
  });
});

describe('transitionsSince', () => {
  const prevTakenAt = T0 + 10 * MINUTE;
  const observedAt = T0 + 20 * MINUTE;
  const failedEndingAt = (minute?: number): Transition => ({
    instance: inst(`f${minute ?? 'x'}`, 'FAILED', 1, minute === undefined ? {} : { endTime: T0 + minute * MINUTE }),
    from: 'RUNNING',
    to: 'FAILED',
    observedAt,
  });

  it('passes everything to a subscription older than the previous snapshot', () => {
    const all = [failedEndingAt(5), failedEndingAt()];
    expect(transitionsSince(all, prevTakenAt, T0 + 10 * MINUTE)).toEqual(all);
  });

  it('for a subscription created inside the window, keeps only what ended after it was created', () => {
    const created = T0 + 15 * MINUTE;
    const before = failedEndingAt(12);
    const after = failedEndingAt(16);
    const unknown = failedEndingAt();
    expect(transitionsSince([before, after, unknown], prevTakenAt, created)).toEqual([after]);
  });

  it('uses the start time as evidence for a newly seen unfinished instance', () => {
    const created = T0 + 15 * MINUTE;
    const started = (minute: number): Transition => ({ instance: inst(`s${minute}`, 'RUNNING', minute), to: 'RUNNING', observedAt });
    expect(transitionsSince([started(14), started(16)], prevTakenAt, created).map((x) => x.instance.id)).toEqual(['s16']);
  });

  it('withholds everything from a subscription newer than the observation itself', () => {
    expect(transitionsSince([failedEndingAt(25)], prevTakenAt, T0 + 21 * MINUTE)).toEqual([]);
  });
});

describe('alertKey', () => {
  it('is the same for the same failure and differs for a re-run', () => {
    const a = { instance: inst('x', 'FAILED', 1, { endTime: 5 }), from: 'RUNNING', to: 'FAILED', observedAt: 1 };
    expect(alertKey(a)).toBe(alertKey({ ...a, from: 'PAUSED', observedAt: 2 }));
    expect(alertKey(a)).not.toBe(alertKey({ ...a, instance: { ...a.instance, endTime: 9 } }));
    expect(alertKey(a)).not.toBe(alertKey({ ...a, to: 'TERMINATED' }));
  });
});

// ---------------------------------------------------------------------------------------------
// The watcher's loop against a simulated league: planner + observation + detection together.

/** Instances kept in start order; served newest- or oldest-first. */
class SimLeague {
  readonly all: JobInstance[] = [];
  private readonly index = new Map<string, number>();
  constructor(readonly order: 'asc' | 'desc') {}
  add(instance: JobInstance): void {
    this.index.set(instance.id, this.all.length);
    this.all.push(instance);
  }
  set(id: string, status: string): void {
    const i = this.index.get(id)!;
    this.all[i] = { ...this.all[i]!, status };
  }
  page(offset: number, limit: number): ScanPage {
    const n = this.all.length;
    const instances =
      this.order === 'asc' ? this.all.slice(offset, offset + limit) : this.all.slice(Math.max(0, n - offset - limit), Math.max(0, n - offset)).reverse();
    return { offset, limit, total: n, instances };
  }
}

function scanLeague(prev: LeagueSnapshot | undefined, league: SimLeague, pageSize: number, maxPages: number): ScanState {
  const state: ScanState = { pages: [] };
  for (let step = planNext(prev, state, { pageSize, maxPages }); !step.done; step = planNext(prev, state, { pageSize, maxPages })) {
    state.pages.push(league.page(step.offset, pageSize));
  }
  return state;
}

const STATUSES = [...KNOWN_STATUSES, 'PAUSED'];
const TERMINAL_TRIGGERS = ['FAILED', 'TERMINATED', 'SUCCEEDED'];

describe('properties', () => {
  it('each (instance, trigger status) is alerted exactly once, never for what was terminal at baseline', () => {
    const statusArb = fc.constantFrom(...STATUSES);
    const scenario = fc.record({
      order: fc.constantFrom('asc' as const, 'desc' as const),
      pageSize: fc.integer({ min: 2, max: 12 }),
      initial: fc.array(statusArb, { maxLength: 40 }),
      cycles: fc.array(
        fc.record({
          born: fc.array(statusArb, { maxLength: 12 }),
          sameStart: fc.boolean(),
          moves: fc.array(fc.tuple(fc.nat(), statusArb), { maxLength: 10 }),
        }),
        { maxLength: 20 },
      ),
      triggers: fc.subarray(TERMINAL_TRIGGERS, { minLength: 1 }),
    });
    fc.assert(
      fc.property(scenario, ({ order, pageSize, initial, cycles, triggers }) => {
        const triggerSet = new Set(triggers);
        const league = new SimLeague(order);
        let minute = 0;
        let serial = 0;
        const birth = (status: string, sameStart: boolean): string => {
          if (!sameStart) minute += 1;
          const id = `i${serial++}`;
          league.add(inst(id, status, minute));
          return id;
        };
        initial.forEach((s) => birth(s, false));
        const atBaseline = new Map(league.all.map((i) => [i.id, i.status]));
        let snapshot = takeBaseline(toObservation(undefined, scanLeague(undefined, league, pageSize, 1000), T0));
        const followed = new Set(Object.keys(snapshot.seen).filter((id) => !isTerminalStatus(snapshot.seen[id]!.status)));

        const expected = new Set<string>();
        const alerted: string[] = [];
        cycles.forEach(({ born, sameStart, moves }, c) => {
          minute += 1;
          born.forEach((s, k) => {
            const id = birth(s, sameStart && k > 0);
            if (triggerSet.has(s)) expected.add(`${id}:${s}`);
          });
          for (const [pick, to] of moves) {
            const open = league.all.filter((i) => !isTerminalStatus(i.status));
            const target = open[pick % Math.max(1, open.length)];
            if (!target || target.status === to) continue;
            league.set(target.id, to);
            if (triggerSet.has(to) && (followed.has(target.id) || !atBaseline.has(target.id))) expected.add(`${target.id}:${to}`);
          }
          const observed = toObservation(snapshot, scanLeague(snapshot, league, pageSize, 1000), T0 + (c + 1) * MINUTE);
          const d = detectTransitions(snapshot, observed);
          for (const a of alertsFor(d.transitions, triggerSet)) {
            alerted.push(`${a.instance.id}:${a.to}`);
            expect(league.all.find((i) => i.id === a.instance.id)?.status).toBe(a.to);
            expect(isTerminalStatus(atBaseline.get(a.instance.id) ?? 'NEW')).toBe(false);
          }
          snapshot = d.next;
        });
        expect(new Set(alerted).size).toBe(alerted.length);
        const alertedSet = new Set(alerted);
        for (const e of expected) expect(alertedSet.has(e)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reports every observed status change, including non-terminal ones, exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.constantFrom(...STATUSES), { minLength: 3, maxLength: 3 }), { maxLength: 30 }), (steps) => {
        // Three instances, each observed every cycle with a random (possibly unchanged) status;
        // terminal statuses stick as they do in TICS.
        let current = ['NEW', 'NEW', 'NEW'];
        let snapshot = takeBaseline(obs(0, current.map((s, k) => inst(`p${k}`, s, k))));
        steps.forEach((step, c) => {
          const next = current.map((s, k) => (isTerminalStatus(s) ? s : step[k]!));
          const d = detectTransitions(snapshot, obs(c + 1, next.map((s, k) => inst(`p${k}`, s, k))));
          const changed = next.flatMap((s, k) => (s !== current[k] ? [`p${k}:${current[k]}→${s}`] : []));
          expect(summary(d.transitions)).toEqual(changed);
          current = next;
          snapshot = d.next;
        });
      }),
      { numRuns: 200 },
    );
  });

  it('after 10,000 cycles of churn the snapshot stays bounded and no alert repeats', () => {
    // Deterministic pseudo-random churn (mulberry32) so a failure is reproducible.
    let seed = 0x7153;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const ends = ['FAILED', 'TERMINATED', 'SUCCEEDED', 'SUCCEEDED'];
    const league = new SimLeague('desc');
    const open = new Map<string, number>(); // id → cycle it finishes
    let serial = 0;
    const spawn = (cycle: number) => {
      const id = `c${serial++}`;
      const roll = random();
      if (roll < 0.15) {
        league.add(inst(id, ends[Math.floor(random() * ends.length)]!, cycle)); // failed between polls
        return;
      }
      league.add(inst(id, 'RUNNING', cycle));
      // Mostly short jobs; a few long ones sink below page 1 and force deeper scans over old, forgotten records.
      open.set(id, cycle + (roll > 0.995 ? 150 + Math.floor(random() * 150) : 1 + Math.floor(random() * 8)));
    };
    for (let k = 0; k < 150; k += 1) spawn(0);
    const terminalAtBaseline = new Set(league.all.filter((i) => isTerminalStatus(i.status)).map((i) => i.id));
    let snapshot = takeBaseline(toObservation(undefined, scanLeague(undefined, league, 100, 20), T0));
    const alerted = new Set<string>();
    const shouldAlert = new Set<string>();
    let largest = 0;
    for (let cycle = 1; cycle <= 10_000; cycle += 1) {
      const births = Math.floor(random() * 4);
      for (let k = 0; k < births; k += 1) spawn(cycle);
      for (const [id, due] of open) {
        if (due > cycle) continue;
        const end = ends[Math.floor(random() * ends.length)]!;
        league.set(id, end);
        open.delete(id);
      }
      for (const i of league.all.slice(league.all.length - births)) {
        if (DEFAULT_TRIGGER_STATUSES.has(i.status)) shouldAlert.add(`${i.id}:${i.status}`);
      }
      const observed = toObservation(snapshot, scanLeague(snapshot, league, 100, 20), T0 + cycle * MINUTE);
      const d = detectTransitions(snapshot, observed);
      // Plain checks inside the loop: 40,000 expect() calls cost more than the detection under test.
      for (const a of alertsFor(d.transitions, DEFAULT_TRIGGER_STATUSES)) {
        const key = `${a.instance.id}:${a.to}`;
        if (alerted.has(key)) expect.fail(`duplicate alert ${key} at cycle ${cycle}`);
        alerted.add(key);
      }
      snapshot = d.next;
      const seen = Object.values(snapshot.seen);
      const unfinished = seen.filter((e) => !isTerminalStatus(e.status)).length;
      if (unfinished !== open.size) expect.fail(`cycle ${cycle}: ${unfinished} unfinished instances in the snapshot, ${open.size} open`);
      if (seen.length > MAX_TERMINAL_KEPT + open.size) expect.fail(`cycle ${cycle}: snapshot holds ${seen.length} instances`);
      // The serialised size changes slowly; sampling it keeps the test about the detector, not JSON.
      if (cycle % 50 === 0) largest = Math.max(largest, JSON.stringify(snapshot).length);
    }
    expect(league.all.length).toBeGreaterThan(10_000);
    // Nothing missed either: every instance that ended FAILED/TERMINATED, bar those already so at baseline.
    for (const key of shouldAlert) expect(alerted.has(key)).toBe(true);
    const failed = league.all.filter((i) => !terminalAtBaseline.has(i.id) && DEFAULT_TRIGGER_STATUSES.has(i.status));
    expect(new Set(failed.map((i) => `${i.id}:${i.status}`))).toEqual(alerted);
    expect(largest).toBeLessThan(50_000);
  }, 60_000);
});
