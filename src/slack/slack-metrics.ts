/**
 * Counters fed by Slack-side events: 429s per Web API method (web-api announces each one, before it
 * retries or, with `rejectRateLimitedCalls`, rejects the call) and Socket Mode reconnects.
 */
import { webApi } from '@slack/bolt';
import type { BotMetrics } from '../metrics.js';
import type { SlackConnection } from './connection.js';

export function countRateLimits(client: webApi.WebClient, metrics: Pick<BotMetrics, 'slackRateLimited'>): void {
  client.on(webApi.WebClientEvent.RATE_LIMITED, (_retryAfterSeconds: number, request: { url?: string } | undefined) => {
    metrics.slackRateLimited(methodOf(request?.url));
  });
}

/** `https://slack.com/api/chat.postMessage` → `chat.postMessage`; anything else → `other`. */
export function methodOf(url: string | undefined): string {
  const last = url?.split('?')[0]?.split('/').pop() ?? '';
  return /^[a-z]+(?:\.[a-zA-Z]+)+$/.test(last) ? last : 'other';
}

/** Every Socket Mode connection after the first is a reconnect (HTTP mode "connects" once). */
export function countReconnects(connection: SlackConnection, metrics: Pick<BotMetrics, 'socketReconnect'>): void {
  if (connection.mode !== 'socket') return;
  let connectedBefore = false;
  connection.on('connected', () => {
    if (connectedBefore) metrics.socketReconnect();
    connectedBefore = true;
  });
}
