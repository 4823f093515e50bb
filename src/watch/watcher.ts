/**
 * The poll loop: every interval, each subscribed league that is due (not backing off, not polled
 * by another replica this interval) is polled under a lease, with bounded concurrency, each league
 * on its own (the loop never waits for a slow one); the outbox is delivered every interval and as
 * soon as a poll has recorded alerts. One bad league only backs itself off and delays itself.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import { noopMetrics, type BotMetrics } from '../metrics.js';
import type { Store } from '../store.js';
import type { TicsApi } from '../tics/client.js';
import { forEachBounded } from './concurrency.js';
import { deliverDue, type DeliveryDeps, type DeliveryReport } from './deliver.js';
import { withLease } from './lease.js';
import type { Outbox } from './outbox.js';
import { loadSnapshot, pollOnce, snapshotKey, unfinishedCount, type PollDeps } from './poll.js';
import { DEFAULT_MAX_PAGES, DEFAULT_PAGE_SIZE } from './scan-plan.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import type { Notifier } from './types.js';
import { IncidentActions } from './incidents/actions.js';
import type { IncidentStore } from './incidents/store.js';
import type { Summarizer } from './incidents/summarize.js';
import { StuckMemo, type StuckWatchLookup } from './stuck-watches.js';

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
  /** Incidents on (threads per job, recovery, snoozes); off, every alert is its own message. */
  incidents?: IncidentStore;
  /** The league's `stuck:` watches, cached (see PollDeps.stuckWatches). */
  stuckWatches?: StuckWatchLookup;
  /** A new incident's failure summary (see incidents/summarize.ts). */
  summarize?: Summarizer;
  /** The league's real name from the store's cache (see PollDeps.leagueNameOf). */
  leagueNameOf?: (leagueId: string) => Promise<string | undefined>;
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

type PollOutcome = Awaited<ReturnType<Watcher['pollLeague']>>;

function emptyReport(): CycleReport {
  return { leagues: 0, polled: 0, skipped: 0, failed: 0, requests: 0, alertsRecorded: 0, delivery: { posted: 0, alertsSent: 0, deferred: 0, gaveUp: 0 }, ms: 0 };
}

/** Adds one poll's outcome to a report; true when the league is backing off after failures. */
function tally(report: CycleReport, outcome: PollOutcome): boolean {
  if (outcome.status === 'polled') {
    report.polled += 1;
    report.requests += outcome.requests;
    report.alertsRecorded += outcome.alertsRecorded;
    return false;
  }
  if (outcome.status === 'failed') {
    report.failed += 1;
    report.requests += outcome.requests;
    return true;
  }
  report.skipped += 1;
  return outcome.backingOff === true;
}

export class Watcher {
  readonly owner: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private lastCycle: { at: number; report: CycleReport } | undefined;
  private readonly metrics: BotMetrics;
  /** The loop's polls running now, and the leagues waiting for a slot (each league at most once). */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queued = new Set<string>();
  /** What the loop's polls and deliveries did since its last turn (its "cycle" report). */
  private sinceTick = emptyReport();
  private backoffSinceTick = 0;
  private delivering: Promise<void> | undefined;
  private deliverAgain = false;
  private readonly pollDeps: PollDeps;
  private readonly snoozes: IncidentActions | undefined;

  constructor(private readonly options: WatcherOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.now = options.now ?? Date.now;
    this.metrics = options.metrics ?? noopMetrics;
    this.pollDeps = {
      store: options.store,
      tics: options.tics,
      registry: options.registry,
      outbox: options.outbox,
      logger: options.logger,
      metrics: this.metrics,
      now: this.now,
      intervalMs: options.intervalMs,
      pageSize: options.pageSize ?? DEFAULT_PAGE_SIZE,
      maxPages: options.maxPages ?? DEFAULT_MAX_PAGES,
      pollTimeoutMs: options.pollTimeoutMs ?? 60_000,
      maxBackoffMs: options.maxBackoffMs ?? 30 * 60_000,
      aliasOf: options.aliasOf,
      incidents: options.incidents,
      stuckWatches: options.stuckWatches,
      leagueNameOf: options.leagueNameOf,
      stuckMemo: new StuckMemo(),
    };
    this.snoozes = options.incidents ? new IncidentActions({ incidents: options.incidents, outbox: options.outbox, now: this.now }) : undefined;
  }

  /** Delivers now rather than at the next turn (a button recorded a thread line to post). */
  deliverNow(): void {
    if (!this.stopped) void this.deliverSoon();
  }

