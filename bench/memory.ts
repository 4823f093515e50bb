/**
 * `npm run bench -- memory`: the built bot's memory at rest. `node main.js` (tsc's output, as
 * `npm start` runs it) with a `memory://` store, a fake Slack for auth.test and a TICS simulator it
 * never calls (no traffic, no watches); RSS read from /proc 8 s after the spawn, and the peak
 * (VmHWM, so nothing between samples is missed). Several fresh starts, since when V8 last collected
 * moves the figure by several MB.
 *
 * The breakdown loads the bot's big dependencies one more at a time, each list in a fresh process,
 * then the whole `bot.js` module graph: what each step adds to RSS once loaded (after a GC).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { startSimulator } from '../src/simulator/server.js';
import { startFakeSlack } from '../test/fakes/slack-api.js';
import { deploymentNodeFlags } from '../test/helpers/bot-process.js';
import { benchBotEnv, BOT_TOKEN, compileBot, startBotChild } from './history.js';
import { machine, table, type Machine } from './stats.js';

const IDLE_AT_MS = 8_000;
const TARGET_IDLE_MB = 90;

/** Each step adds one package (in the order the bot's imports reach them) to the ones before. */
const STEPS = ['pino', 'zod', 'undici', 'date-fns', 'prom-client', 'keyv', '@slack/bolt'] as const;

export interface MemoryBenchOptions {
  onProgress?: (line: string) => void;
  starts?: number;
  /** A built `main.js` to measure instead of compiling this tree. */
  entry?: string;
}

export interface MemoryBenchResult {
  machine: Machine;
  load: { before: number; after: number };
  starts: Array<{ idleMb: number; peakMb: number }>;
  idleMb: { min: number; median: number; max: number };
  peakMb: { min: number; median: number; max: number };
  breakdown: Array<{ step: string; rssMb: number; addedMb: number }>;
  pass: boolean;
}

const mb = (kb: number) => kb / 1024;

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { min: sorted[0]!, median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]! };
};

/** RSS (MB) of a fresh node that imported `specifiers` in order, after a full GC and a pause. */
async function rssAfterImports(cwd: string, specifiers: readonly string[]): Promise<number> {
  const script = join(cwd, `memory-probe-${process.pid}.mjs`);
  writeFileSync(
    script,
    `for (const s of ${JSON.stringify(specifiers)}) await import(s);\n` +
      `await new Promise((r) => setTimeout(r, 300)); globalThis.gc(); await new Promise((r) => setTimeout(r, 300));\n` +
      `process.stdout.write(String(process.memoryUsage().rss));\n`,
  );
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--expose-gc', script], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (text += c));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`import probe exited ${code} for ${specifiers.join(', ')}`))));
    });
    return Number(out) / 1048576;
  } finally {
    rmSync(script, { force: true });
  }
}

export async function runMemoryBench(options: MemoryBenchOptions = {}): Promise<MemoryBenchResult> {
  const progress = options.onProgress ?? (() => undefined);
  const loadBefore = loadavg()[0]!;
  const build = options.entry ? undefined : await compileBot(progress, 'memory');
  const entry = options.entry ?? build?.entry;
  if (!entry) throw new Error('tsc emitted no main.js');
  const dir = join(entry, '..');
  const sim = await startSimulator({ port: 0 });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN });
  try {
    const simReady = { ready: true as const, url: sim.url, projectId: sim.projectId, ak: sim.credentials.ak, sk: sim.credentials.sk, leagueIds: [] };
    const starts: MemoryBenchResult['starts'] = [];
    for (let i = 0; i < (options.starts ?? 3); i++) {
      const spawnedAt = performance.now();
      const bot = await startBotChild([...deploymentNodeFlags(), entry], benchBotEnv(slack, simReady, {}, 'memory://'));
      const pid = bot.child.pid;
      await delay(Math.max(0, IDLE_AT_MS - (performance.now() - spawnedAt)));
      const idle = procStatusKb(pid, 'VmRSS');
      const peak = procStatusKb(pid, 'VmHWM');
      await bot.child.stop('SIGTERM');
      if (idle === undefined || peak === undefined) throw new Error('could not read the bot’s /proc status (Linux only)');
      starts.push({ idleMb: mb(idle), peakMb: mb(peak) });
      progress(`memory: start ${i + 1}: idle ${mb(idle).toFixed(1)} MB at ${IDLE_AT_MS / 1000} s, peak ${mb(peak).toFixed(1)} MB`);
    }

    const breakdown: MemoryBenchResult['breakdown'] = [];
    let previous = await rssAfterImports(dir, []);
    breakdown.push({ step: 'node', rssMb: previous, addedMb: previous });
    for (let i = 0; i < STEPS.length; i++) {
      const rss = await rssAfterImports(dir, STEPS.slice(0, i + 1));
      breakdown.push({ step: `+ ${STEPS[i]}`, rssMb: rss, addedMb: rss - previous });
      previous = rss;
    }
    const all = await rssAfterImports(dir, [...STEPS, pathToFileURL(join(dir, 'bot.js')).href]);
    breakdown.push({ step: '+ the rest of bot.js', rssMb: all, addedMb: all - previous });
    const idleMb = spread(starts.map((s) => s.idleMb));
    breakdown.push({ step: 'running, idle (median)', rssMb: idleMb.median, addedMb: idleMb.median - all });
    return {
      machine: machine(),
      load: { before: loadBefore, after: loadavg()[0]! },
      starts,
      idleMb,
      peakMb: spread(starts.map((s) => s.peakMb)),
      breakdown,
      pass: idleMb.median <= TARGET_IDLE_MB,
    };
  } finally {
    await slack.close();
    await sim.close();
    if (build) rmSync(build.dir, { recursive: true, force: true });
  }
}

export function formatMemoryResult(r: MemoryBenchResult): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `memory — the built bot at rest (node main.js, memory:// store, HTTP mode, no traffic), ${r.starts.length} fresh starts · ` +
      `Node ${r.machine.node}, ${r.machine.cpus} CPU(s), ${r.machine.platform}; load average ${r.load.before.toFixed(2)} → ${r.load.after.toFixed(2)}`,
    '',
    table(
      ['MB', 'min', 'median', 'max'],
      [
        [`RSS ${IDLE_AT_MS / 1000} s after start`, f(r.idleMb.min), f(r.idleMb.median), f(r.idleMb.max)],
        ['peak RSS (VmHWM)', f(r.peakMb.min), f(r.peakMb.median), f(r.peakMb.max)],
      ],
    ),
    '',
    'Breakdown (fresh process per row, after a GC; packages in the order the bot reaches them):',
    table(
      ['step', 'RSS MB', 'added MB'],
      r.breakdown.map((b) => [b.step, f(b.rssMb), f(b.addedMb)]),
    ),
    '',
    `${r.pass ? 'PASS' : 'MISS'}  idle RSS ≤ ${TARGET_IDLE_MB} MB: ${f(r.idleMb.median)} MB`,
  ].join('\n');
}
