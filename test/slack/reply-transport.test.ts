/**
 * The reply path on the wire: what Bolt's `respond()` sends through our undici transport
 * (src/slack/respond.ts), seen by a bare HTTP server standing in for hooks.slack.com, and what the
 * bot logs when Slack refuses it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplyTransport, ReplyRejected } from '../../src/slack/respond.js';
import { buttons, startHarness, type Harness } from '../helpers/bot-harness.js';
import { blockActionsBody, postToApp, slashCommandBody } from '../helpers/slack-requests.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Record<string, unknown>;
}

/** Answers every POST with `answer(path)`; records each request. */
async function startHooks(answer: (path: string) => { status: number; body: string }): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8').on('data', (c: string) => (raw += c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body: JSON.parse(raw || '{}') as Record<string, unknown> });
      const { status, body } = answer(req.url ?? '');
      res.writeHead(status, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/plain' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const until = async (check: () => boolean, timeoutMs = 5_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('reply transport through the bot', () => {
  let h: Harness;
  let hooks: Awaited<ReturnType<typeof startHooks>>;
  const SECRET_PATH = '/commands/T0001/4242/s3cr3tPathPart';

  beforeAll(async () => {
    h = await startHarness({ leagues: {} });
    hooks = await startHooks((path) => (path.startsWith('/expired') ? { status: 404, body: 'expired_url' } : path.startsWith('/blocks') ? { status: 400, body: '{"ok":false,"error":"invalid_blocks"}' } : { status: 200, body: 'ok' }));
  });
  afterAll(async () => {
    await h?.close();
    await hooks?.close();
  });

  const countFor = (path: string) => hooks.received.filter((r) => r.path === path).length;

  it('a command reply is one JSON POST with response_type, sent by our transport', async () => {
    const path = `${SECRET_PATH}/cmd`;
    const sent = await postToApp(h.eventsUrl, slashCommandBody({ text: 'help', responseUrl: `${hooks.url}${path}` }), { signingSecret: h.signingSecret });
    expect(sent.status).toBe(200);
    await until(() => countFor(path) > 0);
    await new Promise((r) => setTimeout(r, 200));
    const posts = hooks.received.filter((r) => r.path === path);
    expect(posts).toHaveLength(1);
    const [post] = posts;
    expect(post!.method).toBe('POST');
    expect(post!.headers['user-agent']).toBe('tics-bot');
    // Exactly one content-type header: Bolt's and ours must not both go out.
    expect(post!.rawHeaders.filter((name, i) => i % 2 === 0 && name.toLowerCase() === 'content-type')).toHaveLength(1);
    expect(post!.headers['content-type']).toBe('application/json');
    expect(post!.body.response_type).toBe('ephemeral');
    expect(post!.body.text).toEqual(expect.any(String));
  });

  it('a button reply keeps replace_original as the handler set it', async () => {
    const path = `${SECRET_PATH}/click`;
    // A stale paging button: answered with a new ephemeral message, the clicked one left alone.
    const body = blockActionsBody({ actionId: 'history_next', value: 'not-a-cursor', responseUrl: `${hooks.url}${path}`, containerType: 'ephemeral' });
    expect((await postToApp(h.eventsUrl, body, { signingSecret: h.signingSecret })).status).toBe(200);
    await until(() => countFor(path) > 0);
    const post = hooks.received.find((r) => r.path === path)!;
    expect(post.body.replace_original).toBe(false);
    expect(post.body.response_type).toBe('ephemeral');
    expect(buttons(post.body)).toEqual([]);
  });

  it.each([
    ['/expired', 404, 'expired_url'],
    ['/blocks', 400, 'invalid_blocks'],
  ])('a refused reply (%s) is posted once and logged with status and Slack error, never the URL path', async (prefix, status, slackError) => {
    const path = `${prefix}${SECRET_PATH}`;
    const before = h.logs().length;
    await postToApp(h.eventsUrl, slashCommandBody({ text: 'help', responseUrl: `${hooks.url}${path}` }), { signingSecret: h.signingSecret });
    const warning = await h.waitForLog((l) => l.level === 40 && String(l.msg).includes('could not deliver the reply through response_url') && (l.err as { status?: number } | undefined)?.status === status);
    expect(warning.err).toMatchObject({ name: 'ReplyRejected', status, slackError });
    for (const line of h.logs().slice(before)) expect(JSON.stringify(line)).not.toContain('s3cr3tPathPart');
    await new Promise((r) => setTimeout(r, 200));
    expect(countFor(path)).toBe(1);
  });
});

describe('createReplyTransport', () => {
  it('without SLACK_API_URL posts only to https://hooks.slack.com', async () => {
    const hooks = await startHooks(() => ({ status: 200, body: 'ok' }));
    const transport = createReplyTransport();
    try {
      await expect(transport.fetch(`${hooks.url}/commands/T1/2/x`, { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(ReplyRejected);
      await expect(transport.fetch('http://hooks.slack.com/commands/T1/2/x', { method: 'POST', body: '{}' })).rejects.toMatchObject({ slackError: 'not_a_slack_response_url' });
      expect(hooks.received).toHaveLength(0);
    } finally {
      await transport.close();
      await hooks.close();
    }
  });

  it('with SLACK_API_URL takes response_urls as they come, as Bolt did', async () => {
    const hooks = await startHooks(() => ({ status: 200, body: 'ok' }));
    const transport = createReplyTransport({ apiUrl: 'http://127.0.0.1:1/api/' });
    try {
      const res = await transport.fetch(`${hooks.url}/actions/T1/2/x`, { method: 'POST', body: '{"text":"hi"}' });
      expect(res).toMatchObject({ ok: true, status: 200 });
      expect(hooks.received.map((r) => r.body)).toEqual([{ text: 'hi' }]);
    } finally {
      await transport.close();
      await hooks.close();
    }
  });
});
