/**
 * Issue 8, "alerts a team acts on", end to end over the real bot (signed HTTP and Socket Mode):
 * one parent per failing job and its later failures in the thread, recovery, Acknowledge, Snooze
 * (select, until success, Unsnooze), owners' mentions, stuck alerts, a deleted parent, and the
 * TICS cost of it all. Every check reads what the fake Slack received or holds now.
 *
 * Each describe group has its own harness: the shared test clock may run at most 14 minutes ahead.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SlackCall } from '../../fakes/slack-api.js';
import { allText, blocksOf, buttons, forEachMode, selects, type SlackBody } from '../../helpers/bot-harness.js';
import { expectNoErrorLogs, expectOnlyInjectedRefusals, headerOf, putInstance, startWatchHarness, type WatchHarness } from './watch-harness.js';

const CHAN = 'C0INCIDENT1';
const CHAN2 = 'C0INCIDENT2';

/**
 * Runs watcher cycles (the clock standing still) until `probe` gives a value. A button's click
 * records its thread line and parent update after the ack; a started watcher would deliver them at
 * once (deliverNow), but these harnesses step the watcher by hand, so a cycle delivers them.
 */
async function until<T>(h: WatchHarness, what: string, probe: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await h.bot.watcher.runCycle();
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(15);
  }
}

const isParent = (c: SlackCall) => c.args.thread_ts === undefined;
const ts = (c: SlackCall) => String(c.response.ts);

/** The parents (top-level posts) in `channel` Slack accepted since `since`. */
function parentsSince(h: WatchHarness, since: number, channel = CHAN): SlackCall[] {
  return h.alertsSince(since).filter((c) => c.args.channel === channel && isParent(c));
}

/** The replies under `parentTs` Slack accepted since `since`. */
function repliesSince(h: WatchHarness, since: number, parentTs: string): SlackCall[] {
  return h.alertsSince(since).filter((c) => c.args.thread_ts === parentTs);
}

/** A new instance of `job` first seen already FAILED (started just now: newer than anything known). */
let serial = 0;
function failNew(h: WatchHarness, league: string, job: string) {
  return putInstance(h, league, `${job}#${++serial}`, { status: 'FAILED', jobName: job }, 0.0005);
}

/** A new instance of `job` seen RUNNING, then SUCCEEDED: two cycles. */
async function succeed(h: WatchHarness, league: string, job: string): Promise<void> {
  const run = putInstance(h, league, `${job}#ok${++serial}`, { status: 'RUNNING', jobName: job }, 0.0005);
  await h.cycle();
  h.sim.world.setStatus(league, run.id, 'SUCCEEDED');
  await h.cycle();
}

function parentNow(h: WatchHarness, channel: string, parentTs: string): SlackBody {
  const message = h.slack.message(channel, parentTs);
  if (!message) throw new Error(`no message ${parentTs} in ${channel}`);
  // As a click on it arrives: a message in the channel, not an ephemeral reply.
  return { ...message, response_type: 'in_channel' };
}

const controlTexts = (message: SlackBody) => buttons(message).map((b) => b.text);

/**
 * The texts Slack parses for mentions: the top-level `text` and every mrkdwn text object.
 * (plain_text, e.g. a header, is shown literally: `<!channel>` there pings nobody.)
 */
function mentionableTexts(message: SlackBody): string[] {
  const out = typeof message.text === 'string' ? [message.text] : [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocksOf(message));
  return out;
}

