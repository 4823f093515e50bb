/**
 * The chaos run: the built bot (`node dist/main.js`) as child processes against the TICS simulator
 * and the fake Slack (both in this process), while random transitions happen, the bot is SIGKILLed
 * and restarted, and TICS and Slack misbehave. Then faults stop, the bot catches up (bounded), and
 * what Slack accepted is compared with what the simulator did. All randomness comes from `seed`;
 * every loop is bounded in count and time; everything listens on and talks to 127.0.0.1 only.
 *
 * Used by `npm run chaos` (bench/chaos-cli.ts) and, shortened, by test/watch/process/chaos.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type TicsSimulator } from '../src/simulator/server.js';
import type { Fault } from '../src/simulator/faults.js';
import type { JobInstance } from '../src/tics/schema.js';
import { startFakeSlack, type FakeSlack, type SlackCall, type SlackFault } from '../test/fakes/slack-api.js';
import { botEnv, newSlackSecrets, startBotProcess, type BotProcess } from '../test/helpers/bot-process.js';
import { percentile } from './stats.js';
import { wipeRedisNamespace } from '../test/helpers/redis-namespace.js';

export type ChaosMode = 'sqlite' | 'redis';

export interface ChaosOptions {
  mode: ChaosMode;
  seed: number;
  /** How long transitions, kills and faults go on. */
  durationMs: number;
  kills: number;
  leagues: number;
  /** Redis mode only. */
  redisUrl?: string;
  /** Bound on the catch-up after faults stop. */
  catchUpMs?: number;
  /** Share of TICS requests and Slack posts that get a fault. */
  faultRate?: number;
  /** Mean pause between two transitions. */
  transitionEveryMs?: number;
  onProgress?: (line: string) => void;
  /** Where to keep what happened, to find what held an alert back: every bot's output, the transitions, Slack's calls. */
  logDir?: string;
}

export interface Duplicate {
  job: string;
  posts: number;
  /** The first post was never marked sent (no "alert posted" log) and its process was killed right after: the documented window. */
  inCrashWindow: boolean;
}

export interface ChaosReport {
  mode: ChaosMode;
  seed: number;
  durationMs: number;
  processes: number;
  leagues: number;
  /** FAILED/TERMINATED transitions made after the baselines (what should be alerted). */
  transitions: number;
  otherTransitions: number;
  alerted: number;
  lost: string[];
  duplicated: Duplicate[];
  unexpected: string[];
  /** Transition → first accepted post, minus the time no bot process was up. */
  latencyMs: { p50: number; p90: number; max: number } | undefined;
  /** The five slowest alerts (transitionAtMs: when, from the start of the chaos), to tell what held them up. */
  slowest: Array<{ job: string; ms: number; transitionAtMs: number }>;
  kills: number;
  /** Kills within 150 ms of the killed process's restart (while it catches up). */
  earlyKills: number;
  faults: { tics: Record<string, number>; slack: Record<string, number> };
  /** Exits this run did not cause (crashes). */
  unexpectedExits: string[];
  /** Error-level log lines of the bot processes. */
  errorLogs: number;
  catchUpMs: number;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ALERTED = new Set(['FAILED', 'TERMINATED']);
const HOUR = 3_600_000;
/** Between Slack accepting a post and the store saying "sent": a kill later than this is not what doubled it. */
const CRASH_WINDOW_SLACK_MS = 3_000;

interface Expected {
  job: string;
  league: string;
  channel: string;
  status: string;
  at: number;
}

interface Slot {
  name: string;
  proc: BotProcess | undefined;
  /** [up, down) intervals; an open one has down undefined. */
  up: Array<[number, number | undefined]>;
  expectingExit: boolean;
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.onProgress ?? (() => undefined);
  const random = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const faultRate = opts.faultRate ?? 0.2;
  const processes = opts.mode === 'redis' ? 2 : 1;
  if (opts.mode === 'redis' && !opts.redisUrl) throw new Error('redis mode needs redisUrl');

