/**
 * `/tics history` under a burst, laid out like production: the bot is its own OS process (tsc's
 * output under plain `node`, configured only through its environment, as `npm start` runs it),
 * the TICS simulator is another (`simulator-process.ts`, answering after `latencyMs`), and this
 * process plays Slack: it signs and sends the slash commands, serves `auth.test` (the fake Slack
 * Web API) and receives the replies on a response_url sink of its own.
 *
 * Per command: ack = send → HTTP 200 from POST /slack/events; reply = send → the response_url POST
 * fully received; overhead = reply − simulator latency (what the bot adds on top of TICS). Every
 * timestamp is performance.now() taken in this process.
 *
 * Diagnostics: when each TICS request reached the simulator and when its answer left (monotonic
 * clock, shared by the processes), the CPU each process used per command (/proc, Linux only), and
 * with `cpuProfile` the bot's own V8 profile, restricted to the measured bursts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { DEFAULT_LIMIT } from '../src/history/query.js';
import { HISTORY_ACTIONS } from '../src/slack/views/history.js';
import { startFakeSlack, type FakeSlack } from '../test/fakes/slack-api.js';
import { assertWithinSlackLimits } from '../test/helpers/block-kit-limits.js';
import { deploymentEnv, deploymentNodeFlags } from '../test/helpers/bot-process.js';
import { signSlackRequest, slashCommandBody } from '../test/helpers/slack-requests.js';
import { summarizeCpuProfile, type ProfileSummary, type Window } from './cpu-profile.js';
import type { SimulatorProcessOptions } from './simulator-process.js';
import { machine, ms, summarize, table, target, type Machine, type Summary, type Target } from './stats.js';

/** How the bot process runs: tsc's output with plain node (production), or the sources under tsx. */
export type BotRuntime = 'node' | 'tsx';

export interface HistoryBenchOptions {
  /** Commands fired at once per round (default 50). */
  concurrency?: number;
  rounds?: number;
  /** Simulator latency per TICS request (default 2000 ms). */
  latencyMs?: number;
  /** Instances in the benchmark league (default 50). */
  instances?: number;
  /** Sequential commands before measuring, at zero latency (default 5)… */
  warmup?: number;
  /** …then this many bursts of `concurrency` (default 3), so the measured rounds run optimised code. */
  warmupBursts?: number;
  /** Default `node` (see BotRuntime); `tsx` when tsc emits nothing. */
  runtime?: BotRuntime;
  /**
   * An entry point built elsewhere (another revision's `dist/main.js`, an experiment), run with
   * plain node instead of compiling this tree. It must take the same environment and log the same
   * `tics-bot is up` line.
   */
  botEntry?: string;
  /** Profile the bot process (`--cpu-prof`) and summarise the measured bursts. Its sampling thread triples the bot's CPU per command. */
  cpuProfile?: boolean;
  /** Sampling interval for `cpuProfile`, µs (default 200). */
  cpuProfileIntervalUs?: number;
  /** Keep the raw `.cpuprofile` in this directory (default: deleted after summarising). */
  cpuProfileDir?: string;
  /** Progress lines (the CLI sends them to stderr so --json stays clean). */
  onProgress?: (line: string) => void;
}

export const HISTORY_TARGETS = { ackP99Ms: 50, overheadP50Ms: 15 } as const;

export interface CommandSample {
  round: number;
  index: number;
  ackMs: number;
  ackStatus: number;
  /** Undefined when no reply arrived in time. */
  replyMs?: number;
  overheadMs?: number;
}

export interface Failure {
  round: number;
  index: number;
  problem: string;
}

export interface RoundResult {
  round: number;
  ack: Summary;
  overhead?: Summary;
  /** When each TICS request reached the simulator, from the round's first send: shows queueing in the bot. */
  upstreamStart?: Summary;
  /** When the simulator handed each answer to its socket, from the round's first send, minus the latency. */
  upstreamAnswer?: Summary;
  wallMs: number;
  /** CPU per command over the round, per process (undefined where /proc is missing). */
  cpuMsPerCommand: CpuPerCommand;
}

export interface CpuPerCommand {
  /** The bot process: user + system, every thread (GC helpers, libuv pool, tsx's loader thread). */
  bot?: number;
  simulator?: number;
  /** This process: sender, response_url sink, checks. */
  bench: number;
}

