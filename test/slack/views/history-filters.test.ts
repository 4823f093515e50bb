import { describe, expect, it } from 'vitest';
import type { LeagueJobs } from '../../../src/history/league-jobs.js';
import { asShared } from '../../../src/slack/actions/history.js';
import { withJob, withStatuses } from '../../../src/slack/actions/history-filters.js';
import { decodeFilterBlockId, encodeFilterBlockId, FILTER_BLOCK_PREFIX, type HistoryCursor } from '../../../src/slack/cursor.js';
import type { Fetched } from '../../../src/slack/partial.js';
import { buildHistoryMessage, MAX_ROWS_PER_MESSAGE, type HistoryViewModel, type SlackMessage } from '../../../src/slack/views/history.js';
import { ALL_OPTION, FILTER_NOTE_BLOCK_ID, HISTORY_FILTER_ACTIONS, SELECT_LIMITS, textOf } from '../../../src/slack/views/history-filters.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import { assertWithinSlackLimits, blockTextLength, LIMITS } from '../../helpers/block-kit-limits.js';
import { cursor, historyModel, MINUTE, NOW } from './fixtures.js';

const JOBS: LeagueJobs = {
  jobs: [
    { id: 'job00000000000000000000000000001', name: 'credit-scoring-daily' },
    { id: 'job00000000000000000000000000002', name: 'churn-predict-nightly' },
    { id: 'job00000000000000000000000000003', name: 'churn-predict-nightly' },
    { id: 'job00000000000000000000000000004', name: '' },
  ],
  total: 4,
};
const loaded = (jobs: LeagueJobs = JOBS): Fetched<LeagueJobs> => ({ ok: true, value: jobs });

type Select = { action_id: string; options: Array<{ text: { text: string }; value: string }>; initial_option?: { text: { text: string }; value: string }; placeholder: { text: string } };

function build(overrides: Partial<HistoryViewModel> = {}): SlackMessage {
  const message = buildHistoryMessage(historyModel({ filters: { jobs: loaded() }, ...overrides }));
  assertWithinSlackLimits(message);
  for (const menu of menus(message)) {
    expect(menu.options.length).toBeLessThanOrEqual(SELECT_LIMITS.options);
    expect(menu.placeholder.text.length).toBeLessThanOrEqual(SELECT_LIMITS.placeholder);
    for (const o of menu.options) {
      expect(o.text.text.length).toBeLessThanOrEqual(SELECT_LIMITS.optionText);
      expect(o.value.length).toBeLessThanOrEqual(SELECT_LIMITS.optionValue);
    }
    expect(new Set(menu.options.map((o) => o.value)).size).toBe(menu.options.length);
    // Slack refuses an initial option that is not one of the options, word for word.
    if (menu.initial_option) expect(menu.options).toContainEqual(menu.initial_option);
  }
  return message;
}

const filterBlock = (message: SlackMessage) => message.blocks.find((b) => 'block_id' in b && String(b.block_id).startsWith(FILTER_BLOCK_PREFIX)) as unknown as { block_id: string; elements: Select[] } | undefined;
const menus = (message: SlackMessage): Select[] => filterBlock(message)?.elements ?? [];
const menu = (message: SlackMessage, actionId: string) => menus(message).find((m) => m.action_id === actionId);
const note = (message: SlackMessage) => (message.blocks.find((b) => 'block_id' in b && b.block_id === FILTER_NOTE_BLOCK_ID) as unknown as { elements: Array<{ text: string }> } | undefined)?.elements[0]?.text;
const summary = (message: SlackMessage) => (message.blocks[1] as unknown as { elements: Array<{ text: string }> }).elements[0]!.text;

