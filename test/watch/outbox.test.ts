import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../src/store.js';
import { CHANNEL_ERROR_RETRY_MS, GIVE_UP_AFTER_MS, Outbox, nextDelay } from '../../src/watch/outbox.js';
import type { AlertItem, OutboxItem } from '../../src/watch/types.js';
import { BACKENDS, sleep, warnIfRedisSkipped, type StoreFixture } from './store-backends.js';

warnIfRedisSkipped();

const T0 = Date.UTC(2024, 5, 1, 12);
const MINUTE = 60_000;

function item(instanceId: string, channelId = 'C0000000001', leagueId = 'league1', status = 'FAILED'): AlertItem {
  const subscriptionId = `${leagueId}:${channelId}`;
  return {
    key: `${subscriptionId}|${instanceId}:${status}:${T0}`,
    subscriptionId,
    channelId,
    league: { id: leagueId, alias: 'credit' },
    instance: { id: instanceId, jobName: `job ${instanceId}`, type: 'VFL_TRAIN', status, startTime: T0 - MINUTE, endTime: T0 },
    from: 'RUNNING',
    to: status,
    observedAt: T0,
  };
}

/** An injected clock the test moves by hand; TTLs in the store still run on real time. */
function clock(start = T0) {
  let now = start;
  return { now: () => now, set: (t: number) => void (now = t), advance: (ms: number) => void (now += ms) };
}

const keysOf = (map: Map<string, { item: OutboxItem }[]>) => new Map([...map].map(([c, es]) => [c, es.map((e) => e.item.key)]));

