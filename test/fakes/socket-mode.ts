/**
 * A strict stand-in for Slack's Socket Mode endpoint (the `ws://` side of `apps.connections.open`),
 * shaped after Slack's Socket Mode docs and @slack/socket-mode's client: one-use connection URLs,
 * `hello` on connect, `slash_commands` / `interactive` / `events_api` envelopes that must be acked by envelope_id,
 * `disconnect` (refresh_requested), connections dropped without a word, pings answered. Anything
 * real Slack would not accept — a reused or unknown ticket, an ack for an envelope never sent (or
 * sent on another connection), a second ack, a response payload where none is accepted — is
 * refused and recorded as a violation that `assertClean()` reports.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { z } from 'zod';
import { recordOutput } from '../helpers/leak-record.js';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Envelope {
  envelope_id: string;
  type: EnvelopeType;
  payload: Record<string, unknown>;
  accepts_response_payload: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketAck {
  envelopeId: string;
  /** The ack's `payload` ({} for a plain ack). */
  payload: Record<string, unknown>;
  /** Milliseconds from sending the envelope to receiving its ack. */
  afterMs: number;
  connection: number;
}

export interface FakeSocketModeOptions {
  appToken?: string;
  appId?: string;
  /** A connection URL not used within this long is refused (Slack's tickets are short-lived too). */
  ticketTtlMs?: number;
}

export interface FakeSocketMode {
  readonly appToken: string;
  /** What `apps.connections.open` answers for this Authorization token. */
  open(token: string | undefined, botToken: string): { ok: true; url: string } | { ok: false; error: string };
  /** Connections that got `hello`, ever. */
  readonly helloCount: number;
  openConnections(): number;
  /** Waits until `total` connections have ever received `hello`. */
  waitForHello(total: number, timeoutMs?: number): Promise<void>;
  /** Sends an envelope on the newest open connection; returns its envelope_id. */
  send(type: EnvelopeType, payload: Record<string, unknown>, opts?: { retryAttempt?: number }): string;
  readonly acks: SocketAck[];
  /** Resolves with the ack of `envelopeId`; rejects when none arrived within `timeoutMs` (Slack's 3 s). */
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<SocketAck>;
  /** Sends `disconnect` (refresh_requested) on every open connection; terminates any still open after `graceMs`. */
  requestRefresh(graceMs?: number): void;
  /** Terminates every open connection without a close frame, like a network failure. */
  drop(): void;
  /** Client pings answered so far. */
  readonly pings: number;
  /** Protocol violations seen so far (refused tickets, stray or duplicate acks…). */
  readonly violations: string[];
  /** Throws if anything was refused or an envelope was never acked. */
  assertClean(): void;
  close(): Promise<void>;
}

export const ACK_DEADLINE_MS = 3_000;
const DEFAULT_TICKET_TTL_MS = 60_000;

const AckMessage = z.object({
  envelope_id: z.string().min(1),
  payload: z.record(z.string(), z.unknown()).optional(),
});

