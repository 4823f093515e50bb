/**
 * The bot's link to Slack, as one state machine the health check and metrics read: in Socket Mode
 * the WebSocket (opened, dropped, refreshed, retried with backoff), in HTTP mode "token verified and
 * listening". The loop here owns reconnection instead of @slack/socket-mode because that client
 * gives up for good on a network error at start (so `start()` never connected the bot) and, on a
 * failed reconnect, leaves a rejected promise nobody handles.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'stopped';

export interface ConnectionEvents {
  connected: [];
  /** `reason`: Slack's disconnect reason (e.g. refresh_requested) or why the attempt failed. */
  disconnected: [{ reason: string }];
  /** A new attempt is scheduled; `attempt` counts consecutive failures (0 after a clean drop). */
  reconnecting: [{ attempt: number; delayMs: number }];
}

export interface ConnectionSnapshot {
  state: ConnectionState;
  connected: boolean;
  /** When the current state began (ms, the bot's clock). */
  since: number;
  /** Why the last attempt failed or the last connection ended. */
  lastError?: string;
  /** Successful connections after the first. */
  reconnects: number;
}

export interface BackoffOptions {
  minMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minMs: 1_000, maxMs: 30_000 };

/** Doubling from `minMs` to `maxMs`, ±20% so replicas that lost Slack together do not retry in lockstep. */
export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(opts.maxMs, opts.minMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * Reason text for a failed attempt: Slack's error code, or the innermost network error (web-api
 * wraps undici's "fetch failed", which wraps the socket error that says what happened).
 */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6; depth++) {
    const e = current as { data?: { error?: unknown }; original?: unknown; cause?: unknown } | undefined;
    if (typeof e?.data?.error === 'string') return e.data.error;
    const next = e?.original ?? e?.cause;
    if (!(next instanceof Error)) break;
    current = next;
  }
  if (!(current instanceof Error)) return String(current);
  const code = (current as { code?: unknown }).code;
  return typeof code === 'string' && !current.message.includes(code) ? `${code}: ${current.message}` : current.message;
}

export class SlackConnection extends EventEmitter<ConnectionEvents> {
  private current: ConnectionSnapshot;
  private everConnected = false;

  constructor(
    readonly mode: 'http' | 'socket',
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.current = { state: 'connecting', connected: false, since: now(), reconnects: 0 };
  }

  snapshot(): ConnectionSnapshot {
    return { ...this.current };
  }

  markConnected(): void {
    const { lastError } = this.current;
    this.current = {
      state: 'connected',
      connected: true,
      since: this.now(),
      reconnects: this.current.reconnects + (this.everConnected ? 1 : 0),
      ...(lastError === undefined ? {} : { lastError }),
    };
    this.everConnected = true;
    this.emit('connected');
  }

  markDisconnected(reason: string): void {
    // Failures while already down keep the original `since`: readiness reports when it started failing.
    const since = this.current.connected || this.current.state === 'stopped' ? this.now() : this.current.since;
    this.current = { state: 'disconnected', connected: false, since, lastError: reason, reconnects: this.current.reconnects };
    this.emit('disconnected', { reason });
  }

  markReconnecting(attempt: number, delayMs: number): void {
    this.current = { ...this.current, state: 'reconnecting', connected: false };
    this.emit('reconnecting', { attempt, delayMs });
  }

  markStopped(): void {
    this.current = { ...this.current, state: 'stopped', connected: false, since: this.now() };
  }
}

/** The part of @slack/socket-mode's client the loop drives (its own auto-reconnect is off). */
export interface SocketClient {
  start(): Promise<unknown>;
  disconnect(): Promise<void>;
  on(event: 'disconnected', listener: () => void): unknown;
  on(event: 'ws_message', listener: (data: unknown, isBinary: boolean) => void): unknown;
}

export interface ConnectionLoopOptions {
  connection: SlackConnection;
  /** Socket Mode; without it (HTTP mode) the loop ends once `prepare` has succeeded. */
  client?: SocketClient;
  logger: Logger;
  /** Runs before each attempt until it succeeds once (the bot token check when Slack was down at start). */
  prepare?: () => Promise<void>;
  backoff?: BackoffOptions;
}

export interface ConnectionLoop {
  /** Resolves when stopped; the loop never throws. */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Connects, waits for the connection to end, reconnects: at once after a clean end (Slack's
 * `refresh_requested`), with backoff after a failure. Runs in the background until `stop()`.
 */
export function runConnectionLoop(options: ConnectionLoopOptions): ConnectionLoop {
  const { connection, client, logger } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  let prepare = options.prepare;
  let stopped = false;
  let wake: (() => void) | undefined;
  let onClosed: (() => void) | undefined;
  let lastReason: string | undefined;

  client?.on('disconnected', () => onClosed?.());
  client?.on('ws_message', (data, isBinary) => {
    if (isBinary || typeof data !== 'string' || !data.includes('"disconnect"')) return;
    try {
      const message = JSON.parse(data) as { type?: unknown; reason?: unknown };
      if (message.type === 'disconnect') lastReason = typeof message.reason === 'string' ? message.reason : 'disconnect';
    } catch {
      // The client ignores unparseable frames too.
    }
  });

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

  const loop = async (): Promise<void> => {
    let failures = 0;
    let first = true;
    while (!stopped) {
      if (!first) {
        const delayMs = failures === 0 ? 0 : backoffDelay(failures, backoff);
        connection.markReconnecting(failures, delayMs);
        if (delayMs > 0) await sleep(delayMs);
        if (stopped) break;
      }
      first = false;
      const closed = new Promise<void>((resolve) => (onClosed = resolve));
      let preparing = false;
      try {
        if (prepare) {
          preparing = true;
          await prepare();
          prepare = undefined;
          preparing = false;
        }
        if (!client) {
          connection.markConnected();
          return;
        }
        lastReason = undefined;
        await client.start();
      } catch (error) {
        failures += 1;
        const reason = describeFailure(error);
        connection.markDisconnected(reason);
        const what = preparing ? 'Slack did not confirm the bot token' : 'Slack Socket Mode connection failed';
        logger.warn({ reason, attempt: failures, nextAttemptInMs: backoffDelay(failures, backoff, () => 0.5) }, `${what}; retrying`);
        continue;
      }
      if (stopped) break;
      failures = 0;
      connection.markConnected();
      logger.info({ reconnects: connection.snapshot().reconnects }, 'Slack Socket Mode connected');
      await closed;
      onClosed = undefined;
      if (stopped) break;
      // Set by the ws_message listener while we awaited: TypeScript's narrowing cannot see that.
      const reason: string = lastReason ?? 'connection closed without a disconnect message';
      connection.markDisconnected(reason);
      // Slack asks every connection to refresh every few hours: routine, not worth a warning.
      if (reason === 'refresh_requested') logger.info({ reason }, 'Slack Socket Mode connection refreshed; reconnecting');
      else logger.warn({ reason }, 'Slack Socket Mode connection ended; reconnecting');
    }
  };

  const done = loop().catch((error: unknown) => logger.error({ err: error }, 'Socket Mode loop failed'));
  return {
    done,
    async stop() {
      stopped = true;
      wake?.();
      // An attempt in flight ends by itself (bounded by the web client's timeout); disconnect after it
      // so it cannot open a socket behind our back.
      await client?.disconnect().catch(() => undefined);
      await done;
      await client?.disconnect().catch(() => undefined);
      connection.markStopped();
    },
  };
}
