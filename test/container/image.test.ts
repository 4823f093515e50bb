/**
 * The built image, run by Docker the way a deployment runs it: host network, configured only
 * through its environment, talking to the TICS simulator and the fake Slack that live in this test
 * process on 127.0.0.1. Runs only when TICS_BOT_IMAGE names an image (`.ci/run` builds
 * `tics-bot:ci` and sets it); skipped with a printed reason otherwise.
 */
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import type { JobInstance } from '../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { allText, fillLeague, shownInstanceIds } from '../helpers/bot-harness.js';
import { botEnv, deploymentNodeFlags, newSlackSecrets } from '../helpers/bot-process.js';
import { postToApp, slashCommandBody } from '../helpers/slack-requests.js';
import { alertTriples, idFor, triple } from '../watch/integration/watch-harness.js';
import { containerLogs, containerState, docker, DockerScope, tail, waitForState } from './docker.js';

const IMAGE = process.env.TICS_BOT_IMAGE;
if (!IMAGE) {
  console.warn('⚠ TICS_BOT_IMAGE is not set: the container tests were SKIPPED (.ci/run builds tics-bot:ci and sets TICS_BOT_IMAGE=tics-bot:ci).');
}

const HISTORY = 'leagueDocker0001';
const WATCHED = 'leagueDocker0002';
const CHAN = 'C0DOCKER001';
const HOUR = 3_600_000;
/** What the image's own HEALTHCHECK would take (30 s interval) is too slow for a test; 1 s is not. */
const HEALTH = { intervalSeconds: 1, startPeriodSeconds: 60 };

/**
 * Measured on 2 cores with a load average of 7-8 (other test suites and a compiler running):
 * `docker run` to healthy 8.0-12.3 s (of which node's start to "tics-bot is up" 8.3 s), a reply
 * 0.2 s, an alert 0.9 s, `docker restart` 0.4 s plus 6.8 s to healthy, `docker stop` 0.3 s, whole
 * tests 10-21 s. Each bound is 3x that or more; a hung `docker stop -t 15` takes 15 s by design.
 */
const TIMEOUTS = {
  healthy: 40_000,
  reply: 10_000,
  dockerStop: 30_000,
  hook: 30_000,
};
const TEST_TIMEOUT = { history: 45_000, restart: 75_000, stop: 50_000, readOnly: 50_000 };