describe('history filter menus', () => {
  it('lays out a job menu (sorted, duplicates told apart) and a status menu under the summary', () => {
    const message = build();
    expect(message).toMatchSnapshot();
    expect(message.blocks[2]).toBe(filterBlock(message));
    const jobs = menu(message, HISTORY_FILTER_ACTIONS.job)!;
    expect(jobs.options.map((o) => o.text.text)).toEqual([
      'All jobs',
      'churn-predict-nightly (00000002)',
      'churn-predict-nightly (00000003)',
      'credit-scoring-daily',
      'job00000000000000000000000000004',
    ]);
    expect(jobs.initial_option?.value).toBe(ALL_OPTION);
    const statuses = menu(message, HISTORY_FILTER_ACTIONS.status)!;
    expect(statuses.options.slice(0, 4).map((o) => [o.text.text, o.value])).toEqual([
      ['All statuses', '*'],
      ['Failed', 'FAILED'],
      ['Failed or Terminated', 'FAILED,TERMINATED'],
      ['Terminated', 'TERMINATED'],
    ]);
    expect(statuses.initial_option?.value).toBe(ALL_OPTION);
    expect(note(message)).toBeUndefined();
  });

  it('shows the current filters as chosen, and names the filtered job in the summary', () => {
    const filtered = cursor({ jobId: 'job00000000000000000000000000001', statuses: ['TERMINATED', 'FAILED'] });
    const message = build({ cursor: filtered });
    expect(menu(message, HISTORY_FILTER_ACTIONS.job)!.initial_option?.text.text).toBe('credit-scoring-daily');
    expect(menu(message, HISTORY_FILTER_ACTIONS.status)!.initial_option?.value).toBe('FAILED,TERMINATED');
    expect(summary(message)).toContain('filtered by job *credit-scoring-daily* `job00000000000000000000000000001` and status `TERMINATED` or `FAILED`');
  });

  it('offers a job id typed in the command even when TICS does not list it, and a typed status combination', () => {
    const message = build({ cursor: cursor({ jobId: 'unlisted0000000000000000000000ab', statuses: ['FAILED', 'RUNNING'] }) });
    const jobs = menu(message, HISTORY_FILTER_ACTIONS.job)!;
    expect(jobs.initial_option).toEqual(expect.objectContaining({ value: 'unlisted0000000000000000000000ab' }));
    expect(jobs.options).toHaveLength(6);
    expect(menu(message, HISTORY_FILTER_ACTIONS.status)!.initial_option?.text.text).toBe('Failed or Running');
    expect(summary(message)).toContain('filtered by job `unlisted0000000000000000000000ab`');
  });

  it('leaves the job menu unselected for a job-name filter (from an alert), which the menu cannot express', () => {
    const message = build({ cursor: cursor({ jobName: 'credit-scoring-daily' }) });
    expect(menu(message, HISTORY_FILTER_ACTIONS.job)!.initial_option).toBeUndefined();
  });

  it('renders without the job menu when the job list could not be had, and says why', () => {
    const message = build({ filters: { jobs: { ok: false, missing: { reason: 'timeout' } } } });
    expect(menus(message).map((m) => m.action_id)).toEqual([HISTORY_FILTER_ACTIONS.status]);
    expect(note(message)).toBe(
      ':warning: No job menu: the league’s job list could not be loaded (TICS did not answer in time). `job:<job_id>` in the command still filters by job.',
    );
    const refused = build({ filters: { jobs: { ok: false, missing: { reason: 'refused', httpStatus: 403 } } } });
    expect(note(refused)).toContain('(TICS refused the request (HTTP 403))');
  });

  it('has no job menu and no note when the TICS API cannot list jobs, and no menus at all without filters', () => {
    expect(menus(build({ filters: {} })).map((m) => m.action_id)).toEqual([HISTORY_FILTER_ACTIONS.status]);
    expect(note(build({ filters: {} }))).toBeUndefined();
    expect(filterBlock(buildHistoryMessage(historyModel()))).toBeUndefined();
  });

  it('caps the job menu at Slack’s 100 options, keeps the newest, and says how many are left out', () => {
    const many: LeagueJobs = { jobs: Array.from({ length: 150 }, (_, i) => ({ id: `job${String(i).padStart(29, '0')}`, name: `job number ${i}` })), total: 230 };
    const message = build({ filters: { jobs: loaded(many) } });
    const jobs = menu(message, HISTORY_FILTER_ACTIONS.job)!;
    expect(jobs.options).toHaveLength(100);
    expect(jobs.options.map((o) => o.text.text)).toContain('job number 0');
    expect(jobs.options.map((o) => o.text.text)).not.toContain('job number 99');
    expect(note(message)).toBe(':scissors: The job menu lists 99 of 230 jobs (the newest; a menu holds no more). For another, use `job:<job_id>` in the command.');
  });

  it('fits Slack’s limits with a maximal page and a hundred maximal job names, listing fewer names when the page is long', () => {
    const worstInstance = (i: number): JobInstance => ({
      id: `${i}`.padStart(32, 'f'),
      jobName: '联&<'.repeat(43).slice(0, 128),
      type: 'VFL_PREDICT',
      status: '&'.repeat(200),
      roundId: 1000,
      startTime: NOW - 400 * 24 * 60 * MINUTE,
      endTime: NOW - 1000,
      isSinglePredict: false,
      jobPartner: '<&>'.repeat(400),
    });
    const worstCursor: HistoryCursor = { v: 1, league: 'a'.repeat(64), jobId: 'j'.repeat(32), statuses: ['FAILED', 'TERMINATED', 'RUNNING'], limit: 100, offset: 100, back: [0] };
    const longNames: LeagueJobs = { jobs: Array.from({ length: 120 }, (_, i) => ({ id: `${i}`.padStart(32, 'k'), name: `${i} ${'名'.repeat(200)}` })), total: 120 };
    const message = build({
      league: { id: 'b'.repeat(32), alias: 'a'.repeat(64) },
      instances: Array.from({ length: MAX_ROWS_PER_MESSAGE + 5 }, (_, i) => worstInstance(i)),
      total: 2_147_483_647,
      cursor: worstCursor,
      prev: { ...worstCursor, offset: 0 },
      next: { ...worstCursor, offset: 200 },
      scan: { scanned: 1_000_000, cutShort: true },
      simulated: true,
      filters: { jobs: loaded(longNames) },
    });
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    // Option texts are not text objects the limit checker sums; count them too.
    const optionText = menus(message).reduce((n, m) => n + textOf(m.options), 0);
    expect(blockTextLength(message) + optionText).toBeLessThanOrEqual(LIMITS.totalBlockText);
    expect(note(message)).toContain(':scissors: The job menu lists');
  });

  it('carries the page’s filters (at offset 0) in the menus’ block id, and leaves the menus out when they do not fit', () => {
    const at = cursor({ jobName: 'credit-scoring-daily', statuses: ['FAILED'], offset: 40, back: [0, 20] });
    const blockId = filterBlock(build({ cursor: at }))!.block_id;
    expect(decodeFilterBlockId(blockId)).toEqual({ ok: true, value: { v: 1, league: 'fl-demo', limit: 5, offset: 0, jobName: 'credit-scoring-daily', statuses: ['FAILED'] } });
    expect(decodeFilterBlockId('history_paging')).toEqual({ ok: false, reason: 'the filter menu carried no state' });
    expect(decodeFilterBlockId(`${FILTER_BLOCK_PREFIX}{"v":1}`).ok).toBe(false);

    const huge = cursor({ league: 'a'.repeat(64), jobName: '"'.repeat(128) });
    expect(encodeFilterBlockId(huge)).toBeUndefined();
    const message = build({ cursor: huge });
    expect(filterBlock(message)).toBeUndefined();
    expect(note(message)).toContain('No filter menus');
  });

  it('leaves the menus and their note out of a page shared in the channel', () => {
    const message = build({ filters: { jobs: { ok: false, missing: { reason: 'unavailable' } } } });
    const shared = asShared(message, 'U123');
    expect(filterBlock(shared)).toBeUndefined();
    expect(note(shared)).toBeUndefined();
  });
});

