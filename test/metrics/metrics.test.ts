/** The pure parts of the metrics: per-bot registries, bounded label values, the latency wrappers. */
import type { Context } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { createMetrics, type MetricsBundle } from '../../src/metrics.js';
import { parseCommand } from '../../src/slack/commands/parse.js';
import { SlackConnection } from '../../src/slack/connection.js';
import { interactionKind, subcommandOf, timeReplies } from '../../src/slack/interaction-metrics.js';
import { countReconnects, methodOf } from '../../src/slack/slack-metrics.js';
import { ticsOutcomeOf } from '../../src/tics/client.js';
import { TicsAuthError, TicsRequestError, TicsResponseError, TicsThrottledError, TicsUpstreamError } from '../../src/tics/errors.js';
import { parsePrometheusText, sampleSum } from '../helpers/prometheus-text.js';

async function read(bundle: MetricsBundle, sample: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleSum(parsePrometheusText(await bundle.registry.metrics()), sample, labels);
}

describe('createMetrics', () => {
  it('gives each bot its own registry: counts never mix, and two bots can coexist', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.metrics.command('history', 'ok');
    a.metrics.command('history', 'ok');
    b.metrics.command('history', 'denied');
    expect(await read(a, 'tics_bot_commands_total', { subcommand: 'history', outcome: 'ok' })).toBe(2);
    expect(await read(b, 'tics_bot_commands_total', { subcommand: 'history', outcome: 'ok' })).toBe(0);
    expect(await read(b, 'tics_bot_commands_total', { outcome: 'denied' })).toBe(1);
  });

  it('histograms observe seconds into cumulative buckets (strictly parsed)', async () => {
    const m = createMetrics();
    m.metrics.ticsRequest('list_instance_history', '5xx', 0.2);
    m.metrics.ticsRequest('list_instance_history', '5xx', 7);
    const labels = { operation: 'list_instance_history', outcome: '5xx' };
    expect(await read(m, 'tics_bot_tics_request_seconds_count', labels)).toBe(2);
    expect(await read(m, 'tics_bot_tics_request_seconds_sum', labels)).toBeCloseTo(7.2);
    expect(await read(m, 'tics_bot_tics_request_seconds_bucket', { ...labels, le: '0.25' })).toBe(1);
    expect(await read(m, 'tics_bot_tics_request_seconds_bucket', { ...labels, le: '10' })).toBe(2);
    expect(await read(m, 'tics_bot_tics_requests_total', labels)).toBe(2);
  });

  it('a Slack method label that is not a method name becomes "other"', async () => {
    const m = createMetrics();
    m.metrics.slackRateLimited('chat.postMessage');
    m.metrics.slackRateLimited('C0123ABCD');
    m.metrics.slackRateLimited('https://hooks.slack.com/x');
    expect(await read(m, 'tics_bot_slack_rate_limited_total', { method: 'chat.postMessage' })).toBe(1);
    expect(await read(m, 'tics_bot_slack_rate_limited_total', { method: 'other' })).toBe(2);
  });
});

