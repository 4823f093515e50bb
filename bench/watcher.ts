/**
 * The watcher at scale: one real `Watcher` (real TicsClient with AK/SK signing, real store,
 * registry and outbox, a counting no-op Notifier) polling 2 000 leagues of 100 instances each on
 * the TICS simulator, every request answered after 50 ms, 8 leagues at a time.
 *
 * Processes: the simulator runs in a child of its own (`simulator-process.ts`), so the memory
 * figure is the bot's alone; and, by default, the measuring side runs in a fresh child too
 * (`watcher-process.ts`, with `--expose-gc`), so its RSS does not inherit whatever the benchmarks
 * before it left behind in this process.
 *
 * Incidents are on, as in the bot (IncidentStore + the cached `stuck:` lookup), and every league
 * carries incident state: its watch has `stuck:7d` (so every poll, whose RUNNING instances are
 * over 5 minutes old, runs the stuck check without alerting) and an open incident for the job of
 * its newest instance, with the job marked failing, is in the store before cycle 1.
 *
 * Cycles: 1 takes the baselines; 2 is the steady state (nothing changed: every league should cost
 * one request); then the simulator fails `fail` RUNNING instances and cycle 3 must record exactly
 * that many alerts (half of them go into a seeded incident's thread, half open a new incident). `intervalMs` is 1: the watcher skips a league polled less than 0.8 × interval
 * ago (another replica's work), and back-to-back cycles must poll every league.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { createLogger } from '../src/log.js';
import { createStore, type DataWrite, type Store } from '../src/store.js';
import { akskAuth } from '../src/tics/auth.js';
import { TicsClient, type ListInstanceHistoryParams, type TicsApi } from '../src/tics/client.js';
import type { InstancePage } from '../src/tics/schema.js';
import { Outbox } from '../src/watch/outbox.js';
import { SubscriptionRegistry } from '../src/watch/subscriptions.js';
import type { AlertItem, IncidentView, Notifier, NotifyResult, ThreadLine } from '../src/watch/types.js';
import type { Incident } from '../src/watch/incidents/types.js';
import { IncidentStore } from '../src/watch/incidents/store.js';
import { jobKeyOf, slotOf } from '../src/watch/incidents/keys.js';
import { stuckWatchLookup } from '../src/watch/stuck-watches.js';
import { Watcher, type CycleReport } from '../src/watch/watcher.js';
import type { SimulatorProcessOptions } from './simulator-process.js';
import { machine, ms, summarize, table, type Machine, type Summary } from './stats.js';

export type StoreKind = 'memory' | 'sqlite';

export interface WatcherBenchOptions {
  leagues?: number;
  instancesPerLeague?: number;
  /** RUNNING instances per league (the newest); the rest is terminal history. */
  runningPerLeague?: number;
  latencyMs?: number;
  concurrency?: number;
  pageSize?: number;
  maxPages?: number;
  /** RUNNING instances failed before cycle 3. */
  fail?: number;
  /** One measured run per store, in this order (default memory, then sqlite: the production default). */
  stores?: StoreKind[];
  /**
   * Every watch has `stuck:7d` (default true): with RUNNING instances over 5 minutes old, each poll
   * then lists the league's subscriptions for the stuck check. False measures incident state alone.
   */
  stuckWatches?: boolean;
  /** Incidents on, with the seeded state (default true); false measures the watcher as before incidents. */
  incidents?: boolean;
  /** Measure in a fresh child process (default true; false runs in this one, for debugging). */
  isolate?: boolean;
  onProgress?: (line: string) => void;
}

export const WATCHER_TARGETS = { cycleRatio: 1.2, callsPerLeague: 1, rssMb: 150 } as const;

export interface WatcherTarget {
  name: string;
  limit: number;
  actual: number;
  unit: string;
  pass: boolean;
}

export interface CycleFigures {
  /** Watcher's own report.ms (Date.now, start of leagueIds() to the end of delivery). */
  ms: number;
  leagues: number;
  polled: number;
  skipped: number;
  failed: number;
  /** TICS calls as counted by the watcher. */
  requests: number;
  /** Requests the simulator received (retries included): must equal `requests`. */
  serverRequests: number;
  /** HTTP status → count, as the simulator answered. */
  serverStatuses: Record<string, number>;
  callsPerLeague: number;
  alertsRecorded: number;
  alertsPosted: number;
  /** Of `alertsPosted`, those posted as a reply in an incident's thread. */
  threadReplies: number;
  parentUpdates: number;
  /** Calls into the Store interface, per method, for the whole cycle. */
  storeOps: Record<string, number>;
  /** Wall time spent inside each Store method, summed over overlapping calls (where the waiting is). */
  storeMs: Record<string, number>;
  /** TICS call time as the watcher sees it (signing, HTTP, 50 ms sleep, JSON + zod). */
  ticsCall?: Summary;
  maxInFlight: number;
  /** Process CPU (user + system) over the cycle. */
  cpuMs: number;
  /** Event-loop utilisation over the cycle (1 = the loop never waited: CPU-bound). */
  elu: number;
  loopDelayP99Ms: number;
  /** What a lane spends per league beyond the TICS latency: ms × concurrency / polled − latency. */
  laneOverheadMs: number;
  /** Right after the cycle, no GC forced: how far the process grew while working. */
  rssAfterMb: number;
  heapUsedAfterMb: number;
  /** Highest seen while the cycle ran (sampled every 50 ms): where RSS beyond the live heap comes from. */
  peak: { rssMb: number; heapTotalMb: number; heapUsedMb: number; externalMb: number };
}

