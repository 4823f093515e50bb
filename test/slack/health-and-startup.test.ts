/**
 * The edges of the process: the health route an orchestrator polls, and what an operator sees when
 * the bot cannot start (every missing or invalid variable named, no secret printed, non-zero exit).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/simulator/server.js';
import { startFakeSlack } from '../fakes/slack-api.js';
import { startHarness, type Harness } from '../helpers/bot-harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('GET /healthz', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ simulator: { seed: false } });
  });
  afterAll(async () => h?.close());

  it('answers 200 with a small JSON status, without a signature', async () => {
    const res = await fetch(`${h.baseUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000);
    expect(JSON.parse(text)).toMatchObject({ ok: true, mode: 'http', store: 'memory' });
    for (const secret of h.secrets) expect(text).not.toContain(secret);
    h.assertInvariants();
  });
});

describe('startBot against a Slack that rejects the token', () => {
  it('fails with a message naming SLACK_BOT_TOKEN, not the token', async () => {
    const slack = await startFakeSlack({ botToken: 'xoxb-the-right-token' });
    const sim = await startSimulator({ seed: false });
    const wrongToken = 'xoxb-wrong-0123456789-abcdefabcdef';
    const lines: string[] = [];
    try {
      const config = loadConfig({
        SLACK_BOT_TOKEN: wrongToken,
        SLACK_SIGNING_SECRET: 'a-signing-secret-for-this-test',
        SLACK_API_URL: slack.url,
        PORT: '0',
        STORE_URL: 'memory://',
        TICS_PROJECT_ID: sim.projectId,
        TICS_ENDPOINT: sim.url,
        CLOUD_SDK_AK: sim.credentials.ak,
        CLOUD_SDK_SK: sim.credentials.sk,
      });
      const logger = createLogger({ level: 'debug', secrets: [wrongToken], destination: { write: (l: string) => void lines.push(l) } });
      const started = startBot(config, { logger });
      await expect(started).rejects.toThrow(/auth\.test \(invalid_auth\)\. Check SLACK_BOT_TOKEN/);
      await started.catch((error: unknown) => expect(String(error)).not.toContain(wrongToken));
      expect(lines.join('')).not.toContain(wrongToken);
      expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
    } finally {
      await slack.close();
      await sim.close();
    }
  });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `src/main.ts` in a child process with exactly `env` (plus PATH), as an operator would start it. */
function runMain(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`src/main.ts did not exit within 15 s; stderr so far:\n${stderr}`));
    }, 15_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('starting without the Slack variables', () => {
  const SK = 'SkThatMustNeverBePrinted0000000000000001';
  const BAD_TOKEN = 'xoxp-a-user-token-0123456789abcdef';
  const SIGNING = 'signing-secret-that-must-stay-hidden';
  const ticsEnv = { TICS_PROJECT_ID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', CLOUD_SDK_AK: 'SOMEACCESSKEY0000001', CLOUD_SDK_SK: SK, STORE_URL: 'memory://' };
  let onlyTics: Promise<Exit>;
  let invalid: Promise<Exit>;

  beforeAll(() => {
    // Started together: each is a cold tsx start-up.
    onlyTics = runMain(ticsEnv);
    invalid = runMain({ ...ticsEnv, SLACK_BOT_TOKEN: BAD_TOKEN, SLACK_SIGNING_SECRET: SIGNING, SLACK_API_URL: 'not a url', PORT: 'eighty' });
    // Unobserved rejections would fail the run before a test awaits them.
    for (const p of [onlyTics, invalid]) p.catch(() => undefined);
  });

  it('exits non-zero and names every missing Slack variable, printing no secret', async () => {
    const exit = await onlyTics;
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(exit.stderr).toContain('tics-bot cannot start');
    expect(exit.stderr).toContain('SLACK_BOT_TOKEN is required');
    expect(exit.stderr).toContain('SLACK_SIGNING_SECRET is required');
    expect(exit.stderr + exit.stdout).not.toContain(SK);
    expect(exit.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains invalid values without echoing them', async () => {
    const exit = await invalid;
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain('SLACK_BOT_TOKEN must be a bot token starting with xoxb-');
    expect(exit.stderr).toContain('SLACK_API_URL');
    expect(exit.stderr).toContain('PORT must be a whole number');
    for (const secret of [BAD_TOKEN, SIGNING, SK]) expect(exit.stderr + exit.stdout).not.toContain(secret);
  });
});
