/**
 * The probes an orchestrator polls, over real HTTP in both modes: /livez (the process answers),
 * /readyz and its alias /healthz (Slack connected or listening, store answering, watcher cycling),
 * each failing check named with since when. The start-up promise under test: an unreachable Slack
 * holds up neither the HTTP server nor the watcher, and the bot connects once Slack is back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ReadinessReport } from '../../src/health.js';
import { forEachMode, startHarness, type Harness } from '../helpers/bot-harness.js';

async function probe(h: Harness, path: string): Promise<{ status: number; body: ReadinessReport; text: string }> {
  const res = await fetch(`${h.baseUrl}${path}`);
  expect(res.headers.get('content-type')).toContain('application/json');
  const text = await res.text();
  for (const secret of h.secrets) expect(text).not.toContain(secret);
  return { status: res.status, body: JSON.parse(text) as ReadinessReport, text };
}

forEachMode((mode) => {
  describe('everything up', () => {
    let offset = 0;
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ mode, simulator: { seed: false }, bot: { now: () => Date.now() + offset } });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => h?.close());

    it('/livez answers 200 {ok:true}', async () => {
      const live = await probe(h, '/livez');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ ok: true });
    });

    it('/readyz names each check; /healthz answers the same', async () => {
      const ready = await probe(h, '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.text.length).toBeLessThan(1_000);
      expect(ready.body).toMatchObject({
        ok: true,
        mode,
        checks: {
          slack: { ok: true, since: null },
          store: { ok: true, detail: expect.stringMatching(/^memory answered in \d+ ms$/), since: null },
          watcher: { ok: true, since: null },
        },
      });
      const alias = await probe(h, '/healthz');
      expect(alias.status).toBe(200);
      expect(Object.keys(alias.body.checks)).toEqual(['slack', 'store', 'watcher']);
    });

    it('turns 503 naming the store when it does not answer within the bound, and back', async () => {
      const store = h.bot.store;
      const get = store.get.bind(store);
      store.get = () => new Promise(() => undefined);
      try {
        const first = await probe(h, '/readyz');
        expect(first.status).toBe(503);
        expect(first.body.checks.store).toMatchObject({ ok: false, detail: 'memory: no answer within 800 ms' });
        expect(first.body.checks.slack.ok).toBe(true);
        const second = await probe(h, '/readyz');
        // Since when it fails, not since this probe.
        expect(second.body.checks.store.since).toBe(first.body.checks.store.since);
      } finally {
        store.get = get;
      }
      expect((await probe(h, '/readyz')).status).toBe(200);
    });

    it('turns 503 naming the watcher when no cycle finished within 3 intervals, and back', async () => {
      await vi.waitFor(() => expect(h.bot.watcher.status().lastCycleAt).toBeDefined());
      const { lastCycleAt, lastCycle } = h.bot.watcher.status();
      const intervalMs = h.config.watchIntervalSeconds * 1000;
      offset += 3 * intervalMs + 5_000;
      const late = await probe(h, '/readyz');
      expect(late.status).toBe(503);
      expect(late.body.checks.watcher).toMatchObject({ ok: false, since: new Date(lastCycleAt! + lastCycle!.ms + 3 * intervalMs).toISOString() });
      expect(late.body.checks.watcher.detail).toMatch(/^last cycle finished \d+ s ago \(limit 3 intervals\)$/);
      await h.bot.watcher.runCycle();
      expect((await probe(h, '/readyz')).status).toBe(200);
    });
  });

  describe('Slack unreachable at start', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({
        mode,
        simulator: { seed: false },
        env: { WATCH_INTERVAL_SECONDS: '1' },
        // Every Web API call has its connection dropped: auth.test and apps.connections.open fail as on a dead network.
        beforeStart: (slack) => slack.injectFault('*', { kind: 'reset' }, { times: 1_000_000 }),
        waitForSocket: false,
        bot: { slackBackoff: { minMs: 100, maxMs: 400 } },
      });
    });
    afterAll(async () => h?.close());

    it('is up, live and cycling, but not ready, naming the slack check and why', async () => {
      await h.waitForLog((l) => l.msg === 'tics-bot is up' && typeof l.port === 'number');
      expect((await probe(h, '/livez')).status).toBe(200);
      const ready = await probe(h, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.slack.ok).toBe(false);
      expect(ready.body.checks.slack.detail).toMatch(/^(connecting|disconnected|reconnecting)/);
      expect(Date.parse(ready.body.checks.slack.since!)).toBeLessThanOrEqual(Date.now());
      expect(ready.body.checks.store.ok).toBe(true);
      // The watcher does not wait for Slack: cycles run (their alerts wait in the outbox).
      await vi.waitFor(() => expect(h.bot.watcher.status().lastCycleAt).toBeDefined(), { timeout: 5_000 });
      expect(ready.body.checks.watcher.ok).toBe(true);

      await h.waitForLog((l) => l.msg === 'Slack did not confirm the bot token; retrying' && l.attempt === 2);
      const warned = h.logs().filter((l) => /^Slack did not (answer|confirm)/.test(String(l.msg)));
      expect(warned.length).toBeGreaterThanOrEqual(3);
      for (const line of warned) {
        expect(line.level).toBe(40);
        expect(String(line.reason)).toMatch(/socket hang up|ECONNRESET|other side closed|fetch failed/i);
      }
      h.assertInvariants();
    });

    it('becomes ready once Slack answers again', async () => {
      h.slack.clearFaults();
      await vi.waitFor(async () => expect((await probe(h, '/readyz')).status).toBe(200), { timeout: 5_000, interval: 100 });
      if (mode === 'socket') expect(h.slack.socket.helloCount).toBe(1);
      expect(h.bot.connection.snapshot()).toMatchObject({ connected: true, reconnects: 0 });
      // The token check ran again before connecting, and found the bot.
      expect(h.slack.callsTo('auth.test').filter((c) => c.response.ok === true)).toHaveLength(1);
      h.assertInvariants();
    });
  });
});
