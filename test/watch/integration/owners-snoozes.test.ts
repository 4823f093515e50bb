/**
 * The command side of incidents, as a user drives it over the real bot (signed HTTP and Socket
 * Mode): a watch's owners, `stuck:` and `recovery:off`, what `/tics watches` shows of them and of
 * the jobs' snoozes, and `/tics unsnooze`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IncidentStore } from '../../../src/watch/incidents/store.js';
import { jobKeyOf, slotOf } from '../../../src/watch/incidents/keys.js';
import type { Snooze } from '../../../src/watch/incidents/types.js';
import { SubscriptionRegistry, subscriptionId } from '../../../src/watch/subscriptions.js';
import { allText, forEachMode } from '../../helpers/bot-harness.js';
import { expectNoErrorLogs, putInstance, startWatchHarness, type WatchHarness } from './watch-harness.js';

const HOUR = 3_600_000;

forEachMode((mode) => {
  describe('owners, stuck:, recovery:, snoozes and unsnooze', () => {
    const HERE = 'C0OWNHERE01';
    const THERE = 'C0OWNTHERE2';
    const LEAGUE = 'leagueOwners0001';
    let h: WatchHarness;
    let incidents: IncidentStore;
    let registry: SubscriptionRegistry;
    const slot = (jobName: string, channelId = HERE) => slotOf(subscriptionId(LEAGUE, channelId), jobKeyOf(jobName, ''));
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { owners: LEAGUE } });
      putInstance(h, LEAGUE, 'nightly scoring', { status: 'RUNNING' }, 1);
      incidents = new IncidentStore(h.bot.store, h.clock.now);
      registry = new SubscriptionRegistry(h.bot.store);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });

    it('watch … notify: stuck: stores the owners normalised and says what it set', async () => {
      const { reply } = await h.ask('watch owners notify:<@U0ALICE001|Alice Smith>,<!subteam^S0ONCALL01|@data-oncall>,<@U0ALICE001> stuck:2h', {
        channelId: HERE,
        userId: 'U0WATCHER1',
      });
      expect(reply.text).toMatch(/^Watching owners: alerts on FAILED, TERMINATED from .+ UTC \(2 owners, stuck after 2h\)\. /);
      // The fallback text notifies nobody; the blocks name the owners as mentions.
      expect(reply.text).not.toContain('<@');
      const text = allText(reply);
      expect(text).toContain(':bust_in_silhouette: owners <@U0ALICE001>, <!subteam^S0ONCALL01>');
      expect(text).toContain(':hourglass: stuck after 2h');
      expect(text).not.toContain('Alice Smith');
      expect(await registry.get(LEAGUE, HERE)).toMatchObject({ notify: ['<@U0ALICE001>', '<!subteam^S0ONCALL01>'], stuckMs: 2 * HOUR });
    });

    it('watching again without notify: keeps the owners and says so; recovery:off is stored', async () => {
      const { reply } = await h.ask('watch owners on:failed recovery:off', { channelId: HERE });
      expect(reply.text).toMatch(/^Updated watch owners: alerts on FAILED from .+ \(2 owners, stuck after 2h, recovery off\)\. /);
      const text = allText(reply);
      expect(text).toContain('owners <@U0ALICE001>, <!subteam^S0ONCALL01> (unchanged)');
      expect(text).toContain('recovery: off');
      expect(await registry.get(LEAGUE, HERE)).toMatchObject({ triggers: ['FAILED'], notify: ['<@U0ALICE001>', '<!subteam^S0ONCALL01>'], stuckMs: 2 * HOUR, recovery: false });
    });

    it('refuses a mass mention or a plain @name with a usage error, changing nothing', async () => {
      const before = await registry.get(LEAGUE, HERE);
      const here = await h.ask('watch owners notify:<@U0BOB00001>,<!here>', { channelId: HERE });
      expect(allText(here.reply)).toContain('`notify:` never mentions @here');
      const plain = await h.ask('watch owners notify:@bob', { channelId: HERE });
      expect(allText(plain.reply)).toContain("pick the person or group from Slack's @-autocomplete");
      const short = await h.ask('watch owners stuck:2m', { channelId: HERE });
      expect(allText(short.reply)).toContain('out of range');
      expect(await registry.get(LEAGUE, HERE)).toEqual(before);
    });

    it('watches shows owners, stuck:, recovery: off and the active snoozes of that watch only', async () => {
      const now = h.clock.now();
      const timed: Snooze = { id: 's-timed', jobName: 'nightly scoring', by: 'U0SNOOZER1', at: now, until: now + HOUR, untilSuccess: false };
      const untilSuccess: Snooze = { id: 's-success', jobName: 'weekly <retrain> & eval', by: 'U0SNOOZER2', at: now + 1, untilSuccess: true };
      const expired: Snooze = { id: 's-old', jobName: 'old job', by: 'U0SNOOZER1', at: now - 2 * HOUR, until: now - HOUR, untilSuccess: false };
      await incidents.setSnooze(slot('nightly scoring'), timed);
      await incidents.setSnooze(slot('weekly <retrain> & eval'), untilSuccess);
      await incidents.setSnooze(slot('old job'), expired);
      // A snooze of another channel's watch is not this row's.
      await h.ask('watch owners', { channelId: THERE });
      await incidents.setSnooze(slot('nightly scoring', THERE), { ...timed, id: 's-there', by: 'U0ELSEWHERE' });

      const { reply } = await h.ask('watches', { channelId: HERE });
      expect(reply.text).toBe('1 watch in this channel.');
      const text = allText(reply);
      expect(text).toContain('owners <@U0ALICE001>, <!subteam^S0ONCALL01>');
      expect(text).not.toContain('(unchanged)');
      expect(text).toContain('stuck after 2h');
      expect(text).toContain('recovery: off');
      expect(text).toContain(`:zzz: *nightly scoring* snoozed until <!date^${Math.floor((now + HOUR) / 1000)}^`);
      expect(text).toContain('by <@U0SNOOZER1>');
      expect(text).toContain(':zzz: *weekly &lt;retrain&gt; &amp; eval* snoozed until it succeeds, by <@U0SNOOZER2>');
      expect(text).not.toContain('old job');
      expect(text).not.toContain('U0ELSEWHERE');

      const all = await h.ask('watches all', { channelId: HERE });
      expect(allText(all.reply)).toContain('by <@U0ELSEWHERE>');
    });

    it('unsnooze ends the snooze and records its summary', async () => {
      const { reply } = await h.ask('unsnooze owners nightly scoring', { channelId: HERE, userId: 'U0WAKER001' });
      expect(reply.text).toBe('Unsnoozed nightly scoring: a summary goes into its thread.');
      expect(allText(reply)).toContain(`Unsnoozed *nightly scoring* in <#${HERE}>: a summary goes into its thread.`);
      expect(await incidents.snooze(slot('nightly scoring'))).toBeUndefined();
      // The other channel's snooze of the same job stays.
      expect(await incidents.snooze(slot('nightly scoring', THERE))).toMatchObject({ id: 's-there' });
      const logged = h.logs().find((l) => l.msg === 'snooze ended from Slack');
      expect(logged).toMatchObject({ slot: slot('nightly scoring'), user: 'U0WAKER001' });
      const watches = allText((await h.ask('watches', { channelId: HERE })).reply);
      expect(watches).not.toContain('*nightly scoring* snoozed');
    });

    it('unsnooze of a job not snoozed changes nothing and lists what is snoozed there', async () => {
      const { reply } = await h.ask('unsnooze owners nightly scoring', { channelId: HERE });
      expect(reply.text).toBe('nightly scoring is not snoozed there; nothing changed.');
      const text = allText(reply);
      expect(text).toContain(`*nightly scoring* of *owners* is not snoozed in <#${HERE}>`);
      expect(text).toContain('Snoozed there now:\n:zzz: *weekly &lt;retrain&gt; &amp; eval* snoozed until it succeeds');
      // The name is matched as typed (Slack escapes `<`, `>`, `&`): this one is snoozed.
      const escaped = await h.ask(`unsnooze owners weekly &lt;retrain&gt; &amp; eval <#${HERE}|here>`, { channelId: THERE });
      expect(escaped.reply.text).toBe('Unsnoozed weekly &lt;retrain&gt; &amp; eval: a summary goes into its thread.');
      const none = await h.ask('unsnooze owners nightly scoring', { channelId: HERE });
      expect(allText(none.reply)).toContain('No job of that watch is snoozed there.');
    });

    it('unsnooze needs a known league and a job', async () => {
      const unknown = await h.ask('unsnooze no-such! nightly scoring', { channelId: HERE });
      expect(allText(unknown.reply)).toContain('is neither a known league alias nor a league id');
      expect(allText(unknown.reply)).toContain('/tics unsnooze &lt;league&gt; &lt;job name&gt; [#channel]');
      const unwatched = await h.ask('unsnooze leagueNotWatched01 nightly scoring', { channelId: HERE });
      expect(allText(unwatched.reply)).toContain(`<#${HERE}> does not watch *leagueNotWatched01*`);
      const noJob = await h.ask('unsnooze owners', { channelId: HERE });
      expect(allText(noJob.reply)).toContain('which job?');
    });

    it('unwatch takes the watch\'s snoozes with it, so none ends later into a thread nobody watches', async () => {
      const weekly = slot('weekly <retrain> & eval', THERE);
      await incidents.setSnooze(weekly, { id: 's-gone', jobName: 'weekly <retrain> & eval', by: 'U0SNOOZER1', at: h.clock.now(), until: h.clock.now() + 60_000, untilSuccess: false });
      await incidents.setSnooze(slot('nightly scoring'), { id: 's-stays', jobName: 'nightly scoring', by: 'U0SNOOZER1', at: h.clock.now(), untilSuccess: true });
      const { reply } = await h.ask('unwatch owners', { channelId: THERE });
      expect(reply.text).toMatch(/^Stopped/);
      expect(await incidents.snooze(weekly)).toBeUndefined();
      // Another channel's watch of the same league keeps its own.
      expect(await incidents.snooze(slot('nightly scoring'))).toMatchObject({ id: 's-stays' });
    });
  });
});
