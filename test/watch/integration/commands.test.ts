/**
 * `/tics watch | unwatch | watches` as a user drives them, checked against what the watcher then
 * does: which channel is alerted, what stops, what `watches` reports. Plus the two operator
 * settings: TICS_WATCH (subscriptions as configuration, merged with Slack's) and TICS_ACCESS
 * (which channel may watch which league).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allText, forEachMode } from '../../helpers/bot-harness.js';
import { alertTriples, expectNoErrorLogs, expectOnlyInjectedRefusals, putInstance, startWatchHarness, triple, type WatchHarness } from './watch-harness.js';

forEachMode((mode) => {
  describe('watch, unwatch, watches', () => {
    const HERE = 'C0CMDHERE01';
    const THERE = 'C0CMDTHERE2';
    const LEAGUE = 'leagueCommands01';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { cmd: LEAGUE } });
      for (let i = 0; i < 5; i++) putInstance(h, LEAGUE, `cmd-${i}`, { status: 'RUNNING' }, 2 - i / 10);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });
    const job = (i: number) => h.sim.world.instances(LEAGUE).find((x) => x.jobName === `cmd-${i}`)!;

    it('watches lists nothing before anything is watched', async () => {
      const { reply } = await h.ask('watches', { channelId: HERE });
      expect(reply.text).toBe('No watches in this channel yet.');
      expect(allText(reply)).toContain('`/tics watch &lt;league&gt;`');
      const all = await h.ask('watches all', { channelId: HERE });
      expect(all.reply.text).toBe('No watches yet.');
    });

    it('watch with a picked #channel subscribes that channel, and alerts go there (not here)', async () => {
      const { reply } = await h.ask(`watch cmd <#${THERE}|elsewhere>`, { channelId: HERE, userId: 'U0WATCHER1' });
      expect(reply.text).toMatch(/^Watching cmd: alerts on FAILED, TERMINATED from .+ UTC\. 5 instances known now \(5 still running\)\.$/);
      expect(allText(reply)).toContain(`<#${THERE}>`);

      h.sim.world.setStatus(LEAGUE, job(0).id, 'FAILED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(THERE, job(0), 'FAILED')]);

      const here = await h.ask('watches', { channelId: HERE });
      expect(here.reply.text).toBe('No watches in this channel yet.');
      const there = await h.ask('watches', { channelId: THERE });
      expect(there.reply.text).toBe('1 watch in this channel.');
      const text = allText(there.reply);
      expect(text).toContain('*cmd* `leagueCommands01`');
      expect(text).toContain('on `FAILED` and `TERMINATED`');
      expect(text).toContain('added by <@U0WATCHER1>');
      expect(text).toMatch(/:white_check_mark: last poll <!date\^\d+\^/);
      expect(text).toMatch(/last alert <!date\^\d+\^/);
    });

    it('watches all lists every channel', async () => {
      await h.ask('watch cmd on:terminated', { channelId: HERE });
      const { reply } = await h.ask('watches all', { channelId: 'C0SOMEWHERE' });
      expect(reply.text).toBe('2 watches in every channel.');
      const text = allText(reply);
      expect(text).toContain(`→ <#${HERE}>  ·  on \`TERMINATED\``);
      expect(text).toContain(`→ <#${THERE}>  ·  on \`FAILED\` and \`TERMINATED\``);
    });

    it('each channel gets what its own triggers ask for', async () => {
      const since = h.posts().length;
      h.sim.world.setStatus(LEAGUE, job(1).id, 'FAILED');
      h.sim.world.setStatus(LEAGUE, job(2).id, 'TERMINATED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual(
        [triple(THERE, job(1), 'FAILED'), triple(THERE, job(2), 'TERMINATED'), triple(HERE, job(2), 'TERMINATED')].sort(),
      );
    });

    it('unwatch stops the alerts of that channel only, dropping what was still waiting, and says so', async () => {
      const since = h.posts().length;
      // An alert for HERE is waiting out a 429 when the user unwatches.
      h.assertInvariants();
      h.slack.injectFault('chat.postMessage', { kind: 'ratelimited', retryAfterSeconds: 60 }, { channel: HERE });
      h.sim.world.setStatus(LEAGUE, job(3).id, 'TERMINATED');
      await h.cycle();
      expectOnlyInjectedRefusals(h, /"error":"ratelimited"/);
      const { reply } = await h.ask('unwatch cmd', { channelId: HERE });
      expect(reply.text).toBe('Stopped watching cmd. 1 alert still waiting to be posted was dropped.');

      h.sim.world.setStatus(LEAGUE, job(4).id, 'TERMINATED');
      await h.cycle(90_000);
      await h.cycle();
      const delivered = h.alertsSince(since);
      expect(alertTriples(delivered)).toEqual([triple(THERE, job(3), 'TERMINATED'), triple(THERE, job(4), 'TERMINATED')].sort());
      expect(h.posts().slice(since).filter((c) => c.args.channel === HERE)).toHaveLength(1); // the 429 only
    });

    it('unwatch of something not watched changes nothing and says so', async () => {
      const { reply } = await h.ask('unwatch cmd', { channelId: HERE });
      expect(reply.text).toBe('Was not watching cmd in that channel; nothing changed.');
      const all = await h.ask('watches all', { channelId: HERE });
      expect(all.reply.text).toBe('1 watch in every channel.');
    });

    it('when the last watch of a league goes, a later watch starts from a fresh baseline', async () => {
      await h.ask(`unwatch cmd <#${THERE}>`, { channelId: HERE });
      // Changes while nobody watches are history for the next subscriber.
      const late = putInstance(h, LEAGUE, 'cmd-late', { status: 'RUNNING' }, 0.5);
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, late.id, 'FAILED');
      await h.cycle();
      const since = h.posts().length;
      const { reply } = await h.ask('watch cmd', { channelId: HERE });
      expect(reply.text).toMatch(/ 6 instances known now \(0 still running\)\.$/);
      await h.cycle();
      await h.cycle();
      expect(h.posts()).toHaveLength(since);
    });

    it('a league picker for a watch without a league, and a usage error for an unknown option', async () => {
      const a = await h.ask('watch', { channelId: HERE });
      expect(allText(a.reply)).toContain('Which league?');
      const b = await h.ask('watch cmd when:later', { channelId: HERE });
      expect(allText(b.reply)).toContain('unknown option `when:`');
      const c = await h.ask('watch cmd on:exploded', { channelId: HERE });
      expect(allText(c.reply)).toContain("unknown status `EXPLODED`");
      // None of them subscribed anything new.
      const all = await h.ask('watches all', { channelId: HERE });
      expect(all.reply.text).toBe('1 watch in every channel.');
    });
  });

  describe('TICS_WATCH and TICS_ACCESS', () => {
    const DECLARED_CHAN = 'C0DECLARED1';
    const SLACK_CHAN = 'C0SLACKSUB2';
    const DENIED_CHAN = 'C0DENIED003';
    const DECLARED = 'leagueDeclared01';
    const SECRET = 'leagueSecret0002';
    let h: WatchHarness;
    let baselineFailed: ReturnType<typeof putInstance>;
    beforeAll(async () => {
      h = await startWatchHarness({
        mode,
        leagues: { declared: DECLARED, secret: SECRET },
        env: {
          TICS_WATCH: `declared:${DECLARED_CHAN}`,
          // Only SLACK_CHAN and DECLARED_CHAN may use `declared`; `secret` only in DECLARED_CHAN.
          TICS_ACCESS: `${SLACK_CHAN}:declared;${DECLARED_CHAN}:declared,secret`,
        },
      });
      baselineFailed = putInstance(h, DECLARED, 'decl-old', { status: 'FAILED' }, 3);
      for (let i = 0; i < 3; i++) putInstance(h, DECLARED, `decl-${i}`, { status: 'RUNNING' }, 2 - i / 10);
      putInstance(h, SECRET, 'secret-0', { status: 'RUNNING' }, 1);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      expectNoErrorLogs(h);
      await h?.close();
    });
    const job = (name: string) => h.sim.world.instances(DECLARED).find((x) => x.jobName === name)!;

    it('a declared subscription exists from start, takes its baseline on the first poll, then alerts', async () => {
      const { reply } = await h.ask('watches', { channelId: DECLARED_CHAN });
      expect(reply.text).toBe('1 watch in this channel.');
      expect(allText(reply)).toContain('from configuration (`TICS_WATCH`)');
      await h.cycle();
      expect(h.posts()).toHaveLength(0);
      expect(alertTriples(h.alertsSince(0)).join()).not.toContain(baselineFailed.id);
      h.sim.world.setStatus(DECLARED, job('decl-0').id, 'FAILED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(0))).toEqual([triple(DECLARED_CHAN, job('decl-0'), 'FAILED')]);
    });

    it('merges with a Slack subscription on the same league: both channels alerted, both listed', async () => {
      const { reply } = await h.ask('watch declared', { channelId: SLACK_CHAN });
      expect(reply.text).toMatch(/^Watching declared: alerts on FAILED, TERMINATED from /);
      const since = h.posts().length;
      h.sim.world.setStatus(DECLARED, job('decl-1').id, 'TERMINATED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(DECLARED_CHAN, job('decl-1'), 'TERMINATED'), triple(SLACK_CHAN, job('decl-1'), 'TERMINATED')].sort());
      const all = await h.ask('watches all', { channelId: SLACK_CHAN });
      const text = allText(all.reply);
      expect(all.reply.text).toBe('2 watches in every channel.');
      expect(text).toContain('from configuration (`TICS_WATCH`)');
      expect(text).toMatch(/added by <@U0USER0001> <!date\^/);
    });

    it('unwatch of a declared subscription explains it is configuration-managed, and it keeps alerting', async () => {
      const { reply } = await h.ask('unwatch declared', { channelId: DECLARED_CHAN });
      expect(reply.text).toBe('declared is watched by configuration (TICS_WATCH) and cannot be removed from Slack.');
      expect(allText(reply)).toContain('`TICS_WATCH`');
      const edit = await h.ask('watch declared on:succeeded', { channelId: DECLARED_CHAN });
      expect(allText(edit.reply)).toContain('through the bot\'s configuration (TICS_WATCH)');
      const since = h.posts().length;
      h.sim.world.setStatus(DECLARED, job('decl-2').id, 'FAILED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(DECLARED_CHAN, job('decl-2'), 'FAILED'), triple(SLACK_CHAN, job('decl-2'), 'FAILED')].sort());
    });

    it('TICS_ACCESS: a denied watch gets a clear reply, is logged, subscribes nothing and calls no TICS', async () => {
      const requests = h.sim.requests.length;
      const { reply } = await h.ask('watch secret', { channelId: DENIED_CHAN, userId: 'U0NOSY0001' });
      expect(allText(reply)).toContain('This channel is not allowed to watch league *secret*');
      expect(allText(reply)).toContain('TICS_ACCESS');
      // Picking an allowed league's channel from a denied one is judged by the channel alerted.
      const viaOther = await h.ask(`watch secret <#${SLACK_CHAN}>`, { channelId: DECLARED_CHAN });
      expect(allText(viaOther.reply)).toContain('not allowed to watch league *secret*');
      expect(h.sim.requests.length).toBe(requests);
      const denied = h.logs().filter((l) => l.msg === 'access denied by TICS_ACCESS');
      expect(denied.map((l) => [l.channelId, l.leagueId, l.user])).toEqual([
        [DENIED_CHAN, SECRET, 'U0NOSY0001'],
        [SLACK_CHAN, SECRET, 'U0USER0001'],
      ]);
      const all = await h.ask('watches all', { channelId: DECLARED_CHAN });
      expect(all.reply.text).toBe('2 watches in every channel.');
      expect(allText(all.reply)).not.toContain(SECRET);
    });

    it('TICS_ACCESS: an allowed channel may watch that league', async () => {
      const { reply } = await h.ask('watch secret', { channelId: DECLARED_CHAN });
      expect(reply.text).toMatch(/^Watching secret: /);
      const since = h.posts().length;
      const secretJob = h.sim.world.instances(SECRET)[0]!;
      h.sim.world.setStatus(SECRET, secretJob.id, 'FAILED');
      await h.cycle();
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(DECLARED_CHAN, secretJob, 'FAILED')]);
    });
  });
});
