/**
 * What reaches the channel, end to end: `/tics watch` through the real Bolt app, status changes in
 * the simulator, one watcher cycle at a time, and the exact chat.postMessage calls the fake Slack
 * received — channel, status, instance — with nothing else posted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobInstance } from '../../../src/tics/schema.js';
import { allText, buttons, shownInstanceIds, forEachMode } from '../../helpers/bot-harness.js';
import {
  alertInstanceId,
  alertTriples,
  digestJobLines,
  headerOf,
  putInstance,
  startWatchHarness,
  triple,
  type WatchHarness,
} from './watch-harness.js';

const CHAN = 'C0CHAN0001';
const OTHER_CHAN = 'C0OTHER0002';
const LEAGUE = 'leagueAlerts0001';
const DIGEST_LEAGUE = 'leagueDigest0002';
const OPTIN_LEAGUE = 'leagueOptIn00003';

forEachMode((mode) => {
  let h: WatchHarness;

  beforeAll(async () => {
    h = await startWatchHarness({ mode, leagues: { alerts: LEAGUE, burst: DIGEST_LEAGUE, optin: OPTIN_LEAGUE } });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  describe('one league watched in one channel', () => {
    // What the league holds when the channel subscribes: the baseline.
    let running1: JobInstance;
    let running2: JobInstance;
    let running3: JobInstance;

    it('subscribes with a confirmation saying from when, and alerts nothing that had already failed', async () => {
      putInstance(h, LEAGUE, 'old-failed', { status: 'FAILED' }, 5);
      putInstance(h, LEAGUE, 'old-terminated', { status: 'TERMINATED' }, 4);
      putInstance(h, LEAGUE, 'old-ok', { status: 'SUCCEEDED' }, 3);
      running1 = putInstance(h, LEAGUE, 'train-one', { status: 'RUNNING' }, 2);
      running2 = putInstance(h, LEAGUE, 'train-two', { status: 'RUNNING' }, 1.5);
      running3 = putInstance(h, LEAGUE, 'train-three', { status: 'RUNNING' }, 1);

      const { reply } = await h.ask('watch alerts', { channelId: CHAN });
      const text = allText(reply);
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.text).toMatch(/^Watching alerts: alerts on FAILED, TERMINATED from \d{4}-\d\d-\d\d \d\d:\d\d UTC\. 6 instances known now \(3 still running\)\.$/);
      expect(text).toContain(`<#${CHAN}>`);
      expect(text).toMatch(/<!date\^\d+\^/);
      expect(text).toContain('*6 instances* known as of');
      expect(text).toContain('*3 still running*');

      // The baseline was taken by polling TICS at subscribe time.
      expect(h.sim.requests.filter((r) => r.leagueId === LEAGUE)).toHaveLength(1);

      await h.cycle();
      await h.cycle();
      expect(h.posts()).toHaveLength(0);
    });

    it('alerts a RUNNING → FAILED transition once, in the channel, naming the instance', async () => {
      h.sim.world.setStatus(LEAGUE, running1.id, 'FAILED');
      const report = await h.cycle();
      expect(report.alertsRecorded).toBe(1);
      expect(report.delivery).toMatchObject({ posted: 1, alertsSent: 1, deferred: 0, gaveUp: 0 });

      const calls = h.alertsSince(0);
      expect(calls).toHaveLength(1);
      const alert = calls[0]!.args;
      expect(alert.channel).toBe(CHAN);
      expect(alertInstanceId(alert)).toBe(running1.id);
      expect(headerOf(alert)).toBe('❌ FAILED · train-one');
      expect(alert.text).toMatch(/^❌ FAILED: train-one \(.+\) in alerts — /);
      expect(allText(alert)).toContain('was `RUNNING`');
      expect(allText(alert)).toContain('`/tics unwatch alerts`');
      // Form-encoded by web-api, so the flag arrives as text.
      expect(alert.unfurl_links).toBe('false');

      // Nothing changes in TICS: the next cycles post nothing more.
      await h.cycle();
      await h.cycle();
      expect(h.posts()).toHaveLength(1);
    });

    it('alerts RUNNING → TERMINATED, and two transitions in one cycle as two messages', async () => {
      const since = h.posts().length;
      h.sim.world.setStatus(LEAGUE, running2.id, 'TERMINATED');
      h.sim.world.setStatus(LEAGUE, running3.id, 'FAILED');
      await h.cycle();
      const calls = h.alertsSince(since);
      expect(alertTriples(calls)).toEqual([triple(CHAN, running2, 'TERMINATED'), triple(CHAN, running3, 'FAILED')].sort());
      expect(h.posts()).toHaveLength(since + 2);
      await h.cycle();
      expect(h.posts()).toHaveLength(since + 2);
    });

    it('alerts an instance first seen already FAILED, and says it was never seen running', async () => {
      const since = h.posts().length;
      // Started and failed between two polls: new to the bot, newer than anything it knows.
      const flash = putInstance(h, LEAGUE, 'flash-crash', { status: 'FAILED' }, 0.1);
      const fine = putInstance(h, LEAGUE, 'quick-ok', { status: 'SUCCEEDED' }, 0.05);
      await h.cycle();
      const calls = h.alertsSince(since);
      expect(alertTriples(calls)).toEqual([triple(CHAN, flash, 'FAILED')]);
      expect(allText(calls[0]!.args)).toContain('first seen already `FAILED`');
      expect(h.posts().map((c) => alertInstanceId(c.args))).not.toContain(fine.id);
      await h.cycle();
      expect(h.posts()).toHaveLength(since + 1);
    });

    it('does not alert a status that is not a trigger (RUNNING → SUCCEEDED, new RUNNING)', async () => {
      const since = h.posts().length;
      const job = putInstance(h, LEAGUE, 'will-succeed', { status: 'RUNNING' }, 0.02);
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, job.id, 'SUCCEEDED');
      await h.cycle();
      expect(h.posts()).toHaveLength(since);
    });

    it('a re-run of the same instance that fails again (new end time) is a new alert, in the job\'s thread; the same failure is not', async () => {
      const since = h.posts().length;
      const parent = h.alertsSince(0)[0]!;
      // Back to RUNNING (a re-run), then FAILED again later: a genuinely new failure.
      h.sim.world.setStatus(LEAGUE, running1.id, 'RUNNING');
      await h.cycle();
      expect(h.posts()).toHaveLength(since);
      h.sim.world.setStatus(LEAGUE, running1.id, 'FAILED');
      await h.cycle();
      const replies = h.alertsSince(since);
      expect(replies).toHaveLength(1);
      // Into the first alert's thread, never broadcast to the channel.
      expect(replies[0]!.args.thread_ts).toBe(parent.response.ts);
      expect(replies[0]!.args.reply_broadcast).toBe('false');
      expect(replies[0]!.args.text).toMatch(/^❌ FAILED again: train-one — failure 2/);
      expect(allText(replies[0]!.args)).toContain(running1.id);
      // The first alert, updated in place: now the incident's running summary.
      const parentNow = h.slack.message(CHAN, String(parent.response.ts))!;
      expect(allText(parentNow)).toContain('2 failures');
      await h.cycle();
      expect(h.posts()).toHaveLength(since + 1);
    });

    it('"Job history" on an alert shows that job\'s history to the clicker only', async () => {
      const alert = h.alertsSince(0)[0]!.args;
      expect(buttons(alert).map((b) => b.text)).toEqual(['Acknowledge', 'Snooze until it succeeds', 'Job history']);
      const requestsBefore = h.sim.requests.length;
      const updatesBefore = h.slack.callsTo('chat.update').length;
      const { reply } = await h.pressAndWait({ ...alert, response_type: 'in_channel' }, 'alert_job_history', { userId: 'U0CLICKER1', channelId: CHAN });
      expect(reply.response_type).toBe('ephemeral');
      expect(reply.replace_original).toBe(false);
      // Only the instances of job "train-one" (there is one), as the simulator holds them.
      const ids = shownInstanceIds(reply);
      expect(ids).toEqual([running1.id]);
      expect(allText(reply)).toContain('train-one');
      expect(h.sim.requests.length).toBeGreaterThan(requestsBefore);
      // The alert in the channel was not touched and nothing was posted there.
      expect(h.slack.callsTo('chat.update')).toHaveLength(updatesBefore);
    });
  });

  describe('a second channel joining a league already watched', () => {
    const LATE_CHAN = 'C0LATECOMER';
    it('is not told about what ended before it subscribed, only about what ends after', async () => {
      const before1 = putInstance(h, LEAGUE, 'join-before', { status: 'RUNNING' }, 0.3);
      const after1 = putInstance(h, LEAGUE, 'join-after', { status: 'RUNNING' }, 0.25);
      await h.cycle();
      const since = h.posts().length;
      // Ends between two polls, just before the second channel subscribes (no baseline poll: the
      // league already has one), so the next poll sees it after the subscription.
      h.sim.world.setStatus(LEAGUE, before1.id, 'FAILED');
      h.clock.advance(1_000);
      const { reply } = await h.ask('watch alerts', { channelId: LATE_CHAN });
      expect(reply.text).toMatch(/^Watching alerts: alerts on FAILED, TERMINATED from /);
      h.clock.advance(1_000);
      h.sim.world.setStatus(LEAGUE, after1.id, 'TERMINATED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual(
        [triple(CHAN, before1, 'FAILED'), triple(CHAN, after1, 'TERMINATED'), triple(LATE_CHAN, after1, 'TERMINATED')].sort(),
      );
      await h.ask('unwatch alerts', { channelId: LATE_CHAN });
    });
  });

  describe('a burst', () => {
    it('becomes one digest listing every alert, not one message each', async () => {
      const running = Array.from({ length: 7 }, (_, i) => putInstance(h, DIGEST_LEAGUE, `burst-job-${i}`, { status: 'RUNNING' }, 1 + i / 10));
      await h.ask('watch burst', { channelId: OTHER_CHAN });
      const since = h.posts().length;
      running.forEach((r, i) => h.sim.world.setStatus(DIGEST_LEAGUE, r.id, i < 5 ? 'FAILED' : 'TERMINATED'));
      const report = await h.cycle();
      expect(report.alertsRecorded).toBe(7);
      expect(report.delivery).toMatchObject({ posted: 1, alertsSent: 7 });

      const calls = h.alertsSince(since);
      expect(calls).toHaveLength(1);
      const digest = calls[0]!.args;
      expect(digest.channel).toBe(OTHER_CHAN);
      expect(headerOf(digest)).toBe('🚨 7 job alerts in burst');
      expect(digest.text).toMatch(/^🚨 7 job alerts in burst: 5 FAILED, 2 TERMINATED — /);
      const lines = digestJobLines(digest);
      expect(lines).toHaveLength(7);
      for (const [i, r] of running.entries()) {
        expect(lines.filter((l) => l.includes(`*${r.jobName}*`)), r.jobName).toHaveLength(1);
        expect(lines.find((l) => l.includes(`*${r.jobName}*`))).toContain(i < 5 ? '*FAILED*' : '*TERMINATED*');
      }
      await h.cycle();
      expect(h.posts()).toHaveLength(since + 1);
    });
  });

  describe('SUCCEEDED as an opt-in trigger', () => {
    it('on:succeeded alerts successes (and only the statuses asked for)', async () => {
      const ok = putInstance(h, OPTIN_LEAGUE, 'opt-ok', { status: 'RUNNING' }, 1);
      const bad = putInstance(h, OPTIN_LEAGUE, 'opt-bad', { status: 'RUNNING' }, 0.9);
      const { reply } = await h.ask('watch optin on:succeeded', { channelId: CHAN });
      expect(reply.text).toMatch(/^Watching optin: alerts on SUCCEEDED from /);
      const since = h.posts().length;
      h.sim.world.setStatus(OPTIN_LEAGUE, ok.id, 'SUCCEEDED');
      h.sim.world.setStatus(OPTIN_LEAGUE, bad.id, 'FAILED');
      await h.cycle();
      const calls = h.alertsSince(since);
      expect(alertTriples(calls)).toEqual([triple(CHAN, ok, 'SUCCEEDED')]);
      expect(headerOf(calls[0]!.args)).toBe('✅ SUCCEEDED · opt-ok');
    });

    it('running watch again changes the triggers of the same subscription and says so', async () => {
      const { reply } = await h.ask('watch optin on:failed,succeeded', { channelId: CHAN });
      expect(reply.text).toMatch(/^Updated watch optin: alerts on FAILED, SUCCEEDED from /);
      const since = h.posts().length;
      const later = putInstance(h, OPTIN_LEAGUE, 'opt-later', { status: 'RUNNING' }, 0.5);
      await h.cycle();
      h.sim.world.setStatus(OPTIN_LEAGUE, later.id, 'FAILED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN, later, 'FAILED')]);
    });
  });
});
