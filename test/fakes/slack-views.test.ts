/**
 * The fake Slack's App Home methods refuse what Slack refuses: views.publish needs a user id and a
 * `home` view of at most 100 valid blocks; views.open a fresh trigger_id (once) and a modal;
 * chat.getPermalink a message that exists.
 */
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './slack-api.js';

const { WebClient, LogLevel } = webApi;
const TOKEN = 'xoxb-views-test';
const silentLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, setLevel: () => {}, getLevel: () => LogLevel.ERROR, setName: () => {} };

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('fake Slack: views and permalinks', () => {
  let fake: FakeSlack;
  let client: webApi.WebClient;
  beforeEach(async () => {
    fake = await startFakeSlack({ botToken: TOKEN });
    client = new WebClient(TOKEN, { slackApiUrl: fake.url, logger: silentLogger, retryConfig: { retries: 0 } });
  });
  afterEach(async () => fake?.close());

  const error = (p: Promise<unknown>) => p.then(() => 'ok', (e: { data?: { error?: string }; message?: string }) => e.data?.error ?? e.message ?? 'unknown');

  it('views.publish stores a valid home view per user', async () => {
    const result = await client.views.publish({ user_id: 'U0PERSON1', view: { type: 'home', blocks: [section('hello')] } });
    expect(result.ok).toBe(true);
    expect(result.view?.id).toMatch(/^V\d+/);
    expect(fake.homeView('U0PERSON1')).toMatchObject({ type: 'home', blocks: [section('hello')] });
  });

  it('views.publish refuses a missing or malformed user, another view type, 101 blocks or a broken block', async () => {
    const home = { type: 'home' as const, blocks: [section('x')] };
    expect(await error(client.apiCall('views.publish', { view: home }))).toBe('invalid_arguments');
    expect(await error(client.views.publish({ user_id: 'C0CHANNEL', view: home }))).toBe('invalid_arguments');
    expect(await error(client.views.publish({ user_id: 'U0PERSON1', view: { type: 'modal', title: { type: 'plain_text', text: 't' }, blocks: [section('x')] } }))).toBe('invalid_arguments');
    const tooMany = Array.from({ length: 101 }, (_, i) => section(`row ${i}`));
    expect(await error(client.views.publish({ user_id: 'U0PERSON1', view: { type: 'home', blocks: tooMany } }))).toBe('invalid_arguments');
    expect(await error(client.views.publish({ user_id: 'U0PERSON1', view: { type: 'home', blocks: tooMany.slice(0, 100) } }))).toBe('ok');
    expect(await error(client.views.publish({ user_id: 'U0PERSON1', view: { type: 'home', blocks: [section('x'.repeat(3001))] } }))).toBe('invalid_arguments');
  });

  it('views.open takes an issued trigger_id once, and a modal', async () => {
    const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'History' }, blocks: [section('x')] };
    expect(await error(client.views.open({ trigger_id: '123.456.abc', view: modal }))).toBe('invalid_trigger_id');
    const trigger = fake.triggerId();
    expect(await error(client.views.open({ trigger_id: trigger, view: { ...modal, title: { type: 'plain_text', text: 'x'.repeat(25) } } }))).toBe('invalid_arguments');
    const again = fake.triggerId();
    expect(await error(client.views.open({ trigger_id: again, view: modal }))).toBe('ok');
    expect(await error(client.views.open({ trigger_id: again, view: modal }))).toBe('invalid_trigger_id');
  });

  it('chat.getPermalink answers for a posted message only', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0CHAN0001', text: 'parent' });
    const link = await client.chat.getPermalink({ channel: 'C0CHAN0001', message_ts: posted.ts! });
    expect(link.permalink).toBe(`https://tics-test.slack.com/archives/C0CHAN0001/p${posted.ts!.replace('.', '')}`);
    expect(await error(client.chat.getPermalink({ channel: 'C0CHAN0001', message_ts: '1700000000.000001' }))).toBe('message_not_found');
  });
});
