/**
 * Slack saying no: a 429 pauses only its channel until Retry-After, a 5xx or a dropped connection
 * is retried after a backoff, a channel the bot cannot post to is reported by `/tics watches` and
 * retried slowly — and in every case each alert reaches Slack exactly once, none is dropped, and the
 * other channels are not held up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_ERROR_RETRY_MS, nextDelay } from '../../../src/watch/outbox.js';
import { allText, forEachMode } from '../../helpers/bot-harness.js';
import {
  alertTriples,
  expectNoErrorLogs,
  expectOnlyInjectedRefusals,
  putInstance,
  startWatchHarness,
  triple,
  type WatchHarness,
} from './watch-harness.js';

const CHAN_A = 'C0SLOWCHAN1';
const CHAN_B = 'C0FASTCHAN2';
const LEAGUE = 'leagueSlackFault1';

/** Attempts (accepted or not) to post in a channel. */
const attempts = (h: WatchHarness, channel: string) => h.posts().filter((c) => c.args.channel === channel);

forEachMode((mode) => {
  describe('Slack 429 and 5xx', () => {
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { shared: LEAGUE } });
      for (let i = 0; i < 6; i++) putInstance(h, LEAGUE, `job-${i}`, { status: 'RUNNING' }, 2 - i / 10);
      await h.ask('watch shared', { channelId: CHAN_A });
      await h.ask('watch shared', { channelId: CHAN_B });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });
    const job = (i: number) => h.sim.world.instances(LEAGUE).find((x) => x.jobName === `job-${i}`)!;

    it('a 429 holds back only that channel, for Retry-After, then the alert is posted once', async () => {
      h.assertInvariants();
      h.slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 25 }, { channel: CHAN_A });
      h.sim.world.setStatus(LEAGUE, job(0).id, 'FAILED');
      const first = await h.cycle();
      expect(first.alertsRecorded).toBe(2);
      expect(first.delivery).toMatchObject({ posted: 1, alertsSent: 1 });
      expectOnlyInjectedRefusals(h, /refused chat\.postMessage: \{"ok":false,"error":"ratelimited"\}/);
      // The other channel was not held up.
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN_B, job(0), 'FAILED')]);
      expect(attempts(h, CHAN_A)).toHaveLength(1);

      // Still inside Retry-After (10 s and 20 s later): not even an attempt in A.
      await h.cycle();
      await h.cycle();
      expect(attempts(h, CHAN_A)).toHaveLength(1);
      const { reply } = await h.ask('watches', { channelId: CHAN_A });
      expect(allText(reply)).toContain(':outbox_tray: 1 alert waiting to be posted');

      // 30 s after the 429: posted, once.
      await h.cycle();
      expect(attempts(h, CHAN_A)).toHaveLength(2);
      await h.cycle();
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN_A, job(0), 'FAILED'), triple(CHAN_B, job(0), 'FAILED')].sort());
      expect(h.posts()).toHaveLength(3);
    });

    it('a new failure during a 429 pause waits with the earlier one; both arrive, once each', async () => {
      const since = h.posts().length;
      h.assertInvariants();
      h.slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 15 }, { channel: CHAN_A });
      h.sim.world.setStatus(LEAGUE, job(1).id, 'FAILED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /"error":"ratelimited"/);
      h.sim.world.setStatus(LEAGUE, job(2).id, 'TERMINATED');
      await h.cycle(); // +10 s: A still paused, B gets job 2 at once
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN_B, job(1), 'FAILED'), triple(CHAN_B, job(2), 'TERMINATED')].sort());
      await h.cycle(); // +20 s: the pause is over
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual(
        [triple(CHAN_A, job(1), 'FAILED'), triple(CHAN_A, job(2), 'TERMINATED'), triple(CHAN_B, job(1), 'FAILED'), triple(CHAN_B, job(2), 'TERMINATED')].sort(),
      );
    });

    it('an HTTP 503 from Slack is retried after the backoff and posted once', async () => {
      const since = h.posts().length;
      h.assertInvariants();
      h.slack.injectFault('chat.postMessage', { kind: 'http', status: 503 }, { channel: CHAN_A });
      h.sim.world.setStatus(LEAGUE, job(3).id, 'FAILED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /refused chat\.postMessage: \{\}/);
      expect(attempts(h, CHAN_A).slice(since - 3)).toHaveLength(1);
      // nextDelay(1) = 30 s: not at +10 s or +20 s, then once.
      const backoffCycles = Math.ceil(nextDelay(1) / 10_000);
      for (let i = 1; i < backoffCycles; i++) await h.cycle();
      expect(h.alertsSince(since).filter((c) => c.args.channel === CHAN_A)).toHaveLength(0);
      await h.cycle();
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN_A, job(3), 'FAILED'), triple(CHAN_B, job(3), 'FAILED')].sort());
      // Exactly two attempts in A for this alert: the 503 and the success.
      expect(h.posts().slice(since).filter((c) => c.args.channel === CHAN_A)).toHaveLength(2);
    });

    it('a dropped connection and a Slack internal_error are transient too: no alert lost, none doubled', async () => {
      const since = h.posts().length;
      h.assertInvariants();
      h.slack.injectFault('chat.postMessage', { kind: 'reset' }, { channel: CHAN_A });
      h.slack.injectFault('chat.postMessage', { kind: 'error', error: 'internal_error' }, { channel: CHAN_B });
      h.sim.world.setStatus(LEAGUE, job(4).id, 'TERMINATED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /refused chat\.postMessage/);
      // Past the longest backoff either could have taken (second attempt for neither: both first failures).
      await h.cycle(nextDelay(1));
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN_A, job(4), 'TERMINATED'), triple(CHAN_B, job(4), 'TERMINATED')].sort());
      expect(h.posts().slice(since)).toHaveLength(4);
    });
  });

  describe('Slack 429s before a 500', () => {
    const CHAN = 'C0RATELIM01';
    const LEAGUE_R = 'leagueRateLimit03';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { rl: LEAGUE_R } });
      putInstance(h, LEAGUE_R, 'rl-job', { status: 'RUNNING' }, 1);
      await h.ask('watch rl', { channelId: CHAN });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });

    it('three 429s are waits, not failures: the 500 after them is retried within seconds, and the alert posted once', async () => {
      const job = h.sim.world.instances(LEAGUE_R).find((x) => x.jobName === 'rl-job')!;
      for (let i = 0; i < 3; i++) h.slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 1 }, { channel: CHAN });
      h.slack.injectFault('chat.postMessage', { kind: 'http', status: 500 }, { channel: CHAN });
      h.sim.world.setStatus(LEAGUE_R, job.id, 'FAILED');
      await h.cycle();
      // Each Retry-After (1 s) is honoured, then tried again: three 429s, then the 500.
      for (let i = 0; i < 3; i++) await h.cycle(1_500);
      expect(attempts(h, CHAN).map((c) => c.httpStatus)).toEqual([429, 429, 429, 500]);
      expectOnlyInjectedRefusals(h, /refused chat\.postMessage/);
      // The 500 is the first failure: its backoff is nextDelay(1), not nextDelay(4).
      await h.cycle(nextDelay(1));
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN, job, 'FAILED')]);
      await h.cycle();
      expect(attempts(h, CHAN)).toHaveLength(5);
      expect(nextDelay(1)).toBeLessThanOrEqual(5_000);
    });
  });

  describe('a channel the bot cannot post to', () => {
    const CHAN_OUT = 'C0NOTINVITED';
    const CHAN_IN = 'C0INVITED01';
    const LEAGUE_X = 'leagueChanErr0002';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { xleague: LEAGUE_X } });
      putInstance(h, LEAGUE_X, 'x-a', { status: 'RUNNING' }, 2);
      putInstance(h, LEAGUE_X, 'x-b', { status: 'RUNNING' }, 1);
      await h.ask('watch xleague', { channelId: CHAN_OUT });
      await h.ask('watch xleague', { channelId: CHAN_IN });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });
    const job = (name: string) => h.sim.world.instances(LEAGUE_X).find((x) => x.jobName === name)!;

    it('records not_in_channel, shows it in /tics watches with what to do, keeps the alert and posts it once invited', async () => {
      h.assertInvariants();
      // Not invited yet: refuses the first two posts there.
      h.slack.injectFault('chat.postMessage', { kind: 'error', error: 'not_in_channel' }, { channel: CHAN_OUT, times: 2 });
      h.sim.world.setStatus(LEAGUE_X, job('x-a').id, 'FAILED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /"error":"not_in_channel"/);
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN_IN, job('x-a'), 'FAILED')]);

      const { reply } = await h.ask('watches', { channelId: CHAN_OUT });
      const text = allText(reply);
      expect(text).toContain("can’t post here: `not_in_channel`");
      expect(text).toContain('/invite');
      expect(text).toContain(':outbox_tray: 1 alert waiting to be posted');
      expect(reply.text).toBe('1 watch in this channel, 1 with problems.');
      // The healthy channel's listing is not affected.
      const healthy = await h.ask('watches', { channelId: CHAN_IN });
      expect(allText(healthy.reply)).not.toContain('not_in_channel');
      expect(healthy.reply.text).toBe('1 watch in this channel.');

      // Retried slowly: a waiting alert is not retried every cycle (a new one gets its own first try),
      // while new alerts still flow to the other channel.
      h.sim.world.setStatus(LEAGUE_X, job('x-b').id, 'TERMINATED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /"error":"not_in_channel"/);
      await h.cycle();
      await h.cycle();
      expect(attempts(h, CHAN_OUT)).toHaveLength(2);
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN_IN, job('x-a'), 'FAILED'), triple(CHAN_IN, job('x-b'), 'TERMINATED')].sort());

      // The bot is invited; after the channel-error retry delay both waiting alerts go out, once each.
      await h.cycle(CHANNEL_ERROR_RETRY_MS);
      await h.cycle();
      const out = h.alertsSince(0).filter((c) => c.args.channel === CHAN_OUT);
      expect(alertTriples(out)).toEqual([triple(CHAN_OUT, job('x-a'), 'FAILED'), triple(CHAN_OUT, job('x-b'), 'TERMINATED')].sort());
      const after = await h.ask('watches', { channelId: CHAN_OUT });
      expect(allText(after.reply)).not.toContain('not_in_channel');
      expect(allText(after.reply)).not.toContain('waiting to be posted');
      expect(allText(after.reply)).toContain('last alert <!date^');
    });
  });
});
