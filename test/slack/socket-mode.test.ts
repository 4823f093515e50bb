/**
 * What only Socket Mode has: the connection itself. The bot opens it through SLACK_API_URL with the
 * app token, acks every envelope by its id within Slack's 3 s, reconnects when Slack asks it to
 * (refresh_requested) or when the connection dies without a word, and keeps serving afterwards.
 * Commands, buttons and alerts over Socket Mode (including the ack while TICS is slow) are the
 * mode-parameterised suites.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACK_DEADLINE_MS } from '../fakes/socket-mode.js';
import { fillLeague, shownInstanceIds, startHarness, type Harness } from '../helpers/bot-harness.js';

const LEAGUE = 'leagueSocket001';
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    mode: 'socket',
    simulator: { seed: false },
    leagues: { sock: LEAGUE },
    world: (world, now) => void fillLeague(world, LEAGUE, 12, now),
    // Production waits 1 s doubling to 30 s between failed attempts; the sequence is what is tested.
    bot: { slackBackoff: { minMs: 100, maxMs: 400 } },
  });
});
afterEach(() => h.assertInvariants());
afterAll(async () => h?.close());

/** A command answered end to end: acked over the socket, replied through response_url. */
async function expectServing(): Promise<void> {
  const { reply } = await h.ask('history sock');
  expect(shownInstanceIds(reply)).toEqual(h.sim.world.instances(LEAGUE).slice(0, 10).map((i) => i.id));
}

describe('connecting', () => {
  it('opens the connection through SLACK_API_URL with the app-level token', () => {
    const opens = h.slack.callsTo('apps.connections.open');
    expect(opens).toHaveLength(1);
    expect(opens[0]!.response).toMatchObject({ ok: true });
    expect(h.slack.socket.helloCount).toBe(1);
    expect(h.bot.connection.snapshot()).toMatchObject({ state: 'connected', connected: true, reconnects: 0 });
  });
});

describe('acks', () => {
  it('acks slash commands and clicks by envelope_id within 3 s, with no response payload', async () => {
    const since = h.slack.socket.acks.length;
    const { sent, reply } = await h.ask('history sock');
    await h.pressAndWait(reply, 'history_next');
    await h.click('no_such_action', undefined);
    const acks = h.slack.socket.acks.slice(since);
    expect(acks).toHaveLength(3);
    for (const ack of acks) {
      expect(ack.afterMs).toBeLessThan(ACK_DEADLINE_MS);
      // Replies go through response_url, never in the ack.
      expect(ack.payload).toEqual({});
    }
    expect(sent.status).toBe(200);
  });
});

describe('reconnecting', () => {
  it('answers refresh_requested with a new apps.connections.open and keeps serving', async () => {
    const opens = h.slack.callsTo('apps.connections.open').length;
    const hellos = h.slack.socket.helloCount;
    h.slack.socket.requestRefresh();
    await h.slack.socket.waitForHello(hellos + 1);
    expect(h.slack.callsTo('apps.connections.open')).toHaveLength(opens + 1);
    // The old connection is closed by the bot, well before the fake would cut it (5 s).
    await vi.waitFor(() => expect(h.slack.socket.openConnections()).toBe(1), { timeout: 2_000 });
    await expectServing();
    // Routine (Slack refreshes every connection every few hours): info, not a warning.
    const refreshed = await h.waitForLog((l) => l.msg === 'Slack Socket Mode connection refreshed; reconnecting' && l.reason === 'refresh_requested');
    expect(refreshed.level).toBe(30);
    expect(h.bot.connection.snapshot()).toMatchObject({ connected: true, reconnects: 1 });
  });

  it('re-establishes a connection dropped without a word, and commands work again', async () => {
    const hellos = h.slack.socket.helloCount;
    const reconnects = h.bot.connection.snapshot().reconnects;
    h.slack.socket.drop();
    await h.slack.socket.waitForHello(hellos + 1);
    await expectServing();
    expect(h.bot.connection.snapshot()).toMatchObject({ connected: true, reconnects: reconnects + 1 });
    const ended = h.logs().filter((l) => l.msg === 'Slack Socket Mode connection ended; reconnecting');
    expect(ended.at(-1)).toMatchObject({ level: 40 });
    expect(ended.at(-1)?.reason).not.toBe('refresh_requested');
  });

  it('retries with backoff while Slack refuses apps.connections.open, logging each reason at warn', async () => {
    const hellos = h.slack.socket.helloCount;
    h.slack.injectFault('apps.connections.open', { kind: 'error', error: 'internal_error' }, { times: 2 });
    h.slack.socket.drop();
    await h.slack.socket.waitForHello(hellos + 1);
    const failures = h.logs().filter((l) => l.msg === 'Slack Socket Mode connection failed; retrying');
    expect(failures.map((l) => [l.level, l.reason, l.attempt])).toEqual([
      [40, 'internal_error', 1],
      [40, 'internal_error', 2],
    ]);
    await expectServing();
  });
});