const textOf = (data: RawData): string =>
  (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString('utf8');

interface Outstanding {
  envelope: Envelope;
  sentAt: number;
  connection: number;
}

interface Connection {
  id: number;
  ws: WebSocket;
}

export async function startFakeSocketMode(options: FakeSocketModeOptions = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? 'A0TICSBOT1';
  const appToken = options.appToken ?? `xapp-1-${appId}-${Date.now()}-${randomBytes(16).toString('hex')}`;
  const ticketTtlMs = options.ticketTtlMs ?? DEFAULT_TICKET_TTL_MS;
  const tickets = new Map<string, number>();
  const connections = new Map<number, Connection>();
  const outstanding = new Map<string, Outstanding>();
  const acks: SocketAck[] = [];
  const violations: string[] = [];
  const waiters = new Set<() => void>();
  let helloCount = 0;
  let pings = 0;
  let seq = 0;

  const notify = () => {
    for (const w of [...waiters]) w();
  };
  const waitUntil = (ready: () => boolean, timeoutMs: number, describe: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (ready()) return resolve();
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`fake Socket Mode: timed out after ${timeoutMs} ms ${describe()}`));
      }, timeoutMs);
      waiters.add(check);
    });

  const server = createServer((_req, res) => {
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ noServer: true });

  const refuseUpgrade = (socket: Socket, status: number, reason: string) => {
    violations.push(`connection refused: ${reason}`);
    socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'ws://fake');
    if (url.pathname !== '/link/') return refuseUpgrade(socket, 404, `unknown path ${url.pathname}`);
    const ticket = url.searchParams.get('ticket') ?? '';
    const issuedAt = tickets.get(ticket);
    if (issuedAt === undefined) return refuseUpgrade(socket, 401, 'unknown or already used ticket');
    tickets.delete(ticket);
    if (Date.now() - issuedAt > ticketTtlMs) return refuseUpgrade(socket, 401, 'expired ticket');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  const accept = (ws: WebSocket) => {
    const id = ++seq;
    connections.set(id, { id, ws });
    ws.on('ping', () => {
      pings += 1;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => onMessage(id, data, isBinary));
    ws.on('close', () => {
      connections.delete(id);
      notify();
    });
    ws.on('error', () => ws.terminate());
    helloCount += 1;
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: connections.size,
        debug_info: { host: 'applink-fake-1', build_number: 1, approximate_connection_time: 18_060 },
        connection_info: { app_id: appId },
      }),
    );
    notify();
  };

  const onMessage = (connection: number, data: RawData, isBinary: boolean) => {
    if (isBinary) return void violations.push('binary frame from the client');
    const text = textOf(data);
    recordOutput('socket-mode ack', text);
    let parsed: z.infer<typeof AckMessage>;
    try {
      const result = AckMessage.safeParse(JSON.parse(text));
      if (!result.success) return void violations.push(`not an ack: ${text.slice(0, 200)}`);
      parsed = result.data;
    } catch {
      return void violations.push(`invalid JSON from the client: ${text.slice(0, 200)}`);
    }
    const pending = outstanding.get(parsed.envelope_id);
    if (!pending) {
      const again = acks.some((a) => a.envelopeId === parsed.envelope_id);
      return void violations.push(`${again ? 'second ack' : 'ack for an unknown envelope'} ${parsed.envelope_id}`);
    }
    if (pending.connection !== connection) return void violations.push(`ack for ${parsed.envelope_id} on another connection`);
    const payload = parsed.payload ?? {};
    if (!pending.envelope.accepts_response_payload && Object.keys(payload).length > 0) {
      violations.push(`response payload in the ack of a ${pending.envelope.type} envelope, which accepts none`);
    }
    outstanding.delete(parsed.envelope_id);
    const afterMs = Date.now() - pending.sentAt;
    // Slack would already have given up on it and retried the envelope.
    if (afterMs > ACK_DEADLINE_MS) violations.push(`ack for ${parsed.envelope_id} after ${afterMs} ms`);
    acks.push({ envelopeId: parsed.envelope_id, payload, afterMs, connection });
    notify();
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const newest = (): Connection | undefined => [...connections.values()].filter((c) => c.ws.readyState === c.ws.OPEN).at(-1);

  return {
    appToken,
    open(token, botToken) {
      if (token === undefined) return { ok: false, error: 'not_authed' };
      if (token === botToken || !token.startsWith('xapp-')) return { ok: false, error: token === botToken ? 'not_allowed_token_type' : 'invalid_auth' };
      if (token !== appToken) return { ok: false, error: 'invalid_auth' };
      const ticket = randomUUID();
      tickets.set(ticket, Date.now());
      return { ok: true, url: `ws://127.0.0.1:${port}/link/?ticket=${ticket}&app_id=${appId}` };
    },
    get helloCount() {
      return helloCount;
    },
    openConnections: () => [...connections.values()].filter((c) => c.ws.readyState === c.ws.OPEN).length,
    waitForHello(total, timeoutMs = 10_000) {
      return waitUntil(() => helloCount >= total, timeoutMs, () => `waiting for hello #${total} (sent ${helloCount}; violations: ${violations.join('; ') || 'none'})`);
    },
    send(type, payload, opts = {}) {
      const connection = newest();
      if (!connection) throw new Error('fake Socket Mode: no open connection to send an envelope on');
      const envelope: Envelope = {
        envelope_id: randomUUID(),
        type,
        payload,
        // Slack accepts a response in the ack of slash commands, menu options (block_suggestion) and
        // view submissions, not of block actions.
        accepts_response_payload: type === 'slash_commands' || payload.type === 'block_suggestion',
        ...(opts.retryAttempt ? { retry_attempt: opts.retryAttempt, retry_reason: 'timeout' } : {}),
      };
      outstanding.set(envelope.envelope_id, { envelope, sentAt: Date.now(), connection: connection.id });
      connection.ws.send(JSON.stringify(envelope));
      return envelope.envelope_id;
    },
    acks,
    async waitForAck(envelopeId, timeoutMs = ACK_DEADLINE_MS) {
      await waitUntil(
        () => acks.some((a) => a.envelopeId === envelopeId),
        timeoutMs,
        () => `waiting for the ack of envelope ${envelopeId} (violations: ${violations.join('; ') || 'none'})`,
      );
      return acks.find((a) => a.envelopeId === envelopeId)!;
    },
    requestRefresh(graceMs = 5_000) {
      for (const { ws } of connections.values()) {
        ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake-1' } }));
        // Slack closes the old connection itself if the client lingers.
        setTimeout(() => ws.terminate(), graceMs).unref();
      }
    },
    drop() {
      for (const { ws } of connections.values()) ws.terminate();
    },
    get pings() {
      return pings;
    },
    violations,
    assertClean() {
      const unacked = [...outstanding.values()].filter((o) => Date.now() - o.sentAt > ACK_DEADLINE_MS);
      const problems = [...violations, ...unacked.map((o) => `envelope ${o.envelope.envelope_id} (${o.envelope.type}) never acked`)];
      if (problems.length) throw new Error(`fake Socket Mode saw ${problems.length} problem(s):\n${problems.join('\n')}`);
    },
    async close() {
      for (const { ws } of connections.values()) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
