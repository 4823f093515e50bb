/**
 * The CLI as a newcomer runs it: a real child process, real HTTP to a simulator. The README's quick
 * start (`npm run cli`, which runs the TypeScript through tsx) is run as such once; the other cases
 * run the built `dist/cli/main.js`, the same code without a transpile per start.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { trackChild } from '../helpers/children.js';
import { recordOutput, recordSecrets } from '../helpers/leak-record.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = ['dist/cli/main.js'];
const QUICK_START = ['--import', 'tsx', 'src/cli/main.ts'];
// Measured ≈ 1 s built and ≈ 4 s through tsx on a 2-core machine with the other core busy.
const CLI_EXIT_MS = 30_000;

function cli(args: string[], env: Record<string, string> = {}, entry = BUILT): Promise<{ code: number; stdout: string; stderr: string }> {
  recordSecrets('cli.test', env);
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...entry, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, timeout: CLI_EXIT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
        recordOutput('cli.test stdout', stdout);
        recordOutput('cli.test stderr', stderr);
        resolve({ code, stdout, stderr });
      },
    );
    trackChild(child);
  });
}

let sim: TicsSimulator;
const T0 = Date.parse('2026-11-01T00:00:00Z');
beforeAll(async () => {
  // A still world: the seeded one starts new jobs as time passes, which would race the assertions.
  sim = await startSimulator({ seed: false });
  sim.world.addLeague('demoCreditRisk01');
  sim.world.addLeague('jointLeague01', { name: 'Joint Lab', type: 'PARTNER', partners: 4 });
  for (let i = 0; i < 30; i++) {
    sim.world.upsertInstance(
      'demoCreditRisk01',
      { id: `inst${i}`, jobName: `信用评分-${i % 3}`, type: 'VFL_TRAIN', status: i % 7 === 0 ? 'FAILED' : 'SUCCEEDED', startTime: T0 + i * 60_000, endTime: T0 + i * 60_000 + 30_000 },
      { jobId: `job${i % 3}` },
    );
  }
});
afterAll(async () => {
  await sim.close();
});

const envFor = (s: TicsSimulator, overrides: Record<string, string> = {}) => ({
  TICS_ENDPOINT: s.url,
  TICS_PROJECT_ID: s.projectId,
  CLOUD_SDK_AK: s.credentials.ak,
  CLOUD_SDK_SK: s.credentials.sk,
  TICS_LEAGUES: 'credit=demoCreditRisk01',
  ...overrides,
});

describe('npm run cli -- history', () => {
  it('with --simulator and zero configuration prints a readable table', async () => {
    const { code, stdout, stderr } = await cli(['history', 'credit-risk', 'limit:5', '--simulator'], {}, QUICK_START);
    expect(stderr).toContain('built-in TICS simulator');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    // The league's real name (ShowLeague), then its alias and id.
    expect(lines[0]).toMatch(/^League 信用风控联盟 Credit Risk Alliance \(credit-risk, demoCreditRisk01\) — \d+ instances, page 1 of \d+/);
    expect(lines[1]).toMatch(/^STATUS\s+JOB\s+TYPE\s+STARTED \(UTC\)\s+DURATION\s+ROUNDS\s+PARTNER\s+INSTANCE$/);
    expect(lines.filter((l) => /^[A-Z]+\s{2,}/.test(l) && !l.startsWith('STATUS'))).toHaveLength(5);
    expect(stdout).toContain('next page: --offset 5');
  });

  it('reads real-TICS configuration from the environment, with aliases, job filter and --json', async () => {
    const league = sim.world.instances('demoCreditRisk01');
    const jobId = 'job1';
    const { code, stdout } = await cli(['history', 'credit', `job:${jobId}`, '--json'], envFor(sim));
    expect(code).toBe(0);
    const page = JSON.parse(stdout) as { league: { id: string; alias: string; name: string }; total: number; instances: Array<{ id: string }> };
    // The simulator's league is named after its id.
    expect(page.league).toEqual({ id: 'demoCreditRisk01', alias: 'credit', name: 'demoCreditRisk01' });
    const expected = league.filter((i) => sim.world.jobIdOf('demoCreditRisk01', i.id) === jobId);
    expect(expected).toHaveLength(10);
    expect(page.total).toBe(expected.length);
    expect(page.instances.map((i) => i.id).sort()).toEqual(expected.slice(0, 10).map((i) => i.id).sort());
  });

  it('on an authentication failure says which credential was used and what the gateway answered — never the secret', async () => {
    const { code, stderr, stdout } = await cli(['history', 'credit'], envFor(sim, { CLOUD_SDK_SK: 'definitely-the-wrong-secret-key' }));
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('Authentication failed');
    expect(stderr).toMatch(/credential used: AK\/SK signing \(access key SIMU…\w+\)/);
    expect(stderr).toMatch(/gateway answered: HTTP 401, APIGW\.0301, ".+", request id [0-9a-f]{32}/);
    expect(stderr).not.toContain('definitely-the-wrong-secret-key');
    expect(stderr).not.toContain(sim.credentials.ak);
  });

  it('explains missing configuration and bad arguments with exit code 2', async () => {
    const missing = await cli(['history', 'credit']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('TICS_PROJECT_ID is required');
    expect(missing.stderr).toContain('--simulator');
    const bad = await cli(['history', 'credit', 'status:EXPLODED', '--simulator']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown status EXPLODED');
  });
});

describe('npm run cli -- leagues', () => {
  it('lists the leagues the credentials see, owned and joined, with aliases; text filters them', async () => {
    const { code, stdout } = await cli(['leagues'], envFor(sim));
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('2 leagues of 2 the credentials can see');
    expect(lines[1]).toMatch(/^NAME\s+ID\s+STATUS\s+ROLE\s+MEMBERS\s+ALIAS\s+CREATOR$/);
    expect(stdout).toMatch(/Joint Lab\s+jointLeague01\s+NORMAL\s+PARTNER\s+4\s+—/);
    expect(stdout).toMatch(/demoCreditRisk01\s+demoCreditRisk01\s+NORMAL\s+OWNER\s+2\s+credit/);
    const filtered = await cli(['leagues', 'joint', '--json'], envFor(sim));
    expect(JSON.parse(filtered.stdout)).toEqual({ leagues: [expect.objectContaining({ id: 'jointLeague01', name: 'Joint Lab' })] });
  });

  it('history takes a league name', async () => {
    const { code, stdout } = await cli(['history', 'joint lab'], envFor(sim));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^League Joint Lab \(jointLeague01\) — 0 instances/);
  });
});