export interface MemoryFigures {
  /** After a forced GC, before the store and client exist. */
  rssBeforeMb: number;
  heapBeforeMb: number;
  /** After cycle 2 and a forced GC: the steady state with every league tracked. */
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** False when no GC could be forced; the figures then include garbage. */
  gcForced: boolean;
}

export interface WatcherRun {
  store: StoreKind;
  setupMs: number;
  baseline: CycleFigures;
  steady: CycleFigures;
  changed: CycleFigures;
  memory: MemoryFigures;
  failedInstances: number;
  /** Correctness problems (empty when the watcher behaved). */
  problems: string[];
  targets: WatcherTarget[];
  /** Simulator process RSS after loading the world, for scale. */
  simulatorRssMb: number;
}

export interface WatcherSettings {
  leagues: number;
  instancesPerLeague: number;
  runningPerLeague: number;
  latencyMs: number;
  concurrency: number;
  pageSize: number;
  maxPages: number;
  fail: number;
  intervalMs: number;
  /** The TicsClient's socket pool. */
  connections: number;
  idealMs: number;
}

export interface WatcherBenchResult {
  bench: 'watcher';
  machine: Machine;
  settings: WatcherSettings;
  /** How the measuring side ran: `node` = tsc's output in a fresh process (what production runs). */
  runtime: 'node' | 'tsx' | 'tsx (in-process)' | 'node (in-process)';
  runs: WatcherRun[];
}

const MB = 1024 * 1024;
const INTERVAL_MS = 1;
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** Also right for tsc's output, which mirrors the tree under BUILD_DIR (and has no tsconfig.json). */
const PROJECT_DIR = findProjectDir(BENCH_DIR);
/**
 * Inside node_modules, so the compiled files resolve the project's dependencies like the sources
 * do; one per process, so two benches running at once do not delete each other's build.
 */
const BUILD_DIR = join(PROJECT_DIR, 'node_modules', '.cache', `tics-bench-${process.pid}`);
/** This module's own extension: `.ts` under tsx, `.js` when running tsc's output. */
const OWN_EXT = extname(fileURLToPath(import.meta.url));

function findProjectDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    if (dirname(dir) === dir) return dirname(from);
  }
}

export function settingsOf(options: WatcherBenchOptions): WatcherSettings {
  const leagues = options.leagues ?? 2000;
  const latencyMs = options.latencyMs ?? 50;
  const concurrency = options.concurrency ?? 8;
  return {
    leagues,
    instancesPerLeague: options.instancesPerLeague ?? 100,
    runningPerLeague: options.runningPerLeague ?? 2,
    latencyMs,
    concurrency,
    pageSize: options.pageSize ?? 100,
    maxPages: options.maxPages ?? 10,
    fail: options.fail ?? 20,
    intervalMs: INTERVAL_MS,
    // Never the bottleneck: at least one socket per lane, and the client's default when that is more.
    connections: Math.max(16, concurrency),
    idealMs: (leagues * latencyMs) / concurrency,
  };
}

/** Counts and times every call into the store, so "store work per league" is a measurement. */
class CountingStore implements Store {
  ops: Record<string, number> = {};
  opMs: Record<string, number> = {};

  constructor(private readonly inner: Store) {}

  get kind() {
    return this.inner.kind;
  }

  get leasesInStore() {
    return this.inner.leasesInStore;
  }

  reset(): void {
    this.ops = {};
    this.opMs = {};
  }

