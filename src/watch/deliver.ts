/**
 * Outbox → Slack. Per channel: honour a rate-limit pause, lock the due entries (so two replicas
 * never post the same one), post one message per alert or one digest when there are many, and
 * record the outcome. A failure in one channel never holds up another.
 */
import { crashPoint } from '../crash-point.js';
import type { Logger } from '../log.js';
import type { BotMetrics } from '../metrics.js';
import { forEachBounded } from './concurrency.js';
import { CHANNEL_ERROR_RETRY_MS, GIVE_UP_AFTER_MS, nextDelay, type DeliveryLock, type Outbox } from './outbox.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import { deliverSlot, isIncidentEvent, slotOfItem, type SlotDeps } from './incidents/deliver-slot.js';
import type { IncidentStore } from './incidents/store.js';
import { SUMMARY_BUDGET_MS, type Summarizer } from './incidents/summarize.js';
import { isAlertItem, type Notifier, type NotifyResult, type OutboxEntry } from './types.js';

export interface DeliveryDeps {
  outbox: Outbox;
  registry: SubscriptionRegistry;
  notifier: Notifier;
  logger: Logger;
  now: () => number;
  owner: string;
  /** Channels posted to at once. */
  concurrency?: number;
  /** Delivery lock TTL (default DELIVERY_LOCK_MS); tests shorten it. */
  lockMs?: number;
  /** More than this many alerts for one channel in one delivery → one digest instead of a flood. */
  digestThreshold?: number;
  metrics?: Pick<BotMetrics, 'alertsSent' | 'alertsFailed'>;
  /** Incidents on: failures thread per job (off: every alert is its own message, as before). */
  incidents?: IncidentStore;
  /** Fetches a new incident's failure summary (absent: parents go without one). */
  summarize?: Summarizer;
}

export interface DeliveryReport {
  posted: number;
  alertsSent: number;
  deferred: number;
  gaveUp: number;
}

/**
 * Renewed every third of it while the channel's posts go out, so it only has to outlast one
 * renewal gap, not the posts (each up to the web-api timeout of 10 s): a replica killed
 * mid-delivery holds its alerts back for at most this long.
 */
export const DELIVERY_LOCK_MS = 10_000;
export const DEFAULT_DIGEST_THRESHOLD = 5;

export async function deliverDue(deps: DeliveryDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { posted: 0, alertsSent: 0, deferred: 0, gaveUp: 0 };
  const due = await deps.outbox.due();
  await forEachBounded(
    [...due.entries()],
    deps.concurrency ?? 4,
    async ([channelId, entries]) => {
      try {
        await deliverChannel(deps, channelId, entries, report);
      } catch (error) {
        deps.logger.error({ err: error, channelId }, 'alert delivery failed for a channel; will retry next cycle');
      }
    },
    deps.logger,
  );
  return report;
}

