/**
 * What `/tics watches` costs the outbox (Outbox.stats: pending alerts and last alert per
 * subscription) with 10 and with 100 000 alerts kept in the store, on memory, SQLite and (when
 * REDIS_URL is set) Redis. The command must cost the same whatever the 30 days of sent alerts
 * weigh; the old stats() read every kept entry, and "entry scan" times that read for comparison.
 *
 * Each store holds `alerts` alerts over 20 subscriptions as the outbox leaves them: the last 10
 * pending (recorded, in the pending index), the rest sent (claim + sent entry, as record() and
 * markSent() write them; one real markSent per subscription leaves its last-sent record).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createStore, type Store } from '../src/store.js';
import { DEFAULT_CLAIM_TTL_MS, Outbox } from '../src/watch/outbox.js';
import type { AlertItem, OutboxEntry } from '../src/watch/types.js';
import { ms, summarize, table, type Summary } from './stats.js';
import { wipeRedisNamespace } from '../test/helpers/redis-namespace.js';

const SUBSCRIPTIONS = 20;
const PENDING = 10;
const SIZES = [10, 100_000] as const;
const RUNS = 30;
const WRITE_BATCH = 256;
/** Same cost with 100 000 alerts as with 10: the 100 000 median within this factor (and 2 ms) of the 10 one. */
const FLAT_RATIO = 2;

type Backend = 'memory' | 'sqlite' | 'redis';

export interface WatchesRow {
  store: Backend;
  alerts: number;
  /** Outbox.stats() for every subscription, ms. */
  stats: Summary;
  /** store.get calls in one stats() call. */
  reads: number;
  /** The old stats(): keys('outbox:') and every entry read. One run at 100 000. */
  entryScan: Summary;
  setupMs: number;
}

export interface WatchesResult {
  subscriptions: number;
  pending: number;
  rows: WatchesRow[];
  redis: 'measured' | 'skipped (REDIS_URL not set)';
  targets: Array<{ store: Backend; pass: boolean; small: number; large: number }>;
}

const subId = (n: number) => `league${n % SUBSCRIPTIONS}:C${String(n % SUBSCRIPTIONS).padStart(10, '0')}`;

function alert(n: number, at: number): AlertItem {
  const subscriptionId = subId(n);
  const [leagueId, channelId] = subscriptionId.split(':') as [string, string];
  return {
    key: `${subscriptionId}|inst-${n}:FAILED:${at}`,
    subscriptionId,
    channelId,
    league: { id: leagueId, alias: 'credit' },
    instance: { id: `inst-${n}`, jobName: `job ${n}`, type: 'VFL_TRAIN', status: 'FAILED', startTime: at - 60_000, endTime: at },
    from: 'RUNNING',
    to: 'FAILED',
    observedAt: at,
  };
}

/** Fills the store the way the outbox would have over weeks, but in bulk (see the header). */
async function fill(store: Store, outbox: Outbox, alerts: number): Promise<void> {
  const now = Date.now();
  const sent = alerts - PENDING;
  // One real record + markSent per subscription: the last-sent records, written by the outbox itself.
  const real = Math.min(SUBSCRIPTIONS, sent);
  for (let n = 0; n < real; n++) {
    const item = alert(n, now);
    await outbox.record(item);
    await outbox.markSent([item.key], `1.${n}`);
  }
  for (let from = real; from < sent; from += WRITE_BATCH) {
    const batch: Array<Promise<boolean>> = [];
    for (let n = from; n < Math.min(sent, from + WRITE_BATCH); n++) {
      const item = alert(n, now - n);
      const entry: OutboxEntry = { item, state: 'sent', createdAt: now - n, attempts: 0, nextAttemptAt: now - n, sentTs: `2.${n}`, sentAt: now - n };
      // The keys outbox.ts writes (claim:, outbox:): what stays behind once an alert was posted.
      batch.push(store.setIfAbsentWith(`claim:${item.key}`, `${now}:${n}`, DEFAULT_CLAIM_TTL_MS, [{ key: `outbox:${item.key}`, value: entry, ttlMs: DEFAULT_CLAIM_TTL_MS }]));
    }
    await Promise.all(batch);
  }
  for (let n = sent; n < alerts; n++) await outbox.record(alert(n, now));
}