/** A port free on the host right now: with host networking the container binds the host's ports. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe.skipIf(!IMAGE)(`the image ${IMAGE ?? ''}`, () => {
  const scope = new DockerScope(`tics-bot-test-${process.pid}`);
  let sim: TicsSimulator;
  let slack: FakeSlack;
  let secrets: { botToken: string; signingSecret: string };
  let seq = 0;

  beforeAll(async () => {
    // Fail here, once, with the reason, rather than in every test.
    await docker(['image', 'inspect', IMAGE!]);
    sim = await startSimulator({ seed: false });
    secrets = newSlackSecrets();
    slack = await startFakeSlack({ botToken: secrets.botToken });
    fillLeague(sim.world, HISTORY, 14, Date.now(), (i) => ({ jobName: `docker-job-${i}`, status: i === 2 ? 'FAILED' : 'SUCCEEDED' }));
    sim.world.addLeague(WATCHED);
  }, TIMEOUTS.hook);

  afterEach(async () => {
    await scope.removeContainers();
  }, TIMEOUTS.hook);

  afterAll(async () => {
    await scope.removeContainers();
    await scope.removeVolumes();
    await slack?.close();
    await sim?.close();
  }, TIMEOUTS.hook);

  interface Started {
    name: string;
    port: number;
    /** A signed `/tics` command as Slack sends it; resolves with the reply posted to response_url. */
    command(text: string): Promise<{ status: number; reply: Record<string, unknown> }>;
  }

  /** Starts the image against the fakes and waits for Docker to call it healthy. */
  async function start(what: string, opts: { volume?: string; readOnly?: boolean } = {}): Promise<Started> {
    const port = await freePort();
    const env = botEnv({ slack, ...secrets, sim, storeUrl: '', leagues: { hist: HISTORY, watched: WATCHED }, extra: { PORT: String(port) } });
    // The image's own STORE_URL (SQLite on /data) is part of what is under test.
    delete env.STORE_URL;
    const name = await scope.run(what, {
      image: IMAGE!,
      env,
      health: HEALTH,
      ...(opts.volume ? { volumes: { [opts.volume]: '/data' } } : {}),
      ...(opts.readOnly ? { readOnly: true, tmpfs: ['/tmp'] } : {}),
    });
    await waitForState(name, 'healthy', (s) => s.Health?.Status === 'healthy', TIMEOUTS.healthy);
    return {
      name,
      port,
      async command(text) {
        const id = `${name}-${++seq}`;
        const body = slashCommandBody({ text, responseUrl: slack.responseUrl(id), channelId: CHAN });
        const res = await postToApp(`http://127.0.0.1:${port}/slack/events`, body, { signingSecret: secrets.signingSecret });
        if (res.status !== 200) return { status: res.status, reply: {} };
        const [reply] = await slack.waitForResponses(1, { id, timeoutMs: TIMEOUTS.reply });
        return { status: res.status, reply: reply!.body };
      },
    };
  }

  /** Parsed pino lines of every run of the container; non-JSON lines are returned as text. */
  async function logLines(name: string): Promise<{ json: Array<Record<string, unknown>>; raw: string }> {
    const raw = await containerLogs(name);
    const json: Array<Record<string, unknown>> = [];
    for (const line of raw.split('\n')) {
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null) json.push(parsed as Record<string, unknown>);
      } catch {
        // Not a log line.
      }
    }
    return { json, raw };
  }

  async function expectCleanLogs(name: string): Promise<void> {
    const { json, raw } = await logLines(name);
    expect(json.filter((l) => Number(l.level) >= 50), `${name} logged errors:\n${tail(raw)}`).toEqual([]);
    expect(raw).not.toContain(secrets.botToken);
    expect(raw).not.toContain(secrets.signingSecret);
    expect(raw).not.toContain(sim.credentials.sk);
  }

  it(
    'becomes healthy by its own HEALTHCHECK, runs as uid 1000 and answers a signed /tics history',
    async () => {
      const bot = await start('history');

      // PID 1 is node itself (exec-form CMD), and it runs as the image's unprivileged user.
      const status = (await docker(['exec', bot.name, 'cat', '/proc/1/status'])).stdout;
      expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1)).toEqual(['1000', '1000']);
      expect((await docker(['exec', bot.name, 'cat', '/proc/1/cmdline'])).stdout.split('\0').filter(Boolean)).toEqual(['node', ...deploymentNodeFlags(), 'dist/main.js']);

      const { status: httpStatus, reply } = await bot.command('history hist');
      expect(httpStatus).toBe(200);
      expect(reply.response_type).toBe('ephemeral');
      expect(shownInstanceIds(reply)).toEqual(sim.world.instances(HISTORY).slice(0, 10).map((i) => i.id));
      expect(allText(reply)).toContain('*14 instances*  ·  page 1 of 2');

      // The signing secret reached the container: a request signed with another one is refused.
      const forged = await postToApp(`http://127.0.0.1:${bot.port}/slack/events`, slashCommandBody({ text: 'history hist', responseUrl: slack.responseUrl('forged') }), {
        signingSecret: 'not-the-secret',
      });
      expect(forged.status).toBe(401);
      await expectCleanLogs(bot.name);
    },
    TEST_TIMEOUT.history,
  );

  it(
    'keeps a /tics watch on its /data volume across docker restart, and alerts after it',
    async () => {
      const volume = await scope.createVolume('data');
      const started = Date.now();
      const job: JobInstance = { id: idFor(`${WATCHED}/restart-job`), jobName: 'restart-job', type: 'HFL', status: 'RUNNING', startTime: started - HOUR, roundId: 4 };
      sim.world.upsertInstance(WATCHED, job);

      const bot = await start('restart', { volume });
      const sub = await bot.command('watch watched');
      expect(sub.reply.text).toMatch(/^Watching watched: .* 1 instance known now \(1 still running\)\.$/);
      // A fresh named volume takes /data's ownership from the image: the app user can write there.
      expect((await docker(['exec', bot.name, 'stat', '-c', '%u', '/data/tics-bot.sqlite'])).stdout.trim()).toBe('1000');

      const before = await containerState(bot.name);
      await docker(['restart', '-t', '15', bot.name], { timeoutMs: TIMEOUTS.dockerStop });
      await waitForState(bot.name, 'healthy after the restart', (s) => s.StartedAt !== before.StartedAt && s.Health?.Status === 'healthy', TIMEOUTS.healthy);
      const { json } = await logLines(bot.name);
      expect(json.filter((l) => l.msg === 'tics-bot is up')).toHaveLength(2);
      expect(json.some((l) => l.msg === 'shutting down')).toBe(true);

      const listed = await bot.command('watches');
      expect(listed.reply.text).toBe('1 watch in this channel.');
      expect(allText(listed.reply)).toContain('watched');

      const posted = slack.callsTo('chat.postMessage').length;
      sim.world.setStatus(WATCHED, job.id, 'FAILED');
      await slack.waitForCalls('chat.postMessage', posted + 1, TIMEOUTS.reply);
      const alerts = slack.callsTo('chat.postMessage').slice(posted);
      expect(alertTriples(alerts.filter((c) => c.response.ok === true))).toEqual([triple(CHAN, job, 'FAILED')]);
      await expectCleanLogs(bot.name);
    },
    TEST_TIMEOUT.restart,
  );

  it(
    'stops on docker stop with exit code 0 within 10 s',
    async () => {
      const bot = await start('stop');
      const stopped = await docker(['stop', '-t', '15', bot.name], { timeoutMs: TIMEOUTS.dockerStop });
      const state = await containerState(bot.name);
      expect(state.Status).toBe('exited');
      expect(state.ExitCode).toBe(0);
      expect(stopped.elapsedMs).toBeLessThan(10_000);
      const { json } = await logLines(bot.name);
      expect(json.some((l) => l.msg === 'signal received' && l.signal === 'SIGTERM')).toBe(true);
      await expectCleanLogs(bot.name);
    },
    TEST_TIMEOUT.stop,
  );

  it(
    'runs on a read-only root file system with /data on a volume and a tmpfs /tmp',
    async () => {
      const volume = await scope.createVolume('readonly');
      const bot = await start('readonly', { volume, readOnly: true });
      const touched = await docker(['exec', bot.name, 'touch', '/app/written'], { allowFailure: true });
      expect(touched.code, 'the root file system really is read-only').not.toBe(0);
      expect(touched.stderr).toMatch(/Read-only file system/);

      const history = await bot.command('history hist');
      expect(shownInstanceIds(history.reply)).toHaveLength(10);
      // A subscription is a store write: SQLite (with its WAL files) works on the volume.
      const sub = await bot.command('watch watched');
      expect(sub.reply.text).toMatch(/^(Watching|Updated watch) watched: /);
      expect((await bot.command('watches')).reply.text).toBe('1 watch in this channel.');
      await expectCleanLogs(bot.name);
    },
    TEST_TIMEOUT.readOnly,
  );
});
