import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel, verifySlackRequest } from '@slack/bolt';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { blockActionsBody, postToApp, signSlackRequest, slashCommandBody } from './slack-requests.js';

// Slack's worked example from "Verifying requests from Slack" (docs.slack.dev).
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TS = 1531420618;
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const SECRET = 'test-signing-secret';
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function boltAccepts(secret: string, body: string, headers: ReturnType<typeof signSlackRequest>, nowMs: number): boolean {
  try {
    verifySlackRequest({
      signingSecret: secret,
      body,
      headers: { 'x-slack-signature': headers['x-slack-signature'], 'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']) },
      nowMilliseconds: nowMs,
    });
    return true;
  } catch {
    return false;
  }
}

describe('signSlackRequest', () => {
  it("reproduces Slack's published example", () => {
    expect(signSlackRequest(DOC_SECRET, DOC_BODY, DOC_TS)).toEqual({
      'x-slack-signature': DOC_SIGNATURE,
      'x-slack-request-timestamp': String(DOC_TS),
    });
  });

  it('matches an HMAC computed by hand over v0:timestamp:body', () => {
    const body = slashCommandBody({ text: 'history prod', responseUrl: 'https://hooks.example/1' });
    const expected = createHmac('sha256', SECRET).update(`v0:1700000000:${body}`).digest('hex');
    expect(signSlackRequest(SECRET, body, 1700000000)['x-slack-signature']).toBe(`v0=${expected}`);
  });

  it("is accepted by Bolt's own verifier for any body, and only for that body and secret", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.integer({ min: 1_500_000_000, max: 2_000_000_000 }), (secret, body, ts) => {
        const headers = signSlackRequest(secret, body, ts);
        expect(boltAccepts(secret, body, headers, ts * 1000)).toBe(true);
        expect(boltAccepts(secret, `${body}x`, headers, ts * 1000)).toBe(false);
        expect(boltAccepts(`${secret}x`, body, headers, ts * 1000)).toBe(false);
      }),
    );
  });

  it('defaults the timestamp to now, which Bolt does not consider stale', () => {
    const headers = signSlackRequest(SECRET, 'a=b');
    expect(Math.abs(Number(headers['x-slack-request-timestamp']) - nowSeconds())).toBeLessThanOrEqual(5);
    expect(boltAccepts(SECRET, 'a=b', headers, Date.now())).toBe(true);
    expect(boltAccepts(SECRET, 'a=b', signSlackRequest(SECRET, 'a=b', nowSeconds() - 6 * 60), Date.now())).toBe(false);
  });
});

describe('slashCommandBody', () => {
  it('carries every field Slack sends, and the text survives form encoding', () => {
    const text = 'history prod status:FAILED & <job> 100% ü';
    const body = slashCommandBody({ text, responseUrl: 'https://hooks.example/commands/T1/2/abc?x=1', channelId: 'C0XYZ', userId: 'U0ME' });
    const form = new URLSearchParams(body);
    for (const field of [
      'token', 'team_id', 'team_domain', 'channel_id', 'channel_name', 'user_id', 'user_name',
      'command', 'text', 'api_app_id', 'is_enterprise_install', 'response_url', 'trigger_id',
    ]) {
      expect(form.get(field), field).not.toBeNull();
    }
    expect(form.get('text')).toBe(text);
    expect(form.get('command')).toBe('/tics');
    expect(form.get('response_url')).toBe('https://hooks.example/commands/T1/2/abc?x=1');
    expect(form.get('channel_id')).toBe('C0XYZ');
    expect(form.get('user_id')).toBe('U0ME');
    expect(form.get('trigger_id')).toMatch(/^\d+\.\d+\.[0-9a-f]{32}$/);
    expect(form.has('enterprise_id')).toBe(false);
    // Slack form-encodes spaces as '+', like URLSearchParams; the signature covers these exact bytes.
    expect(body).toContain('text=history+prod+status%3AFAILED+%26+%3Cjob%3E');
  });

  it('adds enterprise fields only for enterprise workspaces', () => {
    const form = new URLSearchParams(slashCommandBody({ text: '', responseUrl: 'https://x/1', enterpriseId: 'E0ORG' }));
    expect(form.get('enterprise_id')).toBe('E0ORG');
  });
});

