/**
 * Issue 8's incidents on two real processes sharing one Redis (one namespace, both watching, the
 * same simulator and fake Slack): one parent and one reply per failure between them, in order; an
 * acknowledgement pressed on one replica and a failure delivered by the other both on the parent;
 * and a replica SIGKILLed while it holds the channel's delivery lock, mid-incident, replaced by the
 * other once the lock expires (DELIVERY_LOCK_MS, 10 s) — nothing lost, no duplicate beyond the
 * documented post-before-record window.
 *
 * Needs REDIS_URL (CI sets it); skipped with a warning otherwise. Keys live under this run's own
 * STORE_NAMESPACE, wiped before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../../src/simulator/server.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { DELIVERY_LOCK_MS } from '../../../src/watch/deliver.js';
import { startFakeSlack, type FakeSlack, type SlackCall } from '../../fakes/slack-api.js';
import { buttons } from '../../helpers/bot-harness.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess, type Exit } from '../../helpers/bot-process.js';
import { wipeRedisNamespace } from '../../helpers/redis-namespace.js';
import { blockActionsBody, postToApp } from '../../helpers/slack-requests.js';
import { idFor } from '../integration/watch-harness.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) {
  console.warn('⚠ REDIS_URL is not set: the two-replica incident process test was SKIPPED (CI sets REDIS_URL=redis://127.0.0.1:6379/15).');
}

const NAMESPACE = `tics-bot-test-incident-replicas-${process.pid}-${Date.now().toString(36)}`;
const LEASE_SECONDS = 3;
const MINUTE = 60_000;
/** Measured: a failure is posted 0.5–2 s after it happens with both replicas up; ~4 s under load. */
const WAIT_MS = 20_000;
const ACKER = 'U0ACKER0001';

