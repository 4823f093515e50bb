/**
 * Fixture for the watcher and history benchmarks: the TICS simulator in a process of its own, so
 * that the bench measures the bot's memory (watcher: not the 200 000 simulated instances') and
 * the bot's CPU (history: the simulator's signature checks and JSON run on another core, as
 * Huawei's servers would).
 *
 *   node --import tsx bench/simulator-process.ts '{"leagues":2000,"instances":100,"latencyMs":50}'
 *
 * Protocol, one JSON object per line: first it prints `{"ready":true,…}` (URL, project, AK/SK,
 * league ids) on stdout; then it answers each command read on stdin with one line:
 * - `{"cmd":"fail","count":N}` → sets N RUNNING instances (spread evenly over the leagues) to FAILED
 *   and answers `{"failed":[{"leagueId","instanceId"}…]}`;
 * - `{"cmd":"requests"}` → `{"requests":n,"byStatus":{…}}`, what the server saw since the last such
 *   command (the record is then cleared, so it does not grow with the run); with the `timing`
 *   option also `"arrivals":[…]` and `"answers":[…]`: when each HTTP request came in and when each
 *   response was handed to the socket, in µs of the monotonic clock (`process.hrtime`, which
 *   every process on the machine shares), from Node's own `http.server.*` diagnostics channels;
 * - `{"cmd":"latency","ms":N}` → sets the delay before every answer, answers `{"latencyMs":N}`.
 * With `concurrent`, the latency is counted from each request's arrival and the simulator does its
 * work (signature check, zod, JSON) at once, holding only the finished answer back: answers due
 * together then leave together, as from a real TICS with many servers, instead of one after the
 * other behind ~0.7 ms of CPU each (which the history bench would count as the bot's overhead).
 * It exits when stdin closes (the parent died or is done).
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { startSimulator } from '../src/simulator/server.js';
import { KNOWN_INSTANCE_TYPES, type JobInstance } from '../src/tics/schema.js';

const optionsSchema = z.object({
  leagues: z.number().int().positive().default(2000),
  instances: z.number().int().positive().default(100),
  /** RUNNING instances per league, the newest ones; the rest is terminal history. */
  running: z.number().int().min(0).default(2),
  latencyMs: z.number().min(0).default(50),
  /** Stamp every request's arrival and answer (see `requests`). */
  timing: z.boolean().default(false),
  /** Work on arrival, answer at arrival + latency (see the header). */
  concurrent: z.boolean().default(false),
});

const commandSchema = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('fail'), count: z.number().int().min(0) }),
  z.object({ cmd: z.literal('requests') }),
  z.object({ cmd: z.literal('latency'), ms: z.number().min(0) }),
]);

export type SimulatorProcessOptions = z.input<typeof optionsSchema>;

/** Letters and digits only, like real TICS ids; sortable so league n is easy to spot in a log. */
const leagueIdOf = (n: number) => `benchL${String(n).padStart(5, '0')}`;
const instanceIdOf = (league: number, i: number) => `b${String(league).padStart(5, '0')}i${String(i).padStart(5, '0')}`;

const NAMES = ['信用评分模型训练', 'credit-score-xgb-train', 'joint-sql-overlap-count', 'fraud-lr-train', '样本对齐'];
// Mostly successes, as in a healthy league; the failures are old news a baseline must not alert on.
const TERMINAL = ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED', 'TERMINATED'];

function leagueInstances(league: number, count: number, running: number, now: number): JobInstance[] {
  return Array.from({ length: count }, (_, i) => {
    const start = now - (i + 1) * 37 * 60_000 - league * 1000;
    const live = i < running;
    return {
      id: instanceIdOf(league, i),
      jobName: NAMES[i % NAMES.length]!,
      type: KNOWN_INSTANCE_TYPES[i % KNOWN_INSTANCE_TYPES.length]!,
      status: live ? 'RUNNING' : TERMINAL[i % TERMINAL.length]!,
      roundId: i % 12,
      startTime: start,
      ...(live ? {} : { endTime: start + (3 + (i % 20)) * 60_000 }),
      jobPartner: `partner-${i % 4}`,
    };
  });
}

