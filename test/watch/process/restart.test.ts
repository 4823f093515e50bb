/**
 * The real process, restarted on the same SQLite file: what failed while it was down is alerted
 * exactly once when it comes back, and nothing is alerted again after a further restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../../src/simulator/server.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack-api.js';
import { allText } from '../../helpers/bot-harness.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess } from '../../helpers/bot-process.js';
import { alertTriples, idFor, triple } from '../integration/watch-harness.js';

const CHAN = 'C0RESTART01';
const LEAGUE = 'leagueRestart001';
const HOUR = 3_600_000;

let sim: TicsSimulator;
let slack: FakeSlack;
let dir: string;
let env: Record<string, string>;
let secrets: { botToken: string; signingSecret: string };
const running: BotProcess[] = [];

function put(name: string, status: string, ageHours: number): JobInstance {
  const startTime = Date.now() - ageHours * HOUR;
  const instance: JobInstance = {
    id: idFor(`${LEAGUE}/${name}`),
    jobName: name,
    type: 'VFL_TRAIN',
    status,
    startTime,
    roundId: 2,
    ...(['FAILED', 'TERMINATED', 'SUCCEEDED'].includes(status) ? { endTime: startTime + 60_000 } : {}),
  };
  sim.world.upsertInstance(LEAGUE, instance);
  return instance;
}

const pollsOf = (league: string) => sim.requests.filter((r) => r.leagueId === league && r.status === 200).length;

/** Resolves once the simulator has answered `count` more successful polls of the league. */
async function polls(count: number, timeoutMs = 10_000): Promise<void> {
  const target = pollsOf(LEAGUE) + count;
  const deadline = Date.now() + timeoutMs;
  while (pollsOf(LEAGUE) < target) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} polls of ${LEAGUE} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(name: string): Promise<BotProcess> {
  const bot = await startBotProcess(env, { name, slack, signingSecret: secrets.signingSecret });
  running.push(bot);
  return bot;
}

const accepted = () => slack.callsTo('chat.postMessage').filter((c) => c.response.ok === true);

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  secrets = newSlackSecrets();
  slack = await startFakeSlack({ botToken: secrets.botToken });
  dir = mkdtempSync(join(tmpdir(), 'tics-bot-restart-'));
  sim.world.addLeague(LEAGUE);
  env = botEnv({ slack, ...secrets, sim, storeUrl: `sqlite://${join(dir, 'bot.sqlite')}`, leagues: { restart: LEAGUE } });
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.kill().catch(() => undefined)));
  await slack?.close();
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('alerts what changed while it was down exactly once after a restart, and never again after another', async () => {
  const oldFailure = put('old-failure', 'FAILED', 6);
  const jobs = [put('job-a', 'RUNNING', 3), put('job-b', 'RUNNING', 2.5), put('job-c', 'RUNNING', 2)];

  // First life: subscribe, see one live failure.
  const first = await start('first');
  const sub = await first.command('watch restart', { channelId: CHAN });
  expect(sub.status).toBe(200);
  const [confirmation] = await slack.waitForResponses(1, { id: sub.responseId });
  expect(confirmation!.body.text).toMatch(/^Watching restart: alerts on FAILED, TERMINATED from .+\. 4 instances known now \(3 still running\)\.$/);
  sim.world.setStatus(LEAGUE, jobs[0]!.id, 'FAILED');
  await slack.waitForCalls('chat.postMessage', 1, 10_000);
  expect(alertTriples(accepted())).toEqual([triple(CHAN, jobs[0]!, 'FAILED')]);

  const stopped = await first.stop();
  expect(stopped).toEqual({ code: 0, signal: null });
  expect(first.logs().some((l) => l.msg === 'shutting down')).toBe(true);

  // Downtime: two known jobs end, and a job nobody saw starts and fails.
  sim.world.setStatus(LEAGUE, jobs[1]!.id, 'FAILED');
  sim.world.setStatus(LEAGUE, jobs[2]!.id, 'TERMINATED');
  const unseen = put('flash-while-down', 'FAILED', 0.5);

  const second = await start('second');
  await slack.waitForCalls('chat.postMessage', 4, 10_000);
  // More polls: still exactly those.
  await polls(2);
  const afterSecond = accepted();
  expect(alertTriples(afterSecond)).toEqual(
    [triple(CHAN, jobs[0]!, 'FAILED'), triple(CHAN, jobs[1]!, 'FAILED'), triple(CHAN, jobs[2]!, 'TERMINATED'), triple(CHAN, unseen, 'FAILED')].sort(),
  );
  expect(slack.callsTo('chat.postMessage')).toHaveLength(4);
  const unseenAlert = afterSecond.find((c) => allText(c.args).includes(unseen.id))!;
  expect(allText(unseenAlert.args)).toContain('first seen already `FAILED`');
  const knownAlert = afterSecond.find((c) => allText(c.args).includes(jobs[1]!.id))!;
  expect(allText(knownAlert.args)).toContain('was `RUNNING`');
  expect(alertTriples(afterSecond).join()).not.toContain(oldFailure.id);
  expect((await second.stop()).code).toBe(0);

  // Third life on the same file: nothing is news.
  const third = await start('third');
  await polls(2);
  expect(slack.callsTo('chat.postMessage')).toHaveLength(4);
  // And it is still watching: a new failure is alerted, once.
  const late = put('after-restarts', 'RUNNING', 0.2);
  await polls(1);
  sim.world.setStatus(LEAGUE, late.id, 'TERMINATED');
  await slack.waitForCalls('chat.postMessage', 5, 10_000);
  await polls(1);
  expect(alertTriples(accepted().slice(4))).toEqual([triple(CHAN, late, 'TERMINATED')]);
  expect(slack.callsTo('chat.postMessage')).toHaveLength(5);
  expect((await third.stop()).code).toBe(0);

  for (const bot of [first, second, third]) {
    expect(bot.logs().filter((l) => l.level >= 50), `${bot.name} logged errors`).toEqual([]);
    expect(bot.output()).not.toContain(secrets.botToken);
    expect(bot.output()).not.toContain(sim.credentials.sk);
  }
});