export interface HistoryBenchResult {
  bench: 'history';
  machine: Machine;
  /** os.loadavg() (1 min) before and after: other work on the machine shows up in the figures. */
  load: { before: number; after: number };
  settings: {
    concurrency: number;
    rounds: number;
    latencyMs: number;
    instances: number;
    pageSize: number;
    logLevel: string;
    runtime: BotRuntime;
    warmup: number;
    warmupBursts: number;
    cpuProfile: boolean;
    botEntry?: string;
  };
  ack: Summary;
  reply?: Summary;
  overhead?: Summary;
  upstreamStart?: Summary;
  upstreamAnswer?: Summary;
  rounds: RoundResult[];
  cpuMsPerCommand: CpuPerCommand;
  targets: Target[];
  commands: number;
  goodReplies: number;
  /** TICS requests the simulator saw during the measured rounds (one per command is expected). */
  ticsRequests: number;
  failures: Failure[];
  /** The bot's log lines at warn or above during the run (first 10), and how many there were. */
  botWarnings: { count: number; first: string[] };
  profile?: ProfileSummary;
}

export const LEAGUE_ALIAS = 'bench';
export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-bench-token';
/** The production default: what a deployment that sets nothing logs. */
const BOT_LOG_LEVEL = 'info';
/** Once the last upstream answer is in, replies should follow within this. */
const REPLY_GRACE_MS = 30_000;
const READY_MSG = 'tics-bot is up';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const PROJECT_DIR = findProjectDir(BENCH_DIR);
/** `.ts` under tsx, `.js` when this file itself is tsc's output. */
const OWN_EXT = extname(fileURLToPath(import.meta.url));

function findProjectDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'tsconfig.json'))) return dir;
    if (dirname(dir) === dir) return dirname(from);
  }
}

interface Arrival {
  at: number;
  raw: string;
}

/** A response_url endpoint that stamps each POST on full receipt and answers like Slack (200 "ok"). */
export class ReplySink {
  readonly arrivals = new Map<string, Arrival[]>();
  private waiter: { ids: readonly string[]; resolve: () => void } | undefined;
  private readonly server: Server;
  private base = '';

