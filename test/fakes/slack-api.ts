/**
 * A strict stand-in for Slack: the Web API methods tics-bot calls and the response_url sink, as a
 * real HTTP server. Strict on purpose — whatever real Slack would reject, this rejects too, so a
 * test that passes here is not passing only because the fake is lenient.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { assertViewWithinLimits, assertWithinSlackLimits } from '../helpers/block-kit-limits.js';
import { recordOutput } from '../helpers/leak-record.js';
import { startFakeSocketMode, type FakeSocketMode } from './socket-mode.js';

export interface FakeSlackOptions {
  botToken?: string;
  port?: number;
  /** Clock (ms) for `at`, message ts and the response_url 30-minute window. */
  now?: () => number;
  /** Channel id → name for conversations.info; other ids get a name derived from the id. */
  channelNames?: Record<string, string>;
  /** The app-level token `apps.connections.open` accepts (Socket Mode); a random xapp- one by default. */
  appToken?: string;
}

export interface SlackCall {
  method: string;
  /** As sent; JSON-string fields (`blocks`, `attachments`, `metadata`) parsed. */
  args: Record<string, unknown>;
  at: number;
  /** `{}` when a fault answered with HTML or dropped the connection. */
  response: Record<string, unknown>;
  /** 0 when the connection was dropped. */
  httpStatus: number;
}

export type SlackFault =
  | { kind: 'ratelimited'; retryAfterSeconds: number }
  | { kind: 'http'; status: number }
  | { kind: 'error'; error: string }
  | { kind: 'reset' };

export interface ResponseUrlPost {
  id: string;
  /** Parsed JSON body; `{}` when it was not a JSON object. */
  body: Record<string, unknown>;
  raw: string;
  at: number;
  httpStatus: number;
  /** Slack's error code when the post was refused. */
  error?: string;
}

export interface FakeSlack {
  /** Base for `slackApiUrl`; ends with '/api/' because web-api appends the method name. */
  readonly url: string;
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  /** `method` '*' matches every method. `times` defaults to 1. */
  injectFault(method: string, fault: SlackFault, opts?: { times?: number; channel?: string }): void;
  /** Removes every injected fault not yet spent (Slack is back). */
  clearFaults(): void;
  waitForCalls(method: string, count: number, timeoutMs?: number): Promise<SlackCall[]>;
  /** Issues a response_url (POST /respond/:id); an id already issued returns its url unchanged. */
  responseUrl(id?: string): string;
  responses(id?: string): ResponseUrlPost[];
  waitForResponses(count: number, opts?: { id?: string; timeoutMs?: number }): Promise<ResponseUrlPost[]>;
  expireResponseUrl(id: string): void;
  /** The Socket Mode endpoint whose one-use URLs `apps.connections.open` hands out. */
  readonly socket: FakeSocketMode;
  /** The message as it stands now (after chat.update), or undefined if never posted. */
  message(channel: string, ts: string): Record<string, unknown> | undefined;
  /** Deletes a message as a person would: updates then fail with message_not_found, replies with thread_not_found. */
  deleteMessage(channel: string, ts: string): boolean;
  /** The Home tab last published for this user (views.publish), or undefined. */
  homeView(userId: string): Record<string, unknown> | undefined;
  /** Issues a trigger_id views.open accepts once, within 3 seconds (as Slack's). */
  triggerId(): string;
  close(): Promise<void>;
}

export const FAKE_TEAM = { id: 'T0000TEST', name: 'TICS Test', domain: 'tics-test' } as const;
export const FAKE_BOT = { userId: 'U0BOT', botId: 'B0BOT', name: 'tics-bot', appId: 'A0TICSBOT1' } as const;

// Slack's documented response_url budget.
const RESPONSE_URL_MAX_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
// chat.postMessage truncates/refuses top-level text beyond this.
const MAX_TEXT_CHARS = 40_000;
const DEFAULT_WAIT_MS = 5_000;
const MAX_BODY_BYTES = 1_000_000;

// Fields web-api flattens to JSON strings in form bodies.
const JSON_STRING_FIELDS = ['blocks', 'attachments', 'metadata', 'view'] as const;

