/**
 * Alerts are written before they are sent and marked sent after: a crash in between re-sends on
 * restart (at-least-once), and the idempotency key keeps one transition from being recorded twice,
 * by this replica or any other (at-most-once recording). Together: no loss, no duplicate alerts.
 *
 * Keys in the store:
 * - `claim:<key>`   atomic (SET NX PX), written in one step with its entry: who recorded this
 *                   transition; lives claimTtl (30 days), so a transition seen again next week is
 *                   still known.
 * - `outbox:<key>`  the entry. Pending ones expire claimTtl after creation at the latest; sent and
 *                   undeliverable ones sentTtl (30 days, as long as claims) after they settle — the outbox stays bounded.
 * - `deliver:<key>` atomic, short, renewed while posting: one replica posts an entry at a time (in
 *                   stores that lease; a SQLite file keeps these locks in the process, so a crash
 *                   does not leave one behind).
 * - `pause:<channel>` a 429's Retry-After, shared so every replica holds back on that channel only.
 * - `pending:<key>` the pending index (see PENDING_PREFIX).
 * - `lastsent:<subscription>` when the subscription's last alert was posted (see stats()).
 */
import { randomUUID } from 'node:crypto';
import { hoursToMilliseconds } from 'date-fns/hoursToMilliseconds';
import { minutesToMilliseconds } from 'date-fns/minutesToMilliseconds';
import { secondsToMilliseconds } from 'date-fns/secondsToMilliseconds';
import { millisecondsInDay } from 'date-fns/constants';
import { z } from 'zod';
import { crashPoint } from '../crash-point.js';
import type { Store } from '../store.js';
import type { OutboxEntry, OutboxItem } from './types.js';

export const DEFAULT_CLAIM_TTL_MS = 30 * millisecondsInDay;
/** As long as claims: an entry must outlive its claim (see recoverOrphanClaim). */
export const DEFAULT_SENT_TTL_MS = DEFAULT_CLAIM_TTL_MS;

/** How long a channel the bot cannot post to (not_in_channel, archived…) waits between tries. */
export const CHANNEL_ERROR_RETRY_MS = minutesToMilliseconds(10);
/** Pending this long for a channel the bot cannot post to: give the entry up. */
export const GIVE_UP_AFTER_MS = hoursToMilliseconds(24);

// A Slack 5xx or a dropped connection is usually over in seconds: retry soon, then back off.
const BACKOFF_BASE_MS = secondsToMilliseconds(2);
const BACKOFF_CAP_MS = minutesToMilliseconds(15);

/** Backoff after `attempts` failed tries of a transient error: 2 s, 4 s, 8 s… capped at 15 min. */
export function nextDelay(attempts: number): number {
  const n = Number.isFinite(attempts) ? Math.max(1, Math.floor(attempts)) : 1;
  // 2^9 × 2 s already exceeds the cap; don't let huge exponents reach Infinity arithmetic.
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(n - 1, 20));
}

export interface OutboxOptions {
  now?: () => number;
  claimTtlMs?: number;
  sentTtlMs?: number;
}

export interface SubscriptionOutboxStats {
  pending: number;
  lastSentAt?: number;
}

/**
 * An alert's key starts with its subscription's id and a `|` (subscription ids, `league:channel`,
 * have none), so the pending index can be counted per subscription from its keys alone.
 */
export const alertItemKey = (subscriptionId: string, transitionKey: string) => `${subscriptionId}|${transitionKey}`;
const subscriptionOfKey = (key: string) => key.slice(0, key.indexOf('|'));

const claimKey = (key: string) => `claim:${key}`;
const entryKey = (key: string) => `outbox:${key}`;
const deliverKey = (key: string) => `deliver:${key}`;
const pauseKey = (channelId: string) => `pause:${channelId}`;
/**
 * Index of the pending entries: due() reads these instead of every entry kept (sent ones stay
 * 30 days). Written with the entry (one atomic step) and removed once it settles, so a pending
 * entry is never missing from it; an index key whose entry has settled (crash in between) is cleaned up by due().
 */
const PENDING_PREFIX = 'pending:';
const pendingKey = (key: string) => `${PENDING_PREFIX}${key}`;
const lastSentKey = (subscriptionId: string) => `lastsent:${subscriptionId}`;

