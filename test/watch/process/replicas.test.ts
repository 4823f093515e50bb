/**
 * Two real processes on one Redis, watching the same league in the same channel: one message per
 * (instance, status) between them, about one TICS poll per interval between them (not one each),
 * and when one is SIGKILLed the other carries on alone, still exactly once.
 *
 * Needs REDIS_URL (CI sets it); skipped with a warning otherwise. The processes use a key prefix
 * of this run's own (STORE_NAMESPACE) and the test deletes only keys under it, before and after.
 */
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../../src/simulator/server.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-api.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess } from '../../helpers/bot-process.js';
import { alertTriples, idFor, triple } from '../integration/watch-harness.js';
import { wipeRedisNamespace } from '../../helpers/redis-namespace.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) {
  console.warn('⚠ REDIS_URL is not set: the two-replica watcher process test was SKIPPED (CI sets REDIS_URL=redis://127.0.0.1:6379/15).');
}

const NAMESPACE = `tics-bot-test-replicas-${process.pid}-${Date.now().toString(36)}`;
/** Short, so that a replica killed mid-poll is replaced within seconds (renewed every second). */
const LEASE_SECONDS = 3;
const CHAN = 'C0REPLICAS1';
const LEAGUE = 'leagueReplicas01';
const HOUR = 3_600_000;
/** Long enough that one poll per interval (≈6) and one per replica per interval (≈12) are far apart. */
const RATE_WINDOW_MS = 6_000;
const LEASE_KEY = `${NAMESPACE}:atomic:lease:lease:league:${LEAGUE}`;

async function connect() {
  const client = createClient({ url: REDIS_URL! });
  await client.connect();
  return client;
}