forEachMode((mode) => {
  describe('a failing job threads, and recovers', () => {
    const LEAGUE = 'leagueIncThread1';
    const QUIET = 'leagueIncQuiet01';
    let h: WatchHarness;
    let parentTs: string;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { thread: LEAGUE, quiet: QUIET } });
      putInstance(h, LEAGUE, 'seed', { status: 'SUCCEEDED' }, 2);
      putInstance(h, QUIET, 'seed', { status: 'SUCCEEDED' }, 2);
      await h.ask('watch thread', { channelId: CHAN });
      await h.ask('watch quiet recovery:off', { channelId: CHAN2 });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      if (h) expectNoErrorLogs(h);
      await h?.close();
    });

    it('5 failures of one job: one parent, 4 replies in its thread (never broadcast), the parent counting 5', async () => {
      const since = h.posts().length;
      const first = failNew(h, LEAGUE, 'nightly-train');
      await h.cycle();
      const parents = parentsSince(h, since);
      expect(parents).toHaveLength(1);
      parentTs = ts(parents[0]!);
      expect(headerOf(parents[0]!.args)).toBe('❌ FAILED · nightly-train');
      expect(allText(parents[0]!.args)).toContain(first.id);
      // Why it failed, from the run's report and graph (the simulator fails one stage of each FAILED run).
      expect(allText(parents[0]!.args)).toMatch(/\*Why it failed\*\nStage `\w+` failed on `[^`]+`/);

      // A re-run of the first instance failing again, then one new instance, then two in one cycle.
      h.sim.world.setStatus(LEAGUE, first.id, 'RUNNING');
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, first.id, 'FAILED');
      await h.cycle();
      failNew(h, LEAGUE, 'nightly-train');
      await h.cycle();
      failNew(h, LEAGUE, 'nightly-train');
      failNew(h, LEAGUE, 'nightly-train');
      await h.cycle();
      await h.cycle();

      const all = h.alertsSince(since);
      expect(all.filter(isParent)).toHaveLength(1);
      const replies = repliesSince(h, since, parentTs);
      expect(replies).toHaveLength(4);
      expect(all).toHaveLength(5);
      for (const reply of replies) {
        expect(reply.args.channel).toBe(CHAN);
        expect(reply.args.reply_broadcast).toBe('false');
      }
      expect(replies.map((r) => String(r.args.text).match(/failure (\d)/)?.[1])).toEqual(['2', '3', '4', '5']);
      // Updated in place: the same message now sums the incident up.
      const parent = parentNow(h, CHAN, parentTs);
      expect(allText(parent)).toContain('5 failures');
      expect(headerOf(parent)).toBe('❌ FAILED · nightly-train');
      expect(h.slack.callsTo('chat.update').every((c) => c.args.ts === parentTs)).toBe(true);
    });

    it('an unrelated job gets a parent of its own', async () => {
      const since = h.posts().length;
      failNew(h, LEAGUE, 'weekly-eval');
      await h.cycle();
      const parents = parentsSince(h, since);
      expect(parents).toHaveLength(1);
      expect(headerOf(parents[0]!.args)).toBe('❌ FAILED · weekly-eval');
      expect(ts(parents[0]!)).not.toBe(parentTs);
      expect(h.alertsSince(since)).toHaveLength(1);
    });

    it('an older run that succeeds after a newer one failed resolves nothing: the fix is not proven', async () => {
      const since = h.posts().length;
      const weekly = parentsSince(h, 0).find((p) => headerOf(p.args) === '❌ FAILED · weekly-eval')!;
      // Started half an hour ago, before the failing run; it finishes now.
      const older = putInstance(h, LEAGUE, 'weekly-eval#older', { status: 'RUNNING', jobName: 'weekly-eval' }, 0.5);
      await h.cycle();
      h.sim.world.setStatus(LEAGUE, older.id, 'SUCCEEDED');
      await h.cycle();
      expect(h.posts()).toHaveLength(since);
      expect(headerOf(parentNow(h, CHAN, ts(weekly)))).toBe('❌ FAILED · weekly-eval');
      // A run started after the failure does resolve it.
      await succeed(h, LEAGUE, 'weekly-eval');
      expect(headerOf(parentNow(h, CHAN, ts(weekly)))).toBe('✔️ Resolved · weekly-eval');
    });

    it('a later success: one Recovered line in the thread, the parent resolved with only Job history, nothing in the channel', async () => {
      const since = h.posts().length;
      await succeed(h, LEAGUE, 'nightly-train');
      const posted = h.alertsSince(since);
      expect(posted).toHaveLength(1);
      expect(posted[0]!.args.thread_ts).toBe(parentTs);
      expect(posted[0]!.args.reply_broadcast).toBe('false');
      expect(String(posted[0]!.args.text)).toMatch(/^✔️ Recovered: nightly-train after 5 failures; the incident lasted /);
      const parent = parentNow(h, CHAN, parentTs);
      expect(headerOf(parent)).toBe('✔️ Resolved · nightly-train');
      expect(controlTexts(parent)).toEqual(['Job history']);
      expect(selects(parent)).toEqual([]);
      // Quiet from now on.
      await h.cycle();
      await h.cycle();
      expect(h.alertsSince(since)).toHaveLength(1);
    });

    it('a success of a job with no incident posts nothing', async () => {
      const since = h.posts().length;
      const updates = h.slack.callsTo('chat.update').length;
      await succeed(h, LEAGUE, 'never-failed');
      expect(h.posts()).toHaveLength(since);
      expect(h.slack.callsTo('chat.update')).toHaveLength(updates);
    });

    it('recovery:off: no recovery line, and the parent stays open', async () => {
      const since = h.posts().length;
      failNew(h, QUIET, 'quiet-job');
      await h.cycle();
      const parents = parentsSince(h, since, CHAN2);
      expect(parents).toHaveLength(1);
      const quietTs = ts(parents[0]!);
      await succeed(h, QUIET, 'quiet-job');
      expect(h.alertsSince(since)).toHaveLength(1);
      const parent = parentNow(h, CHAN2, quietTs);
      expect(headerOf(parent)).toBe('❌ FAILED · quiet-job');
      expect(controlTexts(parent)).toContain('Acknowledge');
    });
  });

  describe('Acknowledge', () => {
    const LEAGUE = 'leagueIncAck0001';
    let h: WatchHarness;
    let parentTs: string;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { ackl: LEAGUE } });
      putInstance(h, LEAGUE, 'seed', { status: 'SUCCEEDED' }, 2);
      await h.ask('watch ackl', { channelId: CHAN });
      const since = h.posts().length;
      failNew(h, LEAGUE, 'ack-job');
      await h.cycle();
      parentTs = ts(parentsSince(h, since)[0]!);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      if (h) expectNoErrorLogs(h);
      await h?.close();
    });

    it('shows who acknowledged on the parent, with one line in the thread; another user takes it over', async () => {
      const since = h.posts().length;
      const sent = await h.press(parentNow(h, CHAN, parentTs), 'incident_ack', { userId: 'U0ACKER001', channelId: CHAN });
      expect(sent.status).toBe(200);
      await until(h, 'the ack line', () => repliesSince(h, since, parentTs).length === 1);
      await until(h, 'the parent to show the ack', () => allText(parentNow(h, CHAN, parentTs)).includes('*Acknowledged*\n<@U0ACKER001>'));
      const [line] = repliesSince(h, since, parentTs);
      expect(line!.args.text).toBe('👀 ack-job acknowledged');
      expect(allText(line!.args)).toContain('Acknowledged by <@U0ACKER001>');
      expect(parentsSince(h, since)).toHaveLength(0);
      // The clicker is told nothing privately: the channel sees the change.
      expect(h.responses(sent.responseId)).toHaveLength(0);

      await h.press(parentNow(h, CHAN, parentTs), 'incident_ack', { userId: 'U0ACKER002', channelId: CHAN });
      await until(h, 'the second ack line', () => repliesSince(h, since, parentTs).length === 2);
      await until(h, 'the parent to show the new ack', () => allText(parentNow(h, CHAN, parentTs)).includes('*Acknowledged*\n<@U0ACKER002>'));
      expect(allText(parentNow(h, CHAN, parentTs))).not.toContain('U0ACKER001');
      expect(h.alertsSince(since)).toHaveLength(2);
      // Settled: a cycle posts nothing more.
      await h.cycle();
      expect(h.alertsSince(since)).toHaveLength(2);
    });

    it('an ack on a resolved incident answers the clicker alone (stale, not an error) and posts nothing', async () => {
      const open = parentNow(h, CHAN, parentTs);
      await succeed(h, LEAGUE, 'ack-job');
      expect(headerOf(parentNow(h, CHAN, parentTs))).toBe('✔️ Resolved · ack-job');
      const posts = h.posts().length;
      const updates = h.slack.callsTo('chat.update').length;
      const { reply } = await h.pressAndWait(open, 'incident_ack', { userId: 'U0LATE0001', channelId: CHAN });
      expect(reply.response_type).toBe('ephemeral');
      expect(allText(reply)).toContain('already resolved');
      expect(allText(reply)).not.toMatch(/something went wrong/i);
      await h.cycle();
      expect(h.posts()).toHaveLength(posts);
      expect(h.slack.callsTo('chat.update')).toHaveLength(updates);
    });
  });

  describe('Snooze', () => {
    const LEAGUE = 'leagueIncSnooze1';
    const JOB = 'snoozy-job';
    let h: WatchHarness;
    let parentTs: string;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { snoozel: LEAGUE } });
      putInstance(h, LEAGUE, 'seed', { status: 'SUCCEEDED' }, 2);
      await h.ask('watch snoozel', { channelId: CHAN });
      const since = h.posts().length;
      failNew(h, LEAGUE, JOB);
      await h.cycle();
      parentTs = ts(parentsSince(h, since)[0]!);
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      if (h) expectNoErrorLogs(h);
      await h?.close();
    });

    it('1 hour from the select: one thread line, then later failures are held (no reply, no parent); /tics watches lists it', async () => {
      const since = h.posts().length;
      const parent = parentNow(h, CHAN, parentTs);
      expect(selects(parent).map((s) => s.options.map((o) => o.value))).toEqual([['1h', '8h', '24h']]);
      await h.press(parent, 'incident_snooze', { option: '1h', userId: 'U0SNOOZER1', channelId: CHAN });
      await until(h, 'the snoozed line', () => repliesSince(h, since, parentTs).length === 1);
      await until(h, 'the Unsnooze button', () => controlTexts(parentNow(h, CHAN, parentTs)).includes('Unsnooze'));
      const [line] = repliesSince(h, since, parentTs);
      expect(line!.args.text).toBe(`🔕 ${JOB} snoozed for 1 hour`);
      expect(allText(line!.args)).toContain('<@U0SNOOZER1> snoozed');
      expect(selects(parentNow(h, CHAN, parentTs))).toEqual([]);

      failNew(h, LEAGUE, JOB);
      await h.cycle();
      failNew(h, LEAGUE, JOB);
      await h.cycle();
      expect(h.alertsSince(since)).toHaveLength(1);
      expect(allText(parentNow(h, CHAN, parentTs))).toContain('2 alerts held back');

      const watches = allText((await h.ask('watches', { channelId: CHAN })).reply);
      expect(watches).toContain(`:zzz: *${JOB}* snoozed until <!date^`);
      expect(watches).toContain('by <@U0SNOOZER1>');
    });

    it('Unsnooze: one line saying what was held back, and failures reply again', async () => {
      const since = h.posts().length;
      await h.press(parentNow(h, CHAN, parentTs), 'incident_unsnooze', { userId: 'U0WAKER001', channelId: CHAN });
      await until(h, 'the snooze-end line', () => repliesSince(h, since, parentTs).length === 1);
      await until(h, 'the snooze select back', () => selects(parentNow(h, CHAN, parentTs)).length === 1);
      const [line] = repliesSince(h, since, parentTs);
      expect(String(line!.args.text)).toMatch(new RegExp(`^🔔 Snooze ended for ${JOB}: 2 failures while snoozed, the last FAILED `));
      expect(allText(line!.args)).toContain('unsnoozed by <@U0WAKER001>');

      failNew(h, LEAGUE, JOB);
      await h.cycle();
      const replies = repliesSince(h, since, parentTs);
      expect(replies).toHaveLength(2);
      expect(String(replies[1]!.args.text)).toMatch(new RegExp(`^❌ FAILED again: ${JOB} — failure 4`));
      expect(parentsSince(h, since)).toHaveLength(0);
    });

    it('"Snooze until it succeeds" asks first; failures are held; a success resolves and says how many were held', async () => {
      const since = h.posts().length;
      const parent = parentNow(h, CHAN, parentTs);
      const button = blocksOf(parent)
        .flatMap((b) => ((b as { elements?: unknown[] }).elements ?? []) as Array<Record<string, unknown>>)
        .find((e) => e.action_id === 'incident_snooze_success');
      expect(button?.confirm).toMatchObject({
        title: { type: 'plain_text', text: 'Snooze until it succeeds?' },
        confirm: { type: 'plain_text', text: 'Snooze' },
        deny: { type: 'plain_text', text: 'Cancel' },
      });
      await h.press(parent, 'incident_snooze_success', { userId: 'U0SNOOZER2', channelId: CHAN });
      await until(h, 'the snoozed line', () => repliesSince(h, since, parentTs).length === 1);
      await until(h, 'the Unsnooze button', () => controlTexts(parentNow(h, CHAN, parentTs)).includes('Unsnooze'));
      expect(repliesSince(h, since, parentTs)[0]!.args.text).toBe(`🔕 ${JOB} snoozed until an instance succeeds`);

      failNew(h, LEAGUE, JOB);
      await h.cycle();
      failNew(h, LEAGUE, JOB);
      failNew(h, LEAGUE, JOB);
      await h.cycle();
      expect(h.alertsSince(since)).toHaveLength(1);

      await succeed(h, LEAGUE, JOB);
      const posted = h.alertsSince(since);
      expect(posted).toHaveLength(2);
      const recovery = posted[1]!;
      expect(recovery.args.thread_ts).toBe(parentTs);
      expect(String(recovery.args.text)).toMatch(new RegExp(`^✔️ Recovered: ${JOB} after 7 failures`));
      expect(allText(recovery.args)).toContain('(3 of them while snoozed)');
      expect(headerOf(parentNow(h, CHAN, parentTs))).toBe(`✔️ Resolved · ${JOB}`);
      // The snooze ended with the recovery: /tics watches no longer lists it.
      expect(allText((await h.ask('watches', { channelId: CHAN })).reply)).not.toContain(`*${JOB}* snoozed`);

      // The select on the parent as it stood before: the incident is over, the clicker alone is told.
      const posts = h.posts().length;
      const { reply } = await h.pressAndWait(parent, 'incident_snooze', { option: '8h', userId: 'U0LATE0001', channelId: CHAN });
      expect(reply.response_type).toBe('ephemeral');
      expect(allText(reply)).toContain('already resolved');
      await h.cycle();
      expect(h.posts()).toHaveLength(posts);
    });
  });

  describe('owners, hostile job names and stuck instances', () => {
    const OWNED = 'leagueIncOwned01';
    const STUCK = 'leagueIncStuck01';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { owned: OWNED, stuckl: STUCK } });
      putInstance(h, OWNED, 'seed', { status: 'SUCCEEDED' }, 2);
      putInstance(h, STUCK, 'seed', { status: 'SUCCEEDED' }, 3);
      await h.ask('watch owned notify:<@U0OWNER01|alice>,<!subteam^S0TEAM001|@ml>', { channelId: CHAN });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      if (h) expectNoErrorLogs(h);
      await h?.close();
    });

    it("the parent's text mentions the owners; thread replies mention nobody; a job named <!channel> never pings", async () => {
      const since = h.posts().length;
      failNew(h, OWNED, 'owned-job');
      failNew(h, OWNED, '<!channel>');
      await h.cycle();
      failNew(h, OWNED, 'owned-job');
      failNew(h, OWNED, '<!channel>');
      await h.cycle();
      const posted = h.alertsSince(since);
      const parents = posted.filter(isParent);
      const replies = posted.filter((c) => !isParent(c));
      expect(parents).toHaveLength(2);
      expect(replies).toHaveLength(2);
      for (const parent of parents) {
        expect(parent.args.text).toContain('<@U0OWNER01>');
        expect(parent.args.text).toContain('<!subteam^S0TEAM001>');
      }
      for (const reply of replies) {
        expect(reply.args.text).not.toContain('<@');
        expect(reply.args.text).not.toContain('<!');
      }
      const everything = [...posted.map((c) => c.args), ...h.slack.callsTo('chat.update').map((c) => c.args), ...parents.map((p) => parentNow(h, CHAN, ts(p)))];
      expect(everything.length).toBeGreaterThan(4);
      for (const message of everything) for (const text of mentionableTexts(message)) expect(text).not.toContain('<!channel>');
      // The name is shown, escaped.
      expect(parents.some((p) => allText(p.args).includes('&lt;!channel&gt;'))).toBe(true);
    });

    it('stuck:5m and an instance running for 2 hours: one stuck alert, once', async () => {
      putInstance(h, STUCK, 'long-runner', { status: 'RUNNING' }, 2);
      await h.ask('watch stuckl stuck:5m', { channelId: CHAN2 });
      const since = h.posts().length;
      for (let i = 0; i < 4; i++) await h.cycle();
      const posted = h.alertsSince(since);
      expect(posted).toHaveLength(1);
      expect(posted[0]!.args.channel).toBe(CHAN2);
      expect(isParent(posted[0]!)).toBe(true);
      expect(headerOf(posted[0]!.args)).toMatch(/^⏳ Stuck in RUNNING · long-runner/);
    });
  });

  describe('a deleted parent, and what incidents cost TICS', () => {
    const LEAGUE = 'leagueIncGone001';
    const OTHER = 'leagueIncOther01';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { gone: LEAGUE, other: OTHER } });
      putInstance(h, LEAGUE, 'seed', { status: 'SUCCEEDED' }, 2);
      putInstance(h, OTHER, 'seed', { status: 'SUCCEEDED' }, 2);
      await h.ask('watch gone', { channelId: CHAN });
      await h.ask('watch other', { channelId: CHAN2 });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      await h?.close();
    });

    it('a failure after the parent was deleted posts a new parent (no loss); the next one replies under it', async () => {
      const since = h.posts().length;
      failNew(h, LEAGUE, 'gone-job');
      await h.cycle();
      const oldTs = ts(parentsSince(h, since)[0]!);
      expect(h.slack.deleteMessage(CHAN, oldTs)).toBe(true);

      const beforeRepost = h.posts().length;
      failNew(h, LEAGUE, 'gone-job');
      await h.cycle();
      const reposted = parentsSince(h, beforeRepost);
      expect(reposted).toHaveLength(1);
      const newTs = ts(reposted[0]!);
      expect(newTs).not.toBe(oldTs);
      expect(allText(reposted[0]!.args)).toContain('2 failures');
      // The one refusal was the reply to the deleted parent.
      expectOnlyInjectedRefusals(h, /thread_not_found/);

      const beforeReply = h.posts().length;
      failNew(h, LEAGUE, 'gone-job');
      await h.cycle();
      const replies = h.alertsSince(beforeReply);
      expect(replies).toHaveLength(1);
      expect(replies[0]!.args.thread_ts).toBe(newTs);
      expect(String(replies[0]!.args.text)).toMatch(/failure 3/);
      expect(allText(parentNow(h, CHAN, newTs))).toContain('3 failures');
    });

    it('one TICS request per unchanged league per cycle, incidents open or not', async () => {
      failNew(h, OTHER, 'other-job');
      await h.cycle();
      await h.cycle();
      const count = (league: string) => h.sim.requests.filter((r) => r.leagueId === league).length;
      const before = { gone: count(LEAGUE), other: count(OTHER), all: h.sim.requests.length };
      await h.cycle();
      expect({ gone: count(LEAGUE) - before.gone, other: count(OTHER) - before.other, all: h.sim.requests.length - before.all }).toEqual({ gone: 1, other: 1, all: 2 });
    });
  });

  describe("the league's real name", () => {
    const LEAGUE = 'leagueIncNamed01';
    let h: WatchHarness;
    beforeAll(async () => {
      h = await startWatchHarness({ mode, leagues: { named: LEAGUE } });
      h.sim.world.addLeague(LEAGUE, { name: '信用风险 <Credit> Risk' });
      putInstance(h, LEAGUE, 'seed', { status: 'SUCCEEDED' }, 2);
      await h.ask('watch named', { channelId: CHAN });
    });
    afterEach(() => h.assertInvariants());
    afterAll(async () => {
      if (h) expectNoErrorLogs(h);
      await h?.close();
    });

    it('alerts show it once the store has it (fetched at most hourly, never inside a poll), commands keep the alias', async () => {
      const since = h.posts().length;
      failNew(h, LEAGUE, 'first-job');
      await h.cycle();
      // The first alert asked for the name in the background; it is in the store by the next one.
      await vi.waitFor(async () => expect(await h.bot.store.get('leaguename:' + LEAGUE)).toBeDefined(), { timeout: 5_000 });
      failNew(h, LEAGUE, 'second-job');
      await h.cycle();
      const parents = parentsSince(h, since);
      expect(parents).toHaveLength(2);
      const second = parents[1]!.args;
      expect(second.text).toMatch(/ in 信用风险 &lt;Credit&gt; Risk — /);
      expect(allText(second)).toContain(`信用风险 &lt;Credit&gt; Risk (named) \`${LEAGUE}\``);
      expect(allText(second)).toContain('`/tics unwatch named`');
      const showLeague = h.sim.requests.filter((r) => r.leagueId === LEAGUE && !r.path.includes('/job-instances') && !r.path.includes('report') && !r.path.includes('dag'));
      expect(showLeague.length).toBeLessThanOrEqual(1);
    });
  });
});
