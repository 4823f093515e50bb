/**
 * `/tics history` under a burst: the real bot (startBot, HTTP mode, memory store) against the TICS
 * simulator answering after `latencyMs`, driven by signed slash commands over real HTTP.
 *
 * Per command: ack = send → HTTP 200 from POST /slack/events; reply = send → the response_url POST
 * fully received; overhead = reply − simulator latency (what the bot adds on top of TICS).
 *
 * Replies go to a response_url sink of our own rather than the fake Slack: the fake stamps posts
 * with Date.now() (1 ms, wall clock) and only signals them through polling-style waiters, while
 * here every timestamp is performance.now() taken in this process on arrival.
 */
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { startBot, type BotHandle } from '../src/bot.js';
import { loadConfig, type Config } from '../src/config.js';
import { DEFAULT_LIMIT } from '../src/history/query.js';
import { HISTORY_ACTIONS } from '../src/slack/views/history.js';
import { startSimulator, type TicsSimulator } from '../src/simulator/server.js';
import { KNOWN_INSTANCE_TYPES, type JobInstance } from '../src/tics/schema.js';
import { startFakeSlack, type FakeSlack } from '../test/fakes/slack-api.js';
import { assertWithinSlackLimits } from '../test/helpers/block-kit-limits.js';
import { signSlackRequest, slashCommandBody } from '../test/helpers/slack-requests.js';
import { machine, ms, summarize, table, target, type Machine, type Summary, type Target } from './stats.js';

export interface HistoryBenchOptions {
  /** Commands fired at once per round (default 50). */
  concurrency?: number;
  rounds?: number;
  /** Simulator latency per TICS request (default 2000 ms). */
  latencyMs?: number;
  /** Instances in the benchmark league (default 50). */
  instances?: number;
  /** Sequential commands before measuring, at zero latency (default 5), then one burst of `concurrency`. */
  warmup?: number;
  /** The bot's LOG_LEVEL (default silent: logging would write into the benchmark's output). */
  logLevel?: Config['logLevel'];
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
  wallMs: number;
}

export interface HistoryBenchResult {
  bench: 'history';
  machine: Machine;
  settings: { concurrency: number; rounds: number; latencyMs: number; instances: number; pageSize: number; logLevel: string };
  ack: Summary;
  reply?: Summary;
  overhead?: Summary;
  upstreamStart?: Summary;
  rounds: RoundResult[];
  targets: Target[];
  commands: number;
  goodReplies: number;
  /** TICS requests the simulator saw during the measured rounds (one per command is expected). */
  ticsRequests: number;
  failures: Failure[];
}

const LEAGUE_ID = 'benchLeague0000000000000000001';
const LEAGUE_ALIAS = 'bench';
const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
const BOT_TOKEN = 'xoxb-bench-token';
/** Once the last upstream answer is in, replies should follow within this. */
const REPLY_GRACE_MS = 30_000;

interface Arrival {
  at: number;
  raw: string;
}

