/**
 * GET /metrics on the real bot (simulator + fake Slack + startBot), in both Slack modes: each
 * scenario scrapes before and after doing what a user or Slack does, and checks that exactly the
 * series it should moved — and that the exposition parses strictly, carries the default process
 * metrics, and never a secret or a league, channel or user id.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { prometheusContentType } from 'prom-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { allText, forEachMode } from '../helpers/bot-harness.js';
import { parsePrometheusText, sampleSum, type Family } from '../helpers/prometheus-text.js';
import { expectOnlyInjectedRefusals, putInstance, startWatchHarness, type WatchHarness } from '../watch/integration/watch-harness.js';

const LEAGUE = 'leagueMetrics0001';
const CHANNEL = 'C0METRICS01';
const USER = 'U0METRICS01';
const who = { channelId: CHANNEL, userId: USER };

interface Scrape {
  text: string;
  families: Map<string, Family>;
  /** Sum of the matching samples. */
  v(sample: string, labels?: Record<string, string>): number;
}

async function scrape(h: WatchHarness): Promise<Scrape> {
  const res = await fetch(`${h.baseUrl}/metrics`);
  const text = await res.text();
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe(prometheusContentType);
  const families = parsePrometheusText(text);
  return { text, families, v: (sample, labels = {}) => sampleSum(families, sample, labels) };
}

/** `after − before` for each sample, to compare in one assertion (a failure shows every delta). */
function deltas(before: Scrape, after: Scrape, samples: Record<string, [string, Record<string, string>?]>): Record<string, number> {
  return Object.fromEntries(Object.entries(samples).map(([key, [name, labels]]) => [key, after.v(name, labels) - before.v(name, labels)]));
}

const OUR_METRICS: Record<string, Family['type']> = {
  tics_bot_commands_total: 'counter',
  tics_bot_button_clicks_total: 'counter',
  tics_bot_ack_seconds: 'histogram',
  tics_bot_reply_seconds: 'histogram',
  tics_bot_tics_requests_total: 'counter',
  tics_bot_tics_request_seconds: 'histogram',
  tics_bot_tics_retries_total: 'counter',
  tics_bot_watch_cycle_seconds: 'histogram',
  tics_bot_watch_leagues_in_backoff: 'gauge',
  tics_bot_alerts_recorded_total: 'counter',
  tics_bot_alerts_sent_total: 'counter',
  tics_bot_alerts_failed_total: 'counter',
  tics_bot_alerts_pending: 'gauge',
  tics_bot_slack_rate_limited_total: 'counter',
  tics_bot_socket_mode_reconnects_total: 'counter',
};

