/**
 * `respond()` can fail (response_url expired after 30 min or used 5 times; Slack down). A failed
 * reply must not become an unhandled rejection, and the person should still learn what happened.
 *
 * The POST itself goes through `createReplyTransport()`: Bolt's `respond()` still builds the body
 * (`replace_original`, `response_type`, strings as `{ text }`) and sends it once, but over a
 * kept-alive undici Agent instead of WHATWG `fetch`, whose Request/Response objects and web streams
 * cost ~0.5 ms of CPU per reply and 15–20 ms of the median under a burst (bench/README.md).
 */
import type { RespondArguments, RespondFn } from '@slack/bolt';
import { Agent, request } from 'undici';
import type { Logger } from '../log.js';
import type { SlackMessage } from './views/format.js';

export async function safeRespond(respond: RespondFn, message: RespondArguments, logger: Logger, context: Record<string, unknown> = {}): Promise<boolean> {
  try {
    await respond(message);
    return true;
  } catch (error) {
    logger.warn({ ...context, err: errorSummary(error) }, 'could not deliver the reply through response_url (expired or used up?)');
    return false;
  }
}

function errorSummary(error: unknown): { name: string; message: string; status?: number; slackError?: string; code?: string } {
  if (error instanceof ReplyRejected) return { name: error.name, message: error.message, status: error.status, ...(error.slackError ? { slackError: error.slackError } : {}) };
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message.slice(0, 200), ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'unknown', message: String(error).slice(0, 200) };
}

/** A new ephemeral message for the person who clicked, leaving the message they clicked as it is. */
export function replyEphemeral(respond: RespondFn, message: SlackMessage, logger: Logger): Promise<boolean> {
  return safeRespond(respond, { response_type: 'ephemeral', replace_original: false, ...message }, logger);
}

/** Slack refused the reply (or the URL was not one we post to). The message never carries the URL: its path is a credential. */
export class ReplyRejected extends Error {
  override readonly name = 'ReplyRejected';
  constructor(
    readonly status: number,
    readonly slackError: string | undefined,
    origin: string,
  ) {
    super(status === 0 ? `response_url at ${origin} is not one the bot posts to (${slackError ?? 'refused'})` : `${origin} answered the response_url POST with HTTP ${status}${slackError ? ` (${slackError})` : ''}`);
  }
}

export interface ReplyTransportOptions {
  /**
   * Set only when Slack is faked or proxied (`SLACK_API_URL`): response_urls are then taken as they
   * come, as Bolt did. Otherwise only `https://hooks.slack.com/…` is posted to.
   */
  apiUrl?: string;
  connections?: number;
  connectTimeoutMs?: number;
  /** Headers and body each; Slack answers a response_url POST in well under a second. */
  timeoutMs?: number;
}

/** What Bolt's `respond()` reads of a fetch Response: `ok`, `status`, `statusText`. */
export interface ReplyResponse {
  ok: boolean;
  status: number;
  statusText: string;
}

export interface ReplyTransport {
  /** Bolt's `respond()` transport: `fetch(url, init)` for a POST of a JSON body, nothing more. */
  readonly fetch: (url: string | URL, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<ReplyResponse>;
  readonly close: () => Promise<void>;
}

const SLACK_HOOKS_ORIGIN = 'https://hooks.slack.com';

export function createReplyTransport(options: ReplyTransportOptions = {}): ReplyTransport {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const agent = new Agent({
    connections: options.connections ?? 64,
    connect: { timeout: options.connectTimeoutMs ?? 5_000 },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 30_000,
  });
  const allowed = (url: URL) => (options.apiUrl ? url.protocol === 'https:' || url.protocol === 'http:' : url.origin === SLACK_HOOKS_ORIGIN);
  return {
    fetch: async (target, init = {}) => {
      const url = typeof target === 'string' ? new URL(target) : target;
      // A signed request carried it, but our sockets go only where Slack's replies live.
      if (!allowed(url)) throw new ReplyRejected(0, 'not_a_slack_response_url', url.origin);
      // No retry: a POST that reached Slack spends one of the URL's five uses, and a second try could post twice.
      const res = await request(url, {
        dispatcher: agent,
        method: 'POST',
        // Bolt sends JSON and only JSON; its `Content-Type` spelled beside ours would go out twice.
        headers: { 'content-type': 'application/json', 'user-agent': 'tics-bot' },
        body: init.body ?? '',
      });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
        return { ok: true, status: res.statusCode, statusText: 'OK' };
      }
      throw new ReplyRejected(res.statusCode, slackErrorOf(await res.body.text().catch(() => '')), url.origin);
    },
    close: () => agent.close(),
  };
}

/** Slack answers a refused response_url POST with `{"ok":false,"error":"…"}` or the bare code (`expired_url`). */
function slackErrorOf(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'object' && parsed !== null && typeof (parsed as { error?: unknown }).error === 'string') return (parsed as { error: string }).error.slice(0, 100);
  } catch {
    // Not JSON: the bare code.
  }
  return /^[\w.-]{1,100}$/.test(trimmed) ? trimmed : undefined;
}