const MessageArgs = z.looseObject({
  channel: z.string().min(1).optional(),
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  thread_ts: z.string().optional(),
  ts: z.string().optional(),
  user: z.string().optional(),
});
type MessageArgs = z.infer<typeof MessageArgs>;

// Slack's ids: users U…/W…, views V….
const ViewsPublishArgs = z.looseObject({ user_id: z.string().regex(/^[UW][A-Z0-9]{2,}$/), view: z.unknown(), hash: z.string().optional() });
const ViewsOpenArgs = z.looseObject({ trigger_id: z.string().min(1), view: z.unknown() });
const PermalinkArgs = z.looseObject({ channel: z.string().min(1), message_ts: z.string().regex(/^\d+\.\d{6}$/) });
// A trigger_id expires 3 s after the interaction that issued it.
const TRIGGER_TTL_MS = 3_000;

const ResponseUrlBody = z.looseObject({
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  response_type: z.enum(['ephemeral', 'in_channel']).optional(),
  replace_original: z.boolean().optional(),
  delete_original: z.boolean().optional(),
  thread_ts: z.string().optional(),
});

type ApiResult = { status: number; body: Record<string, unknown> };

interface FaultEntry {
  fault: SlackFault;
  remaining: number;
  channel?: string;
}

interface ResponseUrlState {
  issuedAt: number;
  uses: number;
  expired: boolean;
}

const ok = (body: Record<string, unknown> = {}): ApiResult => ({ status: 200, body: { ok: true, ...body } });
const fail = (error: string, extra: Record<string, unknown> = {}): ApiResult => ({
  status: 200,
  body: { ok: false, error, ...extra },
});

/** Mirrors Slack's `response_metadata.messages` so a refused payload explains itself in test output. */
const failWithDetail = (error: string, detail: string): ApiResult =>
  fail(error, { response_metadata: { messages: [`[ERROR] ${detail}`] } });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type ParsedArgs = { args: Record<string, unknown>; bodyToken?: string; error?: string };

/**
 * For the suite-wide leak check: what the bot sent to Slack, minus the one field where a token
 * belongs (`token`, Slack's alternative to the Authorization header, which is not recorded either).
 */
function recordPayload(req: IncomingMessage, url: URL, raw: string): void {
  if (url.pathname.startsWith('/respond/')) return recordOutput(`slack ${url.pathname}`, raw);
  if (!url.pathname.startsWith('/api/')) return;
  const { args } = parseApiArgs(req, url, raw);
  const { token: _token, ...rest } = args;
  recordOutput(`slack ${url.pathname}`, JSON.stringify(rest));
}

/** Parses a Web API request the way Slack accepts it: JSON, form or query string. */
function parseApiArgs(req: IncomingMessage, url: URL, raw: string): ParsedArgs {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  let args: Record<string, unknown>;
  let fromForm = false;
  if (req.method === 'GET' || raw.length === 0) {
    args = Object.fromEntries(url.searchParams);
    fromForm = true;
  } else if (contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { args: {}, error: 'invalid_json' };
    }
    if (!isRecord(parsed)) return { args: {}, error: 'invalid_json' };
    args = parsed;
  } else if (contentType === 'application/x-www-form-urlencoded') {
    args = Object.fromEntries(new URLSearchParams(raw));
    fromForm = true;
  } else {
    return { args: { raw }, error: 'invalid_post_type' };
  }

  let error: string | undefined;
  for (const field of JSON_STRING_FIELDS) {
    const value = args[field];
    if (typeof value !== 'string') continue;
    try {
      args[field] = JSON.parse(value);
    } catch {
      error ??= field === 'blocks' ? 'invalid_blocks_format' : 'invalid_arguments';
    }
  }
  // Slack only honours a body token in form posts; JSON posts must authenticate by header.
  const bodyToken = fromForm && typeof args.token === 'string' ? args.token : undefined;
  return { args, ...(bodyToken === undefined ? {} : { bodyToken }), ...(error === undefined ? {} : { error }) };
}

