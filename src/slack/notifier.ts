/**
 * The watcher's Notifier, over chat.postMessage. Its WebClient does NOT retry: web-api's default
 * policy would retry a 429 for up to ~30 minutes and pause the whole client queue, stalling every
 * channel. Here a failure comes straight back, classified, and the outbox decides: this channel
 * waits out Retry-After while the others carry on, and nothing is dropped.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { BotMetrics } from '../metrics.js';
import type { Incident } from '../watch/incidents/types.js';
import type { AlertItem, IncidentView, Notifier, NotifyResult, ThreadLine } from '../watch/types.js';
import { buildAlertMessage, buildDigestMessage } from './views/alert.js';
import { buildIncidentParent, buildThreadLine } from './views/incident.js';
import { toBoltLogger } from '../log.js';
import { countRateLimits } from './slack-metrics.js';

/** The message to update or reply under no longer exists: the delivery posts a new parent. */
const GONE_ERRORS = new Set(['message_not_found', 'thread_not_found', 'invalid_thread_ts']);
const CHANNEL_ERRORS = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'channel_is_archived', 'restricted_action', 'ekm_access_denied', 'team_access_not_granted']);
const TRANSIENT_ERRORS = new Set(['fatal_error', 'internal_error', 'service_unavailable', 'request_timeout']);

export interface SlackNotifierOptions {
  token: string;
  apiUrl?: string;
  logger: Logger;
  now: () => number;
  simulated?: boolean;
  timeoutMs?: number;
  metrics?: Pick<BotMetrics, 'slackRateLimited'>;
}

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  const client = new webApi.WebClient(options.token, {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logger: toBoltLogger(options.logger),
  });
  if (options.metrics) countRateLimits(client, options.metrics);
  const simulated = options.simulated ?? false;
  const send = async (call: () => Promise<{ ts?: string | undefined }>, fallbackTs = ''): Promise<NotifyResult> => {
    try {
      const result = await call();
      return { ok: true, ts: result.ts ?? fallbackTs };
    } catch (error) {
      return classify(error);
    }
  };
  return {
    post(channelId: string, items: readonly AlertItem[]): Promise<NotifyResult> {
      const ctx = { now: options.now(), simulated };
      const message = items.length === 1 ? buildAlertMessage(items[0]!, ctx) : buildDigestMessage(items, ctx);
      return send(() => client.chat.postMessage({ channel: channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }));
    },
    postParent(view: IncidentView, now: number): Promise<NotifyResult> {
      const message = buildIncidentParent(view, { now, simulated });
      return send(() => client.chat.postMessage({ channel: view.incident.channelId, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }));
    },
    updateParent(view: IncidentView, ts: string, now: number): Promise<NotifyResult> {
      const message = buildIncidentParent(view, { now, simulated });
      return send(() => client.chat.update({ channel: view.incident.channelId, ts, text: message.text, blocks: message.blocks }), ts);
    },
    postInThread(incident: Incident, threadTs: string, line: ThreadLine, now: number): Promise<NotifyResult> {
      const message = buildThreadLine(incident, line, { now, simulated });
      return send(() =>
        client.chat.postMessage({ channel: incident.channelId, thread_ts: threadTs, reply_broadcast: false, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }),
      );
    },
  };
}

/**
 * How long a channel waits when Slack limits it without saying for how long: an `ok:false
 * ratelimited` answer (HTTP 200, no Retry-After) or a 429 missing its header. chat.postMessage
 * allows about one message per second per channel, so a few seconds clear it; the wait is not a
 * failed attempt, so a channel that stays limited simply waits again, without backoff growing.
 */
export const UNSPECIFIED_RATE_LIMIT_PAUSE_MS = 5_000;

export function classify(error: unknown): NotifyResult & { ok: false } {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; message?: string };
  switch (e.code) {
    case webApi.ErrorCode.RateLimitedError:
      return { ok: false, kind: 'rate_limited', retryAfterMs: e.retryAfter ? Math.max(1, e.retryAfter) * 1000 : UNSPECIFIED_RATE_LIMIT_PAUSE_MS, error: 'ratelimited' };
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return { ok: false, kind: 'rate_limited', retryAfterMs: UNSPECIFIED_RATE_LIMIT_PAUSE_MS, error: code };
      if (GONE_ERRORS.has(code)) return { ok: false, kind: 'gone', error: code };
      if (CHANNEL_ERRORS.has(code)) return { ok: false, kind: 'channel', error: code };
      if (TRANSIENT_ERRORS.has(code)) return { ok: false, kind: 'transient', error: code };
      return { ok: false, kind: 'fatal', error: code };
    }
    case webApi.ErrorCode.HTTPError:
      return { ok: false, kind: 'transient', error: `http_${e.statusCode ?? 'error'}` };
    case webApi.ErrorCode.RequestError:
      return { ok: false, kind: 'transient', error: 'network_error' };
    default:
      return { ok: false, kind: 'transient', error: (e.message ?? 'unknown').slice(0, 100) };
  }
}