describe('bounded labels', () => {
  it('methodOf reads the Web API method from the request URL', () => {
    expect(methodOf('http://127.0.0.1:4000/api/chat.postMessage')).toBe('chat.postMessage');
    expect(methodOf('https://slack.com/api/apps.connections.open?x=1')).toBe('apps.connections.open');
    expect(methodOf('https://slack.com/api/')).toBe('other');
    expect(methodOf(undefined)).toBe('other');
  });

  it('ticsOutcomeOf: status class, or what kind of network failure', () => {
    const abort = new DOMException('aborted', 'AbortError');
    const timeout = new DOMException('deadline', 'TimeoutError');
    expect(ticsOutcomeOf(new TicsAuthError('x', { httpStatus: 401 }))).toBe('4xx');
    expect(ticsOutcomeOf(new TicsThrottledError('x', { httpStatus: 429 }))).toBe('4xx');
    expect(ticsOutcomeOf(new TicsRequestError('x', { httpStatus: 404 }))).toBe('4xx');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { httpStatus: 503 }))).toBe('5xx');
    expect(ticsOutcomeOf(new TicsResponseError('x', { httpStatus: 200, excerpt: '' }))).toBe('invalid_response');
    expect(ticsOutcomeOf(new TicsRequestError('x', { httpStatus: 302 }))).toBe('other_status');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { cause: Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }) }))).toBe('timeout');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { cause: Object.assign(new Error('c'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) }))).toBe('timeout');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { cause: Object.assign(new Error('r'), { code: 'ECONNREFUSED' }) }))).toBe('network');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { cause: abort }))).toBe('aborted');
    expect(ticsOutcomeOf(new TicsUpstreamError('x', { cause: timeout }))).toBe('timeout');
    expect(ticsOutcomeOf(new Error('IAM endpoint unreachable'))).toBe('network');
  });

  it('subcommandOf: the parsed kind, the usage a failed parse answers with, or "unknown"', () => {
    const cases: Record<string, string> = {
      '': 'help',
      'history credit-risk': 'history',
      history: 'history',
      'history credit-risk limit:999': 'history',
      'subscribe credit-risk': 'watch',
      'watch credit-risk on:nonsense!': 'watch',
      'unwatch a b c': 'unwatch',
      list: 'watches',
      'watches everything': 'watches',
      'delete-everything C0123ABCD': 'unknown',
    };
    for (const [text, expected] of Object.entries(cases)) expect(subcommandOf(parseCommand(text)), text).toBe(expected);
  });

  it('interactionKind: commands and block actions only', () => {
    expect(interactionKind({ command: '/tics', text: '' })).toBe('command');
    expect(interactionKind({ type: 'block_actions', actions: [] })).toBe('action');
    expect(interactionKind({ type: 'view_submission' })).toBeUndefined();
    expect(interactionKind({ type: 'event_callback' })).toBeUndefined();
  });
});

describe('timeReplies', () => {
  const context = (receivedAt: number) => ({ ticsReceivedAt: receivedAt }) as unknown as Context;

  it('observes the first reply once, from the receipt stamp, with its result', async () => {
    const m = createMetrics();
    const respond = timeReplies(m.metrics, 'command', context(performance.now() - 400), () => Promise.resolve(new Response()));
    await respond('one');
    await respond('two');
    expect(await read(m, 'tics_bot_reply_seconds_count', { kind: 'command', result: 'ok' })).toBe(1);
    expect(await read(m, 'tics_bot_reply_seconds_sum', { kind: 'command' })).toBeGreaterThanOrEqual(0.4);
  });

  it('a reply Slack refused counts as failed, and the error still reaches the caller', async () => {
    const m = createMetrics();
    const respond = timeReplies(m.metrics, 'action', context(performance.now()), () => Promise.reject(new Error('expired_url')));
    await expect(respond('x')).rejects.toThrow('expired_url');
    expect(await read(m, 'tics_bot_reply_seconds_count', { kind: 'action', result: 'failed' })).toBe(1);
    expect(await read(m, 'tics_bot_reply_seconds_count', { result: 'ok' })).toBe(0);
  });
});

describe('countReconnects', () => {
  it('counts every Socket Mode connection after the first', async () => {
    const m = createMetrics();
    const connection = new SlackConnection('socket');
    countReconnects(connection, m.metrics);
    connection.markConnected();
    expect(await read(m, 'tics_bot_socket_mode_reconnects_total')).toBe(0);
    connection.markDisconnected('refresh_requested');
    connection.markConnected();
    connection.markDisconnected('connection closed without a disconnect message');
    connection.markConnected();
    expect(await read(m, 'tics_bot_socket_mode_reconnects_total')).toBe(2);
  });

  it('counts nothing in HTTP mode', async () => {
    const m = createMetrics();
    const connection = new SlackConnection('http');
    countReconnects(connection, m.metrics);
    connection.markConnected();
    connection.markConnected();
    expect(await read(m, 'tics_bot_socket_mode_reconnects_total')).toBe(0);
  });
});
