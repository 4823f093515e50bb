/**
 * The real bot, end to end, on free ports: the strict TICS simulator, the fake Slack Web API +
 * response_url sink, and `startBot()` from src/bot.ts configured through `loadConfig()` exactly as
 * production is. Tests talk to it only the way Slack does — correctly signed HTTP requests, or in
 * Socket Mode envelopes over the fake's WebSocket that the bot must ack — and read what it said
 * from the fake Slack, what it asked from the simulator's request log, and what it logged from an
 * in-memory pino destination. `forEachMode` runs a suite in both modes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { secretsOf, startBot, type BotHandle, type BotOptions } from '../../src/bot.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { DEMO_LEAGUES, startSimulator, type SimulatorOptions, type SimWorld, type TicsSimulator } from '../../src/simulator/server.js';
import type { JobInstance } from '../../src/tics/schema.js';
import { startFakeSlack, type FakeSlack, type ResponseUrlPost } from '../fakes/slack-api.js';
import { describe } from 'vitest';
import { assertWithinSlackLimits } from './block-kit-limits.js';
import { recordOutput, recordSecrets } from './leak-record.js';
import { blockActionsBody, postToApp, slashCommandBody, type PostResult } from './slack-requests.js';

export type SlackMode = 'http' | 'socket';
export const MODES: readonly SlackMode[] = ['http', 'socket'];

/** Runs `suite` once per Slack mode, each in its own describe block named after the mode. */
export function forEachMode(suite: (mode: SlackMode) => void): void {
  describe.each(MODES.map((mode) => ({ mode })))('$mode mode', ({ mode }) => suite(mode));
}

export interface HarnessOptions {
  /** How Slack reaches the bot: signed HTTP posts (default) or Socket Mode envelopes. */
  mode?: SlackMode;
  /** Passed to startSimulator; seeded with the demo leagues unless `seed: false`. */
  simulator?: Omit<SimulatorOptions, 'credentials'>;
  /** Fills the world before the bot starts (controlled data); `now` is the simulator's clock. */
  world?: (world: SimWorld, now: number) => void;
  /** Aliases (alias → league id) on top of the demo leagues' aliases. */
  leagues?: Record<string, string>;
  /** Environment overrides for loadConfig, e.g. `{ TICS_MAX_RETRIES: '0' }`. */
  env?: Record<string, string>;
  /** Passed through to startBot (e.g. `simulated: true`). The logger is always the harness's. */
  bot?: Omit<BotOptions, 'logger'>;
  /** Runs once the fake Slack is up, before the bot starts (e.g. to make Slack unreachable). */
  beforeStart?: (slack: FakeSlack) => void;
  /** Socket Mode: return only once the bot is connected (default true). */
  waitForSocket?: boolean;
}

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A Slack message as the fake received it (response_url body or chat.* args). */
export type SlackBody = Record<string, unknown>;

/** In Socket Mode `status` is 200 once the bot acked the envelope, `body` the ack's payload as JSON. */
export interface Sent extends PostResult {
  /** The response_url id (fake Slack) this request carried. */
  responseId: string;
  responseUrl: string;
}

export interface RequestOptions {
  /** Reuse (or name) a response_url; a fresh one by default. */
  responseId?: string;
  /** Send without X-Slack-Signature / timestamp. */
  unsigned?: boolean;
  /** Sign with this secret instead of the bot's. */
  signingSecret?: string;
  timestampSeconds?: number;
  /** Sign one body, send another. */
  tamper?: boolean;
  userId?: string;
  channelId?: string;
}

export interface ClickOptions extends RequestOptions {
  blockId?: string;
  buttonText?: string;
  /** Clicks in ephemeral messages (every `/tics` reply) carry no `message`; default true. */
  ephemeral?: boolean;
  messageBlocks?: unknown[];
  messageText?: string;
  /** Sends a choice in a static select (with this option) instead of a button click. */
  selectedOption?: { value: string; text: string };
  /** The select's placeholder text, echoed in the action. */
  placeholder?: string;
}