/** A response_url endpoint that stamps each POST on full receipt and answers like Slack (200 "ok"). */
class ReplySink {
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

/** A league with `count` instances: mixed statuses and types, a few CJK names, one still running. */
function benchInstances(count: number, now: number): JobInstance[] {
  const names = ['信用评分模型训练', 'credit-score-xgb-train', 'joint-sql-overlap-count', 'fraud-lr-train', '样本对齐'];
  const statuses = ['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED', 'TERMINATED'];
  return Array.from({ length: count }, (_, i) => {
    const start = now - (i + 1) * 37 * 60_000;
    const running = i === 0;
    return {
      id: `benchinst${String(i).padStart(23, '0')}`,
      jobName: names[i % names.length]!,
      type: KNOWN_INSTANCE_TYPES[i % KNOWN_INSTANCE_TYPES.length]!,
      status: running ? 'RUNNING' : statuses[i % statuses.length]!,
      roundId: i % 12,
      startTime: start,
      ...(running ? {} : { endTime: start + (3 + (i % 20)) * 60_000 }),
      jobPartner: `partner-${i % 4}`,
    };
  });
}

/** What a good reply looks like; anything else (an error message, a broken page) is a failure. */
function checkReply(raw: string, expectedRows: number, total: number): string | undefined {
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
 * The load generator shares the bot's event loop, so it must be cheap: node:http over kept-alive
 * sockets with bodies signed in advance. WHATWG fetch (what postToApp uses) costs enough per request
 * that, 50 at once, its own queueing shows up as ack latency the bot is not responsible for.
 */
class SlackSender {
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
  return { samples, failures, wallMs, startedAt };
}

export async function runHistoryBench(options: HistoryBenchOptions = {}): Promise<HistoryBenchResult> {
  const concurrency = options.concurrency ?? 50;
  const roundCount = options.rounds ?? 3;
  const latencyMs = options.latencyMs ?? 2000;
  const instanceCount = options.instances ?? 50;
  const warmup = options.warmup ?? 5;
  const logLevel = options.logLevel ?? 'silent';
  const progress = options.onProgress ?? (() => undefined);
  const pageSize = DEFAULT_LIMIT;
  const expectedRows = Math.min(pageSize, instanceCount);
  const check = (raw: string) => checkReply(raw, expectedRows, instanceCount);

  let sim: TicsSimulator | undefined;
  let slack: FakeSlack | undefined;
  let sink: ReplySink | undefined;
  let bot: BotHandle | undefined;
  let sender: SlackSender | undefined;
  try {
    // The gateway's 200/s limit would turn a burst into 429s and retries: this measures the bot, not throttling.
    sim = await startSimulator({ seed: false, latencyMs: 0, rateLimitPerSecond: 1_000_000 });
    sim.world.addLeague(LEAGUE_ID, { name: 'Benchmark League' });
    for (const instance of benchInstances(instanceCount, Date.now())) sim.world.upsertInstance(LEAGUE_ID, instance);
    slack = await startFakeSlack({ botToken: BOT_TOKEN });
    sink = await ReplySink.start();
    const config = loadConfig({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      PORT: '0',
      TICS_PROJECT_ID: sim.projectId,
      TICS_ENDPOINT: sim.url,
      CLOUD_SDK_AK: sim.credentials.ak,
      CLOUD_SDK_SK: sim.credentials.sk,
      TICS_LEAGUES: `${LEAGUE_ALIAS}=${LEAGUE_ID}`,
      STORE_URL: 'memory://',
      LOG_LEVEL: logLevel,
    });
    bot = await startBot(config);
    sender = new SlackSender(new URL(`http://127.0.0.1:${bot.port}/slack/events`));

    const failures: Failure[] = [];
    progress(`history: warming up (${warmup} sequential + 1 burst of ${concurrency}, no upstream latency)`);
    for (let i = 0; i < warmup; i++) failures.push(...(await burst(sender, sink, `w${i}`, 0, 1, 0, check)).failures.map((f) => ({ ...f, index: i })));
    // A full-size burst also opens the sockets the measured rounds will reuse.
    failures.push(...(await burst(sender, sink, 'wb', 0, concurrency, 0, check)).failures);
    sim.setLatency(latencyMs);

    const samples: CommandSample[] = [];
    const rounds: RoundResult[] = [];
    const upstreamStarts: number[] = [];
    let ticsRequests = 0;
    for (let round = 1; round <= roundCount; round++) {
      const before = sim.requests.length;
      const result = await burst(sender, sink, `r${round}`, round, concurrency, latencyMs, check);
      const requests = sim.requests.slice(before);
      ticsRequests += requests.length;
      // The simulator stamps arrivals with Date.now(): map the round start onto the same clock.
      const startedEpoch = performance.timeOrigin + result.startedAt;
      const starts = requests.map((r) => r.at - startedEpoch);
      upstreamStarts.push(...starts);
      samples.push(...result.samples);
      failures.push(...result.failures);
      const overheads = result.samples.flatMap((s) => (s.overheadMs === undefined ? [] : [s.overheadMs]));
      const roundResult: RoundResult = {
        round,
        ack: summarize(result.samples.map((s) => s.ackMs)),
        ...(overheads.length ? { overhead: summarize(overheads) } : {}),
        ...(starts.length ? { upstreamStart: summarize(starts) } : {}),
        wallMs: result.wallMs,
      };
      rounds.push(roundResult);
      progress(
        `history: round ${round}/${roundCount}: ack p99 ${ms(roundResult.ack.p99)} ms, overhead p50 ${roundResult.overhead ? ms(roundResult.overhead.p50) : '–'} ms, ` +
          `${result.failures.length} failure(s), ${ms(result.wallMs)} ms wall`,
      );
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
      settings: { concurrency, rounds: roundCount, latencyMs, instances: instanceCount, pageSize, logLevel },
      ack,
      ...(reply ? { reply } : {}),
      ...(overhead ? { overhead } : {}),
      ...(upstreamStarts.length ? { upstreamStart: summarize(upstreamStarts) } : {}),
      rounds,
      targets: [
        target('ack p99', HISTORY_TARGETS.ackP99Ms, ack.p99),
        // No reply at all is the worst overhead there is.
        target('overhead p50', HISTORY_TARGETS.overheadP50Ms, overhead?.p50 ?? Number.POSITIVE_INFINITY),
      ],
      commands: samples.length,
      goodReplies: samples.length - new Set(measuredFailures.map((f) => `${f.round}:${f.index}`)).size,
      ticsRequests,
      failures,
    };
  } finally {
    sender?.close();
    await bot?.stop();
    await sink?.close();
    await slack?.close();
    await sim?.close();
  }
}

export function formatHistoryResult(r: HistoryBenchResult): string {
  const s = r.settings;
  const row = (name: string, x: Summary | undefined) => [name, ...(x ? [x.p50, x.p90, x.p99, x.max].map(ms) : ['–', '–', '–', '–'])];
  const lines = [
    `/tics history — ${s.concurrency} concurrent commands × ${s.rounds} rounds, TICS latency ${s.latencyMs} ms, ` +
      `${s.instances} instances (page of ${s.pageSize}) · Node ${r.machine.node}, ${r.machine.cpus} CPU(s), ${r.machine.platform}`,
    '',
    table(
      ['ms', 'p50', 'p90', 'p99', 'max'],
      [
        row('ack latency', r.ack),
        row('reply time', r.reply),
        row(`overhead (reply − ${s.latencyMs})`, r.overhead),
        row('TICS request start', r.upstreamStart),
      ],
    ),
    '',
    ...r.targets.map((t) => `${t.pass ? 'PASS' : 'MISS'}  ${t.name} ≤ ${t.limitMs} ms: ${Number.isFinite(t.actualMs) ? ms(t.actualMs) : 'no replies'} ms`),
    '',
    `Correctness: ${r.goodReplies}/${r.commands} replies are history pages; ${r.ticsRequests} TICS requests for ${r.commands} commands.`,
  ];
  if (r.failures.length) {
    lines.push(`${r.failures.length} failure(s)${r.failures.some((f) => f.round < 1) ? ' (round 0 = warm-up)' : ''}:`);
    for (const f of r.failures.slice(0, 20)) lines.push(`  round ${f.round} command ${f.index}: ${f.problem}`);
    if (r.failures.length > 20) lines.push(`  … and ${r.failures.length - 20} more`);
  }
  return lines.join('\n');
}
