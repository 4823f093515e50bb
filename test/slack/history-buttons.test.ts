/**
 * The history buttons, clicked the way a person clicks them: each click carries the value and
 * block id of a button taken from the message the bot actually posted.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actionIds, allText, buttons, fillLeague, forEachMode, rowText, shownInstanceIds, startHarness, type Harness, type SlackBody } from '../helpers/bot-harness.js';

const PAGING = 'leaguePaging01';
const REFRESH = 'leagueRefresh1';
const DETAILS_EXT = '{"algorithm":"XGBoost","max_depth":6}';
const DETAILS_RESULT = '{"auc":0.9123}';
const PAGING_ACTIONS = ['history_prev', 'history_next', 'history_refresh', 'history_share'];

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      simulator: { seed: false },
      leagues: { paging: PAGING, refresh: REFRESH },
      world(world, now) {
        fillLeague(world, PAGING, 35, now, (i) => ({
          status: i % 4 === 1 ? 'FAILED' : 'SUCCEEDED',
          ...(i === 0 ? { ext: DETAILS_EXT, resultExt: DETAILS_RESULT, jobPartner: 'agentBank01(bank)' } : {}),
        }));
        fillLeague(world, REFRESH, 5, now);
      },
    });
  });

  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  const ids = (league: string) => h.sim.world.instances(league).map((i) => i.id);
  // ListInstanceHistory calls only: the job menu's list calls (cached a minute) and Details' report calls are not paging.
  const historyCalls = (since: number) => h.sim.requests.slice(since).filter((r) => r.path.endsWith('/job-instances'));
  const offsetsAskedFor = (league: string, since: number) => historyCalls(since).filter((r) => r.leagueId === league).map((r) => Number(r.query.offset));

  /** A redraw of the page the button sat on: same message, new content. */
  function expectRedraw(reply: SlackBody): void {
    expect(reply.replace_original).toBe(true);
    expect(reply.response_type).toBe('ephemeral');
  }

  describe('paging', () => {
    it('pages forward to the last page and back, showing exactly the simulator’s instances, newest first', async () => {
      const all = ids(PAGING);
      const since = h.sim.requests.length;

      const page1 = (await h.ask('history paging limit:10')).reply;
      expect(shownInstanceIds(page1)).toEqual(all.slice(0, 10));
      expect(actionIds(page1)).toContain('history_next');
      expect(actionIds(page1)).not.toContain('history_prev');
      expect(allText(page1)).toContain('page 1 of 4');

      const page2 = (await h.pressAndWait(page1, 'history_next')).reply;
      expectRedraw(page2);
      expect(shownInstanceIds(page2)).toEqual(all.slice(10, 20));
      expect(actionIds(page2)).toEqual(expect.arrayContaining(['history_prev', 'history_next']));
      expect(allText(page2)).toContain('page 2 of 4');

      const page3 = (await h.pressAndWait(page2, 'history_next')).reply;
      expect(shownInstanceIds(page3)).toEqual(all.slice(20, 30));

      const last = (await h.pressAndWait(page3, 'history_next')).reply;
      expectRedraw(last);
      expect(shownInstanceIds(last)).toEqual(all.slice(30, 35));
      expect(allText(last)).toContain('page 4 of 4');
      expect(actionIds(last)).toContain('history_prev');
      expect(actionIds(last)).not.toContain('history_next');

      const back = (await h.pressAndWait(last, 'history_prev')).reply;
      expectRedraw(back);
      expect(shownInstanceIds(back)).toEqual(all.slice(20, 30));
      expect(allText(back)).toContain('page 3 of 4');

      const first = (await h.pressAndWait((await h.pressAndWait(back, 'history_prev')).reply, 'history_prev')).reply;
      expect(shownInstanceIds(first)).toEqual(all.slice(0, 10));
      expect(actionIds(first)).not.toContain('history_prev');

      expect(offsetsAskedFor(PAGING, since)).toEqual([0, 10, 20, 30, 20, 10, 0]);
    });

    it('pages a status-filtered view forward and back', async () => {
      const failed = h.sim.world.instances(PAGING).filter((i) => i.status === 'FAILED').map((i) => i.id);
      expect(failed.length).toBe(9);

      const page1 = (await h.ask('history paging status:failed limit:4')).reply;
      expect(shownInstanceIds(page1)).toEqual(failed.slice(0, 4));
      expect(actionIds(page1)).not.toContain('history_prev');

      const page2 = (await h.pressAndWait(page1, 'history_next')).reply;
      expectRedraw(page2);
      expect(shownInstanceIds(page2)).toEqual(failed.slice(4, 8));
      expect(allText(page2)).toContain('page 2');

      const page3 = (await h.pressAndWait(page2, 'history_next')).reply;
      expect(shownInstanceIds(page3)).toEqual(failed.slice(8));
      expect(actionIds(page3)).not.toContain('history_next');

      const back = (await h.pressAndWait(page3, 'history_prev')).reply;
      expect(shownInstanceIds(back)).toEqual(failed.slice(4, 8));
      const front = (await h.pressAndWait(back, 'history_prev')).reply;
      expect(shownInstanceIds(front)).toEqual(failed.slice(0, 4));
      expect(actionIds(front)).not.toContain('history_prev');
    });

    it('acks a click at once even when TICS is slow', async () => {
      const page1 = (await h.ask('history paging')).reply;
      h.sim.setLatency(2_000);
      try {
        const sent = await h.press(page1, 'history_next');
        expect(sent.status).toBe(200);
        expect(sent.elapsedMs).toBeLessThan(1_000);
        expect(h.responses(sent.responseId)).toHaveLength(0);
        const reply = await h.waitForReply(sent.responseId, { timeoutMs: 6_000 });
        expect(shownInstanceIds(reply.body)).toEqual(ids(PAGING).slice(10, 20));
      } finally {
        h.sim.setLatency(0);
      }
    });
  });

  describe('Refresh', () => {
    it('redraws the same page with the data as it is now', async () => {
      const page = (await h.ask('history refresh')).reply;
      const [newest] = ids(REFRESH);
      expect(rowText(page, newest!)).toContain('*Succeeded*');
      expect(allText(page)).toContain('*5 instances*');

      h.sim.world.setStatus(REFRESH, newest!, 'FAILED');
      const now = Date.now();
      h.sim.world.upsertInstance(REFRESH, { id: 'freshinstance0000000000000000001', jobName: 'just-started', type: 'SQL', status: 'RUNNING', startTime: now, roundId: 0 });

      const refreshed = (await h.pressAndWait(page, 'history_refresh')).reply;
      expectRedraw(refreshed);
      expect(shownInstanceIds(refreshed)).toEqual(ids(REFRESH));
      expect(shownInstanceIds(refreshed)[0]).toBe('freshinstance0000000000000000001');
      expect(rowText(refreshed, newest!)).toContain('*Failed*');
      expect(rowText(refreshed, 'freshinstance0000000000000000001')).toContain('*Running*');
      expect(allText(refreshed)).toContain('*6 instances*');
    });
  });

  describe('Details', () => {
    it('adds an ephemeral message with the instance’s ids, parameters and result, leaving the page alone', async () => {
      const page = (await h.ask('history paging')).reply;
      const instance = h.sim.world.instances(PAGING)[0]!;
      expect(shownInstanceIds(page)[0]).toBe(instance.id);

      const { reply } = await h.pressAndWait(page, 'history_details', { nth: 0 });
      expect(reply.replace_original).toBe(false);
      expect(reply.response_type).toBe('ephemeral');
      const text = allText(reply);
      expect(text).toContain(`\`${instance.id}\``);
      expect(text).toContain(`\`${PAGING}\``);
      expect(text).toContain(instance.jobName);
      expect(text).toContain('agentBank01(bank)');
      expect(text).toContain('*Parameters* (`ext`)');
      expect(text).toContain('"algorithm": "XGBoost"');
      expect(text).toContain('"max_depth": 6');
      expect(text).toContain('*Result* (`result_ext`)');
      expect(text).toContain('"auc": 0.9123');
      expect(buttons(reply)).toEqual([]);
    });

    it('finds an instance further down the history, narrowing the lookup by job when the page was filtered', async () => {
      const instance = h.sim.world.instances(PAGING)[25]!;
      const jobId = h.sim.world.jobIdOf(PAGING, instance.id)!;
      const page = (await h.ask(`history paging job:${jobId}`)).reply;
      const nth = shownInstanceIds(page).indexOf(instance.id);
      expect(nth).toBeGreaterThanOrEqual(0);
      const since = h.sim.requests.length;
      const { reply } = await h.pressAndWait(page, 'history_details', { nth });
      expect(allText(reply)).toContain(`\`${instance.id}\``);
      expect(historyCalls(since).map((r) => r.query.job_id)).toEqual([jobId]);
    });

    it('says kindly when the instance is gone', async () => {
      const value = JSON.stringify({ v: 1, league: 'paging', instanceId: 'gone00000000000000000000000000ff' });
      const sent = await h.click('history_details', value);
      expect(sent.status).toBe(200);
      const reply = (await h.waitForReply(sent.responseId)).body;
      expect(reply.replace_original).toBe(false);
      expect(allText(reply)).toContain('Instance `gone00000000000000000000000000ff` is no longer among the 500 most recent records');
    });
  });

  describe('Share', () => {
    it('reposts the page in the channel without paging buttons, and its Details still work there', async () => {
      const page = (await h.ask('history paging')).reply;
      const { reply: shared } = await h.pressAndWait(page, 'history_share');
      expect(shared.response_type).toBe('in_channel');
      expect(shared.replace_original).toBe(false);
      expect(shownInstanceIds(shared)).toEqual(shownInstanceIds(page));
      for (const id of PAGING_ACTIONS) expect(actionIds(shared)).not.toContain(id);
      expect(allText(shared)).toContain('Shared by <@U0USER0001>');

      // Clicked by someone else in the channel: the payload now carries the message, and the answer is theirs alone.
      const details = await h.pressAndWait(shared, 'history_details', { nth: 1, userId: 'U0OTHER001' });
      expect(details.reply.response_type).toBe('ephemeral');
      expect(details.reply.replace_original).toBe(false);
      expect(allText(details.reply)).toContain(`\`${shownInstanceIds(shared)[1]}\``);
      expect(h.slack.callsTo('chat.postMessage')).toHaveLength(0);
    });
  });

  describe('stale, tampered and foreign button values', () => {
    const cases: Array<[label: string, actionId: string, value: string | undefined, reason: string]> = [
      ['not JSON', 'history_next', 'garbage', 'the paging button state is not something tics-bot wrote'],
      ['no value', 'history_prev', undefined, 'the paging button carried no state'],
      ['another version', 'history_refresh', JSON.stringify({ v: 2, league: 'paging', limit: 10, offset: 0 }), 'the paging button comes from another version of tics-bot'],
      ['negative offset', 'history_next', JSON.stringify({ v: 1, league: 'paging', limit: 10, offset: -5 }), 'the paging button state is damaged (offset'],
      ['huge limit', 'history_next', JSON.stringify({ v: 1, league: 'paging', limit: 500, offset: 0 }), 'the paging button state is damaged (limit'],
      ['extra field', 'history_share', JSON.stringify({ v: 1, league: 'paging', limit: 10, offset: 0, evil: true }), 'the paging button state is damaged'],
      ['path in league', 'history_next', JSON.stringify({ v: 1, league: '../../etc/passwd', limit: 10, offset: 0 }), 'the paging button state is damaged (league'],
      ['longer than Slack allows', 'history_next', 'x'.repeat(2_500), 'the paging button state is too long to be ours'],
      ['a JSON array', 'history_next', '[]', 'the paging button state is damaged'],
      ['details without instance', 'history_details', JSON.stringify({ v: 1, league: 'paging' }), 'the details button state is damaged (instanceId'],
      ['details cut short', 'history_details', '{"v":1,', 'the details button state is not something tics-bot wrote'],
    ];

    it.each(cases)('%s (%s) → a friendly error, no TICS call, nothing logged as an error', async (_label, actionId, value, reason) => {
      const before = h.sim.requests.length;
      const sent = await h.click(actionId, value);
      expect(sent.status).toBe(200);
      const reply = (await h.waitForReply(sent.responseId)).body;
      expect(reply.replace_original).toBe(false);
      expect(reply.response_type).toBe('ephemeral');
      expect(allText(reply)).toContain('That button no longer works');
      expect(allText(reply)).toContain(reason);
      expect(allText(reply)).toContain('Run the command again');
      expect(h.sim.requests.length).toBe(before);
    });

    it('a button whose action_id this version does not know is acked and explained, not left to time out', async () => {
      const before = h.sim.requests.length;
      const sent = await h.click('history_jump_to_page', JSON.stringify({ v: 1, league: 'paging', limit: 10, offset: 0 }));
      expect(sent.status).toBe(200);
      const reply = (await h.waitForReply(sent.responseId)).body;
      expect(reply.replace_original).toBe(false);
      expect(allText(reply)).toContain('That button no longer works');
      expect(allText(reply)).toContain('a version of tics-bot that is no longer running');
      expect(h.sim.requests.length).toBe(before);
    });

    it('a well-formed value for a league this bot does not know (another workspace’s button) gets the alias list, not a TICS call', async () => {
      const before = h.sim.requests.length;
      const sent = await h.click('history_next', JSON.stringify({ v: 1, league: 'other-workspace', limit: 10, offset: 10 }));
      const reply = (await h.waitForReply(sent.responseId)).body;
      expect(allText(reply)).toContain('"other-workspace" is neither a known league alias nor a league id');
      expect(allText(reply)).toMatch(/Known aliases: .*paging/);
      expect(h.sim.requests.length).toBe(before);
    });
  });
});