async function oldStats(store: Store): Promise<number> {
  const keys = await store.keys('outbox:');
  let read = 0;
  for (let i = 0; i < keys.length; i += 64) {
    const batch = await Promise.all(keys.slice(i, i + 64).map((k) => store.get(k)));
    read += batch.filter((e) => e !== undefined).length;
  }
  return read;
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

async function measure(backend: Backend, alerts: number, onProgress: (line: string) => void): Promise<WatchesRow> {
  const namespace = `tics-bot-bench-watches-${process.pid}-${randomBytes(4).toString('hex')}`;
  const dir = backend === 'sqlite' ? mkdtempSync(join(tmpdir(), 'tics-bot-bench-watches-')) : undefined;
  const url = backend === 'memory' ? 'memory://' : backend === 'sqlite' ? `sqlite://${join(dir!, 'store.sqlite')}` : process.env.REDIS_URL!;
  const store = await createStore(url, { namespace });
  try {
    const outbox = new Outbox(store);
    const setupStarted = performance.now();
    await fill(store, outbox, alerts);
    const setupMs = performance.now() - setupStarted;
    onProgress(`watches: ${backend}, ${alerts} alerts stored in ${(setupMs / 1000).toFixed(1)} s; measuring`);
    const ids = Array.from({ length: SUBSCRIPTIONS }, (_, n) => subId(n));
    // Warm-up, and the correctness check the figure stands on.
    const stats = await outbox.stats(ids);
    const pending = [...stats.values()].reduce((sum, s) => sum + s.pending, 0);
    if (pending !== Math.min(PENDING, alerts)) throw new Error(`${backend}: stats counted ${pending} pending alerts, expected ${Math.min(PENDING, alerts)}`);
    let reads = 0;
    const get = store.get.bind(store);
    store.get = <T>(key: string) => {
      reads += 1;
      return get<T>(key);
    };
    await outbox.stats(ids);
    const perCall = reads;
    store.get = get;
    const statsTime = await time(RUNS, () => outbox.stats(ids));
    const entryScan = await time(alerts > 1_000 ? 1 : RUNS, () => oldStats(store));
    return { store: backend, alerts, stats: statsTime, reads: perCall, entryScan, setupMs };
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (backend === 'redis') await wipeRedisNamespace(process.env.REDIS_URL!, namespace);
  }
}

export async function runWatchesBench(options: { onProgress?: (line: string) => void } = {}): Promise<WatchesResult> {
  const onProgress = options.onProgress ?? (() => undefined);
  const backends: Backend[] = process.env.REDIS_URL ? ['memory', 'sqlite', 'redis'] : ['memory', 'sqlite'];
  const rows: WatchesRow[] = [];
  for (const backend of backends) for (const alerts of SIZES) rows.push(await measure(backend, alerts, onProgress));
  const targets = backends.map((store) => {
    const small = rows.find((r) => r.store === store && r.alerts === SIZES[0])!.stats.p50;
    const large = rows.find((r) => r.store === store && r.alerts === SIZES[1])!.stats.p50;
    return { store, small, large, pass: large <= Math.max(small * FLAT_RATIO, small + 2) };
  });
  return { subscriptions: SUBSCRIPTIONS, pending: PENDING, rows, redis: process.env.REDIS_URL ? 'measured' : 'skipped (REDIS_URL not set)', targets };
}

export function formatWatchesResult(r: WatchesResult): string {
  return [
    `watches — Outbox.stats() for /tics watches: ${r.subscriptions} subscriptions, ${r.pending} alerts pending, the rest sent and kept; ${RUNS} runs each; Redis ${r.redis}`,
    '',
    table(
      ['store · alerts kept', 'stats p50 ms', 'p90 ms', 'max ms', 'store reads/call', 'old entry scan ms (p50)', 'set-up s'],
      r.rows.map((row) => [
        `${row.store} · ${row.alerts.toLocaleString('en')}`,
        ms(row.stats.p50),
        ms(row.stats.p90),
        ms(row.stats.max),
        String(row.reads),
        ms(row.entryScan.p50),
        (row.setupMs / 1000).toFixed(1),
      ]),
    ),
    '',
    ...r.targets.map(
      (t) => `${t.pass ? 'PASS' : 'MISS'}  [${t.store}] stats with 100 000 alerts ≤ ${FLAT_RATIO}× (or +2 ms) the 10-alert figure: ${ms(t.large)} ms vs ${ms(t.small)} ms`,
    ),
  ].join('\n');
}
