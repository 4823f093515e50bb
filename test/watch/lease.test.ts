import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore, type Store } from '../../src/store.js';
import { Lease, LeaseLostError, withLease } from '../../src/watch/lease.js';
import { BACKENDS, sleep, warnIfRedisSkipped, type StoreFixture } from './store-backends.js';

warnIfRedisSkipped();

/*
 * Real-time tests against a real store leave at least a second between a lease's ttl and anything
 * that must happen within it: on a shared 2-core machine an await can stall for hundreds of ms.
 * The renewal and failure timing of withLease itself is tested with fake timers further down.
 */
const TTL = 1_500;

/** Resolves when the signal aborts, or rejects after `ms` (so a missing abort fails, not hangs). */
function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(signal.reason);
    });
  });
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // A stalled process: GC pause, blocked event loop, suspended VM.
  }
}

for (const backend of BACKENDS) {
  // SQLite holds a no-op lease (Store.leasesInStore): only the primitives below run against its file.
  const leases = backend.name !== 'sqlite';
  describe.skipIf(backend.skip)(`Lease on ${backend.name}`, () => {
    let fx: StoreFixture;
    let a: Store;
    let b: Store;
    beforeEach(async () => {
      fx = await backend.open();
      a = fx.store;
      b = await fx.replica();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('is held by one owner at a time; re-acquiring your own lease is fine', async () => {
      const first = new Lease(a, 'league-1', 'host-a:1:x', 10_000);
      const second = new Lease(b, 'league-1', 'host-b:2:y', 10_000);
      expect(await first.acquire()).toBe(true);
      expect(await second.acquire()).toBe(false);
      expect(await second.renew()).toBe(false);
      expect(await first.acquire()).toBe(true);
      // Another key is another lease.
      expect(await new Lease(b, 'league-2', 'host-b:2:y', 10_000).acquire()).toBe(true);
    });

    it('is released only by its owner', async () => {
      const first = new Lease(a, 'league-1', 'owner-a', 10_000);
      const second = new Lease(b, 'league-1', 'owner-b', 10_000);
      expect(await first.acquire()).toBe(true);
      await second.release();
      expect(await second.acquire()).toBe(false);
      await first.release();
      expect(await second.acquire()).toBe(true);
      // The old owner's late release must not free the new owner's lease.
      await first.release();
      expect(await first.acquire()).toBe(false);
    });

    it('expires, so another replica takes over a dead one', async () => {
      const dead = new Lease(a, 'league-1', 'owner-a', TTL);
      const live = new Lease(b, 'league-1', 'owner-b', 10_000);
      expect(await dead.acquire()).toBe(true);
      expect(await live.acquire()).toBe(false);
      await sleep(TTL + 300);
      expect(await live.acquire()).toBe(true);
      expect(await dead.renew()).toBe(false);
    });

    it('is kept past its ttl by renewing', async () => {
      const holder = new Lease(a, 'league-1', 'owner-a', TTL);
      const other = new Lease(b, 'league-1', 'owner-b', TTL);
      expect(await holder.acquire()).toBe(true);
      // 2 s in all, past the 1.5 s ttl: only the renewals keep it.
      for (let i = 0; i < 5; i++) {
        await sleep(TTL / 3.75);
        expect(await holder.renew()).toBe(true);
        expect(await other.acquire()).toBe(false);
      }
    });

    it.skipIf(!leases)('withLease runs fn only for the holder, renews while it runs, and releases after', async () => {
      const ran: string[] = [];
      const outcome = await withLease(a, 'league-1', 'owner-a', TTL, async (signal) => {
        ran.push('a');
        // Longer than the ttl: without renewal the lease would lapse and b would get in.
        for (let i = 0; i < 5; i++) {
          await sleep(TTL / 3.75);
          const rival = await withLease(b, 'league-1', 'owner-b', TTL, () => {
            ran.push('b');
            return Promise.resolve('b');
          });
          expect(rival).toEqual({ acquired: false });
        }
        expect(signal.aborted).toBe(false);
        return 42;
      });
      expect(outcome).toEqual({ acquired: true, value: 42 });
      expect(ran).toEqual(['a']);
      expect(await new Lease(b, 'league-1', 'owner-b', 10_000).acquire()).toBe(true);
    });

    it.skipIf(!leases)('aborts fn when the lease is taken over, and leaves the new holder alone', async () => {
      const taker = new Lease(b, 'league-1', 'owner-b', 10_000);
      const outcome = await withLease(a, 'league-1', 'owner-a', 150, async (signal) => {
        // Simulate the lease lapsing and another replica grabbing it.
        expect(await a.deleteIf('lease:league-1', 'owner-a')).toBe(true);
        expect(await taker.acquire()).toBe(true);
        const reason = await aborted(signal, 2_000);
        expect(reason).toBeInstanceOf(LeaseLostError);
        return 'stopped';
      });
      expect(outcome).toEqual({ acquired: true, value: 'stopped' });
      // withLease's release must not have deleted b's lease.
      expect(await taker.renew()).toBe(true);
      expect(await new Lease(a, 'league-1', 'owner-a', 10_000).acquire()).toBe(false);
    });

    it.skipIf(!leases)('aborts fn after the process stalled past the ttl', async () => {
      const outcome = await withLease(a, 'league-1', 'owner-a', 100, async (signal) => {
        busyWait(250);
        const reason = await aborted(signal, 2_000);
        return reason instanceof LeaseLostError;
      });
      expect(outcome).toEqual({ acquired: true, value: true });
    });

    it.skipIf(leases)('withLease holds a no-op lease: fn runs at once, nothing is written, the signal never aborts', async () => {
      expect(a.leasesInStore).toBe(false);
      const outcome = await withLease(a, 'league-1', 'owner-a', 100, async (signal) => {
        // Past the ttl, and a rival in the same process: neither matters without a lease.
        busyWait(250);
        await sleep(150);
        const rival = await withLease(b, 'league-1', 'owner-b', 100, () => Promise.resolve('b'));
        expect(rival).toEqual({ acquired: true, value: 'b' });
        return signal.aborted;
      });
      expect(outcome).toEqual({ acquired: true, value: false });
      expect(await a.peekAtomic('lease:league-1')).toBeUndefined();
    });

    it('releases the lease when fn throws, and rethrows', async () => {
      await expect(
        withLease(a, 'league-1', 'owner-a', 10_000, () => Promise.reject(new Error('poll failed'))),
      ).rejects.toThrow('poll failed');
      expect(await new Lease(b, 'league-1', 'owner-b', 10_000).acquire()).toBe(true);
    });
  });
}

describe('withLease timers and store errors', () => {
  let store: Store;
  beforeEach(async () => {
    store = await createStore('memory://');
    // Renewal timers and the monotonic clock withLease reads; the memory store's own expiry runs on
    // the real Date, far beyond these tests' few real milliseconds.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
  });
  const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);

  /** The memory store with renewIf counted and optionally failing. */
  function instrumented(fail: (call: number) => boolean) {
    let calls = 0;
    const wrapped: Store = Object.create(store) as Store;
    wrapped.renewIf = (key, expected, ttl) => {
      calls++;
      return fail(calls) ? Promise.reject(new Error('ECONNRESET')) : store.renewIf(key, expected, ttl);
    };
    return { store: wrapped, calls: () => calls };
  }

  it('stops renewing once fn has returned', async () => {
    const s = instrumented(() => false);
    await withLease(s.store, 'k', 'owner', 90, async () => {
      await sleep(200);
    });
    const after = s.calls();
    expect(after).toBeGreaterThan(0);
    await sleep(200);
    expect(s.calls()).toBe(after);
  });

  it('rides out one failed renewal but aborts before the ttl when renewals keep failing', async () => {
    const blip = instrumented((call) => call === 1);
    const survived = await withLease(blip.store, 'k', 'owner', 300, async (signal) => {
      await sleep(450);
      return !signal.aborted;
    });
    expect(survived).toEqual({ acquired: true, value: true });

    const down = instrumented(() => true);
    const started = performance.now();
    const outcome = await withLease(down.store, 'k2', 'owner', 300, async (signal) => {
      const abort = aborted(signal, 2_000);
      await sleep(2_000);
      await abort;
      return performance.now() - started;
    });
    expect(outcome.acquired).toBe(true);
    // Aborted once a renewal was due that could no longer keep it — not before the second failure.
    if (outcome.acquired) expect(outcome.value).toBeGreaterThanOrEqual(180);
    expect(down.calls()).toBeGreaterThanOrEqual(2);
  });

  it('rejects a non-positive ttl and an empty owner', () => {
    expect(() => new Lease(store, 'k', 'o', 0)).toThrow(RangeError);
    expect(() => new Lease(store, 'k', '', 100)).toThrow(RangeError);
  });
});