// What we read back is checked, not trusted: another version of the bot may have written it.
// Loose objects, so fields added by a newer replica survive a rewrite by an older one.
const alertItemSchema = z.looseObject({
  key: z.string(),
  subscriptionId: z.string(),
  channelId: z.string(),
  kind: z.enum(['stuck', 'recovery']).optional(),
  league: z.looseObject({ id: z.string(), alias: z.string().optional() }),
  instance: z.looseObject({ id: z.string() }),
  from: z.string().optional(),
  to: z.string(),
  observedAt: z.number(),
});
const workItemSchema = z.looseObject({
  key: z.string(),
  subscriptionId: z.string(),
  channelId: z.string(),
  kind: z.enum(['parent', 'ack', 'snoozed', 'snooze-end']),
  slot: z.string(),
  seq: z.number(),
  observedAt: z.number(),
});
const entrySchema = z.looseObject({
  item: z.union([workItemSchema, alertItemSchema]),
  state: z.enum(['pending', 'sent', 'undeliverable', 'dropped', 'suppressed']),
  createdAt: z.number(),
  attempts: z.number(),
  nextAttemptAt: z.number(),
  sentTs: z.string().optional(),
  sentAt: z.number().optional(),
  lastError: z.string().optional(),
});

const pauseSchema = z.object({ until: z.number() });
const lastSentSchema = z.looseObject({ at: z.number() });

/** Reads are issued in batches: enough parallelism for Redis round trips, no thundering herd. */
const READ_BATCH = 64;

