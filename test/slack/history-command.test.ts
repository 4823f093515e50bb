/**
 * `/tics history` through the real Bolt app: signed slash commands in, response_url posts out,
 * compared against what the simulator holds. Buttons are in history-buttons.test.ts, TICS failures
 * in history-errors.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LEAGUES, jobIdFor } from '../../src/simulator/server.js';
import { assertWithinSlackLimits } from '../helpers/block-kit-limits.js';
import { actionIds, allText, fillLeague, forEachMode, rowText, shownInstanceIds, startHarness, type Harness } from '../helpers/bot-harness.js';

const JOBS = 'leagueJobs0001';
const STATUSES = 'leagueStatus001';
const BIG = 'leagueBig00001';
const EMPTY = 'leagueEmpty001';
const BIG_SIZE = 600;
const BIG_FAILED_AT = 550;

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      leagues: { jobs: JOBS, statuses: STATUSES, big: BIG, empty: EMPTY },
      world(world, now) {
        fillLeague(world, JOBS, 12, now, (i) => (i % 2 === 0 ? { jobName: 'train-alpha' } : { jobName: 'predict-beta', type: 'VFL_PREDICT', roundId: 1 }));
        fillLeague(world, STATUSES, 35, now, (i) => ({ status: i % 7 === 3 ? 'FAILED' : i % 11 === 5 ? 'TERMINATED' : 'SUCCEEDED' }));
        fillLeague(world, BIG, BIG_SIZE, now, (i) => ({ status: i === BIG_FAILED_AT ? 'FAILED' : 'SUCCEEDED' }));
        world.addLeague(EMPTY);
      },
    });
  });

  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  // ListInstanceHistory calls only: the job menu's list calls ride along with every page.
  const requestsTo = (league: string) => h.sim.requests.filter((r) => r.leagueId === league && r.path.endsWith('/job-instances'));

  describe('ack', () => {
    it('acks within a generous bound while TICS takes 2 s, then answers through response_url', async () => {
      h.sim.setLatency(2_000);
      try {
        const sent = await h.command('history statuses');
        expect(sent.status).toBe(200);
        expect(sent.elapsedMs).toBeLessThan(1_000);
        // Nothing can have been answered yet: TICS has not replied.
        expect(h.responses(sent.responseId)).toHaveLength(0);
        const reply = await h.waitForReply(sent.responseId, { timeoutMs: 6_000 });
        expect(reply.httpStatus).toBe(200);
        expect(reply.at - Date.now()).toBeLessThanOrEqual(0);
        expect(reply.body.response_type).toBe('ephemeral');
        expect(shownInstanceIds(reply.body)).toEqual(h.sim.world.instances(STATUSES).slice(0, 10).map((i) => i.id));
      } finally {
        h.sim.setLatency(0);
      }
    });
  });

  describe('a league page', () => {
    it('shows the newest instances first, as the simulator holds them, with Next but no Previous', async () => {
      const before = requestsTo(STATUSES).length;
      const { reply } = await h.ask('history statuses');
      const expected = h.sim.world.instances(STATUSES);
      expect(reply.response_type).toBe('ephemeral');
      expect(shownInstanceIds(reply)).toEqual(expected.slice(0, 10).map((i) => i.id));
      expect(allText(reply)).toContain('*35 instances*  ·  page 1 of 4');
      expect(actionIds(reply)).toContain('history_next');
      expect(actionIds(reply)).not.toContain('history_prev');
      // Each row says what the simulator says about that instance.
      for (const instance of expected.slice(0, 10)) {
        const status = ({ SUCCEEDED: 'Succeeded', FAILED: 'Failed', TERMINATED: 'Terminated' } as Record<string, string>)[instance.status];
        expect(status).toBeDefined();
        expect(rowText(reply, instance.id)).toContain(`*${status}*`);
        expect(rowText(reply, instance.id)).toContain(instance.jobName);
      }
      const calls = requestsTo(STATUSES).slice(before);
      expect(calls.map((r) => [r.query.offset, r.query.limit, r.status])).toEqual([['0', '10', 200]]);
    });

    it('honours limit:', async () => {
      const { reply } = await h.ask('history statuses limit:5');
      expect(shownInstanceIds(reply)).toEqual(h.sim.world.instances(STATUSES).slice(0, 5).map((i) => i.id));
      expect(allText(reply)).toContain('page 1 of 7');
    });

    it('says so when a league has no instances yet', async () => {
      const { reply } = await h.ask('history empty');
      expect(shownInstanceIds(reply)).toEqual([]);
      expect(allText(reply)).toContain('No job instances in *empty* yet');
      expect(actionIds(reply)).not.toContain('history_next');
    });
  });

  describe('several people at once', () => {
    it('answers concurrent commands each on its own response_url, with its own data', async () => {
      const asks = [
        ['history statuses limit:3', STATUSES, 3],
        ['history jobs limit:4', JOBS, 4],
        ['history big limit:5', BIG, 5],
        ['history statuses limit:6', STATUSES, 6],
        ['history jobs limit:7', JOBS, 7],
      ] as const;
      const answers = await Promise.all(asks.map(([text], i) => h.ask(text, { userId: `U0PERSON0${i}` })));
      answers.forEach(({ reply }, i) => {
        const [, league, limit] = asks[i]!;
        expect(shownInstanceIds(reply)).toEqual(h.sim.world.instances(league).slice(0, limit).map((x) => x.id));
      });
    });
  });

  describe('Block Kit limits on the fullest pages', () => {
    it.each(DEMO_LEAGUES.map((l) => [l.alias]))('%s at limit:20, and the Details of its rows, fit Slack', async (alias) => {
      const { reply } = await h.ask(`history ${alias} limit:20`);
      expect(shownInstanceIds(reply)).toHaveLength(20);
      assertWithinSlackLimits(reply);
      for (const nth of [0, 7, 19]) {
        const details = (await h.pressAndWait(reply, 'history_details', { nth })).reply;
        expect(allText(details)).toContain(`\`${shownInstanceIds(reply)[nth]}\``);
        assertWithinSlackLimits(details);
      }
    });
  });

  describe('aliases', () => {
    it('accepts the alias (any case) and the raw league id, and asks TICS for the same league', async () => {
      const before = requestsTo(STATUSES).length;
      const answers = [];
      for (const name of ['statuses', 'STATUSES', STATUSES]) answers.push((await h.ask(`history ${name}`)).reply);
      const expected = h.sim.world.instances(STATUSES).slice(0, 10).map((i) => i.id);
      for (const reply of answers) {
        expect(shownInstanceIds(reply)).toEqual(expected);
        // A raw id that has an alias is still shown by its alias, with the id alongside.
        expect(allText(reply)).toContain('League statuses · job history');
        expect(allText(reply)).toContain(`league id \`${STATUSES}\``);
      }
      expect(requestsTo(STATUSES).length - before).toBe(3);
    });

    it('works with the demo leagues of the seeded simulator', async () => {
      const { reply } = await h.ask('history credit-risk');
      const id = 'demoCreditRisk01';
      expect(allText(reply)).toContain(`*${h.sim.world.instances(id).length} instances*`);
      expect(shownInstanceIds(reply).length).toBe(10);
    });

    it('lists the known aliases for an unknown one, without asking TICS for history', async () => {
      // Only the league list is read (to look the word up as a name), once a minute per replica.
      const history = () => h.sim.requests.filter((r) => !r.path.endsWith('/league-info')).length;
      const before = history();
      const { reply } = await h.ask('history no-such-league');
      const text = allText(reply);
      expect(text).toContain('"no-such-league" is neither a known league alias nor a league id');
      expect(text).toMatch(/Known aliases: .*credit-risk/);
      expect(text).toMatch(/Known aliases: .*statuses/);
      expect(text).toContain('Names are looked up in the leagues your credentials can see');
      expect(text).toContain('Usage: `/tics history &lt;league&gt;');
      expect(history()).toBe(before);
    });
  });

  describe('job filter', () => {
    it('job:<id> shows only that job, and passes job_id to TICS', async () => {
      const jobId = jobIdFor('predict-beta');
      expect(h.sim.world.jobIdOf(JOBS, h.sim.world.instances(JOBS)[1]!.id)).toBe(jobId);
      const before = requestsTo(JOBS).length;
      const { reply } = await h.ask(`history jobs job:${jobId}`);
      const expected = h.sim.world.query(JOBS, { offset: 0, limit: 10, jobId });
      expect(expected.total).toBe(6);
      expect(shownInstanceIds(reply)).toEqual(expected.instances.map((i) => i.id));
      for (const id of shownInstanceIds(reply)) expect(rowText(reply, id)).toContain('predict-beta');
      // The job menu's list names the job, so the summary does too.
      expect(allText(reply)).toContain(`*6 instances*  ·  page 1 of 1  ·  filtered by job *predict-beta* \`${jobId}\``);
      expect(requestsTo(JOBS).slice(before).map((r) => r.query.job_id)).toEqual([jobId]);
    });

    it('explains an empty result for a job id the league does not have', async () => {
      const { reply } = await h.ask('history jobs job:0000000000000000000000000000dead');
      expect(shownInstanceIds(reply)).toEqual([]);
      expect(allText(reply)).toContain('has no instances of job `0000000000000000000000000000dead`');
    });
  });

  describe('status filter', () => {
    it('status:failed,terminated shows exactly the matching instances, newest first', async () => {
      const { reply } = await h.ask('history statuses status:failed,terminated');
      const expected = h.sim.world.instances(STATUSES).filter((i) => i.status === 'FAILED' || i.status === 'TERMINATED');
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(10);
      expect(shownInstanceIds(reply)).toEqual(expected.map((i) => i.id));
      const text = allText(reply);
      expect(text).toContain('*35 instances* in total');
      expect(text).toContain('filtered by status `FAILED` or `TERMINATED`');
      expect(text).not.toContain('scan stopped');
      // Everything was scanned and fewer than a page matched: nothing further to page to.
      expect(actionIds(reply)).not.toContain('history_next');
    });

    it('on a big league, says the scan was cut short, and Next resumes where it stopped', async () => {
      const before = requestsTo(BIG).length;
      const { reply } = await h.ask('history big status:failed');
      expect(shownInstanceIds(reply)).toEqual([]);
      expect(allText(reply)).toContain('The scan stopped after 500 instances');
      expect(allText(reply)).toContain('500 instances scanned');
      const scans = requestsTo(BIG).slice(before);
      expect(scans.map((r) => Number(r.query.offset))).toEqual([0, 100, 200, 300, 400]);

      const next = await h.pressAndWait(reply, 'history_next');
      const failed = h.sim.world.instances(BIG)[BIG_FAILED_AT]!;
      expect(failed.status).toBe('FAILED');
      expect(shownInstanceIds(next.reply)).toEqual([failed.id]);
      expect(actionIds(next.reply)).toContain('history_prev');
      expect(requestsTo(BIG).slice(before + scans.length).map((r) => Number(r.query.offset))).toEqual([500]);
    });
  });

  describe('bad input', () => {
    const cases: Array<[text: string, problem: string]> = [
      // `history` alone answers with a league picker (test/slack/league-picker.test.ts).
      ['history statuses limit:0', '`limit:0`: limit must be a whole number from 1 to 20'],
      ['history statuses limit:21', '`limit:21`: limit must be a whole number from 1 to 20'],
      ['history statuses limit:ten', '`limit:ten`: limit must be a whole number from 1 to 20'],
      ['history statuses status:bogus', 'unknown status `BOGUS`; known statuses: NEW'],
      ['history statuses status:', '`status:` needs at least one status'],
      ['history statuses job:not-an-id!', '`job:not-an-id!`: job id must be 1–32 letters or digits'],
      ['history statuses job:abc job:def', '`job:` was given twice'],
      ['history statuses color:red', 'unknown option `color:`'],
      ['history statuses jobs', 'unexpected `jobs`: give one league'],
      // A pasted paragraph: the reason must survive the reply's length cap.
      [`history ${'a'.repeat(3_000)}`, 'is too long for a league: give an alias (up to 64 characters)'],
      [`history statuses ${'x'.repeat(3_000)}`, '…`: give one league, then options'],
      [`history statuses status:${'q'.repeat(3_000)}`, '…`; known statuses: NEW'],
      [`history statuses job:${'z'.repeat(3_000)}`, '…`: job id must be 1–32 letters or digits'],
    ];

    const labelled = cases.map(([text, problem]) => [text.length > 60 ? `${text.slice(0, 40)}… (${text.length} chars)` : text, text, problem] as const);

    it.each(labelled)('%j → usage and the exact problem, and no TICS call', async (_label, text, problem) => {
      const before = h.sim.requests.length;
      const { reply } = await h.ask(text);
      expect(reply.response_type).toBe('ephemeral');
      expect(allText(reply)).toContain(problem);
      expect(allText(reply)).toContain('Usage: `/tics history &lt;league&gt; [job:&lt;job_id&gt;]');
      expect(h.sim.requests.length).toBe(before);
    });

    it('escapes what the user typed, so a bad word cannot ping the channel', async () => {
      const { reply } = await h.ask('history statuses <!channel>');
      expect(JSON.stringify(reply)).not.toContain('<!channel>');
      expect(allText(reply)).toContain('unexpected `&lt;!channel&gt;`');
    });

    it('names an unknown subcommand and lists every usage', async () => {
      const before = h.sim.requests.length;
      const { reply } = await h.ask('frobnicate credit-risk');
      const text = allText(reply);
      expect(text).toContain('unknown subcommand `frobnicate`');
      expect(text).toContain('/tics history &lt;league&gt;');
      expect(text).toContain('/tics help');
      expect(h.sim.requests.length).toBe(before);
    });

    it.each(['', '   ', 'help', 'HELP'])('%j → the help message', async (text) => {
      const before = h.sim.requests.length;
      const { reply } = await h.ask(text);
      expect(reply.response_type).toBe('ephemeral');
      expect(allText(reply)).toContain('tics-bot commands');
      expect(allText(reply)).toContain('/tics history &lt;league&gt;');
      expect(h.sim.requests.length).toBe(before);
    });
  });

  describe('response_url', () => {
    it('an expired response_url does not crash the bot: a warning is logged and the next command works', async () => {
      const id = 'expired-url-1';
      h.slack.responseUrl(id);
      h.slack.expireResponseUrl(id);
      const sent = await h.command('history statuses', { responseId: id });
      expect(sent.status).toBe(200);
      const refused = await h.waitForReply(id);
      expect(refused.httpStatus).toBe(404);
      expect(refused.error).toBe('expired_url');
      const warning = await h.waitForLog((l) => l.level === 40 && String(l.msg).includes('could not deliver the reply through response_url'));
      expect((warning.err as { message?: string } | undefined)?.message).toContain('404');
      const { reply } = await h.ask('history statuses limit:1');
      expect(shownInstanceIds(reply)).toHaveLength(1);
    });
  });
});
