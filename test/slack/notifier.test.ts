/**
 * How the alert poster reads Slack's refusals, over real HTTP against the fake Web API: each kind
 * decides what the delivery stage does next (pause one channel, back off, record a channel error).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createSlackNotifier, UNSPECIFIED_RATE_LIMIT_PAUSE_MS } from '../../src/slack/notifier.js';
import type { AlertItem, Notifier } from '../../src/watch/types.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';

const TOKEN = 'xoxb-000000000001-notifiertestnotifiertest';
const CHAN = 'C0NOTIFY01';
const T0 = Date.parse('2026-11-29T12:00:00Z');

const item: AlertItem = {
  key: `sub1|inst1:FAILED:${T0}`,
  subscriptionId: 'sub1',
  channelId: CHAN,
  league: { id: 'leagueNotify01' },
  instance: { id: 'inst1', jobName: 'job', type: 'VFL_TRAIN', status: 'FAILED', startTime: T0 - 60_000, endTime: T0 },
  from: 'RUNNING',
  to: 'FAILED',
  observedAt: T0,
};

let slack: FakeSlack;
let notifier: Notifier;
beforeAll(async () => {
  slack = await startFakeSlack({ botToken: TOKEN });
  notifier = createSlackNotifier({ token: TOKEN, apiUrl: slack.url, logger: createLogger({ level: 'silent' }), now: () => T0 });
});
afterAll(async () => slack?.close());

describe('Slack notifier: what a refusal means', () => {
  it('posts and returns the message ts', async () => {
    const result = await notifier.post(CHAN, [item]);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && result.ts).toMatch(/^\d+\.\d+$/);
  });

  it("a 429 pauses the channel for Slack's Retry-After", async () => {
    slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 7 }, { channel: CHAN });
    expect(await notifier.post(CHAN, [item])).toEqual({ ok: false, kind: 'rate_limited', retryAfterMs: 7_000, error: 'ratelimited' });
  });

  it('ok:false ratelimited (no Retry-After) pauses for a few seconds, not half a minute', async () => {
    slack.injectFault('chat.postMessage', { kind: 'error', error: 'ratelimited' }, { channel: CHAN });
    expect(await notifier.post(CHAN, [item])).toEqual({ ok: false, kind: 'rate_limited', retryAfterMs: UNSPECIFIED_RATE_LIMIT_PAUSE_MS, error: 'ratelimited' });
    expect(UNSPECIFIED_RATE_LIMIT_PAUSE_MS).toBeLessThanOrEqual(5_000);
  });

  it('a 500 is transient, a missing channel is a channel error, invalid_auth is fatal', async () => {
    slack.injectFault('chat.postMessage', { kind: 'http', status: 500 }, { channel: CHAN });
    expect(await notifier.post(CHAN, [item])).toEqual({ ok: false, kind: 'transient', error: 'http_500' });
    slack.injectFault('chat.postMessage', { kind: 'error', error: 'not_in_channel' }, { channel: CHAN });
    expect(await notifier.post(CHAN, [item])).toEqual({ ok: false, kind: 'channel', error: 'not_in_channel' });
    slack.injectFault('chat.postMessage', { kind: 'error', error: 'invalid_auth' }, { channel: CHAN });
    expect(await notifier.post(CHAN, [item])).toEqual({ ok: false, kind: 'fatal', error: 'invalid_auth' });
  });
});