/**
 * Holds each response's `end()` until its request's arrival + latency. The status line and headers
 * go out with the first write, and the simulator writes a body only through `end()`, so nothing
 * leaves early. Subscribed before the server's 'request' event, i.e. before the simulator sees it.
 */
function holdAnswers(latencyMs: () => number): void {
  subscribe('http.server.request.start', (message) => {
    const { response } = message as { response: ServerResponse };
    const due = performance.now() + latencyMs();
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      const wait = due - performance.now();
      if (wait <= 0) return end(...args);
      setTimeout(() => end(...args), wait);
      return response;
    }) as ServerResponse['end'];
  });
}

async function main(): Promise<void> {
  const opts = optionsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  // The gateway limit is raised out of the way: the bench measures the watcher, not throttling.
  const sim = await startSimulator({ seed: false, latencyMs: opts.concurrent ? 0 : opts.latencyMs, rateLimitPerSecond: 100_000, port: 0 });
  let heldMs = opts.latencyMs;
  if (opts.concurrent) holdAnswers(() => heldMs);
  const now = Date.now();
  const leagueIds: string[] = [];
  for (let l = 0; l < opts.leagues; l++) {
    const id = leagueIdOf(l);
    sim.world.addLeague(id, { name: `Bench league ${l}` });
    for (const instance of leagueInstances(l, opts.instances, opts.running, now)) sim.world.upsertInstance(id, instance);
    leagueIds.push(id);
  }
  // Instances still RUNNING, in the order `fail` takes them from: never the same one twice.
  const runningLeft = Array.from({ length: opts.leagues }, () => Math.min(opts.running, opts.instances));
  let failRound = 0;

  const arrivals: number[] = [];
  const answers: number[] = [];
  if (opts.timing) {
    const stamp = (into: number[]) => () => into.push(Number(process.hrtime.bigint() / 1000n));
    subscribe('http.server.request.start', stamp(arrivals));
    subscribe('http.server.response.finish', stamp(answers));
  }

  const reply = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
  reply({ ready: true, url: sim.url, projectId: sim.projectId, ak: sim.credentials.ak, sk: sim.credentials.sk, leagueIds, rss: process.memoryUsage().rss });

  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const parsed = commandSchema.safeParse((() => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        return undefined;
      }
    })());
    if (!parsed.success) return reply({ error: `bad command: ${line.slice(0, 80)}` });
    const cmd = parsed.data;
    if (cmd.cmd === 'requests') {
      const byStatus: Record<string, number> = {};
      for (const r of sim.requests) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
      const count = sim.requests.length;
      sim.requests.length = 0;
      const timing = opts.timing ? { arrivals: arrivals.splice(0), answers: answers.splice(0) } : {};
      return reply({ requests: count, byStatus, ...timing });
    }
    if (cmd.cmd === 'latency') {
      if (opts.concurrent) heldMs = cmd.ms;
      else sim.setLatency(cmd.ms);
      return reply({ latencyMs: cmd.ms });
    }
    const failed: Array<{ leagueId: string; instanceId: string }> = [];
    // Spread over the leagues (league k·L/N), starting a little further on each round.
    for (let k = 0; k < cmd.count * 4 && failed.length < cmd.count; k++) {
      const league = (Math.floor((k * opts.leagues) / cmd.count) + failRound) % opts.leagues;
      const left = runningLeft[league]!;
      if (left === 0) continue;
      const instanceId = instanceIdOf(league, left - 1);
      sim.world.setStatus(leagueIdOf(league), instanceId, 'FAILED');
      runningLeft[league] = left - 1;
      failed.push({ leagueId: leagueIdOf(league), instanceId });
    }
    failRound += 1;
    return reply({ failed });
  });
  lines.on('close', () => {
    void sim.close().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error('simulator-process failed:', error);
  process.exit(1);
});