  private constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        this.record(decodeURIComponent((req.url ?? '/').slice(1)), { at, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
  }

  static async start(): Promise<ReplySink> {
    const sink = new ReplySink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    sink.base = `http://127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
    return sink;
  }

  url(id: string): string {
    return `${this.base}/${encodeURIComponent(id)}`;
  }

  /** Resolves once every id has at least one reply, or after `timeoutMs` (missing ones are then reported). */
  async waitFor(ids: readonly string[], timeoutMs: number): Promise<void> {
    if (this.complete(ids)) return;
    // Cancel the timer once everything is in, or it would hold the process open until it fires.
    const timer = new AbortController();
    await Promise.race([
      new Promise<void>((resolve) => (this.waiter = { ids, resolve })),
      delay(timeoutMs, undefined, { signal: timer.signal }).catch(() => undefined),
    ]);
    timer.abort();
    this.waiter = undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private record(id: string, arrival: Arrival): void {
    const list = this.arrivals.get(id) ?? [];
    list.push(arrival);
    this.arrivals.set(id, list);
    if (this.waiter && this.complete(this.waiter.ids)) this.waiter.resolve();
  }

  private complete(ids: readonly string[]): boolean {
    return ids.every((id) => this.arrivals.has(id));
  }
}

/** What a good reply looks like; anything else (an error message, a broken page) is a failure. */
export function checkReply(raw: string, expectedRows: number, total: number): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return `reply is not JSON: ${raw.slice(0, 120)}`;
  }
  const msg = body as { text?: unknown; blocks?: unknown; response_type?: unknown };
  const text = typeof msg.text === 'string' ? msg.text : '';
  if (!text.startsWith('History of ')) return `not a history message: ${text.slice(0, 160) || JSON.stringify(body).slice(0, 160)}`;
  if (!text.includes(`${total} instances`)) return `history message with the wrong total: ${text.slice(0, 160)}`;
  if (msg.response_type !== 'ephemeral') return `response_type ${String(msg.response_type)}, expected ephemeral`;
  const blocks = Array.isArray(msg.blocks) ? (msg.blocks as Array<Record<string, unknown>>) : [];
  const header = blocks[0] as { type?: string; text?: { text?: string } } | undefined;
  if (header?.type !== 'header' || !header.text?.text?.includes('job history')) return 'first block is not the history header';
  const rows = blocks.filter((b) => (b.accessory as { action_id?: string } | undefined)?.action_id === HISTORY_ACTIONS.details).length;
  if (rows !== expectedRows) return `${rows} instance rows, expected ${expectedRows}`;
  try {
    assertWithinSlackLimits({ text, blocks });
  } catch (error) {
    return (error as Error).message.split('\n').slice(0, 2).join(' ');
  }
  return undefined;
}

/**
 * Kept cheap all the same: node:http over kept-alive sockets, bodies signed in advance. This process
 * also stamps the replies, and on two cores it competes with the bot and the simulator for CPU;
 * WHATWG fetch (what postToApp uses) would cost several times more per request.
 */
export class SlackSender {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  constructor(private readonly url: URL) {}

  /** Signed now: Slack signs just before sending, and Bolt accepts 5 minutes of skew. */
  prepare(body: string): { body: string; headers: Record<string, string | number> } {
    return {
      body,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        ...signSlackRequest(SIGNING_SECRET, body),
      },
    };
  }

  /** Resolves with the HTTP status once the whole response (Bolt's empty ack body) is in. */
  send(prepared: { body: string; headers: Record<string, string | number> }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(this.url, { method: 'POST', agent: this.agent, headers: prepared.headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(prepared.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

interface Burst {
  samples: CommandSample[];
  failures: Failure[];
  wallMs: number;
  /** performance.now() at the first send. */
  startedAt: number;
  /** The same instant on the monotonic clock, µs (what the simulator's stamps use). */
  startedHrUs: number;
}

async function burst(
  sender: SlackSender,
  sink: ReplySink,
  label: string,
  round: number,
  count: number,
  latencyMs: number,
  check: (raw: string) => string | undefined,
): Promise<Burst> {
  // Each command gets its own response_url, so a reply can only be matched to the command that caused it.
  const ids = Array.from({ length: count }, (_, i) => `${label}-c${i}`);
  // Bodies are built and signed before the clock starts: only sending is measured.
  const prepared = ids.map((id, i) =>
    sender.prepare(slashCommandBody({ text: `history ${LEAGUE_ALIAS}`, responseUrl: sink.url(id), userId: `U0BENCH${String(i).padStart(3, '0')}` })),
  );
  const startedAt = performance.now();
  const startedHrUs = hrtimeUs();
  const sent = prepared.map(async (p, index) => {
    const t0 = performance.now();
    try {
      const status = await sender.send(p);
      return { index, t0, ackAt: performance.now(), status, error: undefined as string | undefined };
    } catch (error) {
      return { index, t0, ackAt: performance.now(), status: 0, error: (error as Error).message };
    }
  });
  const acks = await Promise.all(sent);
  await sink.waitFor(ids, latencyMs + REPLY_GRACE_MS);
  const wallMs = performance.now() - startedAt;

  const samples: CommandSample[] = [];
  const failures: Failure[] = [];
  for (const ack of acks) {
    const sample: CommandSample = { round, index: ack.index, ackMs: ack.ackAt - ack.t0, ackStatus: ack.status };
    if (ack.status !== 200) failures.push({ round, index: ack.index, problem: ack.error ?? `ack was HTTP ${ack.status}` });
    const arrivals = sink.arrivals.get(ids[ack.index]!) ?? [];
    const first = arrivals[0];
    if (!first) {
      if (ack.status === 200) failures.push({ round, index: ack.index, problem: `no reply within ${latencyMs + REPLY_GRACE_MS} ms` });
    } else {
      sample.replyMs = first.at - ack.t0;
      sample.overheadMs = sample.replyMs - latencyMs;
      const problem = check(first.raw);
      if (problem) failures.push({ round, index: ack.index, problem });
      if (arrivals.length > 1) failures.push({ round, index: ack.index, problem: `${arrivals.length} replies to one command` });
    }
    samples.push(sample);
  }
  return { samples, failures, wallMs, startedAt, startedHrUs };
}

/** A child process read line by line on stdout; `keep` decides which lines `next()` will see. */
export class LineChild {
  private readonly queue: string[] = [];
  private waiter: ((line: string | undefined) => void) | undefined;
  private ended = false;
  private stderrTail = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly proc: ChildProcessWithoutNullStreams,
    keep: (line: string) => boolean,
  ) {
    createInterface({ input: proc.stdout })
      .on('line', (line) => {
        if (!keep(line)) return;
        const w = this.waiter;
        this.waiter = undefined;
        if (w) w(line);
        else this.queue.push(line);
      })
      .on('close', () => {
        this.ended = true;
        this.waiter?.(undefined);
      });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  }

  static spawn(name: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; keep?: (line: string) => boolean } = {}): LineChild {
    const proc = spawn(process.execPath, args, { cwd: PROJECT_DIR, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
    return new LineChild(name, proc, opts.keep ?? (() => true));
  }

  get pid(): number {
    return this.proc.pid!;
  }

  async next(timeoutMs: number): Promise<string> {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    let timer: NodeJS.Timeout | undefined;
    const line = this.ended
      ? undefined
      : await new Promise<string | undefined>((resolve, reject) => {
          this.waiter = resolve;
          timer = setTimeout(() => reject(new Error(`${this.name} did not answer within ${timeoutMs} ms${this.stderrNote()}`)), timeoutMs);
        }).finally(() => clearTimeout(timer));
    if (line === undefined) throw new Error(`${this.name} exited (code ${await this.exited}) before answering${this.stderrNote()}`);
    return line;
  }

  async ask<T>(command: unknown, schema: z.ZodType<T>, timeoutMs = 30_000): Promise<T> {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
    const line = await this.next(timeoutMs);
    const parsed = schema.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${this.name} answered unexpectedly: ${line.slice(0, 200)}`);
    return parsed.data;
  }

