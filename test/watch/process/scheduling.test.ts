/**
 * The real process's poll loop schedules leagues independently: a league whose TICS answer is
 * slower than the client's timeout delays only itself, never the alerts of the healthy ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../../src/simulator/server.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-api.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess } from '../../helpers/bot-process.js';
import { alertTriples, idFor, triple } from '../integration/watch-harness.js';

const SLOW = 'leagueSlowTics001';
const FAST = 'leagueFastTics002';
const CHAN_FAST = 'C0FASTLEAG1';
const CHAN_SLOW = 'C0SLOWLEAG2';
const TIMEOUT_MS = 8_000;

let sim: TicsSimulator;
let slack: FakeSlack;
let dir: string;
let secrets: { botToken: string; signingSecret: string };
let bot: BotProcess | undefined;

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  secrets = newSlackSecrets();
  slack = await startFakeSlack({ botToken: secrets.botToken });
  dir = mkdtempSync(join(tmpdir(), 'tics-bot-sched-'));
});

afterAll(async () => {
  await bot?.kill().catch(() => undefined);
  await slack?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a league whose TICS answers hang past the timeout does not hold up the alerts of another', async () => {
  const job = (league: string): JobInstance => {
    const instance: JobInstance = { id: idFor(`${league}/job`), jobName: `${league}-job`, type: 'SQL', status: 'RUNNING', startTime: Date.now() - 3_600_000 };
    sim.world.addLeague(league);
    sim.world.upsertInstance(league, instance);
    return instance;
  };
  const fastJob = job(FAST);
  const slowJob = job(SLOW);
  const env = botEnv({
    slack,
    ...secrets,
    sim,
    storeUrl: `sqlite://${join(dir, 'bot.sqlite')}`,
    leagues: { fast: FAST, slow: SLOW },
    extra: { TICS_TIMEOUT_MS: String(TIMEOUT_MS) },
  });
  bot = await startBotProcess(env, { name: 'sched', slack, signingSecret: secrets.signingSecret });
  for (const [alias, channel] of [['fast', CHAN_FAST], ['slow', CHAN_SLOW]] as const) {
    const sub = await bot.command(`watch ${alias}`, { channelId: channel });
    await slack.waitForResponses(1, { id: sub.responseId });
  }

  // From now on every answer for the slow league takes longer than the client waits.
  sim.injectFault({ kind: 'latency', ms: TIMEOUT_MS + 5_000 }, { leagueId: SLOW, times: 100 });
  const hangs = () => sim.requests.filter((r) => r.leagueId === SLOW && r.status === 0).length;
  const deadline = Date.now() + 10_000;
  while (hangs() === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(hangs(), 'the slow league was never polled').toBeGreaterThan(0);

  sim.world.setStatus(FAST, fastJob.id, 'FAILED');
  sim.world.setStatus(SLOW, slowJob.id, 'FAILED');
  const changedAt = Date.now();
  const [alert] = await slack.waitForCalls('chat.postMessage', 1, 2 * TIMEOUT_MS);
  const tookMs = alert!.at - changedAt;
  // Measured ≈ 1 s (interval 1 s). Held up by the hung poll, it would take the rest of its 8 s timeout.
  expect(tookMs).toBeLessThan(TIMEOUT_MS / 2);
  expect(alertTriples([alert!])).toEqual([triple(CHAN_FAST, fastJob, 'FAILED')]);

  // And the slow league is not forgotten: once TICS answers in time again, its alert comes too.
  sim.clearFaults();
  await slack.waitForCalls('chat.postMessage', 2, 4 * TIMEOUT_MS);
  expect(alertTriples(slack.callsTo('chat.postMessage').filter((c) => c.response.ok === true))).toEqual([triple(CHAN_FAST, fastJob, 'FAILED'), triple(CHAN_SLOW, slowJob, 'FAILED')].sort());
  expect((await bot.stop()).code).toBe(0);
});
