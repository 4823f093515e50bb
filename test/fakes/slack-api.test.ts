import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './slack-api.js';

const { WebClient, ErrorCode, LogLevel } = webApi;
const TOKEN = 'xoxb-test-token';

// WebClient logs every retry and refused payload; the assertions below say what matters.
const silentLogger: webApi.Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const noRetries = { retries: 0 };
const oneQuickRetry = { retries: 1, factor: 1, minTimeout: 10, maxTimeout: 50 };

function client(fake: FakeSlack, opts: Partial<webApi.WebClientOptions> = {}, token: string | null = TOKEN): webApi.WebClient {
  return new WebClient(token ?? undefined, { slackApiUrl: fake.url, logger: silentLogger, retryConfig: noRetries, ...opts });
}

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await fake.close();
});

describe('fake Slack Web API, driven by the real WebClient', () => {
  it('exposes a base url web-api can append method names to', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('answers auth.test for the right token and refuses wrong or missing ones', async () => {
    const me = await client(fake).auth.test();
    expect(me).toMatchObject({ ok: true, user: 'tics-bot', team_id: 'T0000TEST', user_id: 'U0BOT', bot_id: 'B0BOT' });

    await expect(client(fake, {}, 'xoxb-wrong').auth.test()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_auth' },
    });
    await expect(client(fake, {}, null).auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    // Slack reports auth failures in the body, not with an HTTP status.
    expect(fake.callsTo('auth.test').map((c) => [c.httpStatus, c.response.error])).toEqual([
      [200, undefined],
      [200, 'invalid_auth'],
      [200, 'not_authed'],
    ]);
  });

  it('records chat.postMessage with its blocks parsed from the form body', async () => {
    const blocks = [section('*Job* `a&b` failed'), { type: 'context', elements: [{ type: 'mrkdwn', text: 'league X' }] }];
    const web = client(fake);
    const first = await web.chat.postMessage({ channel: 'C0ALERTS', text: 'Job failed', blocks });
    const second = await web.chat.postMessage({ channel: 'C0ALERTS', text: 'again' });

    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: 'C0ALERTS', text: 'Job failed', blocks });
    expect(call?.response).toMatchObject({ ok: true, channel: 'C0ALERTS', ts: first.ts });
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(second.ts).not.toBe(first.ts);
    expect(first.message).toMatchObject({ text: 'Job failed', blocks, bot_id: 'B0BOT' });
    expect(fake.message('C0ALERTS', first.ts!)).toMatchObject({ text: 'Job failed' });
  });

  it('accepts JSON bodies with a bearer token, and a token in a form body, but not in a JSON body', async () => {
    const blocks = [section('json')];
    const viaJson = await postRaw(`${fake.url}chat.postMessage`, JSON.stringify({ channel: 'C1', text: 't', blocks }), {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(viaJson.json).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.callsTo('chat.postMessage')[0]?.args.blocks).toEqual(blocks);

    const viaForm = await postRaw(`${fake.url}auth.test`, `token=${TOKEN}`, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(viaForm.json).toMatchObject({ ok: true });
    const jsonToken = await postRaw(`${fake.url}auth.test`, JSON.stringify({ token: TOKEN }), { 'content-type': 'application/json' });
    expect(jsonToken.json).toMatchObject({ ok: false, error: 'not_authed' });
  });

  it('refuses messages Slack would refuse', async () => {
    const web = client(fake);
    await expect(web.chat.postMessage({ channel: 'C1', text: '' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(web.apiCall('chat.postMessage', { text: 'hi' })).rejects.toMatchObject({ data: { error: 'channel_not_found' } });
    await expect(web.chat.postMessage({ channel: 'C1', text: 'x', blocks: [section('a'.repeat(3001))] })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    await expect(
      web.chat.postMessage({ channel: 'C1', text: 'x', blocks: Array.from({ length: 51 }, (_, i) => section(`row ${i}`)) }),
    ).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    // Each section is legal; together they pass the whole-message cap Slack enforces separately.
    await expect(
      web.chat.postMessage({ channel: 'C1', text: 'x', blocks: Array.from({ length: 5 }, () => section('b'.repeat(2900))) }),
    ).rejects.toMatchObject({ data: { error: 'msg_blocks_too_long' } });
    const malformed = await postRaw(`${fake.url}chat.postMessage`, 'channel=C1&text=x&blocks=%5B%7Bnope', {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(malformed.json).toMatchObject({ ok: false, error: 'invalid_blocks_format' });
    // A section exactly at the limit is fine: the fake must not be stricter than Slack either.
    await expect(web.chat.postMessage({ channel: 'C1', text: 'x', blocks: [section('a'.repeat(3000))] })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(7);
  });

  it('updates posted messages in place and refuses unknown or ephemeral ones', async () => {
    const web = client(fake);
    const posted = await web.chat.postMessage({ channel: 'C1', text: 'running', blocks: [section('running')] });
    const updated = await web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'done', blocks: [section('done')] });
    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts: posted.ts, text: 'done' });
    expect(fake.message('C1', posted.ts!)).toMatchObject({ text: 'done', blocks: [section('done')] });

    await expect(web.chat.update({ channel: 'C2', ts: posted.ts!, text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    const eph = await web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    await expect(web.chat.update({ channel: 'C1', ts: eph.message_ts!, text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'y', blocks: [section('b'.repeat(3001))] })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
  });

  it('answers conversations.info and refuses unknown methods', async () => {
    const web = client(fake);
    const info = await web.conversations.info({ channel: 'C0ALERTS' });
    expect(info.channel).toMatchObject({ id: 'C0ALERTS', is_member: true });
    expect(typeof info.channel?.name).toBe('string');
    await expect(web.apiCall('chat.delete', { channel: 'C1', ts: '1.000001' })).rejects.toMatchObject({
      data: { error: 'unknown_method' },
    });
  });

  it('rate-limits with Retry-After, which WebClient honours before retrying', async () => {
    fake.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 1 });
    const result = await client(fake, { retryConfig: oneQuickRetry }).chat.postMessage({ channel: 'C1', text: 'hi' });
    expect(result.ok).toBe(true);

    const [limited, retried] = fake.callsTo('chat.postMessage');
    expect(limited).toMatchObject({ httpStatus: 429, response: { ok: false, error: 'ratelimited' } });
    expect(retried).toMatchObject({ httpStatus: 200, args: { channel: 'C1', text: 'hi' } });
    // Generous lower bound: the client waited out the Retry-After second instead of hammering.
    expect(retried!.at - limited!.at).toBeGreaterThanOrEqual(900);
  });

  it('lets a client that rejects rate-limited calls see the Retry-After value', async () => {
    fake.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 7 });
    const web = client(fake, { rejectRateLimitedCalls: true, retryConfig: oneQuickRetry });
    await expect(web.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    // The fault was used up: the next call goes through.
    await expect(web.chat.postMessage({ channel: 'C1', text: 'hi' })).resolves.toMatchObject({ ok: true });
  });

  it('surfaces an injected platform error, only for the targeted channel and only `times` times', async () => {
    fake.injectFault('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, { channel: 'C0GONE', times: 2 });
    const web = client(fake, { retryConfig: oneQuickRetry });
    await expect(web.chat.postMessage({ channel: 'C0OTHER', text: 'a' })).resolves.toMatchObject({ ok: true });
    for (let i = 0; i < 2; i += 1) {
      await expect(web.chat.postMessage({ channel: 'C0GONE', text: 'b' })).rejects.toMatchObject({
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'channel_not_found' },
      });
    }
    await expect(web.chat.postMessage({ channel: 'C0GONE', text: 'c' })).resolves.toMatchObject({ ok: true });
    // Platform errors are final: WebClient must not have retried them.
    expect(fake.callsTo('chat.postMessage').map((c) => c.response.ok)).toEqual([true, false, false, true]);
  });

  it('answers an HTTP fault with that status and an HTML body', async () => {
    fake.injectFault('chat.update', { kind: 'http', status: 503 });
    const web = client(fake);
    const posted = await web.chat.postMessage({ channel: 'C1', text: 'x' });
    const err: unknown = await web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'y' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
    expect((err as { body: unknown }).body).toMatch(/<html>/);
    expect(fake.callsTo('chat.update')[0]).toMatchObject({ httpStatus: 503, args: { channel: 'C1', text: 'y' } });
  });

  it('drops the connection on a reset fault; a retrying client recovers', async () => {
    fake.injectFault('chat.postMessage', { kind: 'reset' }, { times: 2 });
    await expect(client(fake).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
    await expect(client(fake, { retryConfig: oneQuickRetry }).chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect(fake.callsTo('chat.postMessage').map((c) => c.httpStatus)).toEqual([0, 0, 200]);
  });

  it('a wildcard fault hits any method', async () => {
    fake.injectFault('*', { kind: 'error', error: 'fatal_error' });
    await expect(client(fake).auth.test()).rejects.toMatchObject({ data: { error: 'fatal_error' } });
    await expect(client(fake).auth.test()).resolves.toMatchObject({ ok: true });
  });

  it('waitForCalls resolves on a later call and times out with a clear message', async () => {
    const waiting = fake.waitForCalls('chat.postMessage', 1, 5_000);
    await client(fake).chat.postMessage({ channel: 'C1', text: 'late' });
    await expect(waiting).resolves.toHaveLength(1);
    await expect(fake.waitForCalls('chat.postMessage', 2, 50)).rejects.toThrow(/2 chat\.postMessage call\(s\): got 1/);
  });
});

describe('fake response_url sink', () => {
  const respond = (url: string, body: unknown) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('accepts five uses and refuses the sixth', async () => {
    const url = fake.responseUrl('cmd');
    for (let i = 1; i <= 5; i += 1) {
      const res = await respond(url, { text: `reply ${i}`, replace_original: i > 1, response_type: 'ephemeral' });
      expect(res.status).toBe(200);
    }
    const sixth = await respond(url, { text: 'one too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toMatchObject({ ok: false, error: 'used_url' });

    const posts = fake.responses('cmd');
    expect(posts.map((p) => p.httpStatus)).toEqual([200, 200, 200, 200, 200, 404]);
    expect(posts[1]?.body).toMatchObject({ text: 'reply 2', replace_original: true, response_type: 'ephemeral' });
    // Another url has its own budget.
    expect((await respond(fake.responseUrl(), { text: 'fresh' })).status).toBe(200);
  });

  it('refuses an explicitly expired url and one older than 30 minutes', async () => {
    const url = fake.responseUrl('old');
    fake.expireResponseUrl('old');
    expect((await respond(url, { text: 'late' })).status).toBe(404);
    expect(fake.responses('old')[0]).toMatchObject({ httpStatus: 404, error: 'expired_url' });

    let clock = Date.UTC(2025, 0, 1);
    const timed = await startFakeSlack({ now: () => clock });
    try {
      const u = timed.responseUrl('t');
      clock += 30 * 60 * 1000;
      expect((await respond(u, { text: 'at the limit' })).status).toBe(200);
      clock += 1;
      expect((await respond(u, { text: 'past it' })).status).toBe(404);
      expect(timed.responses('t').map((p) => p.error)).toEqual([undefined, 'expired_url']);
    } finally {
      await timed.close();
    }
  });

  it('refuses broken payloads with 400 without spending the budget', async () => {
    const url = fake.responseUrl('bad');
    const tooLong = await respond(url, { text: 'x', blocks: [section('a'.repeat(3001))] });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ error: 'invalid_blocks' });
    expect((await respond(url, { response_type: 'ephemeral' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: '{not json' })).status).toBe(400);
    expect((await respond(url, { delete_original: true })).status).toBe(200);
    expect(fake.responses('bad').map((p) => p.error)).toEqual(['invalid_blocks', 'no_text', 'invalid_payload', undefined]);
    for (let i = 0; i < 4; i += 1) expect((await respond(url, { text: `ok ${i}` })).status).toBe(200);
  });

  it('refuses urls it never issued', async () => {
    const forged = fake.responseUrl('real').replace('/real', '/forged');
    expect((await respond(forged, { text: 'x' })).status).toBe(404);
    expect(() => fake.expireResponseUrl('forged')).toThrow(/forged/);
  });

  it('waitForResponses filters by id and times out clearly', async () => {
    const a = fake.responseUrl('a');
    const b = fake.responseUrl('b');
    const waiting = fake.waitForResponses(1, { id: 'b' });
    await respond(a, { text: 'to a' });
    await respond(b, { text: 'to b' });
    const [post] = await waiting;
    expect(post).toMatchObject({ id: 'b', body: { text: 'to b' } });
    await expect(fake.waitForResponses(3, { timeoutMs: 50 })).rejects.toThrow(/3 response_url post\(s\): got 2/);
  });
});