  /** `stdin` = close stdin (the simulator's "done"); a signal = what a supervisor sends. SIGKILL after `graceMs`. */
  async stop(how: 'stdin' | NodeJS.Signals, graceMs = 15_000): Promise<number | null> {
    if (how === 'stdin') this.proc.stdin.end();
    else this.proc.kill(how);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private stderrNote(): string {
    return this.stderrTail ? `; stderr: ${this.stderrTail.trim().slice(-800)}` : '';
  }
}

export const simReadySchema = z.object({ ready: z.literal(true), url: z.string(), projectId: z.string(), ak: z.string(), sk: z.string(), leagueIds: z.array(z.string()) });

/** The bot's environment in the benches: what a deployment sets, pointing at the fakes; production defaults for the rest. */
export function benchBotEnv(
  slack: Pick<FakeSlack, 'url'>,
  sim: z.infer<typeof simReadySchema>,
  leagues: Record<string, string>,
  storeUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return deploymentEnv({
    slack,
    botToken: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    sim: { url: sim.url, projectId: sim.projectId, credentials: { ak: sim.ak, sk: sim.sk } },
    storeUrl,
    leagues,
    extra: { LOG_LEVEL: BOT_LOG_LEVEL, ...extra },
  });
}

const simRequestsSchema = z.object({ requests: z.number(), arrivals: z.array(z.number()).default([]), answers: z.array(z.number()).default([]) });
const simLatencySchema = z.object({ latencyMs: z.number() });
const botLineSchema = z.looseObject({ level: z.number(), msg: z.string().optional(), port: z.number().optional() });

/** Process CPU (user + system, all threads) in ms from /proc; undefined off Linux or once the process is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux ABI Node supports: 10 ms resolution.
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const hrtimeUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * tsc's output for `src/` only (tsconfig.build.json, as `npm run build`), in a directory of our own
 * under node_modules so the emitted files resolve the project's dependencies. Type errors elsewhere
 * do not stop tsc emitting. Undefined when nothing came out.
 */
export async function compileBot(progress: (line: string) => void, label = 'history'): Promise<{ dir: string; entry: string } | undefined> {
  const cache = join(PROJECT_DIR, 'node_modules', '.cache');
  const dir = mkdtempSync(join(existsSync(cache) ? cache : join(PROJECT_DIR, 'node_modules'), 'tics-bench-history-'));
  const tsc = join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = performance.now();
  const child = spawn(process.execPath, [tsc, '-p', join(PROJECT_DIR, 'tsconfig.build.json'), '--outDir', dir, '--sourceMap', 'false', '--incremental', 'false'], {
    cwd: PROJECT_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let diagnostics = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (/error TS\d+/.test(line)) diagnostics += 1;
  });
  child.stderr.resume();
  await new Promise((resolve) => child.on('close', resolve));
  const entry = join(dir, 'main.js');
  if (!existsSync(entry)) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  progress(`${label}: compiled the bot with tsc in ${ms(performance.now() - started)} ms${diagnostics ? ` (${diagnostics} type error(s); emitted anyway)` : ''}`);
  return { dir, entry };
}

export interface BotChild {
  child: LineChild;
  port: number;
  warnings: { count: number; first: string[] };
}

export async function startBotChild(args: readonly string[], env: Record<string, string>): Promise<BotChild> {
  const warnings = { count: 0, first: [] as string[] };
  const base: NodeJS.ProcessEnv = {};
  // Only these reach the bot: nothing of the caller's environment may leak into its configuration.
  for (const key of ['PATH', 'HOME', 'TMPDIR']) if (process.env[key] !== undefined) base[key] = process.env[key];
  const child = LineChild.spawn('bot', args, {
    env: { ...base, ...env },
    // Info lines are read and dropped (a deployment ships them somewhere too); warnings are kept as a diagnostic.
    keep: (line) => {
      let parsed;
      try {
        parsed = botLineSchema.safeParse(JSON.parse(line));
      } catch {
        return false;
      }
      if (!parsed.success) return false;
      if (parsed.data.level >= 40) {
        warnings.count += 1;
        if (warnings.first.length < 10) warnings.first.push(line.slice(0, 300));
      }
      return parsed.data.msg === READY_MSG;
    },
  });
  try {
    const ready = botLineSchema.parse(JSON.parse(await child.next(30_000)));
    if (!ready.port) throw new Error(`"${READY_MSG}" carried no port`);
    return { child, port: ready.port, warnings };
  } catch (error) {
    await child.stop('SIGKILL');
    throw error;
  }
}

export async function runHistoryBench(options: HistoryBenchOptions = {}): Promise<HistoryBenchResult> {
  const concurrency = options.concurrency ?? 50;
  const roundCount = options.rounds ?? 3;
  const latencyMs = options.latencyMs ?? 2000;
  const instanceCount = options.instances ?? 50;
  const warmup = options.warmup ?? 5;
  const warmupBursts = options.warmupBursts ?? 3;
  const cpuProfile = options.cpuProfile ?? false;
  const progress = options.onProgress ?? (() => undefined);
  const pageSize = DEFAULT_LIMIT;
  const expectedRows = Math.min(pageSize, instanceCount);
  const check = (raw: string) => checkReply(raw, expectedRows, instanceCount);
  const loadBefore = loadavg()[0]!;

  let runtime: BotRuntime = options.runtime ?? 'node';
  let build: { dir: string; entry: string } | undefined;
  let slack: FakeSlack | undefined;
  let sink: ReplySink | undefined;
  let sim: LineChild | undefined;
  let bot: BotChild | undefined;
  let sender: SlackSender | undefined;
  let profileDir: string | undefined;
  let profile: ProfileSummary | undefined;
  const windows: Window[] = [];
  try {
    if (options.botEntry) runtime = 'node';
    else if (runtime === 'node') {
      build = await compileBot(progress);
      if (!build) {
        progress('history: tsc produced no output; running the bot under tsx instead');
        runtime = 'tsx';
      }
    }
    const simOptions: SimulatorProcessOptions = { leagues: 1, instances: instanceCount, running: 1, latencyMs: 0, timing: true, concurrent: true };
    const simScript = join(BENCH_DIR, `simulator-process${OWN_EXT}`);
    sim = LineChild.spawn('simulator', [...(OWN_EXT === '.ts' ? ['--import', 'tsx'] : []), simScript, JSON.stringify(simOptions)]);
    const simReady = simReadySchema.parse(JSON.parse(await sim.next(60_000)));
    const leagueId = simReady.leagueIds[0]!;
    slack = await startFakeSlack({ botToken: BOT_TOKEN });
    sink = await ReplySink.start();

    const nodeFlags: string[] = deploymentNodeFlags();
    if (cpuProfile) {
      profileDir = options.cpuProfileDir ?? mkdtempSync(join(PROJECT_DIR, 'node_modules', '.cache', 'tics-bench-prof-'));
      nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-interval=${options.cpuProfileIntervalUs ?? 200}`);
    }
    const entry = options.botEntry ?? build?.entry;
    const botArgs = entry ? [...nodeFlags, entry] : [...nodeFlags, '--import', 'tsx', join(PROJECT_DIR, 'src', 'main.ts')];
    // Every answer takes exactly the 2 s of the hedge's default threshold: hedging would send ~10 %
    // of the requests twice at the very moment the replies are measured. It is not what this measures.
    bot = await startBotChild(botArgs, benchBotEnv(slack, simReady, { [LEAGUE_ALIAS]: leagueId }, 'memory://', { TICS_HEDGE_AFTER_MS: '0' }));
    progress(`history: bot pid ${bot.child.pid} (${runtime}${cpuProfile ? ', --cpu-prof' : ''}) on port ${bot.port}, simulator pid ${sim.pid}`);
    sender = new SlackSender(new URL(`http://127.0.0.1:${bot.port}/slack/events`));

    const failures: Failure[] = [];
    progress(`history: warming up (${warmup} sequential + ${warmupBursts} burst(s) of ${concurrency}, no upstream latency)`);
    for (let i = 0; i < warmup; i++) failures.push(...(await burst(sender, sink, `w${i}`, 0, 1, 0, check)).failures.map((f) => ({ ...f, index: i })));
    // Full-size bursts also open the sockets the measured rounds will reuse, and get the hot code optimised.
    for (let i = 0; i < warmupBursts; i++) failures.push(...(await burst(sender, sink, `wb${i}`, 0, concurrency, 0, check)).failures);
    await sim.ask({ cmd: 'latency', ms: latencyMs }, simLatencySchema);
    await sim.ask({ cmd: 'requests' }, simRequestsSchema);

    const samples: CommandSample[] = [];
    const rounds: RoundResult[] = [];
    const upstreamStarts: number[] = [];
    const upstreamAnswers: number[] = [];
    const cpuTotals = { bot: 0 as number | undefined, simulator: 0 as number | undefined, bench: 0 };
    let ticsRequests = 0;
    for (let round = 1; round <= roundCount; round++) {
      const cpu0 = { bot: processCpuMs(bot.child.pid), simulator: processCpuMs(sim.pid), bench: ownCpuMs() };
      const windowStart = hrtimeUs();
      const result = await burst(sender, sink, `r${round}`, round, concurrency, latencyMs, check);
      windows.push([windowStart, hrtimeUs()]);
      const cpu1 = { bot: processCpuMs(bot.child.pid), simulator: processCpuMs(sim.pid), bench: ownCpuMs() };
      const requests = await sim.ask({ cmd: 'requests' }, simRequestsSchema);
      ticsRequests += requests.requests;
      const starts = requests.arrivals.map((at) => (at - result.startedHrUs) / 1000);
      const answers = requests.answers.map((at) => (at - result.startedHrUs) / 1000 - latencyMs);
      upstreamStarts.push(...starts);
      upstreamAnswers.push(...answers);
      samples.push(...result.samples);
      failures.push(...result.failures);
      const diff = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : b - a);
      const cpu = { bot: diff(cpu0.bot, cpu1.bot), simulator: diff(cpu0.simulator, cpu1.simulator), bench: cpu1.bench - cpu0.bench };
      cpuTotals.bot = cpu.bot === undefined || cpuTotals.bot === undefined ? undefined : cpuTotals.bot + cpu.bot;
      cpuTotals.simulator = cpu.simulator === undefined || cpuTotals.simulator === undefined ? undefined : cpuTotals.simulator + cpu.simulator;
      cpuTotals.bench += cpu.bench;
      const overheads = result.samples.flatMap((s) => (s.overheadMs === undefined ? [] : [s.overheadMs]));
      const roundResult: RoundResult = {
        round,
        ack: summarize(result.samples.map((s) => s.ackMs)),
        ...(overheads.length ? { overhead: summarize(overheads) } : {}),
        ...(starts.length ? { upstreamStart: summarize(starts) } : {}),
        ...(answers.length ? { upstreamAnswer: summarize(answers) } : {}),
        wallMs: result.wallMs,
        cpuMsPerCommand: perCommand(cpu, concurrency),
      };
      rounds.push(roundResult);
      progress(
        `history: round ${round}/${roundCount}: ack p99 ${ms(roundResult.ack.p99)} ms, overhead p50 ${roundResult.overhead ? ms(roundResult.overhead.p50) : '–'} ms, ` +
          `${result.failures.length} failure(s), ${ms(result.wallMs)} ms wall, bot CPU ${cpu.bot === undefined ? '–' : ms(cpu.bot / concurrency)} ms/command`,
      );
    }

    sender.close();
    sender = undefined;
    // SIGTERM as a supervisor would: main.ts shuts down and exits, which is also when --cpu-prof writes.
    const code = await bot.child.stop('SIGTERM');
    if (code !== 0) progress(`history: the bot exited with code ${code}`);
    if (profileDir) {
      const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        const builtDir = options.botEntry ? dirname(options.botEntry) : build?.dir;
        const roots = [...(builtDir ? [`${pathToFileURL(builtDir).href}/`] : []), `${pathToFileURL(join(PROJECT_DIR, 'src')).href}/`];
        profile = summarizeCpuProfile(join(profileDir, file), windows, roots);
        if (options.cpuProfileDir) progress(`history: profile kept in ${join(profileDir, file)}`);
      } else progress('history: the bot wrote no CPU profile');
    }

    const ack = summarize(samples.map((s) => s.ackMs));
    const replies = samples.flatMap((s) => (s.replyMs === undefined ? [] : [s.replyMs]));
    const overheads = samples.flatMap((s) => (s.overheadMs === undefined ? [] : [s.overheadMs]));
    const reply = replies.length ? summarize(replies) : undefined;
    const overhead = overheads.length ? summarize(overheads) : undefined;
    const measuredFailures = failures.filter((f) => f.round >= 1);
    return {
      bench: 'history',
      machine: machine(),
      load: { before: loadBefore, after: loadavg()[0]! },
      settings: { concurrency, rounds: roundCount, latencyMs, instances: instanceCount, pageSize, logLevel: BOT_LOG_LEVEL, runtime, warmup, warmupBursts, cpuProfile, ...(options.botEntry ? { botEntry: options.botEntry } : {}) },
      ack,
      ...(reply ? { reply } : {}),
      ...(overhead ? { overhead } : {}),
      ...(upstreamStarts.length ? { upstreamStart: summarize(upstreamStarts) } : {}),
      ...(upstreamAnswers.length ? { upstreamAnswer: summarize(upstreamAnswers) } : {}),
      rounds,
      cpuMsPerCommand: perCommand(cpuTotals, concurrency * roundCount),
      targets: [
        target('ack p99', HISTORY_TARGETS.ackP99Ms, ack.p99),
        // No reply at all is the worst overhead there is.
        target('overhead p50', HISTORY_TARGETS.overheadP50Ms, overhead?.p50 ?? Number.POSITIVE_INFINITY),
      ],
      commands: samples.length,
      goodReplies: samples.length - new Set(measuredFailures.map((f) => `${f.round}:${f.index}`)).size,
      ticsRequests,
      failures,
      botWarnings: { count: bot.warnings.count, first: bot.warnings.first },
      ...(profile ? { profile } : {}),
    };
  } finally {
    sender?.close();
    await bot?.child.stop('SIGTERM');
    await sim?.stop('stdin');
    await sink?.close();
    await slack?.close();
    if (build) rmSync(build.dir, { recursive: true, force: true });
    if (profileDir && !options.cpuProfileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

function perCommand(cpu: { bot: number | undefined; simulator: number | undefined; bench: number }, commands: number): CpuPerCommand {
  return {
    ...(cpu.bot !== undefined ? { bot: cpu.bot / commands } : {}),
    ...(cpu.simulator !== undefined ? { simulator: cpu.simulator / commands } : {}),
    bench: cpu.bench / commands,
  };
}

export function formatHistoryResult(r: HistoryBenchResult): string {
  const s = r.settings;
  const row = (name: string, x: Summary | undefined) => [name, ...(x ? [x.p50, x.p90, x.p99, x.max].map(ms) : ['–', '–', '–', '–'])];
  const cpu = (c: CpuPerCommand) =>
    `bot ${c.bot === undefined ? '–' : c.bot.toFixed(2)}, simulator ${c.simulator === undefined ? '–' : c.simulator.toFixed(2)}, bench ${c.bench.toFixed(2)}`;
  const lines = [
    `/tics history — ${s.concurrency} concurrent commands × ${s.rounds} rounds, TICS latency ${s.latencyMs} ms, ` +
      `${s.instances} instances (page of ${s.pageSize}) · Node ${r.machine.node}, ${r.machine.cpus} CPU(s), ${r.machine.platform}`,
    `bot: own process, ${s.botEntry ? `${s.botEntry} under node` : s.runtime === 'node' ? "tsc's output under node" : 'sources under tsx'}, LOG_LEVEL=${s.logLevel}${s.cpuProfile ? ', --cpu-prof (slower)' : ''}; ` +
      `simulator: own process; load average ${r.load.before.toFixed(2)} → ${r.load.after.toFixed(2)}`,
    '',
    table(
      ['ms', 'p50', 'p90', 'p99', 'max'],
      [
        row('ack latency', r.ack),
        row('reply time', r.reply),
        row(`overhead (reply − ${s.latencyMs})`, r.overhead),
        row('TICS request start', r.upstreamStart),
        row(`TICS answer sent (− ${s.latencyMs})`, r.upstreamAnswer),
      ],
    ),
    '',
    ...r.targets.map((t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name} ≤ ${t.limitMs} ms: ${Number.isFinite(t.actualMs) ? ms(t.actualMs) : 'no replies'} ms`),
    '',
    `CPU per command, ms (all rounds): ${cpu(r.cpuMsPerCommand)}`,
    ...r.rounds.map((x) => `  round ${x.round}: ack p99 ${ms(x.ack.p99)}, overhead p50 ${x.overhead ? ms(x.overhead.p50) : '–'}, CPU ${cpu(x.cpuMsPerCommand)}`),
    `Correctness: ${r.goodReplies}/${r.commands} replies are history pages; ${r.ticsRequests} TICS requests for ${r.commands} commands.`,
  ];
  if (r.botWarnings.count) {
    lines.push(`The bot logged ${r.botWarnings.count} warning(s) or error(s):`, ...r.botWarnings.first.map((l) => `  ${l}`));
  }
  if (r.failures.length) {
    lines.push(`${r.failures.length} failure(s)${r.failures.some((f) => f.round < 1) ? ' (round 0 = warm-up)' : ''}:`);
    for (const f of r.failures.slice(0, 20)) lines.push(`  round ${f.round} command ${f.index}: ${f.problem}`);
    if (r.failures.length > 20) lines.push(`  … and ${r.failures.length - 20} more`);
  }
  if (r.profile) lines.push('', formatProfile(r.profile));
  return lines.join('\n');
}

export function formatProfile(p: ProfileSummary, top = 20): string {
  const entries = (list: ProfileSummary['self']) =>
    list.slice(0, top).map((e) => [e.name === e.where ? e.name : `${e.name}${e.where ? `  (${e.where})` : ''}`, e.ms.toFixed(1), e.pct.toFixed(1)]);
  return [
    `Bot CPU profile, measured bursts only: ${p.busyMs.toFixed(0)} ms busy on the main thread in ${p.windowMs.toFixed(0)} ms ` +
      `(${p.samples} samples every ≈ ${p.intervalUs.toFixed(0)} µs)`,
    '',
    table(['self time, by place', 'ms', '%'], entries(p.byPlace)),
    '',
    table(['self time, by function', 'ms', '%'], entries(p.self)),
    '',
    table(["project functions, inclusive (callees too)", 'ms', '%'], entries(p.inclusive)),
  ].join('\n');
}