  /** Expired snoozes get their summary line recorded before the delivery that posts it. */
  private async endExpiredSnoozes(): Promise<void> {
    if (!this.snoozes) return;
    try {
      await this.snoozes.endExpiredSnoozes();
    } catch (error) {
      this.options.logger.error({ err: error }, 'ending expired snoozes failed; will retry next cycle');
    }
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
    this.queued.clear();
    await this.running;
    await Promise.allSettled([...this.inFlight.values()]);
    await this.delivering;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = this.now();
      this.running = this.tick()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'watch cycle failed'))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.options.intervalMs - (this.now() - started)));
        });
    }, delayMs);
  }

  /**
   * One turn of the loop start() runs. Unlike runCycle() it does not wait for the polls: every
   * league not already being polled is queued, and polled as soon as one of `concurrency` slots is
   * free, so a slow or hung league (a TICS answer slower than the timeout) delays only itself.
   * Delivery runs every turn, and as soon as a poll has recorded alerts.
   */
  private async tick(): Promise<void> {
    const started = this.now();
    const startedReal = performance.now();
    const leagueIds = await this.options.registry.leagueIds();
    // A league unwatched while it waited for a slot is not polled any more.
    const current = new Set(leagueIds);
    for (const id of this.queued) if (!current.has(id)) this.queued.delete(id);
    for (const id of leagueIds) if (!this.inFlight.has(id)) this.queued.add(id);
    this.pump();
    await this.endExpiredSnoozes();
    await this.deliverSoon();
    const report: CycleReport = { ...this.sinceTick, leagues: leagueIds.length };
    const inBackoff = this.backoffSinceTick;
    this.sinceTick = emptyReport();
    this.backoffSinceTick = 0;
    await this.closeCycle(report, inBackoff, started, startedReal, { inFlight: this.inFlight.size, queued: this.queued.size });
  }

  /** How every cycle ends, a turn of the loop or runCycle(): metrics, the report /healthz shows, a debug line. */
  private async closeCycle(report: CycleReport, inBackoff: number, started: number, startedReal: number, logExtra: Record<string, number> = {}): Promise<void> {
    report.ms = this.now() - started;
    this.metrics.leaguesInBackoff(inBackoff);
    // Once per cycle from the pending index (its keys only), never per scrape; a metric must not
    // fail a cycle whose work is done.
    const pending = await this.options.outbox.pendingCount().catch(() => undefined);
    if (pending !== undefined) this.metrics.alertsPending(pending);
    this.metrics.watchCycle((performance.now() - startedReal) / 1000);
    this.lastCycle = { at: started, report };
    this.options.logger.debug({ ...report, ...logExtra }, 'watch cycle done');
  }

  /** Starts queued polls while slots are free; each finished poll frees its slot for the next. */
  private pump(): void {
    const limit = this.options.concurrency ?? 8;
    for (const leagueId of this.queued) {
      if (this.stopped || this.inFlight.size >= limit) return;
      this.queued.delete(leagueId);
      const run = this.pollLeague(leagueId)
        .then((outcome) => {
          if (tally(this.sinceTick, outcome)) this.backoffSinceTick += 1;
          if (outcome.status === 'polled' && outcome.alertsRecorded > 0) void this.deliverSoon();
        })
        .catch((error: unknown) => this.options.logger.error({ err: error, leagueId }, 'polling a league failed unexpectedly'))
        .finally(() => {
          this.inFlight.delete(leagueId);
          this.pump();
        });
      this.inFlight.set(leagueId, run);
    }
  }

  /** Delivers the due outbox; asked again while it runs, it runs once more after (never two at once). */
  private deliverSoon(): Promise<void> {
    if (this.delivering) {
      this.deliverAgain = true;
      return this.delivering;
    }
    const run = async () => {
      // Bounded: it repeats only when a poll recorded alerts meanwhile.
      for (let round = 0; round < 100; round++) {
        this.deliverAgain = false;
        const delivery = await deliverDue(this.deliveryDeps()).catch((error: unknown) => {
          this.options.logger.error({ err: error }, 'alert delivery failed; will retry next cycle');
          return undefined;
        });
        if (delivery) for (const k of ['posted', 'alertsSent', 'deferred', 'gaveUp'] as const) this.sinceTick.delivery[k] += delivery[k];
        if (!this.deliverAgain || this.stopped) return;
      }
    };
    this.delivering = run().finally(() => {
      this.delivering = undefined;
    });
    return this.delivering;
  }

  private deliveryDeps(): DeliveryDeps {
    return {
      outbox: this.options.outbox,
      registry: this.options.registry,
      notifier: this.options.notifier,
      logger: this.options.logger.child({ component: 'deliver' }),
      now: this.now,
      owner: this.owner,
      metrics: this.metrics,
      ...(this.options.incidents ? { incidents: this.options.incidents } : {}),
      ...(this.options.summarize ? { summarize: this.options.summarize } : {}),
    };
  }

  /** Polls every due league, waits for all of them, then delivers (tests and benchmarks drive this). */
  async runCycle(): Promise<CycleReport> {
    const started = this.now();
    // Real time for the metric: `now` may be a test clock that jumps.
    const startedReal = performance.now();
    const leagueIds = await this.options.registry.leagueIds();
    const report: CycleReport = { ...emptyReport(), leagues: leagueIds.length };
    let inBackoff = 0;
    await forEachBounded(
      leagueIds,
      this.options.concurrency ?? 8,
      async (leagueId) => {
        if (tally(report, await this.pollLeague(leagueId))) inBackoff += 1;
      },
      this.options.logger,
    );
    await this.endExpiredSnoozes();
    report.delivery = await deliverDue(this.deliveryDeps());
    await this.closeCycle(report, inBackoff, started, startedReal);
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
    const health = await this.options.registry.getLeagueHealth(leagueId);
    const now = this.now();
    if (!force && health?.nextPollAt !== undefined && health.nextPollAt > now) return { status: 'skipped', backingOff: true };
    // Another replica polled it this interval: polling again would only double the TICS load.
    if (!force && health?.lastPollAt !== undefined && now - health.lastPollAt < this.options.intervalMs * 0.8) return { status: 'skipped' };
    const leased = await withLease(this.options.store, leaseKey(leagueId), this.owner, this.options.leaseMs ?? 10_000, (signal) =>
      pollOnce(this.pollDeps, leagueId, health, signal),
    ).catch((error: unknown) => ({ failed: error }));
    if ('failed' in leased) return { status: 'failed', requests: 0, error: leased.failed };
    if (!leased.acquired) return { status: 'skipped' };
    const result = leased.value;
    if (!result.ok) return { status: 'failed', requests: result.requests, error: result.error };
    return { status: 'polled', requests: result.requests, alertsRecorded: result.recorded };
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
