/**
 * The fake Socket Mode endpoint itself, driven with a plain `ws` client: what it refuses matters as
 * much as what it does, since the bot's Socket Mode tests are only as strict as it is.
 */
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from './slack-api.js';

const BOT_TOKEN = 'xoxb-socket-fake-test-0001';
let slack: FakeSlack;
const clients: WebSocket[] = [];

beforeEach(async () => {
  slack = await startFakeSlack({ botToken: BOT_TOKEN });
});
afterEach(async () => {
  for (const c of clients.splice(0)) {
    // A refused handshake already failed the socket; terminate() would throw that again.
    c.on('error', () => undefined);
    if (c.readyState !== WebSocket.CLOSED) c.terminate();
  }
  await slack.close();
});

async function openConnection(token: string | undefined): Promise<Record<string, unknown>> {
  const res = await fetch(`${slack.url}apps.connections.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: '',
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Connects and resolves with the socket and the first message (hello). */
async function connect(url: string): Promise<{ ws: WebSocket; first: Record<string, unknown>; next: () => Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(url);
  clients.push(ws);
  const queue: Record<string, unknown>[] = [];
  const waiting: Array<(m: Record<string, unknown>) => void> = [];
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(message);
    else queue.push(message);
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve)));
  await once(ws, 'open');
  return { ws, first: await next(), next };
}

describe('apps.connections.open', () => {
  it('wants the app-level token: the bot token, a wrong token or none are refused as Slack does', async () => {
    expect(await openConnection(BOT_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await openConnection('xapp-1-A0TICSBOT1-1-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await openConnection(undefined)).toEqual({ ok: false, error: 'not_authed' });
    const opened = await openConnection(slack.socket.appToken);
    expect(opened.ok).toBe(true);
    expect(String(opened.url)).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]{36}&app_id=A0TICSBOT1$/);
  });

  it('refuses the app token on bot methods', async () => {
    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${slack.socket.appToken}` },
      body: JSON.stringify({ channel: 'C0CHAN0001', text: 'hi' }),
    });
    expect(await res.json()).toEqual({ ok: false, error: 'not_allowed_token_type' });
  });
});

describe('the WebSocket', () => {
  it('says hello on connect and refuses a second connection with the same URL', async () => {
    const { url } = (await openConnection(slack.socket.appToken)) as { url: string };
    const { first } = await connect(url);
    expect(first).toMatchObject({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TICSBOT1' } });
    const again = new WebSocket(url);
    clients.push(again);
    const [, res] = (await once(again, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(401);
    expect(slack.socket.violations).toEqual(['connection refused: unknown or already used ticket']);
  });

  it('records acks by envelope_id and flags stray, repeated and late ones', async () => {
    const { url } = (await openConnection(slack.socket.appToken)) as { url: string };
    const { ws, next } = await connect(url);
    const id = slack.socket.send('slash_commands', { command: '/tics', text: 'help' });
    const envelope = await next();
    expect(envelope).toEqual({ envelope_id: id, type: 'slash_commands', payload: { command: '/tics', text: 'help' }, accepts_response_payload: true });
    ws.send(JSON.stringify({ envelope_id: id, payload: { text: 'ok' } }));
    const ack = await slack.socket.waitForAck(id);
    expect(ack).toMatchObject({ envelopeId: id, payload: { text: 'ok' } });
    expect(ack.afterMs).toBeLessThan(3_000);
    slack.socket.assertClean();

    ws.send(JSON.stringify({ envelope_id: id }));
    ws.send(JSON.stringify({ envelope_id: 'never-sent' }));
    const click = slack.socket.send('interactive', { type: 'block_actions' });
    expect(await next()).toMatchObject({ envelope_id: click, accepts_response_payload: false });
    ws.send(JSON.stringify({ envelope_id: click, payload: { text: 'not accepted here' } }));
    await slack.socket.waitForAck(click);
    expect(slack.socket.violations).toEqual([
      `second ack ${id}`,
      'ack for an unknown envelope never-sent',
      'response payload in the ack of a interactive envelope, which accepts none',
    ]);
    expect(() => slack.socket.assertClean()).toThrow(/3 problem/);
  });

  it('fails a wait for an ack that never comes', async () => {
    const { url } = (await openConnection(slack.socket.appToken)) as { url: string };
    await connect(url);
    const id = slack.socket.send('interactive', { type: 'block_actions' });
    await expect(slack.socket.waitForAck(id, 100)).rejects.toThrow(/timed out after 100 ms waiting for the ack/);
  });

  it('asks for a refresh, drops connections without a word, and answers pings', async () => {
    const { url } = (await openConnection(slack.socket.appToken)) as { url: string };
    const { ws, next } = await connect(url);
    ws.ping();
    await once(ws, 'pong');
    expect(slack.socket.pings).toBe(1);

    slack.socket.requestRefresh();
    expect(await next()).toMatchObject({ type: 'disconnect', reason: 'refresh_requested' });

    const second = await connect(((await openConnection(slack.socket.appToken)) as { url: string }).url);
    expect(slack.socket.helloCount).toBe(2);
    const closed = once(second.ws, 'close');
    slack.socket.drop();
    const [code] = (await closed) as [number];
    // 1006: closed without a close frame.
    expect(code).toBe(1006);
    expect(slack.socket.openConnections()).toBe(0);
  });
});