/** press(): for a select, the value of the option to pick (its text is read from the select). */
export interface PressOptions extends ClickOptions {
  nth?: number;
  option?: string;
}

export interface ButtonRef {
  actionId: string;
  value: string | undefined;
  blockId: string | undefined;
  text: string;
}

export interface Harness {
  readonly mode: SlackMode;
  readonly sim: TicsSimulator;
  readonly slack: FakeSlack;
  readonly bot: BotHandle;
  readonly config: Config;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** Where Slack posts commands and interactivity (HTTP mode). */
  readonly eventsUrl: string;
  readonly signingSecret: string;
  /** Every configured secret value: bot token, signing secret, SK. */
  readonly secrets: readonly string[];
  command(text: string, opts?: RequestOptions): Promise<Sent>;
  click(actionId: string, value: string | undefined, opts?: ClickOptions): Promise<Sent>;
  /**
   * Clicks the `nth` button with this action id in `message`, with its own value and block id; for
   * a static select with that action id, picks the option whose value is `opts.option`.
   */
  press(message: SlackBody, actionId: string, opts?: PressOptions): Promise<Sent>;
  responses(id: string): ResponseUrlPost[];
  /** Waits until `id` has received `count` posts and returns the last of them. */
  waitForReply(id: string, opts?: { count?: number; timeoutMs?: number }): Promise<ResponseUrlPost>;
  /** `command()` + the first reply's body. */
  ask(text: string, opts?: RequestOptions): Promise<{ sent: Sent; reply: SlackBody }>;
  /** `press()` + the first reply's body. */
  pressAndWait(message: SlackBody, actionId: string, opts?: PressOptions): Promise<{ sent: Sent; reply: SlackBody }>;
  logs(): LogLine[];
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Every message the bot sent to Slack so far (response_url bodies and chat.* args). */
  messages(): SlackBody[];
  /**
   * Since the previous call: Block Kit limits on every message, no message refused by the fake, no
   * stack trace or secret in any message or log line, no error-level log line. Incremental, so one
   * broken test does not fail every later one.
   */
  assertInvariants(opts?: { allowErrorLogs?: boolean }): void;
  close(): Promise<void>;
}

