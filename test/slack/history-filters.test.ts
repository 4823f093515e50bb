/**
 * The history page's job and status menus and the report part of Details, over signed HTTP and
 * Socket Mode: each choice is sent the way Slack sends it, from the menu the bot actually drew.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobIdFor } from '../../src/simulator/server.js';
import { instanceDag } from '../../src/simulator/reports.js';
import { allText, fillLeague, forEachMode, rowText, selects, shownInstanceIds, startHarness, type Harness, type SlackBody } from '../helpers/bot-harness.js';

const FILTERS = 'leagueFilters01';
const NOJOBS = 'leagueNoJobs001';
const REPORTS = 'leagueReports01';
const JOB_ACTION = 'history_filter_job';
const STATUS_ACTION = 'history_filter_status';

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      simulator: { seed: false },
      leagues: { filters: FILTERS, nojobs: NOJOBS, reports: REPORTS },
      world(world, now) {
        fillLeague(world, FILTERS, 24, now, (i) => ({
          status: i % 4 === 1 ? 'FAILED' : 'SUCCEEDED',
          // job-2 runs federated SQL: it comes from the sql-jobs list, the others from fl-jobs.
          ...(i % 3 === 2 ? { type: 'SQL' } : {}),
        }));
        fillLeague(world, NOJOBS, 3, now);
        fillLeague(world, REPORTS, 4, now, (i) => ({
          status: i === 0 ? 'FAILED' : 'SUCCEEDED',
          jobPartner: 'agentBank01(bank-a),agentBank02(bank-b)',
          roundId: 3,
        }));
      },
    });
  });

  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  const calls = (since: number, suffix: string, league?: string) => h.sim.requests.slice(since).filter((r) => r.path.endsWith(suffix) && (league === undefined || r.leagueId === league));
  const menu = (message: SlackBody, actionId: string) => selects(message).find((s) => s.actionId === actionId);
  function expectRedraw(reply: SlackBody): void {
    expect(reply.replace_original).toBe(true);
    expect(reply.response_type).toBe('ephemeral');
  }

  describe('job and status menus', () => {
    it('lists the league’s FL and SQL jobs; choosing a job redraws the page filtered by job_id, without asking for the jobs again', async () => {
      const since = h.sim.requests.length;
      const page = (await h.ask('history filters limit:5')).reply;
      const jobs = menu(page, JOB_ACTION)!;
      expect(jobs.options.map((o) => o.text)).toEqual(['All jobs', 'job-0', 'job-1', 'job-2']);
      expect(jobs.options.map((o) => o.value)).toEqual(['*', jobIdFor('job-0'), jobIdFor('job-1'), jobIdFor('job-2')]);
      expect(calls(since, '/fl-jobs', FILTERS)).toHaveLength(1);
      expect(calls(since, '/sql-jobs', FILTERS)).toHaveLength(1);

      const sqlJob = jobIdFor('job-2');
      const filtered = (await h.pressAndWait(page, JOB_ACTION, { option: sqlJob })).reply;
      expectRedraw(filtered);
      const expected = h.sim.world.query(FILTERS, { offset: 0, limit: 5, jobId: sqlJob }).instances.map((i) => i.id);
      expect(shownInstanceIds(filtered)).toEqual(expected);
      for (const id of expected) expect(rowText(filtered, id)).toContain('job-2');
      expect(allText(filtered)).toContain(`filtered by job *job-2* \`${sqlJob}\``);
      expect(menu(filtered, JOB_ACTION)!.options.find((o) => o.value === sqlJob)).toBeDefined();
      expect(calls(since, '/job-instances', FILTERS).at(-1)?.query).toEqual(expect.objectContaining({ job_id: sqlJob, offset: '0' }));

      // Paging the filtered page keeps the filter, and the job list is still the cached one.
      const next = (await h.pressAndWait(filtered, 'history_next')).reply;
      expect(shownInstanceIds(next)).toEqual(h.sim.world.query(FILTERS, { offset: 5, limit: 5, jobId: sqlJob }).instances.map((i) => i.id));
      expect(calls(since, '/fl-jobs', FILTERS)).toHaveLength(1);
      expect(calls(since, '/sql-jobs', FILTERS)).toHaveLength(1);

      const everything = (await h.pressAndWait(next, JOB_ACTION, { option: '*' })).reply;
      expectRedraw(everything);
      expect(shownInstanceIds(everything)).toEqual(h.sim.world.instances(FILTERS).slice(0, 5).map((i) => i.id));
      expect(allText(everything)).not.toContain('filtered by');
    });

    it('choosing a status keeps the job filter; "All statuses" drops it again', async () => {
      const jobId = jobIdFor('job-1');
      const page = (await h.ask(`history filters job:${jobId} limit:5`)).reply;
      expect(menu(page, STATUS_ACTION)!.options.map((o) => o.value).slice(0, 3)).toEqual(['*', 'FAILED', 'FAILED,TERMINATED']);

      const failed = (await h.pressAndWait(page, STATUS_ACTION, { option: 'FAILED' })).reply;
      expectRedraw(failed);
      const expected = h.sim.world
        .query(FILTERS, { offset: 0, limit: 100, jobId })
        .instances.filter((i) => i.status === 'FAILED')
        .map((i) => i.id);
      expect(expected.length).toBeGreaterThan(0);
      expect(shownInstanceIds(failed)).toEqual(expected.slice(0, 5));
      expect(allText(failed)).toContain(`filtered by job *job-1* \`${jobId}\` and status \`FAILED\``);

      const all = (await h.pressAndWait(failed, STATUS_ACTION, { option: '*' })).reply;
      expect(allText(all)).toContain(`filtered by job *job-1* \`${jobId}\``);
      expect(allText(all)).not.toContain('status `FAILED`');
    });

    it('a page whose job list TICS will not give goes out without the job menu and says why', async () => {
      h.sim.injectFault({ kind: 'status', status: 403, errorMsg: 'no permission <b>here</b>' }, { leagueId: NOJOBS, path: 'fl_jobs' });
      const { reply } = await h.ask('history nojobs');
      expect(shownInstanceIds(reply)).toEqual(h.sim.world.instances(NOJOBS).map((i) => i.id));
      expect(selects(reply).map((s) => s.actionId)).toEqual([STATUS_ACTION]);
      expect(allText(reply)).toContain('No job menu: the league’s job list could not be loaded (TICS refused the request (HTTP 403))');
      expect(allText(reply)).not.toContain('<b>');
      // Not cached: the next page asks again, and gets its menu.
      const again = (await h.pressAndWait(reply, 'history_refresh')).reply;
      expect(menu(again, JOB_ACTION)!.options.map((o) => o.text)).toEqual(['All jobs', 'job-0', 'job-1', 'job-2']);
    });

    it('a forged menu block is refused kindly, with no TICS call', async () => {
      const since = h.sim.requests.length;
      const sent = await h.click(JOB_ACTION, undefined, { blockId: 'history_filters:{"v":1,"league":"filters"}', selectedOption: { value: '*', text: 'All jobs' } });
      const reply = (await h.waitForReply(sent.responseId)).body;
      expect(reply.replace_original).toBe(false);
      expect(allText(reply)).toContain('the filter button state is damaged');
      expect(h.sim.requests.length).toBe(since);
    });
  });

  describe('Details with the report', () => {
    const failedId = () => h.sim.world.instances(REPORTS)[0]!.id;

    it('a failed instance shows where it failed (from the graph), its partners and stages', async () => {
      const page = (await h.ask('history reports')).reply;
      const since = h.sim.requests.length;
      const { reply } = await h.pressAndWait(page, 'history_details', { nth: 0 });
      const text = allText(reply);
      expect(text).toContain(`\`${failedId()}\``);
      const graph = instanceDag(h.sim.world, REPORTS, failedId(), 3)!;
      const failing = graph.flatMap((d) => (d.stages ?? []).flatMap((s) => (s.processors ?? []).filter((p) => p.taskStatus === 'FAILED').map(() => ({ node: d.nodeName, stage: s.stageName }))));
      expect(failing).toHaveLength(1);
      expect(text).toContain('*Where it failed* (round 3)');
      expect(text).toContain(`:x: Stage *${failing[0]!.stage}*`);
      expect(text).toContain(`on node *${failing[0]!.node}*`);
      expect(text).toContain('*Partners* (2)');
      expect(text).toContain('• *bank-a* — compute node');
      expect(text).toContain('*Stages* (round 3)');
      expect(text).not.toContain('could not be loaded');
      expect(calls(since, '/report', REPORTS)).toHaveLength(1);
      expect(calls(since, '/dag', REPORTS).map((r) => r.query.round_id)).toEqual(['3']);
    });

    it('a succeeded instance shows its report but asks for no graph', async () => {
      const page = (await h.ask('history reports')).reply;
      const since = h.sim.requests.length;
      const text = allText((await h.pressAndWait(page, 'history_details', { nth: 1 })).reply);
      expect(text).toContain('*Result kept by*');
      expect(text).not.toContain('Where it failed');
      expect(calls(since, '/dag')).toHaveLength(0);
    });

    it('when the report call fails, Details is intact and says what is missing', async () => {
      const page = (await h.ask('history reports')).reply;
      h.sim.injectFault({ kind: 'html', status: 502 }, { leagueId: REPORTS, path: 'report', times: 5 });
      const text = allText((await h.pressAndWait(page, 'history_details', { nth: 0 })).reply);
      expect(text).toContain(`\`${failedId()}\``);
      expect(text).toContain('*Duration*');
      expect(text).toContain(':warning: The report could not be loaded: TICS is not answering.');
      expect(text).not.toMatch(/nginx|<html|stack/i);
      // The graph came through on its own.
      expect(text).toContain('*Where it failed* (round 3)');
      h.sim.clearFaults();
    });

    it('a graph call slower than the budget is left out with a note, in time', async () => {
      const page = (await h.ask('history reports')).reply;
      h.sim.injectFault({ kind: 'latency', ms: 8_000 }, { leagueId: REPORTS, path: 'dag', times: 4 });
      const started = Date.now();
      const sent = await h.press(page, 'history_details', { nth: 0 });
      const text = allText((await h.waitForReply(sent.responseId, { timeoutMs: 10_000 })).body);
      expect(Date.now() - started).toBeLessThan(7_000);
      expect(text).toContain(':warning: The execution graph could not be loaded: TICS did not answer in time, so the failed stage is not known.');
      // The report's own graph still names the stage.
      expect(text).toContain('*Where it failed*');
      expect(text).toContain('*Partners* (2)');
      h.sim.clearFaults();
    }, 15_000);
  });
});