describe('choosing in a menu', () => {
  const base = cursor({ jobName: 'credit-scoring-daily', statuses: ['FAILED'], offset: 40, back: [0, 20] });

  it('a job replaces the job and job-name filters and starts from the first page', () => {
    expect(withJob(base, 'job00000000000000000000000000001')).toEqual({ ok: true, value: { v: 1, league: 'fl-demo', limit: 5, offset: 0, statuses: ['FAILED'], jobId: 'job00000000000000000000000000001' } });
    expect(withJob(base, ALL_OPTION)).toEqual({ ok: true, value: { v: 1, league: 'fl-demo', limit: 5, offset: 0, statuses: ['FAILED'] } });
    expect(withJob(base, '../etc')).toEqual({ ok: false, reason: 'the job menu sent a job id tics-bot did not offer' });
  });

  it('a status replaces the status filter and keeps the job', () => {
    expect(withStatuses(base, 'FAILED,TERMINATED')).toEqual({ ok: true, value: { v: 1, league: 'fl-demo', limit: 5, offset: 0, jobName: 'credit-scoring-daily', statuses: ['FAILED', 'TERMINATED'] } });
    expect(withStatuses(base, ALL_OPTION)).toEqual({ ok: true, value: { v: 1, league: 'fl-demo', limit: 5, offset: 0, jobName: 'credit-scoring-daily' } });
    const bad = withStatuses(base, 'EXPLODED');
    expect(bad.ok).toBe(false);
  });
});