const PINO_ERROR = 50;
/** Web API calls that post or change a message (chat.getPermalink only reads a link). */
const isMessageCall = (method: string) => method.startsWith('chat.') && method !== 'chat.getPermalink';
// "    at fn (/path/file.ts:12:34)" or a bare "at /path/file.js:1:2".
const STACK_TRACE = /\bat (?:\S+ \()?(?:file:\/\/|\/|node:)\S*:\d+:\d+|node_modules/;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(12).toString('hex')}`;
  // Random per harness, shaped like Huawei's (20/40 characters), so a leak cannot hide behind a default.
  const credentials = { ak: `HARNESS${randomBytes(7).toString('hex').toUpperCase().slice(0, 13)}`, sk: randomBytes(20).toString('hex') };

  const sim = await startSimulator({ ...options.simulator, credentials: [credentials] });
  let slack: FakeSlack | undefined;
  try {
    options.world?.(sim.world, Date.now());
    slack = await startFakeSlack({ botToken });
    options.beforeStart?.(slack);
    const mode = options.mode ?? 'http';
    const aliases = { ...Object.fromEntries(DEMO_LEAGUES.map((l) => [l.alias, l.id])), ...options.leagues };
    const env: Record<string, string> = {
      SLACK_BOT_TOKEN: botToken,
      ...(mode === 'socket' ? { SLACK_APP_TOKEN: slack.socket.appToken } : { SLACK_SIGNING_SECRET: signingSecret }),
      SLACK_API_URL: slack.url,
      PORT: '0',
      STORE_URL: 'memory://',
      TICS_PROJECT_ID: sim.projectId,
      TICS_ENDPOINT: sim.url,
      // Used only when a test configures the IAM password method instead of AK/SK.
      IAM_ENDPOINT: sim.url,
      CLOUD_SDK_AK: credentials.ak,
      CLOUD_SDK_SK: credentials.sk,
      TICS_LEAGUES: Object.entries(aliases)
        .map(([alias, id]) => `${alias}=${id}`)
        .join(','),
      // The client's backoff (500 ms, doubling) has no knob; one retry keeps error tests quick.
      TICS_MAX_RETRIES: '1',
      LOG_LEVEL: 'debug',
      ...options.env,
    };
    const config = loadConfig(env);
    // From the environment, not secretsOf(): the suite-wide check must not share the code's idea of what is secret.
    recordSecrets(`harness (${mode})`, env);
    const secrets = secretsOf(config);
    const lines: string[] = [];
    const logSource = `harness log (${mode})`;
    const logger = createLogger({
      level: 'debug',
      secrets,
      destination: {
        write: (line: string) => {
          lines.push(line);
          recordOutput(logSource, line);
        },
      },
    });
    const bot = await startBot(config, { ...options.bot, logger });
    // startBot returns before Socket Mode connects; commands need the connection.
    if (mode === 'socket' && options.waitForSocket !== false) {
      await waitForConnected(bot).catch(async (error: unknown) => {
        await bot.stop();
        throw error;
      });
    }
    return harness({ mode, sim, slack, bot, config, signingSecret, secrets, lines });
  } catch (error) {
    await slack?.close();
    await sim.close();
    throw error;
  }
}

/** Resolves once the bot's Slack connection is up (in Socket Mode: it has processed `hello`). */
export async function waitForConnected(bot: BotHandle, timeoutMs = 10_000): Promise<void> {
  if (bot.connection.snapshot().connected) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      bot.connection.off('connected', done);
      reject(new Error(`the bot's Slack connection was not up within ${timeoutMs} ms: ${JSON.stringify(bot.connection.snapshot())}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    bot.connection.once('connected', done);
  });
}

interface Parts {
  mode: SlackMode;
  sim: TicsSimulator;
  slack: FakeSlack;
  bot: BotHandle;
  config: Config;
  signingSecret: string;
  secrets: string[];
  lines: string[];
}