  private async track<T>(name: string, call: () => Promise<T>): Promise<T> {
    this.ops[name] = (this.ops[name] ?? 0) + 1;
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      this.opMs[name] = (this.opMs[name] ?? 0) + performance.now() - t0;
    }
  }

  get<T>(key: string) {
    return this.track('get', () => this.inner.get<T>(key));
  }
  set(key: string, value: unknown, ttlMs?: number) {
    return this.track('set', () => this.inner.set(key, value, ttlMs));
  }
  delete(key: string) {
    return this.track('delete', () => this.inner.delete(key));
  }
  setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.track('setIfAbsent', () => this.inner.setIfAbsent(key, value, ttlMs));
  }
  renewIf(key: string, expected: string, ttlMs: number) {
    return this.track('renewIf', () => this.inner.renewIf(key, expected, ttlMs));
  }
  deleteIf(key: string, expected: string) {
    return this.track('deleteIf', () => this.inner.deleteIf(key, expected));
  }
  peekAtomic(key: string) {
    return this.track('peekAtomic', () => this.inner.peekAtomic(key));
  }
  setIfAbsentWith(key: string, value: string, ttlMs: number, writes: readonly DataWrite[]) {
    return this.track('setIfAbsentWith', () => this.inner.setIfAbsentWith(key, value, ttlMs, writes));
  }
  keys(prefix: string) {
    return this.track('keys', () => this.inner.keys(prefix));
  }
  close() {
    return this.inner.close();
  }
}

/** Times each TICS call and tracks how many are in flight (is the concurrency really reached?). */
class TimedTics implements TicsApi {
  durations: number[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly inner: TicsApi) {}

  reset(): void {
    this.durations = [];
    this.maxInFlight = 0;
  }

  async listInstanceHistory(params: ListInstanceHistoryParams, options?: { signal?: AbortSignal }): Promise<InstancePage> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const t0 = performance.now();
    try {
      return await this.inner.listInstanceHistory(params, options);
    } finally {
      this.durations.push(performance.now() - t0);
      this.inFlight -= 1;
    }
  }
}

/** Slack stand-in: accepts every post and remembers what it was asked to say. */
class CountingNotifier implements Notifier {
  readonly items: AlertItem[] = [];
  posts = 0;
  updates = 0;
  replies = 0;

  post(_channelId: string, items: readonly AlertItem[]): Promise<NotifyResult> {
    this.posts += 1;
    this.items.push(...items);
    return Promise.resolve({ ok: true, ts: `${Date.now() / 1000}` });
  }

  postParent(view: IncidentView): Promise<NotifyResult> {
    this.posts += 1;
    this.items.push(...incidentItems(view.incident));
    return Promise.resolve({ ok: true, ts: `${Date.now() / 1000}` });
  }

  updateParent(_view: IncidentView, ts: string): Promise<NotifyResult> {
    this.updates += 1;
    return Promise.resolve({ ok: true, ts });
  }

  postInThread(incident: Incident, _threadTs: string, line: ThreadLine): Promise<NotifyResult> {
    this.posts += 1;
    if (line.kind === 'event') {
      this.replies += 1;
      this.items.push(...incidentItems({ ...incident, latest: line.event }));
    }
    return Promise.resolve({ ok: true, ts: `${Date.now() / 1000}` });
  }
}

/** The alert a parent or a thread reply stands for, as the bench counts alerts. */
function incidentItems(incident: Incident): AlertItem[] {
  const { latest } = incident;
  return [
    {
      key: '',
      subscriptionId: incident.subscriptionId,
      channelId: incident.channelId,
      league: incident.league,
      instance: latest.instance,
      to: latest.status,
      ...(latest.from === undefined ? {} : { from: latest.from }),
      observedAt: latest.observedAt,
    },
  ];
}

const readySchema = z.object({
  ready: z.literal(true),
  url: z.string(),
  projectId: z.string(),
  ak: z.string(),
  sk: z.string(),
  leagueIds: z.array(z.string()),
  rss: z.number(),
});
const failedSchema = z.object({ failed: z.array(z.object({ leagueId: z.string(), instanceId: z.string() })) });
const requestsSchema = z.object({ requests: z.number(), byStatus: z.record(z.string(), z.number()) });

