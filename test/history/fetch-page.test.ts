import { describe, expect, it } from 'vitest';
import { fetchHistoryPage } from '../../src/history/fetch-page.js';
import type { ListInstanceHistoryParams, TicsApi } from '../../src/tics/client.js';
import type { JobInstance } from '../../src/tics/schema.js';

/** An in-memory TicsApi that pages like TICS and records calls (the HTTP path is covered elsewhere). */
function fakeApi(instances: JobInstance[]): TicsApi & { calls: ListInstanceHistoryParams[] } {
  const calls: ListInstanceHistoryParams[] = [];
  return {
    calls,
    listInstanceHistory(params) {
      calls.push(params);
      const rows = instances.filter((i) => !params.jobId || i.id.startsWith(params.jobId));
      return Promise.resolve({ total: rows.length, instances: rows.slice(params.offset, params.offset + params.limit) });
    },
  };
}

const make = (n: number, statusOf: (i: number) => string): JobInstance[] =>
  Array.from({ length: n }, (_, i) => ({ id: `i${i}`, jobName: `job ${i}`, type: 'SQL', status: statusOf(i), startTime: 1_700_000_000_000 - i * 60_000 }));

describe('fetchHistoryPage without a status filter', () => {
  it('pages by offset with page N of M and buttons only where there is somewhere to go', async () => {
    const api = fakeApi(make(25, () => 'SUCCEEDED'));
    const first = await fetchHistoryPage(api, { leagueId: 'L1', limit: 10, offset: 0 });
    expect(first).toMatchObject({ total: 25, pageNumber: 1, pageCount: 3, next: { offset: 10 } });
    expect(first.prev).toBeUndefined();
    const last = await fetchHistoryPage(api, { leagueId: 'L1', limit: 10, offset: 20 });
    expect(last).toMatchObject({ pageNumber: 3, pageCount: 3, prev: { offset: 10 } });
    expect(last.next).toBeUndefined();
    expect(last.instances.map((i) => i.id)).toEqual(['i20', 'i21', 'i22', 'i23', 'i24']);
    expect(api.calls).toHaveLength(2);
  });

  it('sorts a page newest first whatever order the API used, undated rows last', async () => {
    const rows: JobInstance[] = [
      { id: 'old', jobName: '', type: 'SQL', status: 'NEW', startTime: 1 },
      { id: 'undated', jobName: '', type: 'SQL', status: 'NEW' },
      { id: 'new', jobName: '', type: 'SQL', status: 'NEW', startTime: 3 },
    ];
    const page = await fetchHistoryPage(fakeApi(rows), { leagueId: 'L1', limit: 10, offset: 0 });
    expect(page.instances.map((i) => i.id)).toEqual(['new', 'old', 'undated']);
  });

  it('an empty league is one page with no buttons', async () => {
    const page = await fetchHistoryPage(fakeApi([]), { leagueId: 'L1', limit: 10, offset: 0 });
    expect(page).toMatchObject({ total: 0, pageNumber: 1, pageCount: 1, instances: [] });
    expect(page.next ?? page.prev).toBeUndefined();
  });
});

describe('fetchHistoryPage with a status filter', () => {
  const rows = make(1000, (i) => (i % 50 === 7 ? 'FAILED' : 'SUCCEEDED'));

  it('scans until the page is full and resumes exactly after the last match', async () => {
    const api = fakeApi(rows);
    const page = await fetchHistoryPage(api, { leagueId: 'L1', limit: 2, offset: 0, statuses: ['FAILED'] });
    expect(page.instances.map((i) => i.id)).toEqual(['i7', 'i57']);
    expect(page.next).toEqual({ offset: 58, back: [0] });
    expect(page.scan).toEqual({ scanned: 58, cutShort: false });
    const second = await fetchHistoryPage(api, { leagueId: 'L1', limit: 2, offset: 58, statuses: ['FAILED'], back: [0] });
    expect(second.instances.map((i) => i.id)).toEqual(['i107', 'i157']);
    expect(second.pageNumber).toBe(2);
    expect(second.prev).toEqual({ offset: 0, back: [] });
  });

  it('stops at the scan bound, says so, and offers to continue', async () => {
    const api = fakeApi(rows);
    const page = await fetchHistoryPage(api, { leagueId: 'L1', limit: 10, offset: 0, statuses: ['FAILED'] }, { maxScanRecords: 300 });
    expect(page.instances).toHaveLength(6);
    expect(page.scan).toEqual({ scanned: 300, cutShort: true });
    expect(page.next?.offset).toBe(300);
    expect(api.calls.map((c) => [c.offset, c.limit])).toEqual([
      [0, 100],
      [100, 100],
      [200, 100],
    ]);
  });

  it('reaching the end is not "cut short" and has no Next', async () => {
    const page = await fetchHistoryPage(fakeApi(make(120, () => 'RUNNING')), { leagueId: 'L1', limit: 10, offset: 0, statuses: ['FAILED'] });
    expect(page.instances).toEqual([]);
    expect(page.scan).toEqual({ scanned: 120, cutShort: false });
    expect(page.next).toBeUndefined();
  });
});
