/**
 * The poll loop: every interval, each subscribed league that is due (not backing off, not polled
 * by another replica this interval) is polled under a lease, with bounded concurrency; then the
 * outbox is delivered. One bad league only backs itself off.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { noopMetrics, type BotMetrics } from '../metrics.js';
import type { Store } from '../store.js';
import type { TicsApi } from '../tics/client.js';
import { isTicsError } from '../tics/errors.js';
import { forEachBounded } from './concurrency.js';
import { deliverDue, type DeliveryReport } from './deliver.js';
import { withLease } from './lease.js';
import type { Outbox } from './outbox.js';
import { alertsForSubscriptions, loadSnapshot, scanLeague, snapshotKey, unfinishedCount } from './poll.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import type { LeagueHealth, Notifier } from './types.js';

export interface WatcherOptions {
  store: Store;
  tics: TicsApi;
  notifier: Notifier;
  registry: SubscriptionRegistry;
  outbox: Outbox;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
  /** Leagues polled at once. */
  concurrency?: number;
  pageSize?: number;
  maxPages?: number;
  /** Ceiling of the per-league backoff after TICS failures. */
  maxBackoffMs?: number;
  /** Per-poll deadline, so a hung league frees its slot. */
  pollTimeoutMs?: number;
  /**
   * Lease on polling a league (renewed every third while a poll runs): how long a crashed
   * replica can hold up its leagues before another takes over.
   */
  leaseMs?: number;
  /** Display aliases for league ids. */
  aliasOf?: (leagueId: string) => string | undefined;
  owner?: string;
  metrics?: BotMetrics;
}

export interface CycleReport {
  leagues: number;
  polled: number;
  skipped: number;
  failed: number;
  requests: number;
  alertsRecorded: number;
  delivery: DeliveryReport;
  ms: number;
}

export interface BaselineInfo {
  total: number;
  unfinished: number;
  takenAt: number;
}

export const leaseKey = (leagueId: string) => `lease:league:${leagueId}`;

export class Watcher {
  readonly owner: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private lastCycle: { at: number; report: CycleReport } | undefined;
  private readonly metrics: BotMetrics;

