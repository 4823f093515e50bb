/**
 * The watcher's vocabulary, shared by its stages (detect → outbox → deliver) and by the Slack side
 * that implements the Notifier port. Everything here is JSON-serialisable: it lives in the store.
 */
import type { JobInstance } from '../tics/schema.js';
import type { Acknowledgement, Incident, IncidentEvent, Snooze, SnoozeEndReason } from './incidents/types.js';

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
  /** Mentions a new incident's parent names: `<@U…>` / `<!subteam^S…>` tokens, never mass mentions. */
  notify?: string[];
  /** Alert once per instance still unfinished this long after it started (ms); off when absent. */
  stuckMs?: number;
  /** `recovery:off`: a later success does not resolve the job's incident (default on). */
  recovery?: boolean;
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
  /** `name`: the league's real name from the store's cache when it was recorded (display only). */
  league: { id: string; alias?: string; name?: string };
  instance: JobInstance;
  /** Status at the previous observation; undefined when first seen already in `to`. */
  from?: string;
  to: string;
  /** When the bot noticed (epoch ms). */
  observedAt: number;
  /**
   * Absent: the instance entered `to` (an entry written before incidents has none). `stuck`: still
   * in `to` for longer than the subscription's stuck: limit. `recovery`: a success of a job whose
   * incident may be open (delivery resolves it, or posts it as a plain alert when `to` is a trigger).
   */
  kind?: 'stuck' | 'recovery';
  stuck?: { runningMs: number; thresholdMs: number; usualMs?: number };
  /** The subscription's notify: mentions when this was recorded (for a new incident's parent). */
  notify?: string[];
}

/**
 * Incident bookkeeping that goes through the outbox like an alert, so a crash neither loses nor
 * repeats it: `parent` re-renders the parent of incident `seq` (idempotent), `ack` / `snoozed`
 * post their thread line, `snooze-end` posts what happened while snoozed.
 */
export interface IncidentWorkItem {
  /** `${slot}#${what}`: starts with the subscription id and `|`, like an alert's. */
  key: string;
  subscriptionId: string;
  channelId: string;
  kind: 'parent' | 'ack' | 'snoozed' | 'snooze-end';
  slot: string;
  seq: number;
  observedAt: number;
  userId?: string;
  snooze?: Snooze;
  reason?: SnoozeEndReason;
}

export type OutboxItem = AlertItem | IncidentWorkItem;

export function isAlertItem(item: OutboxItem): item is AlertItem {
  return item.kind === undefined || item.kind === 'stuck' || item.kind === 'recovery';
}

/**
 * `dropped`: unwatched while pending; kept (like sent ones) so its claim never looks orphaned.
 * `suppressed`: settled without a post (snoozed, or a success with no incident to resolve).
 */
export type OutboxState = 'pending' | 'sent' | 'undeliverable' | 'dropped' | 'suppressed';

export interface OutboxEntry<I extends OutboxItem = OutboxItem> {
  item: I;
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
  /** The message to update or thread under is gone (message_not_found, thread_not_found). */
  | { ok: false; kind: 'gone'; error: string }
  /** channel_not_found, not_in_channel, is_archived…: recorded on the subscription, retried slowly. */
  | { ok: false; kind: 'channel'; error: string }
  /** invalid_auth, invalid_blocks…: retrying will not help. */
  | { ok: false; kind: 'fatal'; error: string };

/** An incident as its parent shows it: the incident plus who acknowledged and the snooze. */
export interface IncidentView {
  incident: Incident;
  ack?: Acknowledgement;
  snooze?: Snooze;
}

/** One line in an incident's thread. */
export type ThreadLine =
  /** A later failure, or a stuck instance; `number` is its place among the incident's events. */
  | { kind: 'event'; event: IncidentEvent; number: number }
  /** The job succeeded again: `incident` is resolved (resolvedBy, resolvedAt, events, openedAt). */
  | { kind: 'recovery'; incident: Incident; snoozedCount: number }
  | { kind: 'ack'; userId: string; at: number }
  | { kind: 'snoozed'; snooze: Snooze }
  | { kind: 'snooze-end'; snooze: Snooze; reason: SnoozeEndReason; at: number; userId?: string; count: number; last?: IncidentEvent };

/** Implemented by the Slack side (chat.postMessage, chat.update); the watcher never sees Bolt. */
export interface Notifier {
  /** One alert → one message; several → one digest message. */
  post(channelId: string, items: readonly AlertItem[]): Promise<NotifyResult>;
  /** A new incident's parent (names its notify: mentions in the message text). */
  postParent(view: IncidentView, now: number): Promise<NotifyResult>;
  /** Re-renders the parent `ts` from the view (idempotent); `gone` when it was deleted. */
  updateParent(view: IncidentView, ts: string, now: number): Promise<NotifyResult>;
  /** A reply in the parent's thread (never broadcast); `gone` when the parent was deleted. */
  postInThread(incident: Incident, threadTs: string, line: ThreadLine, now: number): Promise<NotifyResult>;
}