  const sim: TicsSimulator = await startSimulator({ seed: false });
  const secrets = newSlackSecrets();
  const slack: FakeSlack = await startFakeSlack({ botToken: secrets.botToken });
  const dir = mkdtempSync(join(tmpdir(), 'tics-bot-chaos-'));
  const namespace = `tics-bot-chaos-${process.pid}-${randomBytes(4).toString('hex')}`;
  const slots: Slot[] = Array.from({ length: processes }, (_, i) => ({ name: `bot${i + 1}`, proc: undefined, up: [], expectingExit: false }));
  const unexpectedExits: string[] = [];
  const finished: BotProcess[] = [];
  const expected: Expected[] = [];
  try {
    // Leagues, each with a few running jobs and some history, each watched from its own channel.
    const leagues = Array.from({ length: opts.leagues }, (_, i) => ({ id: `chaosLeague${String(i + 1).padStart(2, '0')}${hex(6)}`, alias: `chaos-${i + 1}`, channel: `C0${hex(9).toUpperCase()}` }));
    let jobSeq = 0;
    const running = new Map<string, string[]>(); // league → running instance ids
    const jobName = new Map<string, string>(); // instance id → job name
    const newInstance = (league: string, status: string, startedAgoMs: number): JobInstance => {
      const id = hex(32);
      const name = `cj-${++jobSeq}-x`;
      const startTime = Date.now() - startedAgoMs;
      const instance: JobInstance = { id, jobName: name, type: pick(['VFL_TRAIN', 'HFL_TRAIN', 'SQL']), status, startTime, roundId: 1, ...(ALERTED.has(status) || status === 'SUCCEEDED' ? { endTime: Date.now() } : {}) };
      sim.world.upsertInstance(league, instance);
      jobName.set(id, name);
      if (status === 'RUNNING') running.get(league)!.push(id);
      return instance;
    };
    for (const l of leagues) {
      sim.world.addLeague(l.id);
      running.set(l.id, []);
      for (let j = 0; j < 3; j++) newInstance(l.id, 'RUNNING', between(0.5, 3) * HOUR);
      for (let j = 0; j < 2; j++) newInstance(l.id, pick(['FAILED', 'SUCCEEDED']), between(4, 8) * HOUR);
    }

    const storeUrl = opts.mode === 'redis' ? opts.redisUrl! : `sqlite://${join(dir, 'chaos.sqlite')}`;
    const env = botEnv({
      slack,
      ...secrets,
      sim,
      storeUrl,
      leagues: Object.fromEntries(leagues.map((l) => [l.alias, l.id])),
      // The defaults a deployment has, except the interval the issue asks for.
      extra: { STORE_NAMESPACE: namespace, TICS_MAX_RETRIES: '3', WATCH_INTERVAL_SECONDS: '1' },
    });

    const start = async (slot: Slot): Promise<void> => {
      const proc = await startBotProcess(env, { name: slot.name, slack, signingSecret: secrets.signingSecret, readyTimeoutMs: 60_000 });
      slot.proc = proc;
      slot.expectingExit = false;
      slot.up.push([Date.now(), undefined]);
      void proc.exited.then((exit) => {
        const open = slot.up.at(-1);
        if (open && open[1] === undefined) open[1] = Date.now();
        finished.push(proc);
        if (!slot.expectingExit) unexpectedExits.push(`${slot.name} pid ${proc.pid}: ${JSON.stringify(exit)}`);
        if (slot.proc === proc) slot.proc = undefined;
      });
    };
    const kill = async (slot: Slot): Promise<void> => {
      if (!slot.proc) return;
      slot.expectingExit = true;
      await slot.proc.kill();
    };
    for (const slot of slots) await start(slot);

    for (const l of leagues) {
      const bot = pick(slots).proc!;
      const sub = await bot.command(`watch ${l.alias}`, { channelId: l.channel });
      if (sub.status !== 200) throw new Error(`watch ${l.alias}: HTTP ${sub.status}`);
      const [reply] = await slack.waitForResponses(1, { id: sub.responseId, timeoutMs: 30_000 });
      if (!/^Watching /.test(String(reply?.body.text))) throw new Error(`watch ${l.alias} was refused: ${String(reply?.body.text)}`);
    }
    log(`${opts.mode}: ${processes} process(es), ${leagues.length} leagues subscribed; chaos for ${Math.round(opts.durationMs / 1000)} s, seed ${opts.seed}`);

    let otherTransitions = 0;
    const faults = { tics: {} as Record<string, number>, slack: {} as Record<string, number> };
    const count = (bucket: Record<string, number>, kind: string) => (bucket[kind] = (bucket[kind] ?? 0) + 1);
    const chaosStart = Date.now();
    const chaosEnd = chaosStart + opts.durationMs;

    // Transitions.
    const transitions = (async () => {
      // ≈ 0.6 of the moves are alertable: about 180 FAILED/TERMINATED transitions in 3 minutes.
      const every = opts.transitionEveryMs ?? 600;
      for (let i = 0; i < 100_000 && Date.now() < chaosEnd; i++) {
        await sleep(between(0.2, 1.8) * every);
        const l = pick(leagues);
        const live = running.get(l.id)!;
        const roll = random();
        if (roll < 0.5 && live.length > 0) {
          const id = live.splice(Math.floor(random() * live.length), 1)[0]!;
          const to = random() < 0.85 ? pick(['FAILED', 'TERMINATED']) : 'SUCCEEDED';
          sim.world.setStatus(l.id, id, to);
          if (ALERTED.has(to)) expected.push({ job: jobName.get(id)!, league: l.id, channel: l.channel, status: to, at: Date.now() });
          else otherTransitions++;
        } else if (roll < 0.7) {
          const to = pick(['FAILED', 'TERMINATED']);
          const instance = newInstance(l.id, to, between(1, 20) * 60_000);
          expected.push({ job: instance.jobName, league: l.id, channel: l.channel, status: to, at: Date.now() });
        } else {
          newInstance(l.id, 'RUNNING', between(0, 5) * 60_000);
          otherTransitions++;
        }
      }
    })();

    // Faults: about `faultRate` of the requests that came in since the last look get one.
    const faultLoop = (async () => {
      let seenTics = sim.requests.length;
      let seenSlack = slack.calls.length;
      let carryTics = 0;
      let carrySlack = 0;
      for (let i = 0; i < 1_000_000 && Date.now() < chaosEnd; i++) {
        await sleep(100);
        carryTics += (sim.requests.length - seenTics) * faultRate;
        seenTics = sim.requests.length;
        for (; carryTics >= 1; carryTics--) {
          const kind = pick(['5xx', '429', 'slow', 'malformed'] as const);
          const fault: Fault =
            kind === '5xx' ? { kind: 'status', status: pick([500, 502, 503]) } : kind === '429' ? { kind: 'throttle', retryAfterSeconds: Math.ceil(between(0, 2)) } : kind === 'slow' ? { kind: 'latency', ms: 16_000 } : { kind: 'malformed' };
          sim.injectFault(fault, { path: 'instances' });
          count(faults.tics, kind);
        }
        const posts = slack.calls.slice(seenSlack).filter((c) => c.method === 'chat.postMessage').length;
        seenSlack = slack.calls.length;
        carrySlack += posts * faultRate;
        for (; carrySlack >= 1; carrySlack--) {
          const kind = pick(['429', '500', 'ratelimited'] as const);
          const fault: SlackFault = kind === '429' ? { kind: 'ratelimited', retryAfterSeconds: Math.ceil(between(0, 3)) } : kind === '500' ? { kind: 'http', status: 500 } : { kind: 'error', error: 'ratelimited' };
          // The bot posts alerts with chat.postMessage only (no threads or updates yet).
          slack.injectFault('chat.postMessage', fault);
        }
      }
    })();

    // Kills: spread over the run; every third one lands within 150 ms of the restart.
    let kills = 0;
    let earlyKills = 0;
    const killLoop = (async () => {
      const gap = opts.durationMs / (opts.kills + 1);
      let restarted: Slot | undefined;
      for (let k = 0; k < opts.kills && Date.now() < chaosEnd; k++) {
        // Early: the process that just came back, while it catches up.
        const early = k % 3 === 2 && restarted !== undefined;
        const slot = early ? restarted! : pick(slots);
        if (early) await sleep(between(0, 150));
        else await sleep(Math.max(0, chaosStart + gap * (k + 1) - Date.now()));
        if (!slot.proc) continue;
        await kill(slot);
        kills++;
        if (early) earlyKills++;
        await sleep(between(0, 3_000));
        await start(slot);
        restarted = slot;
      }
    })();

    await Promise.all([transitions, faultLoop, killLoop]);
    sim.clearFaults();
    // Slack faults as Slack answered them (an injected one waits for the next post; the few left over are used up in the catch-up).
    for (const c of slack.callsTo('chat.postMessage')) {
      if (c.httpStatus === 429) count(faults.slack, '429');
      else if (c.httpStatus >= 500) count(faults.slack, String(c.httpStatus));
      else if (c.response.error === 'ratelimited') count(faults.slack, 'ok:false ratelimited');
    }
    // Every process up for the catch-up (a kill loop cut short may have left one down).
    for (const slot of slots) if (!slot.proc) await start(slot);
    log(`chaos over: ${expected.length} alertable transitions, ${kills} kills; catching up`);

    // Catch-up: until every expected alert arrived (or the bound), then a few more seconds to see duplicates.
    const catchUpStart = Date.now();
    const catchUpMs = opts.catchUpMs ?? 120_000;
    for (let i = 0; i < 10_000 && Date.now() - catchUpStart < catchUpMs; i++) {
      const seen = alertsByJob(slack.calls, jobName);
      if (expected.every((e) => seen.has(e.job))) break;
      await sleep(250);
    }
    await sleep(5_000);
    const catchUpTook = Date.now() - catchUpStart;

    // Compare.
    const accepted = alertsByJob(slack.calls, jobName);
    const expectedJobs = new Set(expected.map((e) => e.job));
    const lost = expected.filter((e) => !accepted.has(e.job)).map((e) => `${e.job} ${e.status} in ${e.channel}`);
    const unexpected = [...accepted.keys()].filter((job) => !expectedJobs.has(job));
    const posted = new Set<string>();
    const allLogs = slots.flatMap((s) => s.proc?.logs() ?? []).concat(finished.flatMap((p) => p.logs()));
    for (const line of allLogs) if (line.msg === 'alert posted' && typeof line.ts === 'string') posted.add(line.ts);
    const killTimes = slots.flatMap((s) => s.up.map(([, down]) => down).filter((d): d is number => d !== undefined));
    const duplicated: Duplicate[] = [...accepted]
      .filter(([, calls]) => calls.length > 1)
      .map(([job, calls]) => {
        const first = calls[0]!;
        const ts = String(first.response.ts);
        const killedRightAfter = killTimes.some((t) => t >= first.at && t - first.at <= CRASH_WINDOW_SLACK_MS);
        return { job, posts: calls.length, inCrashWindow: !posted.has(ts) && killedRightAfter && calls.length === 2 };
      });
    const timed = expected
      .filter((e) => accepted.has(e.job))
      .map((e) => {
        const at = accepted.get(e.job)![0]!.at;
        return { job: e.job, ms: Math.max(0, at - e.at - downTime(slots, e.at, at)), at: e.at - chaosStart };
      })
      .sort((a, b) => a.ms - b.ms);
    const latencies = timed.map((t) => t.ms);

    for (const slot of slots) {
      if (!slot.proc) continue;
      slot.expectingExit = true;
      await slot.proc.stop(20_000).catch(() => slot.proc?.kill());
    }
    const errorLogs = finished.flatMap((p) => p.logs()).filter((l) => l.level >= 50).length;
    return {
      mode: opts.mode,
      seed: opts.seed,
      durationMs: opts.durationMs,
      processes,
      leagues: leagues.length,
      transitions: expected.length,
      otherTransitions,
      alerted: expected.filter((e) => accepted.has(e.job)).length,
      lost,
      duplicated,
      unexpected,
      latencyMs: latencies.length ? { p50: percentile(latencies, 50), p90: percentile(latencies, 90), max: latencies.at(-1)! } : undefined,
      slowest: timed.slice(-5).reverse().map((t) => ({ job: t.job, ms: t.ms, transitionAtMs: t.at })),
      kills,
      earlyKills,
      faults,
      unexpectedExits,
      errorLogs,
      catchUpMs: catchUpTook,
    };
  } finally {
    if (opts.logDir) {
      mkdirSync(opts.logDir, { recursive: true });
      const procs = [...finished, ...slots.flatMap((s) => (s.proc ? [s.proc] : []))];
      writeFileSync(join(opts.logDir, `${opts.mode}-bots.log`), procs.map((p) => p.output().replace(/^/gm, `${p.name}:${p.pid} `)).join('\n'));
      writeFileSync(join(opts.logDir, `${opts.mode}-transitions.json`), JSON.stringify(expected, null, 1));
      writeFileSync(
        join(opts.logDir, `${opts.mode}-slack.json`),
        JSON.stringify(slack.calls.map((c) => ({ at: c.at, method: c.method, httpStatus: c.httpStatus, error: c.response.error, channel: c.args.channel, text: typeof c.args.text === 'string' ? c.args.text.slice(0, 200) : undefined })), null, 1),
      );
      log(`logs in ${opts.logDir}`);
    }
    for (const slot of slots) {
      slot.expectingExit = true;
      await slot.proc?.kill().catch(() => undefined);
    }
    await slack.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    if (opts.mode === 'redis' && opts.redisUrl) await wipeRedisNamespace(opts.redisUrl, namespace);
  }
}

/** Accepted chat.postMessage calls per job named in them (a digest line counts as an alert), oldest first. */
function alertsByJob(calls: readonly SlackCall[], jobName: ReadonlyMap<string, string>): Map<string, SlackCall[]> {
  const names = new Set(jobName.values());
  const byJob = new Map<string, SlackCall[]>();
  for (const call of calls) {
    if (call.method !== 'chat.postMessage' || call.response.ok !== true) continue;
    const text = JSON.stringify(call.args.blocks ?? call.args.text ?? '');
    for (const job of new Set(text.match(/cj-\d+-x/g) ?? [])) {
      if (!names.has(job)) continue;
      const list = byJob.get(job);
      if (list) list.push(call);
      else byJob.set(job, [call]);
    }
  }
  return byJob;
}

/** How much of [from, to) no bot process was up. */
function downTime(slots: readonly Slot[], from: number, to: number): number {
  const intervals = slots.flatMap((s) => s.up.map(([a, b]) => [Math.max(a, from), Math.min(b ?? to, to)] as const)).filter(([a, b]) => b > a);
  intervals.sort((x, y) => x[0] - y[0]);
  let covered = 0;
  let end = from;
  for (const [a, b] of intervals) {
    if (b <= end) continue;
    covered += b - Math.max(a, end);
    end = b;
  }
  return to - from - covered;
}

export function formatChaosReport(r: ChaosReport): string {
  const lat = r.latencyMs ? `p50 ${(r.latencyMs.p50 / 1000).toFixed(1)} s · p90 ${(r.latencyMs.p90 / 1000).toFixed(1)} s · max ${(r.latencyMs.max / 1000).toFixed(1)} s` : 'n/a';
  const kinds = (b: Record<string, number>) =>
    Object.entries(b)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none';
  const dupes = r.duplicated.length ? ` (${r.duplicated.filter((d) => d.inCrashWindow).length} in the crash window: ${r.duplicated.map((d) => `${d.job}×${d.posts}${d.inCrashWindow ? '' : ' UNEXPLAINED'}`).join(', ')})` : '';
  return [
    `chaos ${r.mode} ×${r.processes} · seed ${r.seed} · ${Math.round(r.durationMs / 1000)} s · ${r.leagues} leagues`,
    `  transitions   ${r.transitions} FAILED/TERMINATED (+${r.otherTransitions} others)`,
    `  alerted       ${r.alerted}`,
    `  lost          ${r.lost.length}${r.lost.length ? ` (${r.lost.join('; ')})` : ''}`,
    `  duplicated    ${r.duplicated.length}${dupes}`,
    `  unexpected    ${r.unexpected.length}${r.unexpected.length ? ` (${r.unexpected.join(', ')})` : ''}`,
    `  latency       ${lat} (transition → alert, excluding time no bot was up)`,
    `  slowest       ${r.slowest.map((x) => `${x.job} ${(x.ms / 1000).toFixed(1)} s (at +${(x.transitionAtMs / 1000).toFixed(0)} s)`).join(', ') || 'n/a'}`,
    `  kills         ${r.kills} (${r.earlyKills} within 150 ms of a restart)`,
    `  TICS faults   ${kinds(r.faults.tics)}`,
    `  Slack faults  ${kinds(r.faults.slack)}`,
    `  exits not caused by the run: ${r.unexpectedExits.length}${r.unexpectedExits.length ? ` (${r.unexpectedExits.join('; ')})` : ''}`,
    `  error log lines ${r.errorLogs} · catch-up ${(r.catchUpMs / 1000).toFixed(1)} s`,
  ].join('\n');
}
