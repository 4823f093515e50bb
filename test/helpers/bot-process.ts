/**
 * The built bot (`node dist/main.js`, built once by the `process` project's global setup) as its own
 * OS process, configured only through its environment like a deployment, against a fake Slack and a TICS simulator that live in the test
 * process. For what in-process tests cannot show: a restart on the same SQLite file, replicas on
 * one Redis, a replica dying by SIGKILL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TicsSimulator } from '../../src/simulator/server.js';
import type { FakeSlack } from '../fakes/slack-api.js';
import { trackChild } from './children.js';
import { recordOutput, recordSecrets } from './leak-record.js';
import { postToApp, slashCommandBody } from './slack-requests.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The node flags `npm start` (and the Docker CMD, which a packaging test holds equal) runs the bot
 * with, so tests and benches run the bot as it is deployed.
 */
export function deploymentNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [node, ...rest] = pkg.scripts.start.trim().split(/\s+/);
  if (node !== 'node' || !rest.at(-1)?.endsWith('.js')) throw new Error(`npm start is not "node [flags] <file>.js": ${pkg.scripts.start}`);
  return rest.slice(0, -1);
}

export interface ProcessLogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BotProcess {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  /** Parsed JSON log lines (pino, stdout) so far. */
  logs(): ProcessLogLine[];
  /** Everything written to stdout and stderr, for failure messages. */
  output(): string;
  waitForLog(predicate: (line: ProcessLogLine) => boolean, timeoutMs?: number): Promise<ProcessLogLine>;
  /** Sends a signed `/tics` command as Slack would; the reply goes to the fake Slack's response_url `responseId`. */
  command(text: string, opts?: { channelId?: string; userId?: string }): Promise<{ status: number; responseId: string }>;
  /** SIGTERM, then the exit (graceful shutdown). */
  stop(timeoutMs?: number): Promise<Exit>;
  /** SIGKILL, then the exit (a crash: nothing is flushed). */
  kill(): Promise<Exit>;
  readonly exited: Promise<Exit>;
}

export interface BotEnvInput {
  /** The fake Slack (or anything with its Web API base URL). */
  slack: Pick<FakeSlack, 'url'>;
  botToken: string;
  signingSecret: string;
  /** The TICS simulator, in this process or another. */
  sim: Pick<TicsSimulator, 'projectId' | 'url'> & { credentials: { ak: string; sk: string } };
  storeUrl: string;
  /** alias → league id */
  leagues?: Record<string, string>;
  extra?: Record<string, string>;
}

/**
 * What a deployment must set, pointing at the fakes, and nothing else: production defaults for the
 * rest (the benches run this, as `npm start` would).
 */
export function deploymentEnv(input: BotEnvInput): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: input.botToken,
    SLACK_SIGNING_SECRET: input.signingSecret,
    SLACK_API_URL: input.slack.url,
    PORT: '0',
    STORE_URL: input.storeUrl,
    TICS_PROJECT_ID: input.sim.projectId,
    TICS_ENDPOINT: input.sim.url,
    CLOUD_SDK_AK: input.sim.credentials.ak,
    CLOUD_SDK_SK: input.sim.credentials.sk,
    TICS_LEAGUES: Object.entries(input.leagues ?? {})
      .map(([alias, id]) => `${alias}=${id}`)
      .join(','),
    ...input.extra,
  };
}

/** A complete production environment pointing at the fakes, with the tests' faster watcher and no TICS retries. */
export function botEnv(input: BotEnvInput): Record<string, string> {
  return {
    ...deploymentEnv({ ...input, extra: {} }),
    TICS_MAX_RETRIES: '0',
    WATCH_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'info',
    ...input.extra,
  };
}

export function newSlackSecrets(): { botToken: string; signingSecret: string } {
  return { botToken: `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
}

const READY_MSG = 'tics-bot is up';

/**
 * Spawns the bot and resolves once it logged that it is up (with the port it listens on). Only the
 * given variables (plus PATH/HOME/TMPDIR) reach it: nothing of the test runner's environment leaks
 * into its configuration.
 */
export async function startBotProcess(env: Record<string, string>, opts: { name?: string; slack: FakeSlack; signingSecret: string; readyTimeoutMs?: number }): Promise<BotProcess> {
  const name = opts.name ?? 'bot';
  recordSecrets(`bot process ${name}`, env);
  const base: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  const child: ChildProcess = trackChild(
    spawn(process.execPath, [...deploymentNodeFlags(), 'dist/main.js'], {
      cwd: REPO_ROOT,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let out = '';
  let pending = '';
  const lines: ProcessLogLine[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      recordOutput(`bot process ${name} stdout`, line);
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null) lines.push(parsed as ProcessLogLine);
      } catch {
        // Not a log line (a stray console.log): kept in `out` only.
      }
    }
    notify();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    recordOutput(`bot process ${name} stderr`, chunk);
    notify();
  });
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      notify();
    });
  });

  const waitForLog = (predicate: (line: ProcessLogLine) => boolean, timeoutMs = 10_000) =>
    new Promise<ProcessLogLine>((resolve, reject) => {
      const check = () => {
        const hit = lines.find(predicate);
        if (hit) return done(() => resolve(hit));
        if (exit) return done(() => reject(new Error(`${name} exited (${JSON.stringify(exit)}) before the awaited log line; output:\n${tail(out)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${name}: no matching log line within ${timeoutMs} ms; output:\n${tail(out)}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  let ready: ProcessLogLine;
  try {
    ready = await waitForLog((l) => l.msg === READY_MSG, opts.readyTimeoutMs ?? 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const port = Number(ready.port);
  if (!Number.isInteger(port) || port <= 0) throw new Error(`${name}: "${READY_MSG}" carried no port: ${JSON.stringify(ready)}`);
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;

  const signalAndWait = async (signal: NodeJS.Signals, timeoutMs: number): Promise<Exit> => {
    if (!exit) child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name} did not exit within ${timeoutMs} ms of ${signal}; output:\n${tail(out)}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  let seq = 0;
  return {
    name,
    pid: child.pid!,
    port,
    logs: () => [...lines],
    output: () => out,
    waitForLog,
    async command(text, cmd = {}) {
      const responseId = `${name}-${++seq}-${randomBytes(3).toString('hex')}`;
      const body = slashCommandBody({
        text,
        responseUrl: opts.slack.responseUrl(responseId),
        ...(cmd.channelId ? { channelId: cmd.channelId } : {}),
        ...(cmd.userId ? { userId: cmd.userId } : {}),
      });
      const res = await postToApp(eventsUrl, body, { signingSecret: opts.signingSecret });
      return { status: res.status, responseId };
    },
    stop: (timeoutMs = 15_000) => signalAndWait('SIGTERM', timeoutMs),
    kill: () => signalAndWait('SIGKILL', 5_000),
    exited,
  };
}

function tail(text: string, max = 4_000): string {
  return text.length > max ? `…${text.slice(-max)}` : text;
}