async function deliverChannel(deps: DeliveryDeps, channelId: string, candidates: OutboxEntry[], report: DeliveryReport): Promise<void> {
  const pausedUntil = await deps.outbox.channelPausedUntil(channelId);
  if (pausedUntil !== undefined && pausedUntil > deps.now()) return;
  const locks: DeliveryLock[] = [];
  const lockMs = deps.lockMs ?? DELIVERY_LOCK_MS;
  let lockLost = false;
  let renewing: Promise<void> | undefined;
  const renewal = setInterval(() => {
    renewing ??= Promise.all(locks.map((lock) => lock.renew()))
      .then((held) => {
        if (held.includes(false)) lockLost = true;
      })
      .catch(() => {
        // Could not tell: stop posting rather than risk a second poster.
        lockLost = true;
      })
      .finally(() => {
        renewing = undefined;
      });
  }, Math.max(1, Math.floor(lockMs / 3)));
  renewal.unref();
  try {
    // One delivery per channel at a time, across replicas: incidents are read, posted under and
    // written back by whoever holds this, and thread replies keep their order.
    const channelLock = await deps.outbox.lockForDelivery(channelLockKey(channelId), deps.owner, lockMs);
    if (!channelLock) return;
    locks.push(channelLock);
    const entries: OutboxEntry[] = [];
    for (const candidate of candidates) {
      const lock = await deps.outbox.lockForDelivery(candidate.item.key, deps.owner, lockMs);
      if (!lock) continue;
      locks.push(lock);
      // Another replica may have sent it between due() and our lock.
      const fresh = await deps.outbox.get(candidate.item.key);
      if (fresh?.state === 'pending') entries.push(fresh);
    }
    if (entries.length === 0) return;
    const { plain, slots } = await splitForDelivery(deps, entries);
    const threshold = deps.digestThreshold ?? DEFAULT_DIGEST_THRESHOLD;
    const batches = plain.length > threshold ? [plain] : plain.map((e) => [e]);
    for (const batch of batches) {
      if (lockLost) {
        // This process stalled past the lock (or the store would not say): another replica may
        // be posting these now. They stay pending; whoever holds them posts them.
        deps.logger.warn({ channelId, alerts: batch.length }, 'delivery lock lost; leaving the rest of this channel to its new holder');
        return;
      }
      const keys = batch.map((e) => e.item.key);
      const result = await deps.notifier.post(
        channelId,
        batch.map((e) => e.item).filter(isAlertItem),
      );
      const at = deps.now();
      if (result.ok) {
        crashPoint('after-post');
        await deps.outbox.markSent(keys, result.ts);
        await deps.registry.recordChannelResult(channelId, { ok: true, at });
        report.posted += 1;
        report.alertsSent += batch.length;
        deps.metrics?.alertsSent(batch.length);
        deps.logger.info({ channelId, ts: result.ts, alerts: keys.length, digest: batch.length > 1 }, 'alert posted');
        continue;
      }
      if (await settleFailure(deps, channelId, batch, result, report)) return;
    }
    if (!deps.incidents) return;
    const slotDeps: SlotDeps = { outbox: deps.outbox, incidents: deps.incidents, notifier: deps.notifier, logger: deps.logger, now: deps.now, lockLost: () => lockLost, summarize: sharedSummaryBudget(deps.summarize) };
    for (const [slot, slotEntries] of slots) {
      const outcome = await deliverSlot(slotDeps, slot, slotEntries);
      report.posted += outcome.posted;
      report.alertsSent += outcome.alertsSent;
      if (outcome.alertsSent) deps.metrics?.alertsSent(outcome.alertsSent);
      if (outcome.posted) await deps.registry.recordChannelResult(channelId, { ok: true, at: deps.now() });
      if (outcome.ok) continue;
      if ('lockLost' in outcome) {
        deps.logger.warn({ channelId, slot }, 'delivery lock lost; leaving the rest of this channel to its new holder');
        return;
      }
      if (await settleFailure(deps, channelId, outcome.entries, outcome.result, report)) return;
    }
  } finally {
    clearInterval(renewal);
    await renewing;
    await Promise.allSettled(locks.map((lock) => lock.release()));
  }
}

/**
 * One budget for every new parent of this channel's delivery (real time: `now` may be a test
 * clock): the first ones get their summary, and once it is spent the rest go out without waiting.
 */
function sharedSummaryBudget(summarize: Summarizer | undefined): SlotDeps['summarize'] {
  if (!summarize) return undefined;
  const ends = performance.now() + SUMMARY_BUDGET_MS;
  return (item) => {
    const left = ends - performance.now();
    return left >= MIN_SUMMARY_MS ? summarize(item, Math.floor(left)) : Promise.resolve(undefined);
  };
}

/** Less than this left of the budget: not worth two requests. */
const MIN_SUMMARY_MS = 100;

/** The channel's own delivery lock; outbox keys always hold a `|`, so this never names an entry. */
const channelLockKey = (channelId: string) => `channel:${channelId}`;

/**
 * Plain alerts (statuses outside incidents, or every alert when incidents are off) and, per job,
 * the entries of its incident. A burst of jobs that would each open a new incident at once is a
 * storm, not news about one job: above the digest threshold, their opening alerts join the plain
 * ones in one digest, and those jobs open no incident this time.
 */