describe.skipIf(!REDIS_URL)('incidents on two processes sharing one Redis', () => {
  let sim: TicsSimulator;
  let slack: FakeSlack;
  let secrets: { botToken: string; signingSecret: string };
  const running: BotProcess[] = [];

  beforeAll(async () => {
    await wipeRedisNamespace(REDIS_URL!, NAMESPACE);
    sim = await startSimulator({ seed: false });
    secrets = newSlackSecrets();
    slack = await startFakeSlack({ botToken: secrets.botToken });
  });

  afterAll(async () => {
    // SIGKILL also ends a stopped (SIGSTOP) process.
    await Promise.all(running.map((p) => p.kill().catch(() => undefined)));
    await slack?.close();
    await sim?.close();
    await wipeRedisNamespace(REDIS_URL!, NAMESPACE);
  });

  function scenario(name: string, channel: string) {
    const league = `league${name}`.slice(0, 32);
    const jobName = `${name}-job`;
    sim.world.addLeague(league);
    sim.world.upsertInstance(league, { id: idFor(`${league}/other`), jobName: 'other-job', type: 'HFL', status: 'RUNNING', startTime: Date.now() - 60 * MINUTE, roundId: 1 });
    const env = botEnv({ slack, ...secrets, sim, storeUrl: REDIS_URL!, leagues: { [name]: league }, extra: { STORE_NAMESPACE: NAMESPACE, WATCH_LEASE_SECONDS: String(LEASE_SECONDS) } });
    const polls = () => sim.requests.filter((r) => r.leagueId === league && r.status === 200).length;
    const start = async (botName: string, extra: Record<string, string> = {}) => {
      const bot = await startBotProcess({ ...env, ...extra }, { name: botName, slack, signingSecret: secrets.signingSecret });
      running.push(bot);
      return bot;
    };
    const morePolls = (count: number) => {
      const target = polls() + count;
      return until(`${count} more polls of ${league}`, () => polls() >= target);
    };
    let runs = 0;
    /** A new run of the job, seen RUNNING by a poll, then FAILED: the job's next failure. */
    const failOnce = async (): Promise<JobInstance> => {
      runs += 1;
      const run: JobInstance = { id: idFor(`${league}/run-${runs}`), jobName, type: 'HFL', status: 'RUNNING', startTime: Date.now() - 30 * MINUTE + runs * 1_000, roundId: runs };
      sim.world.upsertInstance(league, run);
      await morePolls(2);
      sim.world.setStatus(league, run.id, 'FAILED');
      return run;
    };
    const accepted = () => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.response.ok === true);
    const parents = () => accepted().filter((c) => c.args.thread_ts === undefined);
    const replies = () => accepted().filter((c) => c.args.thread_ts !== undefined);
    const parent = (ts: string) => slack.message(channel, ts) ?? {};
    return { league, start, morePolls, failOnce, accepted, parents, replies, parent };
  }

  const failureNumber = (reply: SlackCall) => Number(/failure (\d+)\b/.exec(String(reply.args.text))?.[1] ?? NaN);
  const mentions = (call: SlackCall, run: JobInstance) => JSON.stringify(call.args).includes(run.id);
  const failures = (n: number) => `— ${n} failures since`;

  it('a job failing 4 times: 1 parent + 3 replies in order, each once; an ack on A and a failure delivered by B both show on the parent', async () => {
    const CHAN = 'C0INCREPL01';
    const s = scenario('increpa', CHAN);
    const [a, b] = await Promise.all([s.start('replica-a'), s.start('replica-b')]);
    const sub = await a.command('watch increpa', { channelId: CHAN });
    await slack.waitForResponses(1, { id: sub.responseId });

    const runs: JobInstance[] = [];
    for (let i = 1; i <= 3; i++) {
      runs.push(await s.failOnce());
      await until(`failure ${i} posted`, () => s.accepted().length >= i);
    }
    await s.morePolls(3);
    const [parentCall] = s.parents();
    expect(s.parents()).toHaveLength(1);
    const parentTs = String(parentCall!.response.ts);
    expect(mentions(parentCall!, runs[0]!)).toBe(true);
    expect(s.replies().map(failureNumber)).toEqual([2, 3]);
    expect(s.replies().map((r) => mentions(r, runs[s.replies().indexOf(r) + 1]!))).toEqual([true, true]);
    await until('the parent counting 3 failures', () => String(s.parent(parentTs).text).includes(failures(3)));

    // Acknowledge pressed on A, as Slack would send it: the parent as it stands, its button.
    const shown = s.parent(parentTs);
    const ack = buttons(shown).find((btn) => btn.actionId === 'incident_ack');
    expect(ack, JSON.stringify(shown)).toBeDefined();
    const body = blockActionsBody({
      actionId: ack!.actionId,
      ...(ack!.value === undefined ? {} : { value: ack!.value }),
      ...(ack!.blockId ? { blockId: ack!.blockId } : {}),
      userId: ACKER,
      channelId: CHAN,
      messageTs: parentTs,
      messageBlocks: Array.isArray(shown.blocks) ? shown.blocks : [],
      messageText: String(shown.text),
      responseUrl: slack.responseUrl(`ack-${parentTs}`),
    });
    expect((await postToApp(`http://127.0.0.1:${a.port}/slack/events`, body, { signingSecret: secrets.signingSecret })).status).toBe(200);
    await until('the acknowledgement on the parent', () => JSON.stringify(s.parent(parentTs)).includes(ACKER));
    await until('the ack line in the thread', () => s.replies().some((r) => JSON.stringify(r.args).includes(ACKER)));

    // A dies (SIGKILL, between two deliveries): the 4th failure can only be B's.
    expect(await a.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    const killedAt = Date.now();
    runs.push(await s.failOnce());
    await until('failure 4 posted by B', () => s.replies().some((r) => mentions(r, runs[3]!)));
    const tookMs = Date.now() - killedAt;
    await until('the parent counting 4 failures', () => String(s.parent(parentTs).text).includes(failures(4)));
    await s.morePolls(3);

    // Exactly once, in order: the parent, failure 2, failure 3, the ack, failure 4.
    expect(s.parents()).toHaveLength(1);
    const thread = s.replies();
    expect(thread.every((r) => r.args.thread_ts === parentTs)).toBe(true);
    expect(thread.map((r) => (JSON.stringify(r.args).includes(ACKER) ? 'ack' : failureNumber(r)))).toEqual([2, 3, 'ack', 4]);
    expect(thread.at(-1)!.args.text).toMatch(/failure 4\b/);
    expect(mentions(thread.at(-1)!, runs[3]!)).toBe(true);
    // Both on the parent: B's failure count, A's acknowledgement.
    const final = JSON.stringify(s.parent(parentTs));
    expect(final).toContain(ACKER);
    expect(String(s.parent(parentTs).text)).toContain(failures(4));
    // B polled and delivered after A was gone, within a few intervals (A held no lock at the kill).
    expect(tookMs).toBeLessThan(WAIT_MS);
    expect((await b.stop()).code).toBe(0);
    for (const bot of [a, b]) expect(bot.logs().filter((l) => l.level >= 50), `${bot.name} logged errors`).toEqual([]);
    // Measured 19–23 s alone, 33 s next to a CPU burner.
  }, 150_000);

  it('a replica SIGKILLed holding the delivery lock mid-incident: the other carries on once the lock expires, nothing lost, at most the documented duplicate', async () => {
    const CHAN = 'C0INCREPL02';
    const s = scenario('increpb', CHAN);
    // C dies right after Slack accepts a thread reply, before the incident records it: it holds
    // the channel's delivery lock (Redis, 10 s TTL) at that moment.
    const c = await s.start('replica-c', { TICS_BOT_CRASH_AT: 'after-thread-post' });
    const d = await s.start('replica-d');
    const sub = await c.command('watch increpb', { channelId: CHAN });
    await slack.waitForResponses(1, { id: sub.responseId });
    const run1 = await s.failOnce();
    await until('the parent', () => s.parents().length >= 1);
    const parentTs = String(s.parents()[0]!.response.ts);
    expect(mentions(s.parents()[0]!, run1)).toBe(true);

    // The next failure must be delivered by C: D is frozen (SIGSTOP) while it is, and thawed as
    // soon as C is dead. A frozen D holds nothing: it is stopped between cycles (no lock in Redis
    // is older than one lock TTL, and D is thawed well inside it).
    await s.morePolls(1);
    process.kill(d.pid, 'SIGSTOP');
    let cExit: Exit | undefined;
    let diedAt = 0;
    let run2: JobInstance;
    try {
      run2 = await s.failOnce();
      cExit = await Promise.race([c.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), WAIT_MS))]);
      diedAt = Date.now();
    } finally {
      process.kill(d.pid, 'SIGCONT');
    }
    expect(cExit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(s.replies()).toHaveLength(1);
    expect(failureNumber(s.replies()[0]!)).toBe(2);
    expect(mentions(s.replies()[0]!, run2)).toBe(true);

    // D takes the channel over once C's lock expires, and finishes the job: the reply (again, at
    // most once: the window), the incident record, the parent update.
    await until('the parent counting 2 failures', () => String(s.parent(parentTs).text).includes(failures(2)), DELIVERY_LOCK_MS + WAIT_MS);
    const carriedOnMs = Date.now() - diedAt;
    await s.morePolls(3);
    const second = s.replies().filter((r) => failureNumber(r) === 2);
    expect(second.length).toBeGreaterThanOrEqual(1);
    expect(second.length).toBeLessThanOrEqual(2);
    // Once the dead holder's lock expires, at D's next cycle (measured 10.0–10.1 s after the crash,
    // TTL 10 s from C's last renewal): the TTL plus wide headroom for a loaded machine.
    expect(carriedOnMs).toBeLessThan(DELIVERY_LOCK_MS + 10_000);

    // And it goes on, once each.
    const run3 = await s.failOnce();
    await until('the parent counting 3 failures', () => String(s.parent(parentTs).text).includes(failures(3)));
    await s.morePolls(3);
    expect(s.parents()).toHaveLength(1);
    expect(s.replies().filter((r) => mentions(r, run3))).toHaveLength(1);
    expect(s.replies().every((r) => r.args.thread_ts === parentTs)).toBe(true);
    expect(s.replies().map(failureNumber)).toEqual([...second.map(() => 2), 3]);
    expect(d.logs().filter((l) => l.level >= 50)).toEqual([]);
    expect((await d.stop()).code).toBe(0);
    console.info(`incident replicas: D carried on ${carriedOnMs} ms after C died holding the lock (TTL ${DELIVERY_LOCK_MS} ms); reply 2 posted ${second.length}×`);
    // Measured 28–31 s alone (one lock TTL of it waiting), 36 s next to a CPU burner.
  }, 150_000);

  async function until(what: string, ready: () => boolean, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
});
