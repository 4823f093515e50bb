/**
 * The connection state machine's arithmetic and wording: the retry schedule operators will see in
 * the logs, the reason extracted from web-api's nested errors, and the states readiness reports.
 */
import { describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { backoffDelay, describeFailure, SlackConnection } from '../../src/slack/connection.js';

describe('backoffDelay', () => {
  it('doubles from the minimum up to the cap, within ±20%', () => {
    const opts = { minMs: 1_000, maxMs: 30_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, opts, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(backoffDelay(3, opts, () => 0)).toBe(3_200);
    expect(backoffDelay(3, opts, () => 1)).toBe(4_800);
  });
});

describe('describeFailure', () => {
  it("names Slack's error code", () => {
    const error = Object.assign(new Error('An API error occurred: invalid_auth'), { code: 'slack_webapi_platform_error', data: { ok: false, error: 'invalid_auth' } });
    expect(describeFailure(error)).toBe('invalid_auth');
    expect(describeFailure(new Error('wrapped', { cause: error }))).toBe('invalid_auth');
  });

  it('digs the socket error out of web-api and undici wrappers', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const fetchFailed = new TypeError('fetch failed', { cause: socket });
    const requestError = Object.assign(new Error('A request error occurred: fetch failed'), { code: webApi.ErrorCode.RequestError, original: fetchFailed });
    expect(describeFailure(requestError)).toBe('connect ECONNREFUSED 127.0.0.1:9');
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(describeFailure(new TypeError('fetch failed', { cause: reset }))).toBe('UND_ERR_SOCKET: other side closed');
  });
});

describe('SlackConnection', () => {
  it('keeps since = when it started failing across repeated failures, and counts reconnects', () => {
    let t = 1_000;
    const c = new SlackConnection('socket', () => t);
    const events: string[] = [];
    c.on('connected', () => events.push('connected'));
    c.on('disconnected', ({ reason }) => events.push(`disconnected:${reason}`));
    c.on('reconnecting', ({ attempt }) => events.push(`reconnecting:${attempt}`));
    t = 2_000;
    c.markDisconnected('timeout');
    t = 3_000;
    c.markReconnecting(1, 100);
    c.markDisconnected('timeout again');
    expect(c.snapshot()).toMatchObject({ state: 'disconnected', since: 1_000, lastError: 'timeout again', reconnects: 0 });
    t = 4_000;
    c.markConnected();
    expect(c.snapshot()).toMatchObject({ state: 'connected', connected: true, since: 4_000, reconnects: 0 });
    t = 5_000;
    c.markDisconnected('refresh_requested');
    expect(c.snapshot().since).toBe(5_000);
    c.markReconnecting(0, 0);
    c.markConnected();
    expect(c.snapshot().reconnects).toBe(1);
    expect(events).toEqual(['disconnected:timeout', 'reconnecting:1', 'disconnected:timeout again', 'connected', 'disconnected:refresh_requested', 'reconnecting:0', 'connected']);
  });
});
