/**
 * What `/livez` and `/readyz` answer. Liveness is only "the event loop got to run this handler";
 * readiness is whether the bot can do its job now: Slack reachable (Socket Mode connected, or HTTP
 * mode listening with a verified token), the store answering within a bound, and the watcher having
 * finished a cycle recently. Bodies name each check and since when it fails; never a secret, only
 * states, error codes and times.
 */
import type { ConnectionSnapshot } from './slack/connection.js';
import type { Store } from './store.js';

export interface CheckResult {
  ok: boolean;
  detail: string;
  /** ISO time the check started failing; null while it passes. */
  since: string | null;
}

export interface ReadinessReport {
  ok: boolean;
  mode: 'http' | 'socket';
  checks: { slack: CheckResult; store: CheckResult; watcher: CheckResult };
}

export interface WatcherStatus {
  running: boolean;
  lastCycleAt?: number;
  lastCycle?: { ms: number };
}

export interface HealthOptions {
  mode: 'http' | 'socket';
  slack: () => ConnectionSnapshot;
  store: Pick<Store, 'get' | 'kind'>;
  watcher: () => WatcherStatus;
  /** When the watcher loop was started (undefined: not started). */
  watcherStartedAt: () => number | undefined;
  intervalMs: number;
  now?: () => number;
  /** Readiness probes time out at 1 s by default in Kubernetes; stay under it. */
  storeTimeoutMs?: number;
}

export interface Health {
  ready(): Promise<ReadinessReport>;
}

/** A cycle may be late by this many intervals before the bot calls itself not ready. */
export const WATCHER_GRACE_INTERVALS = 3;
const PROBE_KEY = 'health:probe';

const iso = (ms: number) => new Date(ms).toISOString();

export function createHealth(options: HealthOptions): Health {
  const now = options.now ?? Date.now;
  const storeTimeoutMs = options.storeTimeoutMs ?? 800;
  let storeFailingSince: number | undefined;
  let watcherIdleSince: number | undefined;

  const slackCheck = (): CheckResult => {
    const s = options.slack();
    if (s.connected) {
      const detail = options.mode === 'socket' ? `connected${s.reconnects ? ` (${s.reconnects} reconnects)` : ''}` : 'listening, bot token verified';
      return { ok: true, detail, since: null };
    }
    const detail = s.state === 'stopped' ? 'stopped' : `${s.state}${s.lastError ? `: ${s.lastError}` : ''}`;
    return { ok: false, detail, since: iso(s.since) };
  };

  const storeCheck = async (): Promise<CheckResult> => {
    const started = now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        options.store.get(PROBE_KEY),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${storeTimeoutMs} ms`)), storeTimeoutMs);
        }),
      ]);
      storeFailingSince = undefined;
      return { ok: true, detail: `${options.store.kind} answered in ${Math.max(0, now() - started)} ms`, since: null };
    } catch (error) {
      storeFailingSince ??= started;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, detail: `${options.store.kind}: ${message.slice(0, 200)}`, since: iso(storeFailingSince) };
    } finally {
      clearTimeout(timer);
    }
  };

  const watcherCheck = (): CheckResult => {
    const status = options.watcher();
    const startedAt = options.watcherStartedAt();
    if (!status.running || startedAt === undefined) {
      watcherIdleSince ??= now();
      return { ok: false, detail: 'not running', since: iso(watcherIdleSince) };
    }
    watcherIdleSince = undefined;
    const grace = WATCHER_GRACE_INTERVALS * options.intervalMs;
    const finishedAt = status.lastCycleAt === undefined ? undefined : status.lastCycleAt + (status.lastCycle?.ms ?? 0);
    const due = (finishedAt ?? startedAt) + grace;
    const t = now();
    if (t <= due) {
      const detail = finishedAt === undefined ? 'starting, no cycle finished yet' : `last cycle finished ${Math.round((t - finishedAt) / 1000)} s ago`;
      return { ok: true, detail, since: null };
    }
    const detail = finishedAt === undefined ? `no cycle finished since start, ${Math.round((t - startedAt) / 1000)} s ago` : `last cycle finished ${Math.round((t - finishedAt) / 1000)} s ago`;
    return { ok: false, detail: `${detail} (limit ${WATCHER_GRACE_INTERVALS} intervals)`, since: iso(due) };
  };

  return {
    async ready() {
      const [store, slack, watcher] = [await storeCheck(), slackCheck(), watcherCheck()];
      return { ok: slack.ok && store.ok && watcher.ok, mode: options.mode, checks: { slack, store, watcher } };
    },
  };
}