async function withRedis<T>(fn: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> {
  const client = await connect();
  try {
    return await fn(client);
  } finally {
    client.destroy();
  }
}

function wipeNamespace(): Promise<void> {
  return wipeRedisNamespace(REDIS_URL!, NAMESPACE);
}

describe.skipIf(!REDIS_URL)('two processes on one Redis', () => {
  let sim: TicsSimulator;
  let slack: FakeSlack;
  let secrets: { botToken: string; signingSecret: string };
  const running: BotProcess[] = [];

  function put(name: string, status: string, ageHours: number): JobInstance {
    const startTime = Date.now() - ageHours * HOUR;
    const instance: JobInstance = { id: idFor(`${LEAGUE}/${name}`), jobName: name, type: 'HFL', status, startTime, roundId: 7 };
    sim.world.upsertInstance(LEAGUE, instance);
    return instance;
  }

  /** Successful ListInstanceHistory calls for the league, with when they were answered. */
  // Polls only: a new incident's parent also asks for the run's report and graph.
  const polls = () => sim.requests.filter((r) => r.leagueId === LEAGUE && r.status === 200 && r.path.endsWith('/job-instances'));
  const accepted = () => slack.callsTo('chat.postMessage').filter((c) => c.response.ok === true);

  async function until(what: string, ready: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await ready())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** When this replica's last cycle that polled the league ran (pino `time`), 0 if never. */
  const lastPollAt = (bot: BotProcess) => Number(bot.logs().filter((l) => l.msg === 'watch cycle done' && l.polled === 1).at(-1)?.time ?? 0);

  const morePolls = (n: number) => {
    const target = polls().length + n;
    return until(`${n} more polls`, () => polls().length >= target);
  };

  beforeAll(async () => {
    await wipeNamespace();
    sim = await startSimulator({ seed: false });
    secrets = newSlackSecrets();
    slack = await startFakeSlack({ botToken: secrets.botToken });
    sim.world.addLeague(LEAGUE);
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill().catch(() => undefined)));
    await slack?.close();
    await sim?.close();
    await wipeNamespace();
  });

  it('posts each failure once, polls about once per interval between them, and survives one being killed', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => put(`rep-${i}`, 'RUNNING', 3 - i / 10));
    put('rep-old-failure', 'FAILED', 5);
    // debug: each replica logs every cycle's report ('watch cycle done', with `polled`), which tells
    // the replicas' polls apart (the simulator cannot: same credentials).
    const env = botEnv({ slack, ...secrets, sim, storeUrl: REDIS_URL!, leagues: { rep: LEAGUE }, extra: { LOG_LEVEL: 'debug', STORE_NAMESPACE: NAMESPACE, WATCH_LEASE_SECONDS: String(LEASE_SECONDS) } });
    const [a, b] = await Promise.all([
      startBotProcess(env, { name: 'replica-a', slack, signingSecret: secrets.signingSecret }),
      startBotProcess(env, { name: 'replica-b', slack, signingSecret: secrets.signingSecret }),
    ]);
    running.push(a, b);

    // Subscribed through one replica; the other sees it through Redis.
    const sub = await a.command('watch rep', { channelId: CHAN });
    expect(sub.status).toBe(200);
    const [confirmation] = await slack.waitForResponses(1, { id: sub.responseId });
    expect(confirmation!.body.text).toMatch(/^Watching rep: .* 7 instances known now \(6 still running\)\.$/);

    // Both alive: a burst below the digest threshold, then one more a little later.
    const windowStart = { at: Date.now() };
    sim.world.setStatus(LEAGUE, jobs[0]!.id, 'FAILED');
    sim.world.setStatus(LEAGUE, jobs[1]!.id, 'TERMINATED');
    await slack.waitForCalls('chat.postMessage', 2, 10_000);
    await morePolls(1);
    sim.world.setStatus(LEAGUE, jobs[2]!.id, 'FAILED');
    await slack.waitForCalls('chat.postMessage', 3, 10_000);
    await morePolls(2);
    expect(alertTriples(accepted())).toEqual([triple(CHAN, jobs[0]!, 'FAILED'), triple(CHAN, jobs[1]!, 'TERMINATED'), triple(CHAN, jobs[2]!, 'FAILED')].sort());
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);

    // About one poll per 1 s interval between the two, not two: the health record and the lease
    // keep the second replica from repeating a poll the first just made (gate: 0.8 interval, so at
    // most 1.25 a second). Counted over a fixed window, by arrival time at the simulator.
    const windowEnd = windowStart.at + RATE_WINDOW_MS;
    await until('the end of the rate window', () => Date.now() >= windowEnd + 100, RATE_WINDOW_MS + 1_000);
    const both = polls().filter((r) => r.at >= windowStart.at && r.at < windowEnd).length;
    const seconds = RATE_WINDOW_MS / 1000;
    expect(both).toBeLessThanOrEqual(Math.floor(seconds * 1.25) + 1);
    expect(both).toBeGreaterThanOrEqual(Math.floor(seconds / 2));

    // Kill one between two polls (its lease released, no delivery in flight), like a crash: SIGKILL.
    await until('a completed poll with the lease free', async () => {
      const last = polls().at(-1);
      return last !== undefined && Date.now() - last.at < 300 && (await withRedis((c) => c.exists(LEASE_KEY))) === 0;
    });
    // The victim is whichever replica made the last poll: the survivor must take the work over.
    const victim = lastPollAt(a) >= lastPollAt(b) ? a : b;
    const survivor = victim === a ? b : a;
    expect(lastPollAt(victim)).toBeGreaterThan(0);
    expect(await victim.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();

    sim.world.setStatus(LEAGUE, jobs[3]!.id, 'FAILED');
    sim.world.setStatus(LEAGUE, jobs[4]!.id, 'TERMINATED');
    await slack.waitForCalls('chat.postMessage', 5, 15_000);
    await morePolls(1);
    sim.world.setStatus(LEAGUE, jobs[5]!.id, 'FAILED');
    await slack.waitForCalls('chat.postMessage', 6, 10_000);
    const aloneStart = { at: Date.now(), polls: polls().length };
    await morePolls(2);
    expect(alertTriples(accepted())).toEqual(
      [
        triple(CHAN, jobs[0]!, 'FAILED'),
        triple(CHAN, jobs[1]!, 'TERMINATED'),
        triple(CHAN, jobs[2]!, 'FAILED'),
        triple(CHAN, jobs[3]!, 'FAILED'),
        triple(CHAN, jobs[4]!, 'TERMINATED'),
        triple(CHAN, jobs[5]!, 'FAILED'),
      ].sort(),
    );
    expect(slack.callsTo('chat.postMessage')).toHaveLength(6);
    // The survivor alone still polls about every interval.
    const aloneSeconds = (Date.now() - aloneStart.at) / 1000;
    expect(polls().length - aloneStart.polls).toBeLessThanOrEqual(Math.ceil(aloneSeconds / 0.8) + 1);

    // It was the survivor that polled and posted after the kill.
    expect(lastPollAt(survivor)).toBeGreaterThan(killedAt);
    expect(survivor.logs().some((l) => l.msg === 'alert posted' && Number(l.time) > killedAt)).toBe(true);
    expect((await survivor.stop()).code).toBe(0);
    for (const bot of [victim, survivor]) {
      expect(bot.logs().filter((l) => l.level >= 50), `${bot.name} logged errors`).toEqual([]);
    }
  });

  it('a replica killed in the middle of a poll is replaced once its lease expires; nothing is lost or repeated', async () => {
    const league = 'leagueReplicas02';
    const chan = 'C0REPLICAS2';
    const leaseKey = `${NAMESPACE}:atomic:lease:lease:league:${league}`;
    sim.world.addLeague(league);
    const job = { id: idFor(`${league}/slow`), jobName: 'slow', type: 'HFL', status: 'RUNNING', startTime: Date.now() - HOUR, roundId: 1 } satisfies JobInstance;
    sim.world.upsertInstance(league, job);
    const env = botEnv({ slack, ...secrets, sim, storeUrl: REDIS_URL!, leagues: { slow: league }, extra: { STORE_NAMESPACE: NAMESPACE, WATCH_LEASE_SECONDS: String(LEASE_SECONDS) } });
    const [a, b] = await Promise.all([
      startBotProcess(env, { name: 'replica-c', slack, signingSecret: secrets.signingSecret }),
      startBotProcess(env, { name: 'replica-d', slack, signingSecret: secrets.signingSecret }),
    ]);
    running.push(a, b);
    const sub = await a.command('watch slow', { channelId: chan });
    await slack.waitForResponses(1, { id: sub.responseId });
    const postsBefore = accepted().length;

    // Every poll now hangs for 8 s: catch the replica holding the lease mid-poll and SIGKILL it.
    sim.setLatency(8_000);
    let holder = '';
    await until('a replica holding the league lease', async () => {
      holder = (await withRedis((c) => c.get(leaseKey))) ?? '';
      return holder !== '';
    });
    const victim = holder.includes(`:${a.pid}:`) ? a : b;
    const survivor = victim === a ? b : a;
    expect(holder).toContain(`:${victim.pid}:`);
    await victim.kill();
    const killedAt = Date.now();
    sim.setLatency(0);
    sim.world.setStatus(league, job.id, 'FAILED');

    // The dead replica's lease blocks the survivor until it expires, then the failure is posted once.
    await until('the alert after takeover', () => accepted().length > postsBefore, (LEASE_SECONDS + 10) * 1000);
    const waited = Date.now() - killedAt;
    await new Promise((r) => setTimeout(r, 2_500));
    const alerts = accepted().slice(postsBefore);
    expect(alertTriples(alerts)).toEqual([triple(chan, job, 'FAILED')]);
    expect(waited).toBeLessThan((LEASE_SECONDS + 8) * 1000);
    expect(survivor.logs().some((l) => l.msg === 'alert posted' && Number(l.time) > killedAt)).toBe(true);
    expect((await survivor.stop()).code).toBe(0);
  });
});