/** `node --import tsx <script> <json>`, talking one JSON line each way. */
class JsonLineChild {
  private readonly lines: Interface;
  private readonly queue: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcessWithoutNullStreams, onStderr: (line: string) => void) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = undefined;
        w(line);
      } else this.queue.push(line);
    });
    this.lines.on('close', () => {
      this.ended = true;
      this.waiter?.(undefined);
    });
    createInterface({ input: child.stderr }).on('line', onStderr);
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Runs `script` (a .ts file through tsx, or tsc's .js output with plain node). */
  static start(script: string, nodeFlags: readonly string[], arg: unknown, onStderr: (line: string) => void): JsonLineChild {
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...nodeFlags, ...loader, script, JSON.stringify(arg)], {
      cwd: PROJECT_DIR,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    return new JsonLineChild(child, onStderr);
  }

  /** The next line the child prints; throws if it exits first or takes longer than `timeoutMs`. */
  async next(timeoutMs: number): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    if (this.ended) throw new Error(`${this.describe()} exited (code ${await this.exitCode()}) before answering`);
    let timer: NodeJS.Timeout | undefined;
    const line = await new Promise<string | undefined>((resolve, reject) => {
      this.waiter = resolve;
      timer = setTimeout(() => reject(new Error(`${this.describe()} did not answer within ${timeoutMs} ms`)), timeoutMs);
    }).finally(() => clearTimeout(timer));
    if (line === undefined) throw new Error(`${this.describe()} exited (code ${await this.exitCode()}) before answering`);
    return line;
  }

  async ask<T>(command: unknown, schema: z.ZodType<T>, timeoutMs = 30_000): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(command)}\n`);
    return parseLine(await this.next(timeoutMs), schema, this.describe());
  }

  /** Closing stdin is the "you are done" signal; a child that ignores it is killed after a grace period. */
  async close(graceMs = 10_000): Promise<number | null> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  exitCode(): Promise<number | null> {
    return this.exited;
  }

  private describe(): string {
    return `child ${this.child.spawnargs.slice(-2, -1).join('')} (pid ${this.child.pid})`;
  }
}

function parseLine<T>(line: string, schema: z.ZodType<T>, who: string): T {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    throw new Error(`${who} printed something that is not JSON: ${line.slice(0, 200)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${who} answered unexpectedly: ${line.slice(0, 200)}`);
  return parsed.data;
}

/** A GC we can force: `--expose-gc` when given, else the flag is switched on at run time. */
function gcFunction(): (() => void) | undefined {
  const exposed = globalThis.gc;
  if (typeof exposed === 'function') return () => exposed();
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Full GCs, then a pause and another: V8 hands freed pages back to the OS from a background
 * thread, so RSS read right after gc() still counts a varying part of the garbage (seen: 173 MB
 * one run, 357 MB the next, for the same heap).
 */
async function settle(gc: (() => void) | undefined): Promise<void> {
  if (!gc) return;
  gc();
  gc();
  await delay(1000);
  gc();
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Long enough that no bench instance is ever stuck, so the check runs on every poll and stays silent. */
const STUCK_MS = 7 * 24 * 60 * 60_000;
/** simulator-process.ts's job names: 0 is the newest RUNNING instance's job, 1 the one `fail` fails first. */
const SEEDED_JOBS = ['信用评分模型训练', 'credit-score-xgb-train'] as const;

/**
 * An open incident (parent posted, 3 failures, the last an hour ago) and its failing mark for one
 * job of the league, as a league with trouble would carry: alternating by hundreds, the job `fail`
 * takes first (its failure is a thread reply) or another (its failure opens a new incident).
 */
async function seedIncident(incidents: IncidentStore, sub: { id: string; leagueId: string; channelId: string }, index: number, now: number): Promise<void> {
  const name = SEEDED_JOBS[Math.floor(index / 100) % 2 === 0 ? 1 : 0];
  const key = jobKeyOf(name, '');
  const slot = slotOf(sub.id, key);
  const event = (minutesAgo: number) => ({
    instance: { id: `seeded${String(index).padStart(5, '0')}m${minutesAgo}`, jobName: name, type: 'VFL_TRAIN', status: 'FAILED', startTime: now - (minutesAgo + 20) * 60_000, endTime: now - minutesAgo * 60_000 },
    status: 'FAILED',
    kind: 'failure' as const,
    from: 'RUNNING',
    observedAt: now - minutesAgo * 60_000,
  });
  await incidents.save({
    v: 1,
    slot,
    seq: 1,
    subscriptionId: sub.id,
    channelId: sub.channelId,
    league: { id: sub.leagueId },
    job: { key, name, type: 'VFL_TRAIN' },
    state: 'open',
    openedAt: now - 180 * 60_000,
    parentTs: `${Math.floor(now / 1000) - 10_800}.000100`,
    events: 3,
    first: event(180),
    latest: event(60),
    notify: [],
    applied: {},
    revision: 3,
  });
  await incidents.markFailing(slot, now - 60 * 60_000);
}

/** One store, three cycles, in this process. The part `watcher-process.ts` runs in a fresh child. */
export async function measureWatcher(storeKind: StoreKind, options: WatcherBenchOptions = {}): Promise<WatcherRun> {
  const s = settingsOf(options);
  const progress = options.onProgress ?? (() => undefined);
  const gc = gcFunction();
  await settle(gc);
  const before = process.memoryUsage();

  const setupStarted = performance.now();
  const simOptions: SimulatorProcessOptions = { leagues: s.leagues, instances: s.instancesPerLeague, running: s.runningPerLeague, latencyMs: s.latencyMs };
  const sim = JsonLineChild.start(join(BENCH_DIR, `simulator-process${OWN_EXT}`), [], simOptions, (line) => progress(`simulator: ${line}`));
  let dir: string | undefined;
  let inner: Store | undefined;
  let client: TicsClient | undefined;
  try {
    const ready = parseLine(await sim.next(120_000), readySchema, 'simulator');
    dir = storeKind === 'sqlite' ? mkdtempSync(join(tmpdir(), 'tics-bench-')) : undefined;
    inner = await createStore(dir ? `sqlite://${join(dir, 'store.sqlite')}` : 'memory://');
    const store = new CountingStore(inner);
    client = new TicsClient({
      endpoint: ready.url,
      projectId: ready.projectId,
      auth: akskAuth({ ak: ready.ak, sk: ready.sk, projectId: ready.projectId }),
      connections: s.connections,
    });
    const tics = new TimedTics(client);
    const registry = new SubscriptionRegistry(store);
    const outbox = new Outbox(store);
    const notifier = new CountingNotifier();
    const createdAt = Date.now();
    // One channel per league, as a team per league would have it: each alert is its own post.
    const incidents = options.incidents === false ? undefined : new IncidentStore(store);
    for (const [i, leagueId] of ready.leagueIds.entries()) {
      const { subscription } = await registry.upsert(
        { id: '', leagueId, channelId: `CBENCH${String(i).padStart(5, '0')}`, triggers: ['FAILED', 'TERMINATED'], createdAt, source: 'config' },
        !incidents || options.stuckWatches === false ? {} : { stuckMs: STUCK_MS },
      );
      if (incidents) await seedIncident(incidents, subscription, i, createdAt);
    }
    const watcher = new Watcher({
      store,
      tics,
      notifier,
      registry,
      outbox,
      logger: createLogger({ level: 'silent' }),
      intervalMs: s.intervalMs,
      concurrency: s.concurrency,
      pageSize: s.pageSize,
      maxPages: s.maxPages,
      owner: 'bench',
      ...(incidents ? { incidents, stuckWatches: stuckWatchLookup(registry) } : {}),
    });
    await sim.ask({ cmd: 'requests' }, requestsSchema);
    const setupMs = performance.now() - setupStarted;
    progress(`watcher[${storeKind}]: ${s.leagues} leagues × ${s.instancesPerLeague} instances ready in ${ms(setupMs)} ms; simulator RSS ${(ready.rss / MB).toFixed(0)} MB`);

    const cycle = async (label: string): Promise<CycleFigures> => {
      store.reset();
      tics.reset();
      const postedBefore = notifier.items.length;
      const repliesBefore = notifier.replies;
      const updatesBefore = notifier.updates;
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const peak = { rssMb: 0, heapTotalMb: 0, heapUsedMb: 0, externalMb: 0 };
      const sample = () => {
        const m = process.memoryUsage();
        peak.rssMb = Math.max(peak.rssMb, round2(m.rss / MB));
        peak.heapTotalMb = Math.max(peak.heapTotalMb, round2(m.heapTotal / MB));
        peak.heapUsedMb = Math.max(peak.heapUsedMb, round2(m.heapUsed / MB));
        peak.externalMb = Math.max(peak.externalMb, round2(m.external / MB));
      };
      const sampler = setInterval(sample, 50);
      const cpu0 = process.cpuUsage();
      const elu0 = performance.eventLoopUtilization();
      const report: CycleReport = await watcher.runCycle();
      const elu = performance.eventLoopUtilization(elu0).utilization;
      const cpu = process.cpuUsage(cpu0);
      loopDelay.disable();
      clearInterval(sampler);
      sample();
      const mem = process.memoryUsage();
      const server = await sim.ask({ cmd: 'requests' }, requestsSchema);
      const figures: CycleFigures = {
        ms: report.ms,
        leagues: report.leagues,
        polled: report.polled,
        skipped: report.skipped,
        failed: report.failed,
        requests: report.requests,
        serverRequests: server.requests,
        serverStatuses: server.byStatus,
        callsPerLeague: report.polled ? report.requests / report.polled : Number.POSITIVE_INFINITY,
        alertsRecorded: report.alertsRecorded,
        alertsPosted: notifier.items.length - postedBefore,
        threadReplies: notifier.replies - repliesBefore,
        parentUpdates: notifier.updates - updatesBefore,
        storeOps: { ...store.ops },
        storeMs: Object.fromEntries(Object.entries(store.opMs).map(([k, v]) => [k, round2(v)])),
        ...(tics.durations.length ? { ticsCall: summarize(tics.durations) } : {}),
        maxInFlight: tics.maxInFlight,
        cpuMs: (cpu.user + cpu.system) / 1000,
        elu: round2(elu),
        loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
        laneOverheadMs: report.polled ? (report.ms * s.concurrency) / report.polled - s.latencyMs : Number.POSITIVE_INFINITY,
        rssAfterMb: round2(mem.rss / MB),
        heapUsedAfterMb: round2(mem.heapUsed / MB),
        peak,
      };
      progress(
        `watcher[${storeKind}]: ${label}: ${ms(figures.ms)} ms, ${figures.polled}/${figures.leagues} polled, ${figures.requests} TICS calls ` +
          `(${figures.callsPerLeague.toFixed(2)}/league), ${figures.alertsRecorded} alerts, CPU ${ms(figures.cpuMs)} ms, ELU ${figures.elu}, RSS ${figures.rssAfterMb} MB ` +
          `(peak ${peak.rssMb}; heap total/used peak ${peak.heapTotalMb}/${peak.heapUsedMb} MB)`,
      );
      return figures;
    };

    const baseline = await cycle('cycle 1 (baselines)');
    const steady = await cycle('cycle 2 (steady, nothing changed)');
    await settle(gc);
    const after = process.memoryUsage();
    const memory: MemoryFigures = {
      rssBeforeMb: round2(before.rss / MB),
      heapBeforeMb: round2(before.heapUsed / MB),
      rssMb: round2(after.rss / MB),
      heapUsedMb: round2(after.heapUsed / MB),
      heapTotalMb: round2(after.heapTotal / MB),
      externalMb: round2(after.external / MB),
      gcForced: gc !== undefined,
    };
    progress(`watcher[${storeKind}]: after cycle 2: RSS ${memory.rssMb} MB, heapUsed ${memory.heapUsedMb} MB (before setup: ${memory.rssBeforeMb} / ${memory.heapBeforeMb} MB)`);

    const { failed } = await sim.ask({ cmd: 'fail', count: s.fail }, failedSchema);
    const postedBefore = notifier.items.length;
    const changed = await cycle(`cycle 3 (${failed.length} instances failed)`);

    const problems: string[] = [];
    const check = (ok: boolean, problem: string) => {
      if (!ok) problems.push(problem);
    };
    for (const [name, c] of [['cycle 1', baseline], ['cycle 2', steady], ['cycle 3', changed]] as const) {
      check(c.polled === c.leagues, `${name}: polled ${c.polled} of ${c.leagues} leagues (${c.skipped} skipped, ${c.failed} failed)`);
      check(c.serverRequests === c.requests, `${name}: the simulator saw ${c.serverRequests} requests, the watcher counted ${c.requests} (retries?)`);
      const non200 = Object.entries(c.serverStatuses).filter(([status]) => status !== '200');
      check(non200.length === 0, `${name}: non-200 answers ${JSON.stringify(Object.fromEntries(non200))}`);
    }
    check(baseline.alertsRecorded === 0, `cycle 1: ${baseline.alertsRecorded} alerts from a baseline (old failures must stay silent)`);
    check(steady.alertsRecorded === 0, `cycle 2: ${steady.alertsRecorded} alerts with nothing changed`);
    check(failed.length === s.fail, `the simulator failed ${failed.length} instances, ${s.fail} asked for`);
    check(changed.alertsRecorded === failed.length, `cycle 3: ${changed.alertsRecorded} alerts recorded for ${failed.length} failed instances`);
    const posted = notifier.items.slice(postedBefore);
    const expected = new Set(failed.map((f) => `${f.leagueId}/${f.instanceId}`));
    const got = posted.map((item) => `${item.league.id}/${item.instance.id}`);
    check(new Set(got).size === got.length, `cycle 3: an alert was posted twice (${got.length} posts, ${new Set(got).size} distinct)`);
    const missing = [...expected].filter((k) => !got.includes(k));
    const extra = got.filter((k) => !expected.has(k));
    check(missing.length === 0, `cycle 3: no alert for ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}`);
    check(extra.length === 0, `cycle 3: alerts for instances that did not fail: ${extra.slice(0, 5).join(', ')}`);
    check(posted.every((i) => i.to === 'FAILED' && i.from === 'RUNNING'), 'cycle 3: an alert is not RUNNING → FAILED');

    const run: WatcherRun = {
      store: storeKind,
      setupMs,
      baseline,
      steady,
      changed,
      memory,
      failedInstances: failed.length,
      problems,
      targets: [
        { name: `steady cycle ÷ ideal ${(s.idealMs / 1000).toFixed(1)} s`, limit: WATCHER_TARGETS.cycleRatio, actual: steady.ms / s.idealMs, unit: '×', pass: steady.ms / s.idealMs <= WATCHER_TARGETS.cycleRatio },
        {
          name: 'API calls per unchanged league per cycle',
          limit: WATCHER_TARGETS.callsPerLeague,
          actual: steady.callsPerLeague,
          unit: '',
          // Fewer than one would mean leagues went unpolled: that is a miss too.
          pass: steady.callsPerLeague <= WATCHER_TARGETS.callsPerLeague && steady.polled === steady.leagues,
        },
        { name: `RSS tracking ${s.leagues} × ${s.instancesPerLeague}`, limit: WATCHER_TARGETS.rssMb, actual: memory.rssMb, unit: 'MB', pass: memory.rssMb <= WATCHER_TARGETS.rssMb },
      ],
      simulatorRssMb: round2(ready.rss / MB),
    };
    return run;
  } finally {
    await client?.close();
    await inner?.close();
    await sim.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

const runSchema = z.custom<WatcherRun>((value) => typeof value === 'object' && value !== null && 'steady' in value && 'targets' in value);

/**
 * Compiles the tree with the project's tsc into BUILD_DIR, so the measuring process can run plain
 * `node` like the production bot (`node dist/main.js`): under tsx the same process is ~60 MB
 * bigger before it does anything. Type errors elsewhere in the tree do not stop tsc emitting.
 */
async function compileForMeasurement(progress: (line: string) => void): Promise<string | undefined> {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '-p', join(PROJECT_DIR, 'tsconfig.json'), '--outDir', BUILD_DIR, '--noEmit', 'false', '--sourceMap', 'false', '--incremental', 'false'];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  let diagnostics = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (/error TS\d+/.test(line)) diagnostics += 1;
  });
  child.stderr.resume();
  await new Promise((resolve) => child.on('close', resolve));
  const entry = join(BUILD_DIR, 'bench', 'watcher-process.js');
  if (!existsSync(entry)) return undefined;
  progress(`watcher: compiled with tsc in ${ms(performance.now() - started)} ms${diagnostics ? ` (${diagnostics} type error(s) elsewhere in the tree; emitted anyway)` : ''}`);
  return entry;
}

