import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_STATUSES, isTerminalStatus, type JobInstance } from '../../src/tics/schema.js';
import { dedupeInstances, detectTransitions, takeBaseline, type LeagueSnapshot, type Observation } from '../../src/watch/detect.js';
import { stuckItems, usualDurationMs } from '../../src/watch/stuck.js';
import type { Subscription } from '../../src/watch/types.js';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEAGUE = { id: 'L1' };

function inst(id: string, status: string, start?: number, extra: Partial<JobInstance> = {}): JobInstance {
  const base: JobInstance = { id, jobName: 'train', type: 'VFL_TRAIN', status };
  if (start !== undefined) base.startTime = start;
  return { ...base, ...extra };
}

/** A SUCCEEDED run of `jobName` that took `minutes`. */
function run(id: string, minutes: number, jobName = 'train', status = 'SUCCEEDED'): JobInstance {
  return inst(id, status, T0, { jobName, endTime: T0 + minutes * MINUTE });
}

function sub(id: string, stuckMs?: number, more: Partial<Subscription> = {}): Subscription {
  return {
    id: `L1:${id}`,
    leagueId: 'L1',
    channelId: id,
    triggers: ['FAILED', 'TERMINATED'],
    createdAt: T0,
    source: 'slack',
    ...(stuckMs === undefined ? {} : { stuckMs }),
    ...more,
  };
}

function obs(at: number, instances: JobInstance[]): Observation {
  return { instances, total: instances.length, complete: true, observedAt: at };
}

/** The snapshot a poll at `at` would hold after a baseline of `instances` (nothing without a start time seen earlier). */
const snapshotAt = (at: number, instances: JobInstance[]): LeagueSnapshot => takeBaseline(obs(at, instances));

