/**
 * The real process killed at exactly the moments that matter (TICS_BOT_CRASH_AT, a test-only switch
 * that makes the bot SIGKILL itself there), then restarted on the same SQLite file without it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../../src/simulator/server.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-api.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess } from '../../helpers/bot-process.js';
import { alertTriples, idFor, triple } from '../integration/watch-harness.js';

const HOUR = 3_600_000;

let sim: TicsSimulator;
let slack: FakeSlack;
let dir: string;
let secrets: { botToken: string; signingSecret: string };
const running: BotProcess[] = [];

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  secrets = newSlackSecrets();
  slack = await startFakeSlack({ botToken: secrets.botToken });
  dir = mkdtempSync(join(tmpdir(), 'tics-bot-crash-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill().catch(() => undefined)));
});

afterAll(async () => {
  await slack?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A league with one RUNNING job, a bot env on its own SQLite file, and a poll counter. */
function scenario(name: string) {
  const league = `league${name}`.slice(0, 32);
  sim.world.addLeague(league);
  const job: JobInstance = { id: idFor(`${league}/job`), jobName: `${name}-job`, type: 'VFL_TRAIN', status: 'RUNNING', startTime: Date.now() - HOUR, roundId: 1 };
  sim.world.upsertInstance(league, job);
  const env = botEnv({ slack, ...secrets, sim, storeUrl: `sqlite://${join(dir, `${name}.sqlite`)}`, leagues: { [name]: league } });
  const polls = () => sim.requests.filter((r) => r.leagueId === league && r.status === 200).length;
  const start = async (botName: string, extra: Record<string, string> = {}) => {
    const bot = await startBotProcess({ ...env, ...extra }, { name: botName, slack, signingSecret: secrets.signingSecret });
    running.push(bot);
    return bot;
  };
  /** Resolves once the simulator answered `count` more polls of the league. */
  const morePolls = async (count: number, timeoutMs = 10_000) => {
    const target = polls() + count;
    const deadline = Date.now() + timeoutMs;
    while (polls() < target) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} polls of ${league} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { league, job, start, morePolls };
}

const postsTo = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.response.ok === true);

it('a kill right after the alert is claimed loses nothing: the restarted process alerts it exactly once', async () => {
  const CHAN = 'C0CRASHCLM1';
  const s = scenario('claimcrash');
  const doomed = await s.start('doomed', { TICS_BOT_CRASH_AT: 'after-claim' });
  const sub = await doomed.command('watch claimcrash', { channelId: CHAN });
  await slack.waitForResponses(1, { id: sub.responseId });

  sim.world.setStatus(s.league, s.job.id, 'FAILED');
  // It dies by its own hand at the crash point, before anything was posted.
  expect(await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('still alive'), 10_000))])).toEqual({ code: null, signal: 'SIGKILL' });
  expect(postsTo(CHAN)).toEqual([]);

  const revived = await s.start('revived');
  // Measured: the alert lands 0.35 s after the restarted process is up (interval 1 s); 10 s is ample.
  await waitFor(() => postsTo(CHAN).length >= 1, 10_000, () => `no alert after the restart; revived output:\n${revived.output().slice(-3_000)}`);
  // And it stays one: several more polls see the same FAILED job, already recorded.
  await s.morePolls(3);
  expect(alertTriples(postsTo(CHAN))).toEqual([triple(CHAN, s.job, 'FAILED')]);
  expect((await revived.stop()).code).toBe(0);
});

// A plain alert (a status outside incidents): failures' parents have their own crash points,
// killed in incident-crashes.test.ts.
it('a kill right after Slack accepted a post, before it is marked sent, re-posts it once: the documented duplicate window, and only that', async () => {
  const CHAN = 'C0CRASHPST2';
  const s = scenario('postcrash');
  const doomed = await s.start('doomed', { TICS_BOT_CRASH_AT: 'after-post' });
  const sub = await doomed.command('watch postcrash on:succeeded', { channelId: CHAN });
  await slack.waitForResponses(1, { id: sub.responseId });

  sim.world.setStatus(s.league, s.job.id, 'SUCCEEDED');
  expect(await Promise.race([doomed.exited, new Promise((r) => setTimeout(() => r('still alive'), 10_000))])).toEqual({ code: null, signal: 'SIGKILL' });
  // Slack has it; the store still says pending.
  expect(alertTriples(postsTo(CHAN))).toEqual([triple(CHAN, s.job, 'SUCCEEDED')]);

  const revived = await s.start('revived');
  // No delivery lock outlives the crash (SQLite keeps them in the process): measured 0.1–0.3 s after the restart is up.
  await waitFor(() => postsTo(CHAN).length >= 2, 10_000, () => `no re-post after the restart; revived output:\n${revived.output().slice(-3_000)}`);
  await s.morePolls(3);
  // Exactly one duplicate, of that alert: posted twice, never a third time.
  expect(alertTriples(postsTo(CHAN))).toEqual([triple(CHAN, s.job, 'SUCCEEDED'), triple(CHAN, s.job, 'SUCCEEDED')]);
  expect((await revived.stop()).code).toBe(0);
});

async function waitFor(done: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((r) => setTimeout(r, 25));
  }
}