export async function runWatcherBench(options: WatcherBenchOptions = {}): Promise<WatcherBenchResult> {
  const settings = settingsOf(options);
  const stores = options.stores ?? ['memory', 'sqlite'];
  const isolate = options.isolate ?? true;
  const progress = options.onProgress ?? (() => undefined);
  let runtime: WatcherBenchResult['runtime'] = isolate ? 'node' : OWN_EXT === '.ts' ? 'tsx (in-process)' : 'node (in-process)';
  let entry: string | undefined;
  if (isolate) {
    entry = await compileForMeasurement(progress);
    if (!entry) {
      progress('watcher: tsc produced no output; measuring under tsx instead (its loader inflates RSS)');
      runtime = 'tsx';
      entry = join(BENCH_DIR, 'watcher-process.ts');
    }
  }
  const runs: WatcherRun[] = [];
  try {
    for (const store of stores) {
      if (!entry) {
        runs.push(await measureWatcher(store, options));
        continue;
      }
      const { onProgress: _progress, isolate: _isolate, stores: _stores, ...childOptions } = options;
      const child = JsonLineChild.start(entry, ['--expose-gc'], { store, options: childOptions }, progress);
      try {
        // Three cycles of ~12.5 s plus set-up; a generous bound so a hang cannot stall `npm run bench` forever.
        runs.push(parseLine(await child.next(Math.max(600_000, settings.idealMs * 20)), runSchema, 'watcher-process'));
      } finally {
        const code = await child.close();
        if (code !== 0 && code !== null) progress(`watcher[${store}]: measuring process exited with code ${code}`);
      }
    }
  } finally {
    if (runtime === 'node') rmSync(BUILD_DIR, { recursive: true, force: true });
  }
  return { bench: 'watcher', machine: machine(), settings, runtime, runs };
}