function harness({ mode, sim, slack, bot, config, signingSecret, secrets, lines }: Parts): Harness {
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  const eventsUrl = `${baseUrl}/slack/events`;
  let seq = 0;
  const issue = (id: string | undefined) => {
    const responseId = id ?? `h${++seq}-${randomBytes(4).toString('hex')}`;
    return { responseId, responseUrl: slack.responseUrl(responseId) };
  };
  /** Socket Mode: the same payload Slack would have posted, as an envelope; "200" once the bot acked it. */
  const sendEnvelope = async (body: string, opts: RequestOptions, ids: { responseId: string; responseUrl: string }): Promise<Sent> => {
    if (opts.unsigned || opts.signingSecret !== undefined || opts.timestampSeconds !== undefined || opts.tamper) {
      throw new Error('request signing exists only in HTTP mode');
    }
    const form = new URLSearchParams(body);
    const payloadJson = form.get('payload');
    const started = performance.now();
    const envelopeId =
      payloadJson === null
        ? slack.socket.send('slash_commands', Object.fromEntries(form))
        : slack.socket.send('interactive', JSON.parse(payloadJson) as Record<string, unknown>);
    const ack = await slack.socket.waitForAck(envelopeId);
    return { status: 200, body: JSON.stringify(ack.payload), headers: {}, elapsedMs: performance.now() - started, ...ids };
  };
  const post = async (body: string, opts: RequestOptions, ids: { responseId: string; responseUrl: string }): Promise<Sent> => {
    if (mode === 'socket') return sendEnvelope(body, opts, ids);
    const result = await postToApp(eventsUrl, body, {
      ...(opts.unsigned ? {} : { signingSecret: opts.signingSecret ?? signingSecret }),
      ...(opts.timestampSeconds === undefined ? {} : { timestampSeconds: opts.timestampSeconds }),
      ...(opts.tamper ? { tamper: true } : {}),
    });
    return { ...result, ...ids };
  };
  const parseLogs = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
  const checked = { responses: 0, calls: 0, lines: 0 };

  const h: Harness = {
    mode,
    sim,
    slack,
    bot,
    config,
    baseUrl,
    eventsUrl,
    signingSecret,
    secrets,
    async command(text, opts = {}) {
      const ids = issue(opts.responseId);
      const body = slashCommandBody({
        text,
        responseUrl: ids.responseUrl,
        ...(opts.userId ? { userId: opts.userId } : {}),
        ...(opts.channelId ? { channelId: opts.channelId } : {}),
      });
      return post(body, opts, ids);
    },
    async click(actionId, value, opts = {}) {
      const ids = issue(opts.responseId);
      const body = blockActionsBody({
        actionId,
        responseUrl: ids.responseUrl,
        isEphemeral: opts.ephemeral ?? true,
        ...(value === undefined ? {} : { value }),
        ...(opts.blockId ? { blockId: opts.blockId } : {}),
        ...(opts.buttonText ? { buttonText: opts.buttonText } : {}),
        ...(opts.userId ? { userId: opts.userId } : {}),
        ...(opts.channelId ? { channelId: opts.channelId } : {}),
        ...(opts.messageBlocks ? { messageBlocks: opts.messageBlocks } : {}),
        ...(opts.messageText ? { messageText: opts.messageText } : {}),
        ...(opts.selectedOption ? { selectedOption: opts.selectedOption } : {}),
        ...(opts.placeholder ? { placeholder: opts.placeholder } : {}),
      });
      return post(body, opts, ids);
    },
    async press(message, actionId, opts = {}) {
      const { nth, option, ...clickOpts } = opts;
      const ephemeral = opts.ephemeral ?? message.response_type !== 'in_channel';
      const original = ephemeral ? {} : { messageBlocks: blocksOf(message), ...(typeof message.text === 'string' ? { messageText: message.text } : {}) };
      const found = buttons(message).filter((b) => b.actionId === actionId);
      const button = found[nth ?? 0];
      if (!button) {
        const select = selects(message).filter((s) => s.actionId === actionId)[nth ?? 0];
        if (!select) {
          const all = [...buttons(message), ...selects(message)].map((b) => b.actionId);
          throw new Error(`no "${actionId}" button or select #${nth ?? 0} in the message; controls: ${all.join(', ') || 'none'}`);
        }
        const picked = select.options.find((o) => o.value === option);
        if (!picked) throw new Error(`select "${actionId}" has no option ${String(option)}; options: ${select.options.map((o) => o.value).join(', ')}`);
        return h.click(actionId, undefined, {
          ...(select.blockId ? { blockId: select.blockId } : {}),
          ...(select.placeholder ? { placeholder: select.placeholder } : {}),
          selectedOption: picked,
          ...original,
          ...clickOpts,
          ephemeral,
        });
      }
      return h.click(actionId, button.value, {
        ...(button.blockId ? { blockId: button.blockId } : {}),
        buttonText: button.text,
        ...original,
        ...clickOpts,
        ephemeral,
      });
    },
    responses: (id) => slack.responses(id),
    async waitForReply(id, opts = {}) {
      const count = opts.count ?? 1;
      const posts = await slack.waitForResponses(count, { id, timeoutMs: opts.timeoutMs ?? 5_000 });
      return posts[count - 1]!;
    },
    async ask(text, opts) {
      const sent = await h.command(text, opts);
      if (sent.status !== 200) throw new Error(`/tics ${text}: HTTP ${sent.status}`);
      return { sent, reply: (await h.waitForReply(sent.responseId)).body };
    },
    async pressAndWait(message, actionId, opts) {
      const sent = await h.press(message, actionId, opts);
      if (sent.status !== 200) throw new Error(`click ${actionId}: HTTP ${sent.status}`);
      return { sent, reply: (await h.waitForReply(sent.responseId)).body };
    },
    logs: parseLogs,
    async waitForLog(predicate, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = parseLogs().find(predicate);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${lines.slice(-5).join('')}`);
        await delay(20);
      }
    },
    messages() {
      const fromResponses = slack.responses().map((p) => p.body);
      const fromApi = slack.calls.filter((c) => isMessageCall(c.method)).map((c) => c.args);
      return [...fromResponses, ...fromApi];
    },
    assertInvariants(opts = {}) {
      const posts = slack.responses().slice(checked.responses);
      const calls = slack.calls.slice(checked.calls).filter((c) => isMessageCall(c.method));
      // Home tabs and modals: the fake checked their limits; here, that none was refused and nothing leaked through them.
      const views = slack.calls.slice(checked.calls).filter((c) => c.method.startsWith('views.') || c.method === 'chat.getPermalink');
      const logLines = lines.slice(checked.lines);
      checked.responses += posts.length;
      checked.calls = slack.calls.length;
      checked.lines += logLines.length;

      slack.socket.assertClean();
      for (const post of posts) {
        // An expired/used-up url is the bot's environment, not its payload; any other refusal is a bug.
        if (post.error && post.error !== 'expired_url' && post.error !== 'used_url') {
          throw new Error(`fake Slack refused a response_url post (${post.error}): ${post.raw.slice(0, 500)}`);
        }
        if (post.body.delete_original !== true) assertWithinSlackLimits(post.body);
      }
      for (const call of calls) {
        if (call.response.ok !== true) throw new Error(`fake Slack refused ${call.method}: ${JSON.stringify(call.response)}`);
        assertWithinSlackLimits(call.args);
      }
      for (const call of views) if (call.response.ok !== true) throw new Error(`fake Slack refused ${call.method}: ${JSON.stringify(call.response)}`);
      for (const message of [...posts.map((p) => p.body), ...calls.map((c) => c.args), ...views.map((c) => (isRecord(c.args.view) ? c.args.view : {}))]) {
        const text = allText(message);
        if (STACK_TRACE.test(text)) throw new Error(`a stack trace reached Slack: ${text.slice(0, 500)}`);
      }
      const everything = [logLines.join(''), ...posts.map((p) => p.raw), ...[...calls, ...views].map((c) => JSON.stringify(c.args))];
      for (const secret of secrets) {
        const where = everything.findIndex((text) => text.includes(secret));
        if (where >= 0) throw new Error(`a secret (${secret.slice(0, 4)}…) leaked into ${where === 0 ? 'the logs' : 'a Slack message'}`);
      }
      if (!opts.allowErrorLogs) {
        const errors = logLines.map((line) => JSON.parse(line) as LogLine).filter((l) => l.level >= PINO_ERROR);
        if (errors.length) throw new Error(`error-level log lines:\n${errors.map((l) => JSON.stringify(l)).join('\n')}`);
      }
    },
    async close() {
      await bot.stop();
      await slack.close();
      await sim.close();
    },
  };
  return h;
}

// ---------------------------------------------------------------------------------------------
// Reading messages
// ---------------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function blocksOf(message: SlackBody): unknown[] {
  return Array.isArray(message.blocks) ? message.blocks : [];
}

/** Every button in the message (section accessories and actions blocks), in order. */
export function buttons(message: SlackBody): ButtonRef[] {
  const out: ButtonRef[] = [];
  const add = (element: unknown, blockId: string | undefined) => {
    if (!isRecord(element) || element.type !== 'button' || typeof element.action_id !== 'string') return;
    const text = isRecord(element.text) && typeof element.text.text === 'string' ? element.text.text : '';
    out.push({ actionId: element.action_id, value: typeof element.value === 'string' ? element.value : undefined, blockId, text });
  };
  for (const block of blocksOf(message)) {
    if (!isRecord(block)) continue;
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    if (block.accessory !== undefined) add(block.accessory, blockId);
    if (Array.isArray(block.elements)) for (const e of block.elements) add(e, blockId);
  }
  return out;
}

export interface SelectRef {
  actionId: string;
  blockId: string | undefined;
  placeholder: string | undefined;
  options: Array<{ value: string; text: string }>;
}

/** Every static select in the message (section accessories and actions blocks), in order. */
export function selects(message: SlackBody): SelectRef[] {
  const out: SelectRef[] = [];
  const textOf = (v: unknown) => (isRecord(v) && typeof v.text === 'string' ? v.text : undefined);
  const add = (element: unknown, blockId: string | undefined) => {
    if (!isRecord(element) || element.type !== 'static_select' || typeof element.action_id !== 'string') return;
    const options = (Array.isArray(element.options) ? element.options : [])
      .filter(isRecord)
      .map((o) => ({ value: typeof o.value === 'string' ? o.value : '', text: textOf(o.text) ?? '' }));
    out.push({ actionId: element.action_id, blockId, placeholder: textOf(element.placeholder), options });
  };
  for (const block of blocksOf(message)) {
    if (!isRecord(block)) continue;
    const blockId = typeof block.block_id === 'string' ? block.block_id : undefined;
    if (block.accessory !== undefined) add(block.accessory, blockId);
    if (Array.isArray(block.elements)) for (const e of block.elements) add(e, blockId);
  }
  return out;
}

export function actionIds(message: SlackBody): string[] {
  return buttons(message).map((b) => b.actionId);
}

/** The instance ids of the rows, in the order shown (read from each row's Details button). */
export function shownInstanceIds(message: SlackBody): string[] {
  return buttons(message)
    .filter((b) => b.actionId === 'history_details' && b.value !== undefined)
    .map((b) => (JSON.parse(b.value!) as { instanceId: string }).instanceId);
}

/** The row section of one instance, found through its Details button. */
export function rowText(message: SlackBody, instanceId: string): string | undefined {
  for (const block of blocksOf(message)) {
    if (!isRecord(block) || !isRecord(block.accessory) || !isRecord(block.text)) continue;
    const value = block.accessory.value;
    if (typeof value === 'string' && value.includes(`"instanceId":"${instanceId}"`)) return String(block.text.text);
  }
  return undefined;
}

/** Top-level text and every text in the blocks, joined: for `toContain` checks. */
export function allText(message: SlackBody): string {
  const out: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (typeof v === 'string') {
      if (key === 'text') out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (isRecord(v)) for (const [k, x] of Object.entries(v)) if (k !== 'value') walk(x, k);
  };
  walk(message);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Controlled worlds
// ---------------------------------------------------------------------------------------------

const HOUR = 3_600_000;

/**
 * Adds a league of `count` finished instances, newest (index 0) starting an hour before `now`, one
 * hour apart, so order is unambiguous and nothing moves on its own. `make` overrides fields per index.
 */
export function fillLeague(
  world: SimWorld,
  leagueId: string,
  count: number,
  now: number,
  make: (i: number) => Partial<JobInstance> = () => ({}),
): JobInstance[] {
  world.addLeague(leagueId);
  const made: JobInstance[] = [];
  for (let i = 0; i < count; i++) {
    const startTime = now - (i + 1) * HOUR;
    const instance: JobInstance = {
      id: createHash('md5').update(`${leagueId}:${i}`).digest('hex'),
      jobName: `job-${i % 3}`,
      type: 'VFL_TRAIN',
      status: 'SUCCEEDED',
      startTime,
      endTime: startTime + 10 * 60_000,
      roundId: 5,
      ...make(i),
    };
    world.upsertInstance(leagueId, instance);
    made.push(instance);
  }
  return made;
}
