import { describe, expect, it } from 'vitest';
import { canListJobs, fetchLeagueJobs, JOBS_CACHE_TTL_MS, leagueJobsCached, type LeagueJobs } from '../../src/history/league-jobs.js';
import type { TicsApi } from '../../src/tics/client.js';
import type { FlJob, SqlJob } from '../../src/tics/jobs-schema.js';

const DAY = 86_400_000;

function api(fl: FlJob[], sql: SqlJob[], totals: { fl?: number; sql?: number } = {}): TicsApi {
  return {
    listInstanceHistory: () => Promise.reject(new Error('not used')),
    listFlJobs: () => Promise.resolve({ total: totals.fl ?? fl.length, jobs: fl }),
    listSqlJobs: () => Promise.resolve({ total: totals.sql ?? sql.length, jobs: sql }),
  };
}

describe('fetchLeagueJobs', () => {
  it('merges both lists by id, newest first, without deleted SQL jobs', async () => {
    const jobs = await fetchLeagueJobs(
      api(
        [
          { jobId: 'fl1', jobName: 'train', createTime: 3 * DAY },
          { jobId: 'same', jobName: 'dup-fl', createTime: 1 * DAY },
        ],
        [
          { id: 'sql1', name: 'report', createTime: 5 * DAY },
          { id: 'same', name: 'dup-sql', createTime: 0 },
          { id: 'gone', name: 'deleted one', createTime: 9 * DAY, deleted: true },
          { id: 'undated', name: 'no date' },
        ],
      ),
      'league1',
    );
    expect(jobs.jobs).toEqual([
      { id: 'sql1', name: 'report' },
      { id: 'fl1', name: 'train' },
      { id: 'same', name: 'dup-fl' },
      { id: 'undated', name: 'no date' },
    ]);
    expect(jobs.total).toBe(4);
  });

  it('counts the jobs beyond the first page of either list', async () => {
    const jobs = await fetchLeagueJobs(api([{ jobId: 'a', jobName: 'a' }], [{ id: 'b', name: 'b' }], { fl: 150, sql: 70 }), 'league1');
    expect(jobs.total).toBe(2 + 149 + 69);
  });

  it('knows when the API at hand cannot list jobs', () => {
    expect(canListJobs(api([], []))).toBe(true);
    expect(canListJobs({ listInstanceHistory: () => Promise.reject(new Error('x')) })).toBe(false);
  });
});

describe('leagueJobsCached', () => {
  const value: LeagueJobs = { jobs: [{ id: 'a', name: 'a' }], total: 1 };

  it('asks once a minute per league and API, shares a fetch in flight, and forgets failures', async () => {
    const owner = api([], []);
    let loads = 0;
    const load = () => {
      loads += 1;
      return Promise.resolve(value);
    };
    await Promise.all([leagueJobsCached(owner, 'L1', 0, load), leagueJobsCached(owner, 'L1', 10, load)]);
    await leagueJobsCached(owner, 'L1', JOBS_CACHE_TTL_MS - 1, load);
    expect(loads).toBe(1);
    await leagueJobsCached(owner, 'L2', 0, load);
    await leagueJobsCached(api([], []), 'L1', 0, load);
    expect(loads).toBe(3);
    await leagueJobsCached(owner, 'L1', JOBS_CACHE_TTL_MS, load);
    expect(loads).toBe(4);

    const failing = () => Promise.reject(new Error('boom'));
    await expect(leagueJobsCached(owner, 'L3', 0, failing)).rejects.toThrow('boom');
    await expect(leagueJobsCached(owner, 'L3', 1, load)).resolves.toEqual(value);
  });
});