describe('stuckItems', () => {
  it('does not alert exactly at the threshold, and alerts 1 ms over it', () => {
    const instances = [inst('a', 'RUNNING', T0)];
    const snapshot = snapshotAt(T0, instances);
    const subs = [sub('C1', 2 * HOUR)];
    expect(stuckItems({ instances, snapshot, subscriptions: subs, now: T0 + 2 * HOUR, league: LEAGUE })).toEqual([]);
    const items = stuckItems({ instances, snapshot, subscriptions: subs, now: T0 + 2 * HOUR + 1, league: LEAGUE });
    expect(items).toEqual([
      {
        key: 'L1:C1|a:STUCK',
        subscriptionId: 'L1:C1',
        channelId: 'C1',
        league: LEAGUE,
        instance: instances[0],
        from: 'RUNNING',
        to: 'RUNNING',
        observedAt: T0 + 2 * HOUR + 1,
        kind: 'stuck',
        stuck: { runningMs: 2 * HOUR + 1, thresholdMs: 2 * HOUR },
      },
    ]);
  });

  it('measures an instance without a start time from when it was first seen, across polls', () => {
    const waiting = inst('w', 'PENDING');
    let snapshot = takeBaseline(obs(T0, [waiting]));
    // Seen again an hour later: still counted from the first sighting, not from this poll.
    snapshot = detectTransitions(snapshot, obs(T0 + HOUR, [waiting])).next;
    const subs = [sub('C1', 45 * MINUTE)];
    const items = stuckItems({ instances: [waiting], snapshot, subscriptions: subs, now: T0 + HOUR, league: LEAGUE });
    expect(items.map((i) => [i.key, i.stuck?.runningMs])).toEqual([['L1:C1|w:STUCK', HOUR]]);
  });

  it('prefers the start time over the first sighting', () => {
    const instances = [inst('a', 'RUNNING', T0)];
    // First seen 3 h after it started: the start time says it has been running 3 h already.
    const snapshot = snapshotAt(T0 + 3 * HOUR, instances);
    const items = stuckItems({ instances, snapshot, subscriptions: [sub('C1', 2 * HOUR)], now: T0 + 3 * HOUR, league: LEAGUE });
    expect(items.map((i) => i.stuck?.runningMs)).toEqual([3 * HOUR]);
  });

  it('ignores an instance with neither a start time nor a first sighting', () => {
    const snapshot = snapshotAt(T0, []);
    const items = stuckItems({ instances: [inst('x', 'RUNNING')], snapshot, subscriptions: [sub('C1', 1)], now: T0 + 100 * HOUR, league: LEAGUE });
    expect(items).toEqual([]);
  });

  it('never alerts a terminal instance, however long ago it started', () => {
    const instances = ['SUCCEEDED', 'FAILED', 'TERMINATED'].map((s, k) => inst(`t${k}`, s, T0));
    const items = stuckItems({ instances, snapshot: snapshotAt(T0, instances), subscriptions: [sub('C1', MINUTE)], now: T0 + 100 * HOUR, league: LEAGUE });
    expect(items).toEqual([]);
  });

  it('applies each subscription its own threshold, and skips those without one', () => {
    const instances = [inst('a', 'RUNNING', T0), inst('b', 'DEPLOYING', T0 + 2 * HOUR)];
    const snapshot = snapshotAt(T0, instances);
    const subs = [sub('fast', 30 * MINUTE), sub('slow', 3 * HOUR), sub('off'), sub('zero', 0)];
    const items = stuckItems({ instances, snapshot, subscriptions: subs, now: T0 + 4 * HOUR, league: LEAGUE });
    expect(items.map((i) => i.key)).toEqual(['L1:fast|a:STUCK', 'L1:fast|b:STUCK', 'L1:slow|a:STUCK']);
    expect(items.map((i) => i.stuck?.thresholdMs)).toEqual([30 * MINUTE, 30 * MINUTE, 3 * HOUR]);
  });

  it('shows the league by the subscription alias, carries notify, and adds the usual duration when history shows one', () => {
    const instances = [inst('a', 'RUNNING', T0), run('s1', 20), run('s2', 40), run('s3', 30)];
    const subs = [sub('C1', HOUR, { leagueAlias: 'fraud', notify: ['<@U1>'] })];
    const [item] = stuckItems({ instances, snapshot: snapshotAt(T0, instances), subscriptions: subs, now: T0 + 2 * HOUR, league: LEAGUE });
    expect(item?.league).toEqual({ id: 'L1', alias: 'fraud' });
    expect(item?.notify).toEqual(['<@U1>']);
    expect(item?.stuck).toEqual({ runningMs: 2 * HOUR, thresholdMs: HOUR, usualMs: 30 * MINUTE });
  });

  it('gives the same key on every poll while the instance stays stuck', () => {
    const running = inst('a', 'RUNNING', T0);
    let snapshot = takeBaseline(obs(T0, [running]));
    const keys: string[][] = [];
    for (let poll = 1; poll <= 3; poll += 1) {
      const now = T0 + poll * HOUR;
      snapshot = detectTransitions(snapshot, obs(now, [running])).next;
      keys.push(stuckItems({ instances: [running], snapshot, subscriptions: [sub('C1', 30 * MINUTE)], now, league: LEAGUE }).map((i) => i.key));
    }
    expect(keys).toEqual([['L1:C1|a:STUCK'], ['L1:C1|a:STUCK'], ['L1:C1|a:STUCK']]);
  });

  it('yields one item per instance even when the list repeated it across pages', () => {
    const instances = [inst('a', 'RUNNING', T0), inst('a', 'RUNNING', T0)];
    const items = stuckItems({ instances, snapshot: snapshotAt(T0, instances), subscriptions: [sub('C1', MINUTE)], now: T0 + HOUR, league: LEAGUE });
    expect(items).toHaveLength(1);
  });

  it('alerts an instance already stuck before the subscription was created (it is stuck now)', () => {
    const instances = [inst('a', 'RUNNING', T0)];
    const subs = [sub('C1', HOUR, { createdAt: T0 + 5 * HOUR })];
    const items = stuckItems({ instances, snapshot: snapshotAt(T0, instances), subscriptions: subs, now: T0 + 5 * HOUR + MINUTE, league: LEAGUE });
    expect(items.map((i) => i.key)).toEqual(['L1:C1|a:STUCK']);
  });

  it('alerts nothing at or under any threshold and never repeats a key (property)', () => {
    const statuses = [...KNOWN_STATUSES, 'SOMETHING_NEW'];
    // Times in quarter hours, so running times landing exactly on a threshold are common.
    const quarters = (min: number, max: number) => fc.integer({ min, max }).map((n) => n * 15 * MINUTE);
    const instanceArb = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      status: fc.constantFrom(...statuses),
      startOffset: fc.option(quarters(-40, 40), { nil: undefined }),
    });
    const scenario = fc.record({
      instances: fc.array(instanceArb, { maxLength: 12 }),
      firstSeen: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), quarters(0, 40)),
      thresholds: fc.array(fc.option(quarters(0, 48), { nil: undefined }), { maxLength: 4 }),
      elapsed: quarters(0, 48),
    });
    fc.assert(
      fc.property(scenario, ({ instances, firstSeen, thresholds, elapsed }) => {
        const now = T0 + elapsed;
        const list = instances.map(({ id, status, startOffset }) => inst(id, status, startOffset === undefined ? undefined : T0 + startOffset));
        const seen: LeagueSnapshot['seen'] = {};
        for (const [id, offset] of Object.entries(firstSeen)) seen[id] = { status: 'PENDING', lastSeenAt: now, firstSeenAt: T0 + offset };
        const snapshot: LeagueSnapshot = { v: 1, takenAt: now, seen, total: list.length };
        const subs = thresholds.map((t, k) => sub(`C${k}`, t));
        const items = stuckItems({ instances: list, snapshot, subscriptions: subs, now, league: LEAGUE });

        expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
        for (const item of items) {
          const owner = subs.find((s) => s.id === item.subscriptionId)!;
          const since = item.instance.startTime ?? seen[item.instance.id]?.firstSeenAt;
          expect(since).toBeDefined();
          expect(now - since!).toBe(item.stuck?.runningMs);
          expect(item.stuck!.runningMs).toBeGreaterThan(owner.stuckMs!);
          expect(item.stuck!.thresholdMs).toBe(owner.stuckMs);
          expect(isTerminalStatus(item.instance.status)).toBe(false);
        }
        // And nothing missed: every unfinished instance over a subscription's limit has its item.
        const keys = new Set(items.map((i) => i.key));
        for (const s of subs) {
          if (!s.stuckMs) continue;
          for (const i of dedupeInstances(list)) {
            const since = i.startTime ?? seen[i.id]?.firstSeenAt;
            if (!isTerminalStatus(i.status) && since !== undefined && now - since > s.stuckMs) expect(keys.has(`${s.id}|${i.id}:STUCK`)).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('usualDurationMs', () => {
  it('takes the middle run of an odd number of successes', () => {
    expect(usualDurationMs([run('a', 10), run('b', 50), run('c', 20)], 'train')).toBe(20 * MINUTE);
  });

  it('averages the two middle runs of an even number', () => {
    expect(usualDurationMs([run('a', 10), run('b', 50), run('c', 20), run('d', 30)], 'train')).toBe(25 * MINUTE);
    expect(usualDurationMs([run('a', 0), { ...run('b', 0), endTime: T0 + 1 }], 'train')).toBe(1);
  });

  it('counts only successes of that job', () => {
    const history = [run('a', 10), run('b', 30), run('f', 1, 'train', 'FAILED'), run('t', 2, 'train', 'TERMINATED'), run('o1', 500, 'other'), run('o2', 600, 'other')];
    expect(usualDurationMs(history, 'train')).toBe(20 * MINUTE);
    expect(usualDurationMs(history, 'other')).toBe(550 * MINUTE);
  });

  it('is undefined with fewer than two usable samples', () => {
    expect(usualDurationMs([], 'train')).toBeUndefined();
    expect(usualDurationMs([run('a', 10)], 'train')).toBeUndefined();
    // A run without an end, one ending before it started, and a repeat of the same record do not count.
    const unusable = [run('a', 10), inst('b', 'SUCCEEDED', T0), { ...run('c', 10), endTime: T0 - 1 }, run('a', 10)];
    expect(usualDurationMs(unusable, 'train')).toBeUndefined();
  });
});