forEachMode((mode) => {
  let h: WatchHarness;
  beforeAll(async () => {
    h = await startWatchHarness({
      mode,
      leagues: { shared: LEAGUE },
      // One retry, quickly: the retry counter is part of what is checked.
      env: { TICS_MAX_RETRIES: '1', TICS_RETRY_DELAY_MS: '20' },
    });
    for (let i = 0; i < 12; i++) putInstance(h, LEAGUE, `done-${i}`, { status: 'SUCCEEDED' }, 3 + i);
    for (let i = 0; i < 2; i++) putInstance(h, LEAGUE, `running-${i}`, { status: 'RUNNING' }, 1 + i / 10);
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => {
    await h?.close();
  });
  const running = (i: number) => h.sim.world.instances(LEAGUE).find((x) => x.jobName === `running-${i}`)!;

  it('serves strict Prometheus text with every tics_bot_ metric, the default process metrics, and no secret', async () => {
    const { text, families } = await scrape(h);
    for (const [name, type] of Object.entries(OUR_METRICS)) {
      expect(families.get(name), name).toMatchObject({ type, help: expect.stringMatching(/\S/) as unknown });
    }
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get('process_cpu_user_seconds_total')!.samples[0]!.value).toBeGreaterThan(0);
    for (const secret of h.secrets) expect(text.includes(secret), `secret ${secret.slice(0, 4)}…`).toBe(false);
  });

  it('/tics history: one ok command, its ack and reply latency, one TICS request; bad input is a usage_error', async () => {
    const before = await scrape(h);
    await h.ask('history shared', who);
    await h.ask('history shared limit:999', who);
    await h.ask('frobnicate', who);
    const after = await scrape(h);
    expect(
      deltas(before, after, {
        historyOk: ['tics_bot_commands_total', { subcommand: 'history', outcome: 'ok' }],
        historyUsage: ['tics_bot_commands_total', { subcommand: 'history', outcome: 'usage_error' }],
        unknownUsage: ['tics_bot_commands_total', { subcommand: 'unknown', outcome: 'usage_error' }],
        acks: ['tics_bot_ack_seconds_count', { kind: 'command' }],
        replies: ['tics_bot_reply_seconds_count', { kind: 'command', result: 'ok' }],
        ticsOk: ['tics_bot_tics_requests_total', { operation: 'list_instance_history', outcome: 'ok' }],
        ticsLatency: ['tics_bot_tics_request_seconds_count', { operation: 'list_instance_history', outcome: 'ok' }],
      }),
    ).toEqual({ historyOk: 1, historyUsage: 1, unknownUsage: 1, acks: 3, replies: 3, ticsOk: 1, ticsLatency: 1 });
    // Both clocks start at receipt and the reply comes after the ack.
    const ackSum = after.v('tics_bot_ack_seconds_sum', { kind: 'command' }) - before.v('tics_bot_ack_seconds_sum', { kind: 'command' });
    const replySum = after.v('tics_bot_reply_seconds_sum', { kind: 'command' }) - before.v('tics_bot_reply_seconds_sum', { kind: 'command' });
    expect(ackSum).toBeGreaterThan(0);
    expect(replySum).toBeGreaterThan(ackSum);
    expect(after.v('tics_bot_tics_request_seconds_sum') - before.v('tics_bot_tics_request_seconds_sum')).toBeGreaterThan(0);
    // Bounded labels: the free text of the command never becomes a label value, nor do ids.
    for (const id of [LEAGUE, CHANNEL, USER, 'frobnicate']) expect(after.text).not.toContain(id);
  });

  it('a button click counts by action id; an unknown action id counts as "unknown"', async () => {
    const { reply } = await h.ask('history shared', who);
    const before = await scrape(h);
    await h.pressAndWait(reply, 'history_next', who);
    const stray = await h.click('future_button_v9', 'x', who);
    await h.waitForReply(stray.responseId);
    const after = await scrape(h);
    expect(
      deltas(before, after, {
        next: ['tics_bot_button_clicks_total', { action: 'history_next', outcome: 'ok' }],
        unknown: ['tics_bot_button_clicks_total', { action: 'unknown', outcome: 'stale_button' }],
        acks: ['tics_bot_ack_seconds_count', { kind: 'action' }],
        replies: ['tics_bot_reply_seconds_count', { kind: 'action', result: 'ok' }],
        commands: ['tics_bot_commands_total'],
      }),
    ).toEqual({ next: 1, unknown: 1, acks: 2, replies: 2, commands: 0 });
    expect(after.text).not.toContain('future_button_v9');
  });

  it('TICS 401 and 5xx count by status class; a retried 503 counts one retry and one ok request', async () => {
    const before = await scrape(h);
    h.sim.injectFault({ kind: 'auth' }, { leagueId: LEAGUE });
    const denied = await h.ask('history shared', who);
    expect(allText(denied.reply)).toMatch(/credential/i);
    h.sim.injectFault({ kind: 'status', status: 503 }, { leagueId: LEAGUE, times: 2 });
    await h.ask('history shared', who);
    h.sim.injectFault({ kind: 'status', status: 503 }, { leagueId: LEAGUE });
    await h.ask('history shared', who);
    const after = await scrape(h);
    expect(
      deltas(before, after, {
        auth: ['tics_bot_tics_requests_total', { outcome: '4xx' }],
        unavailable: ['tics_bot_tics_requests_total', { outcome: '5xx' }],
        ok: ['tics_bot_tics_requests_total', { outcome: 'ok' }],
        retries: ['tics_bot_tics_retries_total', { operation: 'list_instance_history' }],
        ticsErrors: ['tics_bot_commands_total', { subcommand: 'history', outcome: 'tics_error' }],
        commandsOk: ['tics_bot_commands_total', { subcommand: 'history', outcome: 'ok' }],
      }),
    ).toEqual({ auth: 1, unavailable: 1, ok: 1, retries: 2, ticsErrors: 2, commandsOk: 1 });
  });

  it('a watch cycle that records and sends an alert; a failing league is counted in backoff until it recovers', async () => {
    await h.ask('watch shared', who);
    const before = await scrape(h);
    h.sim.world.setStatus(LEAGUE, running(0).id, 'FAILED');
    const report = await h.cycle();
    expect(report.delivery.alertsSent).toBe(1);
    const after = await scrape(h);
    expect(
      deltas(before, after, {
        recorded: ['tics_bot_alerts_recorded_total'],
        sent: ['tics_bot_alerts_sent_total'],
        cycles: ['tics_bot_watch_cycle_seconds_count'],
      }),
    ).toEqual({ recorded: 1, sent: 1, cycles: 1 });
    expect(after.v('tics_bot_alerts_pending')).toBe(0);
    expect(after.v('tics_bot_watch_leagues_in_backoff')).toBe(0);

    h.sim.injectFault({ kind: 'status', status: 502 }, { leagueId: LEAGUE, times: 2 });
    expect((await h.cycle()).failed).toBe(1);
    expect((await scrape(h)).v('tics_bot_watch_leagues_in_backoff')).toBe(1);
    expect((await h.cycle()).polled).toBe(1);
    expect((await scrape(h)).v('tics_bot_watch_leagues_in_backoff')).toBe(0);
  });

  it('a Slack 429 on chat.postMessage: counted by method, the alert failed as rate_limited and pending until sent', async () => {
    const before = await scrape(h);
    h.slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 15 }, { channel: CHANNEL });
    h.sim.world.setStatus(LEAGUE, running(1).id, 'TERMINATED');
    await h.cycle();
    expectOnlyInjectedRefusals(h, /"error":"ratelimited"/);
    const during = await scrape(h);
    expect(
      deltas(before, during, {
        rateLimited: ['tics_bot_slack_rate_limited_total', { method: 'chat.postMessage' }],
        failed: ['tics_bot_alerts_failed_total', { kind: 'rate_limited' }],
        recorded: ['tics_bot_alerts_recorded_total'],
        sent: ['tics_bot_alerts_sent_total'],
      }),
    ).toEqual({ rateLimited: 1, failed: 1, recorded: 1, sent: 0 });
    expect(during.v('tics_bot_alerts_pending')).toBe(1);

    await h.cycle(20_000);
    const after = await scrape(h);
    expect(after.v('tics_bot_alerts_sent_total') - during.v('tics_bot_alerts_sent_total')).toBe(1);
    expect(after.v('tics_bot_alerts_pending')).toBe(0);
    expect(after.text).not.toContain(CHANNEL);
  });

  if (mode === 'socket') {
    it('counts a reconnect after refresh_requested and after a dropped connection, not the first connection', async () => {
      expect((await scrape(h)).v('tics_bot_socket_mode_reconnects_total')).toBe(0);
      const hellos = h.slack.socket.helloCount;
      h.slack.socket.requestRefresh();
      await h.slack.socket.waitForHello(hellos + 1);
      await until(async () => (await scrape(h)).v('tics_bot_socket_mode_reconnects_total') === 1);
      h.slack.socket.drop();
      await h.slack.socket.waitForHello(hellos + 2);
      await until(async () => (await scrape(h)).v('tics_bot_socket_mode_reconnects_total') === 2);
      // Still serving, and still counted, on the new connection.
      const before = await scrape(h);
      await h.ask('help', who);
      expect((await scrape(h)).v('tics_bot_commands_total', { subcommand: 'help', outcome: 'ok' }) - before.v('tics_bot_commands_total', { subcommand: 'help', outcome: 'ok' })).toBe(1);
    });
  }
});

/** The connection is marked up just after `hello` reaches the client: poll briefly for it. */
async function until(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(20);
  }
}
