/**
 * One active poller per league across replicas. The lease is a single atomic key (Redis SET NX PX
 * underneath, compare-and-set for renew and release), so Redis is the arbiter and there is no
 * protocol of our own to get wrong. Whether a store leases at all is its own capability
 * (Store.leasesInStore): on a SQLite file withLease holds a no-op lease, so callers never ask which
 * store they have.
 *
 * A lease only narrows the window for two writers; it cannot close it (a process paused past the
 * TTL wakes up believing it still holds the lease). Everything written under it is therefore
 * idempotent anyway (outbox claims), and the AbortSignal tells the work to stop as soon as we know.
 */
import type { Store } from '../store.js';

/** Atomic keys share one space with the outbox's claims and delivery locks: keep leases apart. */
const leaseKey = (key: string) => `lease:${key}`;

export class Lease {
  private readonly key: string;

  constructor(
    private readonly store: Store,
    key: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    if (!(ttlMs > 0)) throw new RangeError(`lease ttl must be positive, got ${ttlMs}`);
    if (!owner) throw new RangeError('lease owner must not be empty');
    this.key = leaseKey(key);
  }

  /** True when this owner holds the lease afterwards (re-acquiring our own lease extends it). */
  async acquire(): Promise<boolean> {
    if (await this.store.setIfAbsent(this.key, this.owner, this.ttlMs)) return true;
    return this.store.renewIf(this.key, this.owner, this.ttlMs);
  }

  /** False when the lease expired or someone else holds it now. */
  renew(): Promise<boolean> {
    return this.store.renewIf(this.key, this.owner, this.ttlMs);
  }

  /** Releases only our own lease: a replica that took over after we lost it keeps it. */
  async release(): Promise<void> {
    await this.store.deleteIf(this.key, this.owner);
  }
}

export type LeaseOutcome<T> = { acquired: true; value: T } | { acquired: false };

export class LeaseLostError extends Error {
  constructor(key: string, why: string) {
    super(`lease ${key} lost: ${why}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Runs fn while holding the lease, renewing it every ttl/3; if a renewal fails (lease lost: e.g.
 * this process stalled past the TTL and another replica took over) the AbortSignal passed to fn is
 * aborted so fn stops writing. Returns { acquired: false } without running fn when someone else
 * holds it.
 */
export async function withLease<T>(
  store: Store,
  key: string,
  owner: string,
  ttlMs: number,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<LeaseOutcome<T>> {
  // The no-op lease: nothing to acquire, renew or lose, so fn's signal never aborts.
  if (!store.leasesInStore) return { acquired: true, value: await fn(new AbortController().signal) };
  const lease = new Lease(store, key, owner, ttlMs);
  if (!(await lease.acquire())) return { acquired: false };

  const controller = new AbortController();
  const interval = Math.max(1, Math.floor(ttlMs / 3));
  // Monotonic: a wall-clock jump must not make us think the lease is still (or no longer) ours.
  let confirmedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const lose = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new LeaseLostError(key, why));
  };

  const tick = async () => {
    // After a stall the lease may already belong to someone else: stop fn before asking Redis.
    if (performance.now() - confirmedAt >= ttlMs) return lose('not renewed within its ttl');
    const askedAt = performance.now();
    try {
      if (await lease.renew()) confirmedAt = askedAt;
      else return lose('renewal refused (expired or taken over)');
    } catch (error) {
      // A store blip is not proof of loss: the lease is ours until confirmedAt + ttl. Give up only
      // when the next attempt would come too late to keep it.
      if (performance.now() - confirmedAt + interval >= ttlMs) return lose(`renewal failed: ${String(error)}`);
    }
    schedule();
  };

  const schedule = () => {
    if (stopped || controller.signal.aborted) return;
    timer = setTimeout(() => {
      inFlight = tick();
    }, interval);
    // The lease must never be what keeps the process alive at shutdown.
    timer.unref();
  };

  schedule();
  try {
    const value = await fn(controller.signal);
    return { acquired: true, value };
  } finally {
    stopped = true;
    clearTimeout(timer);
    // Nothing may touch the lease after we release it.
    await inFlight?.catch(() => undefined);
    // If the release fails the lease simply expires after its ttl; fn's outcome matters more.
    await lease.release().catch(() => undefined);
  }
}