/** A held delivery lock: renew() is false once it expired or another holder took it. */
export interface DeliveryLock {
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export class Outbox {
  private readonly now: () => number;
  private readonly claimTtlMs: number;
  private readonly sentTtlMs: number;

  constructor(
    private readonly store: Store,
    opts: OutboxOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.claimTtlMs = opts.claimTtlMs ?? DEFAULT_CLAIM_TTL_MS;
    this.sentTtlMs = opts.sentTtlMs ?? opts.claimTtlMs ?? DEFAULT_SENT_TTL_MS;
  }

  /**
   * Claims item.key and writes its entry `outbox:<key>` (pending) and index key in one atomic
   * store write (setIfAbsentWith): a crash leaves both or neither, so a claim always has its entry.
   * Returns true if this call recorded it (false = already recorded by anyone, ever within claimTtl).
   */
  async record(item: OutboxItem): Promise<boolean> {
    const recorded = (await this.claimWithEntry(item)) || (await this.recoverOrphanClaim(item));
    if (recorded) crashPoint('after-claim');
    return recorded;
  }

  private claimWithEntry(item: OutboxItem): Promise<boolean> {
    const now = this.now();
    const entry: OutboxEntry = { item, state: 'pending', createdAt: now, attempts: 0, nextAttemptAt: now };
    return this.store.setIfAbsentWith(claimKey(item.key), `${now}:${randomUUID()}`, this.claimTtlMs, [
      { key: pendingKey(item.key), value: 1, ttlMs: this.claimTtlMs },
      { key: entryKey(item.key), value: entry, ttlMs: this.claimTtlMs },
    ]);
  }

  /**
   * A claim without an entry never counts as recorded: the watcher would move its snapshot on and
   * the transition would never be seen again. Claims and entries are written together now, so such
   * a claim was left by an older version that wrote them one after the other and died in between.
   * Take it over at once, atomically (only one racer's compare-and-delete can match), and record.
   * Entries outlive their claims (sent ones are kept as long as claims), so "no entry" never means
   * "already delivered and forgotten".
   */
  private async recoverOrphanClaim(item: OutboxItem): Promise<boolean> {
    if ((await this.store.get(entryKey(item.key))) !== undefined) return false;
    const claim = await this.store.peekAtomic(claimKey(item.key));
    // Someone else's compare-and-delete matched first: that racer records it.
    if (claim !== undefined && !(await this.store.deleteIf(claimKey(item.key), claim))) return false;
    return this.claimWithEntry(item);
  }

  /** Pending entries due now (nextAttemptAt ≤ now), grouped by channel, oldest first. */
  async due(): Promise<Map<string, OutboxEntry[]>> {
    const now = this.now();
    const byChannel = new Map<string, OutboxEntry[]>();
    for (const entry of await this.pendingEntries()) {
      if (entry.state !== 'pending' || entry.nextAttemptAt > now) continue;
      const list = byChannel.get(entry.item.channelId);
      if (list) list.push(entry);
      else byChannel.set(entry.item.channelId, [entry]);
    }
    const paused = await Promise.all([...byChannel.keys()].map(async (c) => [c, await this.channelPausedUntil(c)] as const));
    for (const [channelId, until] of paused) if (until !== undefined) byChannel.delete(channelId);
    for (const list of byChannel.values()) list.sort(oldestFirst);
    // Channels whose oldest alert has waited longest go first.
    return new Map([...byChannel].sort(([, a], [, b]) => oldestFirst(a[0]!, b[0]!)));
  }

  /**
   * Per-entry delivery lock so two replicas never post the same entry at once, or undefined if
   * someone else holds it. After acquiring, re-read the entry (get(key)) and skip it unless it is
   * still pending: another replica may have sent it just before. The holder renews it while it
   * posts, so the TTL can be short: a replica killed mid-delivery holds its entries back for one
   * TTL, not for the longest a delivery could take.
   */
  async lockForDelivery(key: string, owner: string, ttlMs: number): Promise<DeliveryLock | undefined> {
    // Unique per lock, so a stale release (after our lock expired and was re-taken) frees nothing.
    const token = `${owner}:${randomUUID()}`;
    // A store only this process uses needs no lock in it: one that outlived a crash would only
    // hold the alert back after the restart.
    if (!this.store.leasesInStore) return lockInProcess(this.store, key, token, ttlMs);
    if (!(await this.store.setIfAbsent(deliverKey(key), token, ttlMs))) return undefined;
    let released = false;
    return {
      renew: () => (released ? Promise.resolve(false) : this.store.renewIf(deliverKey(key), token, ttlMs)),
      release: async () => {
        if (released) return;
        released = true;
        await this.store.deleteIf(deliverKey(key), token);
      },
    };
  }

  async get(key: string): Promise<OutboxEntry | undefined> {
    return parseEntry(await this.store.get(entryKey(key)));
  }

  /** Sent (a digest shares one ts). Also from undeliverable: if Slack took it, it was delivered. */
  async markSent(keys: string[], ts: string): Promise<void> {
    const now = this.now();
    const sentFor = new Set<string>();
    await this.update(keys, (entry) => {
      if (entry.state === 'sent') return undefined;
      sentFor.add(entry.item.subscriptionId);
      const { lastError: _dropped, ...rest } = entry;
      return [{ ...rest, state: 'sent', sentTs: ts, sentAt: now }, this.sentTtlMs];
    });
    for (const subscriptionId of sentFor) await this.noteSent(subscriptionId, now);
  }

  /**
   * The last-sent record stats() reads instead of every entry sent in the last 30 days. It lives
   * sentTtl, like the entry it stands for, so it fades when the old scan would have stopped
   * finding a sent entry. It is written after the entries, not in one atomic step with them (the
   * store has no atomic multi-key update): a crash in between, or two replicas posting in the same
   * instant (each writes its own `now` if later than what it read), can leave it behind by that one
   * post. That drift is bounded, only ever towards an older time, and gone with the next post.
   */
  private async noteSent(subscriptionId: string, at: number): Promise<void> {
    const current = lastSentSchema.safeParse(await this.store.get(lastSentKey(subscriptionId)));
    if (current.success && current.data.at >= at) return;
    await this.store.set(lastSentKey(subscriptionId), { at }, this.sentTtlMs);
  }

  /**
   * Settled without a post: held back by a snooze, or nothing to say (a success with no incident
   * open). Kept like sent entries, so the claim never looks orphaned; not a "last alert".
   */
  async markSuppressed(keys: string[]): Promise<void> {
    const now = this.now();
    await this.update(keys, (entry) => {
      if (entry.state !== 'pending') return undefined;
      const { lastError: _dropped, ...rest } = entry;
      return [{ ...rest, state: 'suppressed', sentAt: now }, this.sentTtlMs];
    });
  }

  /**
   * Slack asked us to wait (429 Retry-After, `ratelimited`): keep pending until now + delay, but
   * this is no failed attempt, so it must not feed the backoff of a later real failure.
   */
  async postponed(keys: string[], error: string, delayMs: number): Promise<void> {
    const now = this.now();
    await this.update(keys, (entry) => {
      if (entry.state !== 'pending') return undefined;
      return [{ ...entry, nextAttemptAt: now + Math.max(0, delayMs), lastError: error }, this.pendingTtl(entry, now)];
    });
  }

  /** A failed attempt: keep pending; attempts+1; nextAttemptAt = now + delay; lastError. */
  async deferred(keys: string[], error: string, delayMs: number): Promise<void> {
    const now = this.now();
    await this.update(keys, (entry) => {
      // Another replica may have settled it meanwhile: never revive a sent entry.
      if (entry.state !== 'pending') return undefined;
      const next: OutboxEntry = { ...entry, attempts: entry.attempts + 1, nextAttemptAt: now + Math.max(0, delayMs), lastError: error };
      return [next, this.pendingTtl(entry, now)];
    });
  }

  /** Give up (pending too long for a channel we can't post to, or a fatal error): kept for inspection. */
  async giveUp(keys: string[], error: string): Promise<void> {
    const now = this.now();
    await this.update(keys, (entry) => {
      if (entry.state !== 'pending') return undefined;
      return [{ ...entry, state: 'undeliverable', lastError: error, nextAttemptAt: now }, this.sentTtlMs];
    });
  }

  /**
   * Per subscription, for /tics watches, without reading one entry: what it costs grows with the
   * alerts waiting and the subscriptions asked about, never with the entries kept for 30 days.
   * Pending counts the pending index's keys, so it shares the index's one known lag: an entry
   * settled in a crash between its two writes counts until the next due() tidies its key (one
   * interval). lastSentAt comes from the last-sent record (noteSent).
   */
  async stats(subscriptionIds: readonly string[]): Promise<Map<string, SubscriptionOutboxStats>> {
    const pending = new Map<string, number>();
    for (const key of await this.store.keys(PENDING_PREFIX)) {
      const id = subscriptionOfKey(key.slice(PENDING_PREFIX.length));
      pending.set(id, (pending.get(id) ?? 0) + 1);
    }
    const stats = new Map<string, SubscriptionOutboxStats>();
    const ids = [...new Set(subscriptionIds)];
    for (let i = 0; i < ids.length; i += READ_BATCH) {
      const batch = await Promise.all(ids.slice(i, i + READ_BATCH).map(async (id) => [id, lastSentSchema.safeParse(await this.store.get(lastSentKey(id)))] as const));
      for (const [id, last] of batch) stats.set(id, { pending: pending.get(id) ?? 0, ...(last.success ? { lastSentAt: last.data.at } : {}) });
    }
    return stats;
  }

  /**
   * Entries in the pending index: keys only, no entry read. May briefly count an entry that settled
   * in a crash between its two writes (due() tidies those up).
   */
  async pendingCount(): Promise<number> {
    return (await this.store.keys(PENDING_PREFIX)).length;
  }

  /** Remove pending entries of a subscription (unwatch); returns how many. */
  async dropPendingFor(subscriptionId: string): Promise<number> {
    const keys = (await this.pendingEntries()).filter((e) => e.item.subscriptionId === subscriptionId).map((e) => e.item.key);
    let dropped = 0;
    // Settled as `dropped`, not deleted: a claim without its entry would be taken for an orphan and recorded again.
    await this.update(keys, (entry) => {
      if (entry.state !== 'pending') return undefined;
      dropped += 1;
      return [{ ...entry, state: 'dropped', nextAttemptAt: this.now() }, this.sentTtlMs];
    });
    return dropped;
  }

  /** A 429 on one channel holds that channel back, for every replica, and only that channel. */
  async pauseChannel(channelId: string, untilMs: number): Promise<void> {
    const now = this.now();
    if (!(untilMs > now)) return;
    const current = await this.channelPausedUntil(channelId);
    // Two replicas hit by 429s: the longer Retry-After is the one Slack meant.
    if (current !== undefined && current >= untilMs) return;
    await this.store.set(pauseKey(channelId), { until: untilMs }, untilMs - now);
  }

  /** Epoch ms until which the channel is paused, or undefined when it may be posted to now. */
  async channelPausedUntil(channelId: string): Promise<number | undefined> {
    const parsed = pauseSchema.safeParse(await this.store.get(pauseKey(channelId)));
    if (!parsed.success || parsed.data.until <= this.now()) return undefined;
    return parsed.data.until;
  }

  /** A pending entry is dropped claimTtl after it was created, however often it was deferred. */
  private pendingTtl(entry: OutboxEntry, now: number): number {
    return Math.max(1, entry.createdAt + this.claimTtlMs - now);
  }

  /**
   * Read-modify-write per entry. Not atomic across replicas on its own: the delivery lock is what
   * keeps two replicas from settling the same entry at once.
   */
  private async update(keys: readonly string[], change: (entry: OutboxEntry) => [OutboxEntry, number] | undefined): Promise<void> {
    for (const key of new Set(keys)) {
      const entry = await this.get(key);
      // Gone: dropped by unwatch, or expired. Nothing to settle.
      if (!entry) continue;
      const next = change(entry);
      if (!next) continue;
      await this.store.set(entryKey(key), next[0], next[1]);
      if (next[0].state !== 'pending') await this.store.delete(pendingKey(key));
    }
  }

  /** The entries the pending index points at that are still pending. */
  private async pendingEntries(): Promise<OutboxEntry[]> {
    const keys = (await this.store.keys(PENDING_PREFIX)).map((k) => k.slice(PENDING_PREFIX.length));
    const found: OutboxEntry[] = [];
    for (let i = 0; i < keys.length; i += READ_BATCH) {
      const batch = await Promise.all(keys.slice(i, i + READ_BATCH).map(async (k) => [k, await this.get(k)] as const));
      for (const [key, entry] of batch) {
        if (entry?.state === 'pending') found.push(entry);
        // Settled but still indexed (a crash between the two writes): tidy up. A missing entry may
        // be one a replica is writing right now: leave its key, it expires with the claim.
        else if (entry) await this.store.delete(pendingKey(key));
      }
    }
    return found;
  }
}

/**
 * SQLite and memory serve one process: a delivery lock kept in the file would outlive a crash in
 * the middle of a post and hold that alert back for the lock's whole ttl after the restart. Their
 * locks live in the process instead — per store, so two outboxes over one store still exclude
 * each other — and die with it.
 */
const processLocks = new WeakMap<Store, Map<string, { token: string; until: number }>>();

function lockInProcess(store: Store, key: string, token: string, ttlMs: number): Promise<DeliveryLock | undefined> {
  let locks = processLocks.get(store);
  if (!locks) processLocks.set(store, (locks = new Map<string, { token: string; until: number }>()));
  const held = locks.get(key);
  // Real time, as the store's own ttls run.
  if (held && held.until > Date.now()) return Promise.resolve(undefined);
  const mine = locks;
  mine.set(key, { token, until: Date.now() + ttlMs });
  return Promise.resolve({
    renew: () => {
      const current = mine.get(key);
      if (current?.token !== token || current.until <= Date.now()) return Promise.resolve(false);
      current.until = Date.now() + ttlMs;
      return Promise.resolve(true);
    },
    release: () => {
      if (mine.get(key)?.token === token) mine.delete(key);
      return Promise.resolve();
    },
  });
}

function parseEntry(raw: unknown): OutboxEntry | undefined {
  if (raw === undefined) return undefined;
  const parsed = entrySchema.safeParse(raw);
  // The loose schema checked what the outbox relies on; the instance is the TICS client's own shape.
  return parsed.success ? (parsed.data as unknown as OutboxEntry) : undefined;
}

function oldestFirst(a: OutboxEntry, b: OutboxEntry): number {
  return a.createdAt - b.createdAt || a.item.observedAt - b.item.observedAt || (a.item.key < b.item.key ? -1 : a.item.key > b.item.key ? 1 : 0);
}