/** Error code for a message payload Slack would refuse, or undefined if it would accept it. */
function messageProblem(args: MessageArgs | z.infer<typeof ResponseUrlBody>, requireContent: boolean): ApiResult | undefined {
  const hasText = typeof args.text === 'string' && args.text.length > 0;
  const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
  const hasAttachments = Array.isArray(args.attachments) && args.attachments.length > 0;
  if (requireContent && !hasText && !hasBlocks && !hasAttachments) return fail('no_text');
  if (typeof args.text === 'string' && args.text.length > MAX_TEXT_CHARS) return fail('msg_too_long');
  try {
    assertWithinSlackLimits({
      ...(args.text === undefined ? {} : { text: args.text }),
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
    });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return failWithDetail(/msg_blocks_too_long|total text/.test(detail) ? 'msg_blocks_too_long' : 'invalid_blocks', detail);
  }
  return undefined;
}

function argsError(error: z.ZodError): ApiResult {
  const first = error.issues[0];
  const field = String(first?.path[0] ?? '');
  const code = field === 'blocks' ? 'invalid_blocks_format' : field === 'attachments' ? 'invalid_attachments' : 'invalid_arguments';
  return failWithDetail(code, `${field}: ${first?.message ?? 'invalid'}`);
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botToken = options.botToken ?? 'xoxb-test-token';
  const now = options.now ?? Date.now;
  const channelNames = options.channelNames ?? {};

  const socket = await startFakeSocketMode(options.appToken === undefined ? {} : { appToken: options.appToken });
  const calls: SlackCall[] = [];
  const posts: ResponseUrlPost[] = [];
  const faults = new Map<string, FaultEntry[]>();
  const responseUrls = new Map<string, ResponseUrlState>();
  const messages = new Map<string, Record<string, unknown>>();
  const homeViews = new Map<string, Record<string, unknown>>();
  const triggers = new Map<string, number>();
  let viewSeq = 0;
  const waiters = new Set<{ check: () => void; fail: (e: Error) => void }>();
  let lastMicros = 0;
  let urlSeq = 0;

  const notify = (): void => {
    for (const w of [...waiters]) w.check();
  };

  const nextTs = (): string => {
    // Unique even with a frozen clock, like Slack's per-channel ts.
    lastMicros = Math.max(Math.floor(now() * 1000), lastMicros + 1);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };

  const messageKey = (channel: string, ts: string): string => `${channel}\u0000${ts}`;

  const takeFault = (method: string, channel: string | undefined): SlackFault | undefined => {
    for (const key of [method, '*']) {
      const entries = faults.get(key);
      const entry = entries?.find((e) => e.remaining > 0 && (e.channel === undefined || e.channel === channel));
      if (entry) {
        entry.remaining -= 1;
        return entry.fault;
      }
    }
    return undefined;
  };

  const record = (method: string, args: Record<string, unknown>, httpStatus: number, response: Record<string, unknown>): void => {
    calls.push({ method, args, at: now(), response, httpStatus });
    notify();
  };

  const sendJson = (res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  const tokenOf = (req: IncomingMessage, bodyToken: string | undefined): string | undefined => {
    const header = req.headers.authorization;
    if (header !== undefined) return /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? '';
    return bodyToken;
  };

  const authError = (req: IncomingMessage, bodyToken: string | undefined): string | undefined => {
    const token = tokenOf(req, bodyToken);
    if (token === undefined) return 'not_authed';
    if (token === socket.appToken) return 'not_allowed_token_type';
    return token === botToken ? undefined : 'invalid_auth';
  };

  const postMessage = (raw: Record<string, unknown>): ApiResult => {
    const parsed = MessageArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const args = parsed.data;
    if (args.channel === undefined) return fail('channel_not_found');
    const problem = messageProblem(args, true);
    if (problem) return problem;
    // Slack refuses a reply whose parent it cannot find (deleted, or never posted in this channel).
    if (args.thread_ts !== undefined && !messages.has(messageKey(args.channel, args.thread_ts))) return fail('thread_not_found');
    const ts = nextTs();
    const message: Record<string, unknown> = {
      type: 'message',
      text: args.text ?? '',
      user: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      app_id: FAKE_BOT.appId,
      team: FAKE_TEAM.id,
      ts,
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
      ...(args.attachments === undefined ? {} : { attachments: args.attachments }),
      ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
    };
    messages.set(messageKey(args.channel, ts), message);
    return ok({ channel: args.channel, ts, message });
  };

  const updateMessage = (raw: Record<string, unknown>): ApiResult => {
    const parsed = MessageArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const args = parsed.data;
    if (args.channel === undefined) return fail('channel_not_found');
    if (args.ts === undefined) return failWithDetail('invalid_arguments', 'missing required field: ts');
    const key = messageKey(args.channel, args.ts);
    const current = messages.get(key);
    // Ephemeral messages are never stored, so updating one fails here as it does on Slack.
    if (!current) return fail('message_not_found');
    const problem = messageProblem(args, true);
    if (problem) return problem;
    const updated: Record<string, unknown> = {
      ...current,
      ...(args.text === undefined ? {} : { text: args.text }),
      ...(args.blocks === undefined ? {} : { blocks: args.blocks }),
      ...(args.attachments === undefined ? {} : { attachments: args.attachments }),
      edited: { user: FAKE_BOT.userId, ts: nextTs() },
    };
    messages.set(key, updated);
    return ok({ channel: args.channel, ts: args.ts, text: updated.text, message: updated });
  };

  const postEphemeral = (raw: Record<string, unknown>): ApiResult => {
    const parsed = MessageArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const args = parsed.data;
    if (args.channel === undefined) return fail('channel_not_found');
    if (args.user === undefined) return fail('user_not_in_channel');
    const problem = messageProblem(args, true);
    if (problem) return problem;
    return ok({ message_ts: nextTs() });
  };

  const conversationInfo = (raw: Record<string, unknown>): ApiResult => {
    const channel = raw.channel;
    if (typeof channel !== 'string' || channel.length === 0) return fail('channel_not_found');
    const name = channelNames[channel] ?? `chan-${channel.toLowerCase()}`;
    return ok({
      channel: {
        id: channel,
        name,
        name_normalized: name,
        is_channel: channel.startsWith('C'),
        is_group: false,
        is_im: channel.startsWith('D'),
        is_private: channel.startsWith('G'),
        is_archived: false,
        is_member: true,
        created: 1_700_000_000,
      },
    });
  };

  const viewProblem = (view: unknown, type: 'home' | 'modal'): ApiResult | undefined => {
    if (!isRecord(view)) return failWithDetail('invalid_arguments', 'view: expected a JSON object');
    try {
      assertViewWithinLimits(view, type);
    } catch (err) {
      return failWithDetail('invalid_arguments', err instanceof Error ? err.message : String(err));
    }
    return undefined;
  };

  const storedView = (view: Record<string, unknown>): Record<string, unknown> => ({
    ...view,
    id: `V${String(++viewSeq).padStart(10, '0')}`,
    team_id: FAKE_TEAM.id,
    app_id: FAKE_BOT.appId,
    bot_id: FAKE_BOT.botId,
    hash: randomBytes(8).toString('hex'),
  });

  const viewsPublish = (raw: Record<string, unknown>): ApiResult => {
    const parsed = ViewsPublishArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const problem = viewProblem(parsed.data.view, 'home');
    if (problem) return problem;
    const view = storedView(parsed.data.view as Record<string, unknown>);
    homeViews.set(parsed.data.user_id, view);
    return ok({ view });
  };

  const viewsOpen = (raw: Record<string, unknown>): ApiResult => {
    const parsed = ViewsOpenArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const issued = triggers.get(parsed.data.trigger_id);
    if (issued === undefined) return fail('invalid_trigger_id');
    triggers.delete(parsed.data.trigger_id);
    if (Date.now() - issued > TRIGGER_TTL_MS) return fail('expired_trigger_id');
    const problem = viewProblem(parsed.data.view, 'modal');
    if (problem) return problem;
    return ok({ view: storedView(parsed.data.view as Record<string, unknown>) });
  };

  const getPermalink = (raw: Record<string, unknown>): ApiResult => {
    const parsed = PermalinkArgs.safeParse(raw);
    if (!parsed.success) return argsError(parsed.error);
    const { channel, message_ts: ts } = parsed.data;
    if (!messages.has(messageKey(channel, ts))) return fail('message_not_found');
    return ok({ channel, permalink: `https://${FAKE_TEAM.domain}.slack.com/archives/${channel}/p${ts.replace('.', '')}` });
  };

  const methods: Record<string, (args: Record<string, unknown>) => ApiResult> = {
    'auth.test': () =>
      ok({
        url: `https://${FAKE_TEAM.domain}.slack.com/`,
        team: FAKE_TEAM.name,
        user: FAKE_BOT.name,
        team_id: FAKE_TEAM.id,
        user_id: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        is_enterprise_install: false,
      }),
    'chat.postMessage': postMessage,
    'chat.update': updateMessage,
    'chat.postEphemeral': postEphemeral,
    'conversations.info': conversationInfo,
    'views.publish': viewsPublish,
    'views.open': viewsOpen,
    'chat.getPermalink': getPermalink,
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, url: URL, method: string, raw: string): void => {
    const { args, bodyToken, error: parseError } = parseApiArgs(req, url, raw);
    const channel = typeof args.channel === 'string' ? args.channel : undefined;

    const fault = takeFault(method, channel);
    if (fault) {
      switch (fault.kind) {
        case 'ratelimited': {
          const body = { ok: false, error: 'ratelimited' };
          record(method, args, 429, body);
          sendJson(res, 429, body, { 'retry-after': String(fault.retryAfterSeconds) });
          return;
        }
        case 'http': {
          record(method, args, fault.status, {});
          const html = `<html><head><title>${fault.status}</title></head><body><h1>Slack is having trouble (${fault.status})</h1></body></html>`;
          res.writeHead(fault.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
          res.end(html);
          return;
        }
        case 'error': {
          const body = { ok: false, error: fault.error };
          record(method, args, 200, body);
          sendJson(res, 200, body);
          return;
        }
        case 'reset':
          record(method, args, 0, {});
          req.socket.destroy();
          return;
      }
    }

    const handler = methods[method];
    let result: ApiResult;
    if (method === 'apps.connections.open') {
      // The one method that takes the app-level token instead of the bot token.
      const opened = socket.open(tokenOf(req, bodyToken), botToken);
      result = opened.ok ? ok({ url: opened.url }) : fail(opened.error);
    } else if (!handler) result = fail('unknown_method', { req_method: method });
    else if (parseError !== undefined) result = fail(parseError);
    else {
      const auth = authError(req, bodyToken);
      result = auth === undefined ? handler(args) : fail(auth);
    }
    record(method, args, result.status, result.body);
    sendJson(res, result.status, result.body);
  };

  const respondStatus = (id: string): { status: number; error: string } | undefined => {
    const state = responseUrls.get(id);
    if (!state) return { status: 404, error: 'no_service' };
    if (state.expired || now() - state.issuedAt > RESPONSE_URL_TTL_MS) return { status: 404, error: 'expired_url' };
    if (state.uses >= RESPONSE_URL_MAX_USES) return { status: 404, error: 'used_url' };
    return undefined;
  };

  const handleRespond = (req: IncomingMessage, res: ServerResponse, id: string, raw: string): void => {
    const reply = (httpStatus: number, body: Record<string, unknown>, error?: string): void => {
      posts.push({ id, body, raw, at: now(), httpStatus, ...(error === undefined ? {} : { error }) });
      sendJson(res, httpStatus, error === undefined ? { ok: true } : { ok: false, error });
      notify();
    };
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const body = isRecord(json) ? json : {};
    if (req.method !== 'POST') return reply(405, body, 'method_not_allowed');
    const refused = respondStatus(id);
    if (refused) return reply(refused.status, body, refused.error);
    const parsed = ResponseUrlBody.safeParse(json);
    if (!parsed.success) return reply(400, body, 'invalid_payload');
    if (parsed.data.delete_original !== true) {
      const problem = messageProblem(parsed.data, true);
      if (problem) return reply(400, body, String(problem.body.error));
    }
    // Only accepted posts spend the budget: a refused payload changed nothing in Slack.
    responseUrls.get(id)!.uses += 1;
    return reply(200, body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-slack');
    readBody(req).then(
      (raw) => {
        recordPayload(req, url, raw);
        if (url.pathname.startsWith('/api/')) {
          handleApi(req, res, url, decodeURIComponent(url.pathname.slice('/api/'.length)), raw);
        } else if (url.pathname.startsWith('/respond/')) {
          handleRespond(req, res, decodeURIComponent(url.pathname.slice('/respond/'.length)), raw);
        } else {
          sendJson(res, 404, { ok: false, error: 'not_found' });
        }
      },
      () => res.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const waitUntil = <T>(ready: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const first = ready();
      if (first !== undefined) return resolve(first);
      const waiter = {
        check: () => {
          const value = ready();
          if (value === undefined) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(value);
        },
        fail: (e: Error) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          reject(e);
        },
      };
      const timer = setTimeout(() => waiter.fail(new Error(`fake Slack: timed out after ${timeoutMs} ms ${describe()}`)), timeoutMs);
      waiters.add(waiter);
    });

  const callsTo = (method: string): SlackCall[] => calls.filter((c) => c.method === method);
  const responses = (id?: string): ResponseUrlPost[] => (id === undefined ? [...posts] : posts.filter((p) => p.id === id));

  return {
    url: `${base}/api/`,
    calls,
    callsTo,
    injectFault(method, fault, opts = {}) {
      const list = faults.get(method) ?? [];
      list.push({ fault, remaining: opts.times ?? 1, ...(opts.channel === undefined ? {} : { channel: opts.channel }) });
      faults.set(method, list);
    },
    clearFaults() {
      faults.clear();
    },
    waitForCalls(method, count, timeoutMs = DEFAULT_WAIT_MS) {
      return waitUntil(
        () => {
          const found = callsTo(method);
          return found.length >= count ? found : undefined;
        },
        timeoutMs,
        () =>
          `waiting for ${count} ${method} call(s): got ${callsTo(method).length}; all calls: [${calls.map((c) => c.method).join(', ')}]`,
      );
    },
    responseUrl(id) {
      const key = id ?? `r${++urlSeq}-${randomBytes(6).toString('hex')}`;
      if (!responseUrls.has(key)) responseUrls.set(key, { issuedAt: now(), uses: 0, expired: false });
      return `${base}/respond/${encodeURIComponent(key)}`;
    },
    responses,
    waitForResponses(count, opts = {}) {
      return waitUntil(
        () => {
          const found = responses(opts.id);
          return found.length >= count ? found : undefined;
        },
        opts.timeoutMs ?? DEFAULT_WAIT_MS,
        () => `waiting for ${count} response_url post(s)${opts.id === undefined ? '' : ` to ${opts.id}`}: got ${responses(opts.id).length}`,
      );
    },
    expireResponseUrl(id) {
      const state = responseUrls.get(id);
      if (!state) throw new Error(`fake Slack: no response_url was issued with id ${id}`);
      state.expired = true;
    },
    deleteMessage(channel, ts) {
      return messages.delete(messageKey(channel, ts));
    },
    message(channel, ts) {
      return messages.get(messageKey(channel, ts));
    },
    homeView(userId) {
      return homeViews.get(userId);
    },
    triggerId() {
      const id = `${Date.now()}.${randomBytes(6).readUIntBE(0, 6)}.${randomBytes(16).toString('hex')}`;
      triggers.set(id, Date.now());
      return id;
    },
    socket,
    async close() {
      for (const w of [...waiters]) w.fail(new Error('fake Slack closed while waiting'));
      await socket.close();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // fetch keeps connections alive; without this close() waits for their idle timeout.
        server.closeAllConnections();
      });
    },
  };
}