async function splitForDelivery(deps: DeliveryDeps, entries: readonly OutboxEntry[]): Promise<{ plain: OutboxEntry[]; slots: Map<string, OutboxEntry[]> }> {
  const plain: OutboxEntry[] = [];
  const slots = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const slot = deps.incidents ? slotOfItem(entry.item) : undefined;
    if (slot === undefined) plain.push(entry);
    else slots.set(slot, [...(slots.get(slot) ?? []), entry]);
  }
  for (const list of slots.values()) list.sort(slotOrder);
  const threshold = deps.digestThreshold ?? DEFAULT_DIGEST_THRESHOLD;
  if (!deps.incidents || slots.size + plain.length <= threshold) return { plain, slots };
  const opening: string[] = [];
  for (const [slot, list] of slots) {
    if (!list.some((e) => isIncidentEvent(e.item))) continue;
    const incident = await deps.incidents.get(slot);
    if (incident?.state === 'open' || (await deps.incidents.activeSnooze(slot))) continue;
    opening.push(slot);
  }
  if (plain.length + opening.length <= threshold) return { plain, slots };
  for (const slot of opening) {
    const list = slots.get(slot) ?? [];
    plain.push(...list.filter((e) => isIncidentEvent(e.item)));
    const rest = list.filter((e) => !isIncidentEvent(e.item));
    if (rest.length) slots.set(slot, rest);
    else slots.delete(slot);
  }
  return { plain, slots };
}

/**
 * A job's entries in the order they happened. Alerts recorded by one poll share their time, so the
 * instance's start breaks the tie, as the poll recorded them: a failure then a later run's success
 * resolves; the other way round, the success came first and resolves nothing.
 */
function slotOrder(a: OutboxEntry, b: OutboxEntry): number {
  const start = (e: OutboxEntry) => (isAlertItem(e.item) ? (e.item.instance.startTime ?? Number.MAX_SAFE_INTEGER) : Number.MAX_SAFE_INTEGER);
  return a.createdAt - b.createdAt || a.item.observedAt - b.item.observedAt || start(a) - start(b);
}

/**
 * What a refused post means for the entries it carried; true when the rest of the channel waits
 * for the next cycle (anything but a refusal of this one message).
 */
async function settleFailure(deps: DeliveryDeps, channelId: string, batch: readonly OutboxEntry[], result: NotifyResult & { ok: false }, report: DeliveryReport): Promise<boolean> {
  const keys = batch.map((e) => e.item.key);
  const at = deps.now();
  const log = deps.logger.child({ channelId, alerts: keys.length, kind: result.kind, error: result.error });
  deps.metrics?.alertsFailed(result.kind === 'gone' ? 'fatal' : result.kind, keys.length);
  switch (result.kind) {
    case 'rate_limited':
      // Only this channel waits; the others carry on.
      await deps.outbox.pauseChannel(channelId, at + result.retryAfterMs);
      // Slack asking to wait is not a failure: it must not lengthen the backoff of the next one.
      await deps.outbox.postponed(keys, result.error, result.retryAfterMs);
      report.deferred += keys.length;
      log.warn({ retryAfterMs: result.retryAfterMs }, 'Slack rate-limited this channel; alerts stay pending');
      break;
    case 'transient':
      await deps.outbox.deferred(keys, result.error, nextDelay(Math.max(...batch.map((e) => e.attempts)) + 1));
      report.deferred += keys.length;
      log.warn('Slack did not accept the alert (transient); will retry');
      break;
    case 'channel': {
      await deps.registry.recordChannelResult(channelId, { ok: false, code: result.error, at });
      const expired = batch.filter((e) => at - e.createdAt > GIVE_UP_AFTER_MS).map((e) => e.item.key);
      const retry = keys.filter((k) => !expired.includes(k));
      if (expired.length) {
        await deps.outbox.giveUp(expired, result.error);
        report.gaveUp += expired.length;
      }
      if (retry.length) await deps.outbox.deferred(retry, result.error, CHANNEL_ERROR_RETRY_MS);
      report.deferred += retry.length;
      log.warn('cannot post in this channel; recorded on its subscriptions');
      break;
    }
    case 'gone':
    case 'fatal':
      await deps.outbox.giveUp(keys, result.error);
      report.gaveUp += keys.length;
      log.error('Slack refused the alert permanently; marked undeliverable');
      break;
  }
  // A refused message says nothing about the next one; anything else applies to the whole
  // channel, so the rest stays due and waits for the next cycle.
  return result.kind !== 'fatal' && result.kind !== 'gone';
}
