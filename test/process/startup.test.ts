/**
 * What an operator sees when the built bot cannot start: every missing or invalid variable named,
 * no secret printed, a non-zero exit.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { deploymentNodeFlags } from '../helpers/bot-process.js';
import { trackChild } from '../helpers/children.js';
import { recordOutput, recordSecrets } from '../helpers/leak-record.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// A configuration error exits in ≈ 0.5 s (2-core machine, other core busy); the rest is headroom.
const EXIT_WITHIN_MS = 15_000;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built `dist/main.js` in a child process with exactly `env` (plus PATH), as an operator would start it. */
function runMain(env: Record<string, string>): Promise<Exit> {
  recordSecrets('startup.test', env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...deploymentNodeFlags(), 'dist/main.js'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dist/main.js did not exit within ${EXIT_WITHIN_MS} ms; stderr so far:\n${stderr}`));
    }, EXIT_WITHIN_MS);
    child.on('error', reject);
    // 'close', not 'exit': 'exit' can come before the last stderr chunk has been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      recordOutput('startup.test stdout', stdout);
      recordOutput('startup.test stderr', stderr);
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
    onlyTics = runMain(ticsEnv);
    invalid = runMain({ ...ticsEnv, SLACK_BOT_TOKEN: BAD_TOKEN, SLACK_SIGNING_SECRET: SIGNING, SLACK_API_URL: 'not a url', PORT: 'eighty' });
    // Unobserved rejections would fail the run before a test awaits them.
    for (const p of [onlyTics, invalid]) p.catch(() => undefined);
    // Both must have exited before the first test ends: the project's afterEach kills every child
    // still running, and under load the second one was killed mid-start (code null, no stderr).
    return Promise.allSettled([onlyTics, invalid]).then(() => undefined);
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
