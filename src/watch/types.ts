/**
 * The watcher's vocabulary, shared by its stages (detect → outbox → deliver) and by the Slack side
 * that implements the Notifier port. Everything here is JSON-serialisable: it lives in the store.
 */
import type { JobInstance } from '../tics/schema.js';

export interface Subscription {
  /** `${leagueId}:${channelId}` — one subscription per league and channel. */
  id: string;
  leagueId: string;
  /** The alias the league was known by when subscribed (for display). */
  leagueAlias?: string;
  channelId: string;
  /** Statuses that alert, upper case (default FAILED, TERMINATED). */
  triggers: string[];
  /** Epoch ms; nothing that happened before this is alerted. */
  createdAt: number;
  createdBy?: string;
  /** `config` subscriptions come from TICS_WATCH and can only be removed there. */
  source: 'slack' | 'config';
}

/** What Slack said last time we tried to post for a subscription's channel. */
export interface ChannelHealth {
  channelId: string;
  lastPostAt?: number;
  lastError?: { code: string; at: number };
}

/** Per league, shared by every replica: when it was polled, how it went, when to poll next. */
export interface LeagueHealth {
  leagueId: string;
  lastPollAt?: number;
  lastSuccessAt?: number;
  lastError?: { kind: string; message: string; requestId?: string; at: number };
  consecutiveFailures: number;
  /** Backoff: not polled before this (epoch ms). */
  nextPollAt?: number;
  /** Requests made by the last successful poll (1 in the steady state). */
  lastRequests?: number;
  /** The last scan stopped at its page bound before catching up. */
  lastCutShort?: boolean;
}

/** One alert to post: a transition as one subscription sees it. */
export interface AlertItem {
  /** Idempotency key: `${subscriptionId}|${instanceId}:${status}:${endTime}`. */
  key: string;
  subscriptionId: string;
  channelId: string;
  league: { id: string; alias?: string };
  instance: JobInstance;
  /** Status at the previous observation; undefined when first seen already in `to`. */
  from?: string;
  to: string;
  /** When the bot noticed (epoch ms). */
  observedAt: number;
}

/** `dropped`: unwatched while pending; kept (like sent ones) so its claim never looks orphaned. */
export type OutboxState = 'pending' | 'sent' | 'undeliverable' | 'dropped';

export interface OutboxEntry {
  item: AlertItem;
  state: OutboxState;
  createdAt: number;
  attempts: number;
  /** Not retried before this (epoch ms): Slack's Retry-After, or backoff after an error. */
  nextAttemptAt: number;
  /** Slack message ts once posted (a digest shares one ts among its alerts). */
  sentTs?: string;
  sentAt?: number;
  lastError?: string;
}

/** The result of one post, as the delivery stage needs to act on it. */
export type NotifyResult =
  | { ok: true; ts: string }
  /** 429: pause this channel (only) for `retryAfterMs`. */
  | { ok: false; kind: 'rate_limited'; retryAfterMs: number; error: string }
  /** 5xx, network, timeout: retry next cycle. */
  | { ok: false; kind: 'transient'; error: string }
  /** channel_not_found, not_in_channel, is_archived…: recorded on the subscription, retried slowly. */
  | { ok: false; kind: 'channel'; error: string }
  /** invalid_auth, invalid_blocks…: retrying will not help. */
  | { ok: false; kind: 'fatal'; error: string };

/** Implemented by the Slack side (chat.postMessage); the watcher never sees Bolt. */
export interface Notifier {
  /** One alert → one message; several → one digest message. */
  post(channelId: string, items: readonly AlertItem[]): Promise<NotifyResult>;
}