it('after a crash (SIGKILL) in the middle of a poll, the restarted process polls again at once and alerts what it missed, once', async () => {
  const CRASH_LEAGUE = 'leagueCrash00002';
  const CRASH_CHAN = 'C0CRASHED02';
  sim.world.addLeague(CRASH_LEAGUE);
  const at = (name: string, status: string): JobInstance => {
    const instance: JobInstance = { id: idFor(`${CRASH_LEAGUE}/${name}`), jobName: name, type: 'SQL', status, startTime: Date.now() - HOUR };
    sim.world.upsertInstance(CRASH_LEAGUE, instance);
    return instance;
  };
  const job = at('crash-job', 'RUNNING');
  const crashEnv = { ...env, STORE_URL: `sqlite://${join(dir, 'crash.sqlite')}`, TICS_LEAGUES: `crash=${CRASH_LEAGUE}`, TICS_TIMEOUT_MS: '20000' };
  const before = slack.callsTo('chat.postMessage').length;
  const crashPolls = () => sim.requests.filter((r) => r.leagueId === CRASH_LEAGUE);

  const doomed = await startBotProcess(crashEnv, { name: 'doomed', slack, signingSecret: secrets.signingSecret });
  running.push(doomed);
  const sub = await doomed.command('watch crash', { channelId: CRASH_CHAN });
  await slack.waitForResponses(1, { id: sub.responseId });

  // TICS turns slow: the next poll hangs, holding the league's lease, and the process dies in it.
  sim.setLatency(30_000);
  const inFlight = crashPolls().length;
  const deadline = Date.now() + 10_000;
  while (crashPolls().length === inFlight && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(crashPolls().at(-1)?.status).toBe(0);
  expect(await doomed.kill()).toEqual({ code: null, signal: 'SIGKILL' });
  sim.setLatency(0);
  sim.world.setStatus(CRASH_LEAGUE, job.id, 'FAILED');

  const revived = await startBotProcess(crashEnv, { name: 'revived', slack, signingSecret: secrets.signingSecret });
  running.push(revived);
  // Within a few intervals, not after the dead process's lease ttl (two minutes).
  await slack.waitForCalls('chat.postMessage', before + 1, 8_000);
  const settled = crashPolls().filter((r) => r.status === 200).length;
  while (crashPolls().filter((r) => r.status === 200).length < settled + 2) await new Promise((r) => setTimeout(r, 25));
  const mine = slack.callsTo('chat.postMessage').slice(before);
  expect(alertTriples(mine)).toEqual([triple(CRASH_CHAN, job, 'FAILED')]);
  expect((await revived.stop()).code).toBe(0);
});