  constructor(private readonly options: WatcherOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? noopMetrics;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.runCycle()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'watch cycle failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.options.intervalMs - (this.now() - started)));
        });
    }, delayMs);
  }

  async runCycle(): Promise<CycleReport> {
    const started = this.now();
    // Real time for the metric: `now` may be a test clock that jumps.
    const startedReal = performance.now();
    const leagueIds = await this.options.registry.leagueIds();
    const report: CycleReport = { leagues: leagueIds.length, polled: 0, skipped: 0, failed: 0, requests: 0, alertsRecorded: 0, delivery: { posted: 0, alertsSent: 0, deferred: 0, gaveUp: 0 }, ms: 0 };
    let inBackoff = 0;
    await forEachBounded(leagueIds, this.options.concurrency ?? 8, async (leagueId) => {
      const outcome = await this.pollLeague(leagueId);
      if (outcome.status === 'polled') {
        report.polled += 1;
        report.requests += outcome.requests;
        report.alertsRecorded += outcome.alertsRecorded;
      } else if (outcome.status === 'failed') {
        report.failed += 1;
        report.requests += outcome.requests;
        inBackoff += 1;
      } else {
        report.skipped += 1;
        if (outcome.backingOff) inBackoff += 1;
      }
    });
    this.metrics.leaguesInBackoff(inBackoff);
    report.delivery = await deliverDue({
      outbox: this.options.outbox,
      registry: this.options.registry,
      notifier: this.options.notifier,
      logger: this.options.logger.child({ component: 'deliver' }),
      now: this.now,
      owner: this.owner,
      metrics: this.metrics,
    });
    // Once per cycle from the pending index (its keys only), never per scrape; a metric must not
    // fail a cycle whose work is done.
    const pending = await this.options.outbox.pendingCount().catch(() => undefined);
    if (pending !== undefined) this.metrics.alertsPending(pending);
    report.ms = this.now() - started;
    this.metrics.watchCycle((performance.now() - startedReal) / 1000);
    this.lastCycle = { at: started, report };
    this.options.logger.debug({ ...report }, 'watch cycle done');
    return report;
  }

  /** For /healthz: is the loop running, and how did the last cycle go. */
  status(): { running: boolean; lastCycleAt?: number; lastCycle?: Omit<CycleReport, 'delivery'> & { alertsSent: number } } {
    if (!this.lastCycle) return { running: !this.stopped };
    const { delivery, ...rest } = this.lastCycle.report;
    return { running: !this.stopped, lastCycleAt: this.lastCycle.at, lastCycle: { ...rest, alertsSent: delivery.alertsSent } };
  }

  /** Polls one league if it is due; `force` ignores the interval (used right after a subscribe). */
  async pollLeague(
    leagueId: string,
    force = false,
  ): Promise<{ status: 'polled'; requests: number; alertsRecorded: number } | { status: 'skipped'; backingOff?: boolean } | { status: 'failed'; requests: number; error: unknown }> {
    const { registry, store, logger } = this.options;
    const health = await registry.getLeagueHealth(leagueId);
    const now = this.now();
    if (!force && health?.nextPollAt !== undefined && health.nextPollAt > now) return { status: 'skipped', backingOff: true };
    // Another replica polled it this interval: polling again would only double the TICS load.
    if (!force && health?.lastPollAt !== undefined && now - health.lastPollAt < this.options.intervalMs * 0.8) return { status: 'skipped' };
    const leaseMs = this.options.leaseMs ?? 30_000;
    let requests = 0;
    const poll = async (leaseSignal: AbortSignal) => {
      const signal = AbortSignal.any([leaseSignal, AbortSignal.timeout(this.options.pollTimeoutMs ?? 60_000)]);
      const previous = await loadSnapshot(store, leagueId);
      const observedAt = this.now();
      try {
        const result = await scanLeague(this.options.tics, leagueId, previous, observedAt, {
          pageSize: this.options.pageSize ?? 100,
          maxPages: this.options.maxPages ?? 10,
          signal,
        });
        requests = result.requests;
        let recorded = 0;
        if (previous && result.transitions.length) {
          const alias = this.options.aliasOf?.(leagueId);
          const subs = await registry.forLeague(leagueId);
          const items = alertsForSubscriptions(result.transitions, previous.takenAt, subs, alias ? { id: leagueId, alias } : { id: leagueId });
          for (const item of items) if (await this.options.outbox.record(item)) recorded += 1;
          this.metrics.alertsRecorded(recorded);
        }
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
        return { requests: result.requests, recorded };
      } catch (error) {
        await this.recordFailure(leagueId, health, error, observedAt);
        throw error;
      }
    };
    // A SQLite file serves one process: there is no other replica to keep out, and a lease kept in
    // the file would outlive a crash and stall the restarted process for its whole ttl (and cost
    // five SQL statements per poll). Shared stores lease.
    const leased = await (store.kind === 'sqlite'
      ? poll(new AbortController().signal).then((value) => ({ acquired: true as const, value }))
      : withLease(store, leaseKey(leagueId), this.owner, leaseMs, poll)
    ).catch((error: unknown) => ({ failed: error }));
    if ('failed' in leased) return { status: 'failed', requests, error: leased.failed };
    if (!leased.acquired) return { status: 'skipped' };
    return { status: 'polled', requests: leased.value.requests, alertsRecorded: leased.value.recorded };
  }

  private async recordFailure(leagueId: string, previous: LeagueHealth | undefined, error: unknown, at: number): Promise<void> {
    const failures = (previous?.consecutiveFailures ?? 0) + 1;
    const backoff = Math.min(this.options.intervalMs * 2 ** (failures - 1), this.options.maxBackoffMs ?? 30 * 60_000);
    const lastError = isTicsError(error)
      ? { kind: error.kind, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}), at }
      : { kind: 'internal', message: error instanceof Error ? error.message.slice(0, 200) : 'unknown error', at };
    await this.options.registry.setLeagueHealth({
      ...previous,
      leagueId,
      lastPollAt: at,
      lastError,
      consecutiveFailures: failures,
      nextPollAt: at + backoff,
    });
    this.options.logger.warn({ leagueId, failures, backoffMs: backoff, error: lastError }, 'polling a league failed; backing off');
  }

  /**
   * The state a new subscription starts from. Polls now when the league has no snapshot yet, so
   * that what already failed before the subscription is never alerted.
   */
  async baseline(leagueId: string): Promise<BaselineInfo | undefined> {
    let snapshot = await loadSnapshot(this.options.store, leagueId);
    if (!snapshot) {
      const outcome = await this.pollLeague(leagueId, true);
      if (outcome.status === 'failed') throw outcome.error;
      snapshot = await loadSnapshot(this.options.store, leagueId);
    }
    return snapshot ? { total: snapshot.total, unfinished: unfinishedCount(snapshot), takenAt: snapshot.takenAt } : undefined;
  }

  /** When the last subscription of a league goes, its snapshot goes too: a later subscribe starts fresh. */
  async forgetLeague(leagueId: string): Promise<void> {
    await this.options.store.delete(snapshotKey(leagueId));
  }
}