describe('nextDelay', () => {
  it('starts at 2 s, doubles, and is capped at 15 min', () => {
    expect(nextDelay(1)).toBe(2_000);
    expect(nextDelay(2)).toBe(4_000);
    expect(nextDelay(3)).toBe(8_000);
    expect(nextDelay(100)).toBe(15 * MINUTE);
    expect(nextDelay(0)).toBe(2_000);
  });

  it('never decreases, never exceeds the cap, and is finite for any input', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), (n) => {
        const d = nextDelay(n);
        expect(Number.isFinite(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(2_000);
        expect(d).toBeLessThanOrEqual(15 * MINUTE);
        expect(nextDelay(n + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
    for (const odd of [Number.NaN, Infinity, -Infinity]) expect(Number.isFinite(nextDelay(odd))).toBe(true);
  });

  it('keeps the slow retry and give-up constants in a sane order', () => {
    expect(CHANNEL_ERROR_RETRY_MS).toBeGreaterThanOrEqual(nextDelay(1));
    expect(GIVE_UP_AFTER_MS).toBeGreaterThan(CHANNEL_ERROR_RETRY_MS);
  });
});

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`Outbox on ${backend.name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    let t: ReturnType<typeof clock>;
    let outbox: Outbox;
    beforeEach(async () => {
      fx = await backend.open();
      store = fx.store;
      t = clock();
      outbox = new Outbox(store, { now: t.now });
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('records a transition exactly once among 20 concurrent racers on two replicas', async () => {
      const replica = await fx.replica();
      const racers = Array.from({ length: 20 }, (_, i) => new Outbox(i % 2 ? replica : store, { now: t.now }));
      const alert = item('inst-1');
      const results = await Promise.all(racers.map((o) => o.record(alert)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const entry = await new Outbox(replica).get(alert.key);
      expect(entry).toMatchObject({ state: 'pending', attempts: 0, createdAt: T0, nextAttemptAt: T0, item: alert });
      // And again later, by anyone: still recorded already.
      expect(await racers[7]!.record(alert)).toBe(false);
      expect(await outbox.record(item('inst-2'))).toBe(true);
    });

    it('keeps refusing a transition after it was sent, until the claim expires', async () => {
      // The claim's ttl runs on the store's real clock: a second of it for three writes on a busy machine.
      const short = new Outbox(store, { now: t.now, claimTtlMs: 1_000 });
      const alert = item('inst-1');
      expect(await short.record(alert)).toBe(true);
      await short.markSent([alert.key], '1717243200.000100');
      expect(await short.record(alert)).toBe(false);
      await sleep(1_300);
      expect(await short.record(alert)).toBe(true);
    });

    it('writes the claim and its entry in one step: a claim is never there without its entry', async () => {
      const alert = item('inst-atomic');
      expect(await outbox.record(alert)).toBe(true);
      expect(await store.peekAtomic(`claim:${alert.key}`)).toMatch(/^\d+:/);
      expect(await outbox.get(alert.key)).toMatchObject({ state: 'pending', attempts: 0, item: alert });
      expect(keysOf(await outbox.due())).toEqual(new Map([['C0000000001', [alert.key]]]));
      // A claim that is already there writes nothing: the entry is the first recorder's, untouched.
      await outbox.markSent([alert.key], '1717243200.000100');
      expect(await store.setIfAbsentWith(`claim:${alert.key}`, 'late', MINUTE, [{ key: `outbox:${alert.key}`, value: 'clobbered', ttlMs: MINUTE }])).toBe(false);
      expect(await outbox.get(alert.key)).toMatchObject({ state: 'sent' });
    });

    it('never counts a claim without an entry as recorded: the next detection records it at once, exactly once', async () => {
      const alert = item('inst-orphan');
      // What an older version killed between its two writes left behind: a claim, a second old, no entry.
      expect(await store.setIfAbsent(`claim:${alert.key}`, `${T0 - 1_000}:dead-recorder`, 60 * MINUTE)).toBe(true);
      const replica = new Outbox(await fx.replica(), { now: t.now });
      const results = await Promise.all([outbox.record(alert), replica.record(alert), outbox.record(alert)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await outbox.get(alert.key)).toMatchObject({ state: 'pending', item: alert });
      expect(keysOf(await outbox.due())).toEqual(new Map([['C0000000001', [alert.key]]]));
      // Recorded now: seen again, it is a duplicate.
      expect(await replica.record(alert)).toBe(false);
    });

    it.skipIf(!backend.durable)('keeps pending entries across a restart', async () => {
      const a = item('inst-1');
      const b = item('inst-2');
      await outbox.record(a);
      await outbox.record(b);
      await outbox.markSent([b.key], '1.2');
      const reopened = new Outbox(await fx.restart(), { now: t.now });
      expect(keysOf(await reopened.due())).toEqual(new Map([['C0000000001', [a.key]]]));
      // The claim survived too: the restarted process does not record it a second time.
      expect(await reopened.record(a)).toBe(false);
    });

    it('lists due entries by channel, oldest first, and channels by their oldest entry', async () => {
      const late1 = item('late-1', 'C0000000001');
      const early2 = item('early-2', 'C0000000002');
      const early1 = item('early-1', 'C0000000001');
      t.set(T0 + 3 * MINUTE);
      await outbox.record(late1);
      t.set(T0 + MINUTE);
      await outbox.record(early2);
      t.set(T0 + 2 * MINUTE);
      await outbox.record(early1);
      t.set(T0 + 10 * MINUTE);
      const due = await outbox.due();
      expect([...keysOf(due)]).toEqual([
        ['C0000000002', [early2.key]],
        ['C0000000001', [early1.key, late1.key]],
      ]);
    });

    it('holds back deferred entries until nextAttemptAt', async () => {
      const a = item('inst-1');
      const b = item('inst-2');
      await outbox.record(a);
      await outbox.record(b);
      await outbox.deferred([a.key], 'http 503', 2 * MINUTE);
      expect(await outbox.get(a.key)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: T0 + 2 * MINUTE, lastError: 'http 503' });
      expect(keysOf(await outbox.due()).get('C0000000001')).toEqual([b.key]);
      t.advance(2 * MINUTE - 1);
      expect(keysOf(await outbox.due()).get('C0000000001')).toEqual([b.key]);
      t.advance(1);
      expect(keysOf(await outbox.due()).get('C0000000001')).toEqual([a.key, b.key].sort((x, y) => (x < y ? -1 : 1)));
      await outbox.deferred([a.key], 'http 502', 5 * MINUTE);
      expect(await outbox.get(a.key)).toMatchObject({ attempts: 2, nextAttemptAt: T0 + 7 * MINUTE, lastError: 'http 502' });
    });

    it('holds back postponed entries (a 429) without counting an attempt', async () => {
      const a = item('inst-1');
      await outbox.record(a);
      for (let i = 0; i < 3; i++) {
        await outbox.postponed([a.key], 'ratelimited', 1_000);
        t.advance(1_000);
      }
      expect(await outbox.get(a.key)).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: T0 + 3_000, lastError: 'ratelimited' });
      // The first real failure after them backs off as a first failure.
      await outbox.deferred([a.key], 'http_500', nextDelay(1));
      expect(await outbox.get(a.key)).toMatchObject({ attempts: 1, nextAttemptAt: T0 + 3_000 + 2_000 });
      // Never revives a settled entry.
      await outbox.markSent([a.key], '1.1');
      await outbox.postponed([a.key], 'ratelimited', 1_000);
      expect(await outbox.get(a.key)).toMatchObject({ state: 'sent' });
    });

    it('pauses one channel (for every replica) without holding back the others', async () => {
      const other = new Outbox(await fx.replica(), { now: t.now });
      const a = item('inst-1', 'C0000000001');
      const b = item('inst-2', 'C0000000002');
      await outbox.record(a);
      await outbox.record(b);
      await outbox.pauseChannel('C0000000001', T0 + 30_000);
      expect(await other.channelPausedUntil('C0000000001')).toBe(T0 + 30_000);
      expect(await other.channelPausedUntil('C0000000002')).toBeUndefined();
      expect([...(await other.due()).keys()]).toEqual(['C0000000002']);
      // A shorter Retry-After from another replica does not cut the pause short.
      await other.pauseChannel('C0000000001', T0 + 10_000);
      expect(await outbox.channelPausedUntil('C0000000001')).toBe(T0 + 30_000);
      t.advance(30_000);
      expect(await outbox.channelPausedUntil('C0000000001')).toBeUndefined();
      expect([...(await outbox.due()).keys()].sort()).toEqual(['C0000000001', 'C0000000002']);
    });

    it('lets one delivery at a time hold an entry, across replicas', async () => {
      const other = new Outbox(await fx.replica(), { now: t.now });
      const key = item('inst-1').key;
      const release = await outbox.lockForDelivery(key, 'replica-a', 10_000);
      expect(release).toBeDefined();
      expect(await other.lockForDelivery(key, 'replica-b', 10_000)).toBeUndefined();
      expect(await outbox.lockForDelivery(key, 'replica-a', 10_000)).toBeUndefined();
      expect(await other.lockForDelivery(item('inst-2').key, 'replica-b', 10_000)).toBeDefined();
      await release!.release();
      const second = await other.lockForDelivery(key, 'replica-b', 10_000);
      expect(second).toBeDefined();
      // A second call of the first release must not free the new holder's lock.
      await release!.release();
      expect(await outbox.lockForDelivery(key, 'replica-a', 10_000)).toBeUndefined();
    });

    it('keeps a delivery lock its holder renews past the TTL; renew says false once it is gone', async () => {
      const other = new Outbox(await fx.replica(), { now: t.now });
      const key = item('inst-1').key;
      const lock = await outbox.lockForDelivery(key, 'replica-a', 1_500);
      expect(lock).toBeDefined();
      for (let i = 0; i < 4; i++) {
        await sleep(600);
        expect(await lock!.renew()).toBe(true);
      }
      // 2.4 s after taking it, past the 1.5 s TTL: still held, because it was renewed.
      expect(await other.lockForDelivery(key, 'replica-b', 1_500)).toBeUndefined();
      await sleep(2_000);
      // Not renewed for longer than the TTL: gone, taken by someone else, and the old holder knows.
      const taken = await other.lockForDelivery(key, 'replica-b', 10_000);
      expect(taken).toBeDefined();
      expect(await lock!.renew()).toBe(false);
      await lock!.release();
      expect(await outbox.lockForDelivery(key, 'replica-a', 10_000)).toBeUndefined();
      expect(await taken!.renew()).toBe(true);
      await taken!.release();
      expect(await taken!.renew()).toBe(false);
    });

    it('frees a delivery lock whose holder died, and the dead holder cannot free the new one', async () => {
      const key = item('inst-1').key;
      const staleRelease = await outbox.lockForDelivery(key, 'same-process', 150);
      expect(staleRelease).toBeDefined();
      await sleep(300);
      const fresh = await outbox.lockForDelivery(key, 'same-process', 10_000);
      expect(fresh).toBeDefined();
      await staleRelease!.release();
      expect(await outbox.lockForDelivery(key, 'same-process', 10_000)).toBeUndefined();
    });

    it.skipIf(!backend.durable || backend.multiProcess)('keeps no delivery lock across a restart of a one-process store: a crash mid-post does not hold the alert back', async () => {
      const key = item('inst-1').key;
      expect(await outbox.lockForDelivery(key, 'crashed-process', 60_000)).toBeDefined();
      expect(await outbox.lockForDelivery(key, 'same-process', 60_000)).toBeUndefined();
      const restarted = new Outbox(await fx.restart(), { now: t.now });
      expect(await restarted.lockForDelivery(key, 'restarted-process', 60_000)).toBeDefined();
    });

    it('moves entries pending → sent, and never back', async () => {
      const a = item('inst-1');
      const b = item('inst-2');
      await outbox.record(a);
      await outbox.record(b);
      t.advance(MINUTE);
      await outbox.markSent([a.key, b.key], '1717243260.000200');
      for (const key of [a.key, b.key]) {
        expect(await outbox.get(key)).toMatchObject({ state: 'sent', sentTs: '1717243260.000200', sentAt: T0 + MINUTE });
      }
      expect((await outbox.due()).size).toBe(0);
      // A replica that failed on the same entry a moment later must not revive it.
      await outbox.deferred([a.key], 'timeout', 0);
      await outbox.giveUp([b.key], 'invalid_auth');
      expect(await outbox.get(a.key)).toMatchObject({ state: 'sent', attempts: 0 });
      expect(await outbox.get(b.key)).toMatchObject({ state: 'sent' });
      expect((await outbox.due()).size).toBe(0);
    });

    it('gives up on entries but keeps them for inspection; a late success still counts', async () => {
      const a = item('inst-1');
      const b = item('inst-2');
      await outbox.record(a);
      await outbox.record(b);
      await outbox.giveUp([a.key, b.key], 'channel_not_found');
      expect(await outbox.get(a.key)).toMatchObject({ state: 'undeliverable', lastError: 'channel_not_found' });
      expect((await outbox.due()).size).toBe(0);
      await outbox.markSent([b.key], '9.9');
      expect(await outbox.get(b.key)).toMatchObject({ state: 'sent', sentTs: '9.9' });
      expect((await outbox.get(b.key))?.lastError).toBeUndefined();
      // Settling keys that are gone (dropped, expired) is a no-op, not a crash or a resurrection.
      await outbox.markSent(['nope'], '1.1');
      await outbox.deferred(['nope'], 'x', 1);
      expect(await outbox.get('nope')).toBeUndefined();
    });

    it('reports per subscription: pending, last sent', async () => {
      const s1 = ['a', 'b', 'c', 'd'].map((id) => item(id, 'C0000000001'));
      const s2 = ['e', 'f'].map((id) => item(id, 'C0000000002'));
      for (const x of [...s1, ...s2]) await outbox.record(x);
      t.set(T0 + MINUTE);
      await outbox.markSent([s1[0]!.key], '1.1');
      t.set(T0 + 5 * MINUTE);
      await outbox.markSent([s1[1]!.key], '1.2');
      await outbox.giveUp([s1[2]!.key], 'is_archived');
      const stats = await outbox.stats([s1[0]!.subscriptionId, s2[0]!.subscriptionId, 'league9:C0000000009']);
      expect(stats.get(s1[0]!.subscriptionId)).toEqual({ pending: 1, lastSentAt: T0 + 5 * MINUTE });
      expect(stats.get(s2[0]!.subscriptionId)).toEqual({ pending: 2 });
      expect(stats.get('league9:C0000000009')).toEqual({ pending: 0 });
      expect(stats.size).toBe(3);
      // Sent again (a retried digest) or settled late by another replica: the last time stays.
      t.set(T0 + 2 * MINUTE);
      await outbox.markSent([s1[3]!.key], '1.3');
      expect((await outbox.stats([s1[0]!.subscriptionId])).get(s1[0]!.subscriptionId)).toEqual({ pending: 0, lastSentAt: T0 + 5 * MINUTE });
    });

    it('answers stats from the pending index and the last-sent record, never reading an entry', async () => {
      const many = Array.from({ length: 30 }, (_, i) => item(`m${i}`));
      for (const x of many) await outbox.record(x);
      await outbox.markSent(many.slice(0, 25).map((x) => x.key), '2.1');
      const read = vi.spyOn(store, 'get');
      try {
        expect((await outbox.stats([many[0]!.subscriptionId])).get(many[0]!.subscriptionId)).toEqual({ pending: 5, lastSentAt: T0 });
        expect(read.mock.calls.map(([key]) => key)).toEqual([`lastsent:${many[0]!.subscriptionId}`]);
      } finally {
        read.mockRestore();
      }
    });

    it('drops only the pending entries of an unwatched subscription', async () => {
      const mine = ['a', 'b', 'c'].map((id) => item(id, 'C0000000001'));
      const theirs = item('d', 'C0000000002');
      for (const x of [...mine, theirs]) await outbox.record(x);
      await outbox.markSent([mine[0]!.key], '1.1');
      expect(await outbox.dropPendingFor(mine[0]!.subscriptionId)).toBe(2);
      expect(await outbox.get(mine[1]!.key)).toMatchObject({ state: 'dropped' });
      expect(await outbox.get(mine[0]!.key)).toMatchObject({ state: 'sent' });
      expect((await outbox.stats([mine[0]!.subscriptionId])).get(mine[0]!.subscriptionId)).toMatchObject({ pending: 0 });
      expect(keysOf(await outbox.due())).toEqual(new Map([['C0000000002', [theirs.key]]]));
      expect(await outbox.dropPendingFor(mine[0]!.subscriptionId)).toBe(0);
      // Dropped is not forgotten: the same transition is not recorded again.
      expect(await outbox.record(mine[1]!)).toBe(false);
    });

    it('lets sent and undeliverable entries expire, keeping pending ones', async () => {
      const short = new Outbox(store, { now: t.now, sentTtlMs: 150 });
      const [a, b, c] = ['a', 'b', 'c'].map((id) => item(id));
      for (const x of [a!, b!, c!]) await short.record(x);
      await short.markSent([a!.key], '1.1');
      await short.giveUp([b!.key], 'fatal');
      await sleep(300);
      expect(await short.get(a!.key)).toBeUndefined();
      expect(await short.get(b!.key)).toBeUndefined();
      expect(await short.get(c!.key)).toMatchObject({ state: 'pending' });
      expect(await store.keys('outbox:')).toEqual(['outbox:' + c!.key]);
      // The last-sent record fades with the sent entry it stands for.
      expect(await short.stats([c!.subscriptionId])).toEqual(new Map([[c!.subscriptionId, { pending: 1 }]]));
    });

    it('ignores entries it cannot read instead of crashing the delivery loop', async () => {
      const a = item('inst-1');
      await outbox.record(a);
      await store.set('outbox:garbage', { state: 'pending', item: 'not an item' });
      expect(keysOf(await outbox.due())).toEqual(new Map([['C0000000001', [a.key]]]));
      expect(await outbox.get('garbage')).toBeUndefined();
    });
  });
}