const sec = (v: number) => (v / 1000).toFixed(2);
/** Infinity (nothing polled) arrives from the child process as null. */
const fixed = (v: number | null) => (v === null || !Number.isFinite(v) ? '–' : v.toFixed(2));
const perLeague = (n: number, leagues: number) => (leagues ? (n / leagues).toFixed(2) : '–');
const totalOps = (ops: Record<string, number>) => Object.values(ops).reduce((a, b) => a + b, 0);

/** Calls per league, and the mean wall time of one call (queueing included). */
function describeOps(c: CycleFigures): string {
  return Object.entries(c.storeOps)
    .sort(([, a], [, b]) => b - a)
    .map(([op, n]) => {
      const mean = (c.storeMs[op] ?? 0) / n;
      return op === 'keys' ? `keys ${n}/cycle (${ms(mean)} ms each)` : `${op} ${perLeague(n, c.leagues)} (${ms(mean)} ms)`;
    })
    .join(', ');
}

export function formatWatcherResult(r: WatcherBenchResult): string {
  const s = r.settings;
  const cycleRow = (store: string, label: string, c: CycleFigures) => [
    `${store} · ${label}`,
    sec(c.ms),
    (c.ms / s.idealMs).toFixed(2),
    `${c.polled}/${c.leagues}`,
    String(c.requests),
    fixed(c.callsPerLeague),
    `${c.alertsRecorded}/${c.alertsPosted}`,
    perLeague(totalOps(c.storeOps), c.leagues),
    perLeague(c.cpuMs, c.polled),
    c.ticsCall ? `${ms(c.ticsCall.p50)}/${ms(c.ticsCall.p99)}` : '–',
    Number.isFinite(c.laneOverheadMs) ? ms(c.laneOverheadMs) : '–',
    c.elu.toFixed(2),
  ];
  const lines = [
    `watcher — one cycle over ${s.leagues} leagues × ${s.instancesPerLeague} instances (${s.runningPerLeague} RUNNING each), TICS latency ${s.latencyMs} ms, ` +
      `concurrency ${s.concurrency}, page ${s.pageSize}, ${s.connections} sockets, intervalMs ${s.intervalMs} (every league due every cycle) · ` +
      `Node ${r.machine.node}, ${r.machine.cpus} CPU(s), ${r.machine.platform} · measured under ${r.runtime}`,
    `ideal cycle = ${s.leagues} × ${s.latencyMs} ms / ${s.concurrency} = ${sec(s.idealMs)} s`,
    '',
    table(
      ['store · cycle', 's', '÷ ideal', 'polled', 'TICS calls', 'calls/league', 'alerts rec/posted', 'store ops/league', 'CPU ms/league', 'TICS call p50/p99 ms', 'lane overhead ms', 'ELU'],
      r.runs.flatMap((run) => [
        cycleRow(run.store, '1 baselines', run.baseline),
        cycleRow(run.store, '2 steady', run.steady),
        cycleRow(run.store, `3 after ${run.failedInstances} failed`, run.changed),
      ]),
    ),
    '',
    table(
      ['memory (MB)', 'RSS after cycle 2 + GC', 'heapUsed', 'heapTotal', 'external', 'RSS before set-up', 'peak RSS in cycle 2', 'peak heapUsed in cycle 2', 'simulator RSS (own process)'],
      r.runs.map((run) => [
        `${run.store}${run.memory.gcForced ? '' : ' (no GC forced)'}`,
        run.memory.rssMb.toFixed(1),
        run.memory.heapUsedMb.toFixed(1),
        run.memory.heapTotalMb.toFixed(1),
        run.memory.externalMb.toFixed(1),
        run.memory.rssBeforeMb.toFixed(1),
        run.steady.peak.rssMb.toFixed(1),
        run.steady.peak.heapUsedMb.toFixed(1),
        run.simulatorRssMb.toFixed(0),
      ]),
    ),
    '',
  ];
  for (const run of r.runs) {
    for (const t of run.targets) {
      const actual = t.unit === 'MB' ? t.actual.toFixed(1) : fixed(t.actual);
      lines.push(`${t.pass ? 'PASS' : 'MISS'}  [${run.store}] ${t.name} ≤ ${t.limit}${t.unit === '×' ? '×' : t.unit ? ` ${t.unit}` : ''}: ${actual}${t.unit === '×' ? '×' : t.unit ? ` ${t.unit}` : ''}`);
    }
  }
  lines.push('');
  for (const run of r.runs) {
    lines.push(`[${run.store}] store ops per league, steady cycle: ${describeOps(run.steady)}`);
    lines.push(`[${run.store}] store ops per league, cycle 3: ${describeOps(run.changed)}`);
    lines.push(
      `[${run.store}] steady cycle: at most ${run.steady.maxInFlight} TICS calls in flight, event-loop delay p99 ${ms(run.steady.loopDelayP99Ms)} ms; ` +
        `cycle 3: p99 ${ms(run.changed.loopDelayP99Ms)} ms`,
    );
    lines.push(
      run.problems.length === 0
        ? `[${run.store}] correctness: every league polled each cycle, simulator request count = watcher's, no alert from baselines or an unchanged cycle, ${run.failedInstances} failed → ${run.changed.alertsRecorded} alerts recorded and posted once each (${run.changed.threadReplies} as replies in a seeded incident's thread, ${run.changed.parentUpdates} parent updates).`
        : `[${run.store}] correctness: ${run.problems.length} problem(s):\n${run.problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return lines.join('\n');
}
