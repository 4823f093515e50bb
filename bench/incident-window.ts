/**
 * The incident parent's duplicate window (README, "exactly once"): from the moment Slack accepted a
 * new incident's parent to the moment the incident holding its ts is stored. A crash inside it
 * posts the parent once more on restart; anywhere else, nothing repeats.
 *
 * Runs the real delivery (deliverDue → deliverSlot → Slack notifier → IncidentStore) against the
 * fake Slack, one new incident per delivery, and times each parent on one clock: the fake Slack
 * stamps the call when it answers, the store wrapper stamps the save that first carries the ts.
 *
 *   npx tsx bench/incident-window.ts [count=20]       # SQLite, and Redis when REDIS_URL is set
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/log.js';
import { createSlackNotifier } from '../src/slack/notifier.js';
import { createStore } from '../src/store.js';
import { deliverDue } from '../src/watch/deliver.js';
import { IncidentStore } from '../src/watch/incidents/store.js';
import { Outbox } from '../src/watch/outbox.js';
import { SubscriptionRegistry, subscriptionId } from '../src/watch/subscriptions.js';
import type { AlertItem } from '../src/watch/types.js';
import { startFakeSlack } from '../test/fakes/slack-api.js';
import { wipeRedisNamespace } from '../test/helpers/redis-namespace.js';
import { percentile } from './stats.js';

const count = Number(process.argv[2] ?? 20);
if (!Number.isInteger(count) || count < 1) {
  console.error('usage: tsx bench/incident-window.ts [count]');
  process.exit(2);
}

/** Sub-millisecond wall clock shared by the fake Slack and the store wrapper. */
const clock = () => performance.timeOrigin + performance.now();
const TOKEN = 'xoxb-bench-incident-window';
const CHANNEL = 'C0WINDOW001';
const LEAGUE = 'leagueWindow';

async function measure(storeUrl: string, namespace: string): Promise<number[]> {
  const slack = await startFakeSlack({ botToken: TOKEN, now: clock });
  const store = await createStore(storeUrl, { namespace });
  const logger = createLogger({ level: 'silent' });
  const incidents = new IncidentStore(store, Date.now);
  const savedAt = new Map<string, number>();
  const save = incidents.save.bind(incidents);
  incidents.save = async (incident) => {
    await save(incident);
    if (incident.parentTs !== undefined && !savedAt.has(incident.parentTs)) savedAt.set(incident.parentTs, clock());
  };
  const outbox = new Outbox(store);
  const deps = {
    outbox,
    registry: new SubscriptionRegistry(store),
    notifier: createSlackNotifier({ token: TOKEN, apiUrl: slack.url, logger, now: Date.now, simulated: false }),
    logger,
    now: Date.now,
    owner: 'bench',
    incidents,
  };
  try {
    const sub = subscriptionId(LEAGUE, CHANNEL);
    for (let i = 0; i < count; i++) {
      const id = `window-${i}-${Date.now().toString(36)}`;
      const item: AlertItem = {
        key: `${sub}|${id}:FAILED:${Date.now()}`,
        subscriptionId: sub,
        channelId: CHANNEL,
        league: { id: LEAGUE },
        instance: { id, jobName: `job-${i}-${namespace}`, type: 'HFL', status: 'FAILED', startTime: Date.now() - 60_000, endTime: Date.now(), roundId: 1 },
        from: 'RUNNING',
        to: 'FAILED',
        observedAt: Date.now(),
      };
      await outbox.record(item);
      await deliverDue(deps);
    }
    const windows: number[] = [];
    for (const call of slack.callsTo('chat.postMessage')) {
      const ts = String(call.response.ts);
      const stored = savedAt.get(ts);
      if (stored === undefined) throw new Error(`parent ${ts} was never stored`);
      windows.push(stored - call.at);
    }
    if (windows.length !== count) throw new Error(`${windows.length} parents for ${count} incidents`);
    return windows.sort((a, b) => a - b);
  } finally {
    await store.close();
    await slack.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tics-bot-window-'));
const namespace = `tics-bot-bench-window-${process.pid}`;
const runs: [string, string][] = [['sqlite', `sqlite://${join(dir, 'window.sqlite')}`]];
if (process.env.REDIS_URL) runs.push(['redis', process.env.REDIS_URL]);
try {
  for (const [name, url] of runs) {
    if (name === 'redis') await wipeRedisNamespace(url, namespace);
    try {
      const w = await measure(url, namespace);
      console.log(`${name}: ${count} parents, Slack accepted → ts stored: p50 ${percentile(w, 50).toFixed(2)} ms, p90 ${percentile(w, 90).toFixed(2)} ms, max ${w.at(-1)!.toFixed(2)} ms`);
    } finally {
      if (name === 'redis') await wipeRedisNamespace(url, namespace);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