describe('blockActionsBody', () => {
  interface Payload {
    user: { team_id: string };
    team: { id: string };
    container: { is_ephemeral: boolean };
    actions: Array<{ action_ts: string }>;
    message?: { blocks: unknown[] };
  }
  const parse = (body: string): Payload => {
    const form = new URLSearchParams(body);
    expect([...form.keys()]).toEqual(['payload']);
    return JSON.parse(form.get('payload')!) as Payload;
  };

  it('builds a block_actions payload for a button in a channel message', () => {
    const payload = parse(
      blockActionsBody({ actionId: 'history_next', value: '{"v":1,"page":2}', blockId: 'paging', responseUrl: 'https://x/r/1', messageTs: '1700000000.000100', channelId: 'C0AB' }),
    );
    expect(payload).toMatchObject({
      type: 'block_actions',
      enterprise: null,
      is_enterprise_install: false,
      response_url: 'https://x/r/1',
      container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0AB', is_ephemeral: false },
      channel: { id: 'C0AB' },
      state: { values: {} },
      message: { type: 'message', ts: '1700000000.000100' },
    });
    expect(payload.user.team_id).toBe(payload.team.id);
    expect(payload).toMatchObject({ api_app_id: expect.any(String), trigger_id: expect.any(String), token: expect.any(String) });
    expect(payload.actions).toHaveLength(1);
    expect(payload.actions[0]).toMatchObject({ type: 'button', action_id: 'history_next', block_id: 'paging', value: '{"v":1,"page":2}', text: { type: 'plain_text' } });
    expect(payload.actions[0]?.action_ts).toMatch(/^\d+\.\d{6}$/);
    // The clicked button really is in the message it came from.
    expect(payload.message?.blocks[0]).toMatchObject({ block_id: 'paging', elements: [{ action_id: 'history_next' }] });
  });

  it('omits the message for a click in an ephemeral message, as Slack does', () => {
    const payload = parse(blockActionsBody({ actionId: 'a', responseUrl: 'https://x/r/2', isEphemeral: true }));
    expect(payload.container.is_ephemeral).toBe(true);
    expect(payload).not.toHaveProperty('message');
    expect(parse(blockActionsBody({ actionId: 'a', responseUrl: 'https://x/r/2', containerType: 'ephemeral' }))).not.toHaveProperty('message');
  });

  it('builds a static_select choice: selected_option and placeholder, no value or text of its own', () => {
    const payload = parse(
      blockActionsBody({ actionId: 'incident_snooze', blockId: 'incident:abc', responseUrl: 'https://x/r/3', selectedOption: { value: '8h', text: '8 hours' }, placeholder: 'Snooze…' }),
    );
    const [action] = payload.actions as unknown as Array<Record<string, unknown>>;
    expect(action).toEqual({
      type: 'static_select',
      action_id: 'incident_snooze',
      block_id: 'incident:abc',
      selected_option: { text: { type: 'plain_text', text: '8 hours', emoji: true }, value: '8h' },
      placeholder: { type: 'plain_text', text: 'Snooze…', emoji: true },
      action_ts: expect.stringMatching(/^\d+\.\d{6}$/) as unknown,
    });
    expect(payload.message?.blocks[0]).toMatchObject({ block_id: 'incident:abc', elements: [{ type: 'static_select', action_id: 'incident_snooze', options: [{ value: '8h' }] }] });
  });
});

describe('postToApp against a real Bolt app', () => {
  let slack: FakeSlack;
  let app: App;
  let appUrl: string;
  const seen: { command?: string; retryNum?: number | undefined; action?: string | undefined } = {};

  beforeAll(async () => {
    slack = await startFakeSlack();
    app = new App({ token: 'xoxb-test-token', signingSecret: SECRET, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.url } });
    app.command('/tics', async ({ ack, command, respond, context }) => {
      await ack();
      seen.command = command.text;
      seen.retryNum = context.retryNum;
      await respond({ text: `got ${command.text}`, response_type: 'ephemeral' });
    });
    app.action('history_next', async ({ ack, action, respond }) => {
      await ack();
      seen.action = 'value' in action ? action.value : undefined;
      await respond({ text: 'page 2', replace_original: true });
    });
    const server = (await app.start(0)) as Server;
    appUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  it('a signed slash command is acked and answered through its response_url', async () => {
    const responseUrl = slack.responseUrl('cmd-1');
    const res = await postToApp(appUrl, slashCommandBody({ text: 'history prod', responseUrl }), { signingSecret: SECRET });
    expect(res.status).toBe(200);
    expect(res.elapsedMs).toBeLessThan(3_000);
    const [reply] = await slack.waitForResponses(1, { id: 'cmd-1' });
    expect(reply).toMatchObject({ httpStatus: 200, body: { text: 'got history prod', response_type: 'ephemeral' } });
    expect(seen.command).toBe('history prod');
    // Bolt ran auth.test against the fake at construction.
    expect(slack.callsTo('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  it('passes the retry number through to the handler', async () => {
    const res = await postToApp(appUrl, slashCommandBody({ text: 'again', responseUrl: slack.responseUrl('cmd-2') }), { signingSecret: SECRET, retryNum: 2 });
    expect(res.status).toBe(200);
    await slack.waitForResponses(1, { id: 'cmd-2' });
    expect(seen.retryNum).toBe(2);
  });

  it('a signed button click reaches the action handler', async () => {
    const body = blockActionsBody({ actionId: 'history_next', value: 'cursor-2', responseUrl: slack.responseUrl('act-1') });
    expect((await postToApp(appUrl, body, { signingSecret: SECRET })).status).toBe(200);
    const [reply] = await slack.waitForResponses(1, { id: 'act-1' });
    expect(reply?.body).toMatchObject({ text: 'page 2', replace_original: true });
    expect(seen.action).toBe('cursor-2');
  });

  it('unsigned, stale, tampered and wrongly signed requests get 401 and run nothing', async () => {
    const body = (id: string): string => slashCommandBody({ text: `bad ${id}`, responseUrl: slack.responseUrl(id) });
    const results = await Promise.all([
      postToApp(appUrl, body('unsigned'), {}),
      postToApp(appUrl, body('stale'), { signingSecret: SECRET, timestampSeconds: nowSeconds() - 10 * 60 }),
      postToApp(appUrl, body('tampered'), { signingSecret: SECRET, tamper: true }),
      postToApp(appUrl, body('wrong'), { signingSecret: `${SECRET}-other` }),
    ]);
    expect(results.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    for (const id of ['unsigned', 'stale', 'tampered', 'wrong']) expect(slack.responses(id)).toEqual([]);
  });
});
