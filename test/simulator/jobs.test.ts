import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlJobPage, parseSqlJobPage } from '../../src/tics/jobs-schema.js';
import { DEMO_LEAGUES, UNKNOWN_DEMO_JOB_TYPE, UNKNOWN_DEMO_TYPE, jobIdFor, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, fakeClock, list } from './http.js';

const clock = fakeClock();
const T = clock.now();
const DAY = 86_400_000;
let sim: TicsSimulator;
let seeded: TicsSimulator;

const jobsPath = (s: TicsSimulator, league: string, kind: 'fl-jobs' | 'sql-jobs') => `/v1/${s.projectId}/leagues/${league}/${kind}`;
type Page = { total: number; lists?: Array<Record<string, unknown>> };

function listJobs(s: TicsSimulator, league: string, kind: 'fl-jobs' | 'sql-jobs', offset = 0, limit = 100) {
  return call(s, { path: jobsPath(s, league, kind), query: [['offset', String(offset)], ['limit', String(limit)]] }, clock.now);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: false, now: clock.now });
  sim.world.addLeague('jobsLeague');
  sim.world.addLeague('emptyLeague');
  for (let i = 0; i < 5; i++) sim.world.upsertInstance('jobsLeague', { id: `t${i}`, jobName: `train-${i}`, type: 'VFL_TRAIN', status: 'SUCCEEDED', startTime: T - (10 - i) * DAY });
  sim.world.upsertInstance('jobsLeague', { id: 's1', jobName: 'F3jDA', type: 'SQL', status: 'FAILED', startTime: T - DAY });
  sim.world.upsertInstance('jobsLeague', { id: 's2', jobName: 'F3jDA', type: 'SQL', status: 'SUCCEEDED', startTime: T - 2 * DAY });
  sim.world.addJob('jobsLeague', { kind: 'fl', jobId: 'futureJob1', jobName: 'future', jobType: 'QUANTUM', approvalStatus: 'ESCALATED', createTime: T });
  seeded = await startSimulator({ seed: 1, now: clock.now });
});
afterAll(async () => {
  await sim.close();
  await seeded.close();
});

describe('ListFlJob and ListSqlJob', () => {
  it('list every job the instances use, by kind, with the ids ListInstanceHistory filters on', async () => {
    const fl = (await listJobs(sim, 'jobsLeague', 'fl-jobs')).json() as Page;
    expect(fl.total).toBe(6);
    expect(fl.lists![0]).toEqual({ job_id: 'futureJob1', job_name: 'future', job_type: 'QUANTUM', approval_status: 'ESCALATED', create_time: new Date(T).toISOString().replace('Z', '+00:00') });
    expect(fl.lists!.slice(1).map((j) => j.job_name)).toEqual(['train-4', 'train-3', 'train-2', 'train-1', 'train-0']);
    expect(fl.lists![1]).toMatchObject({ job_id: jobIdFor('train-4'), job_type: 'VFL', hfl_platform_type: 'LOCAL' });
    const sql = (await listJobs(sim, 'jobsLeague', 'sql-jobs')).json() as Page;
    expect(sql).toMatchObject({ total: 1, lists: [{ id: jobIdFor('F3jDA'), name: 'F3jDA', job_type: 'SQL', league_id: 'jobsLeague', deleted: false }] });
    const filtered = (await list(sim, 'jobsLeague', { jobId: sql.lists![0]!.id as string }, clock.now)).json() as Page;
    expect(filtered.total).toBe(2);
  });

  it('pages with total and parses into typed jobs, unknown enum values kept', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 6; offset += 4) {
      const parsed = parseFlJobPage((await listJobs(sim, 'jobsLeague', 'fl-jobs', offset, 4)).json());
      expect(parsed.ok && parsed.value.total).toBe(6);
      if (parsed.ok) seen.push(...parsed.value.jobs.map((j) => j.jobId));
    }
    expect(new Set(seen).size).toBe(6);
    const first = parseFlJobPage((await listJobs(sim, 'jobsLeague', 'fl-jobs', 0, 1)).json());
    expect(first.ok && first.value.jobs[0]).toEqual({ jobId: 'futureJob1', jobName: 'future', jobType: 'QUANTUM', approvalStatus: 'ESCALATED', createTime: T });
  });

  it('leave lists out when a league has none of that kind', async () => {
    expect((await listJobs(sim, 'emptyLeague', 'sql-jobs')).json()).toEqual({ total: 0 });
  });

  it('answer 404 for an unknown league, 400 for bad paging, 401 for a wrong signature', async () => {
    expect((await listJobs(sim, 'noSuchLeague', 'fl-jobs')).status).toBe(404);
    const noLimit = await call(sim, { path: jobsPath(sim, 'jobsLeague', 'sql-jobs'), query: [['offset', '0']] }, clock.now);
    expect([noLimit.status, (noLimit.json() as { error_msg: string }).error_msg]).toEqual([400, expect.stringContaining('limit')]);
    expect((await listJobs(sim, 'jobsLeague', 'fl-jobs', 0, 101)).status).toBe(400);
    const wrong = await call(sim, { path: jobsPath(sim, 'jobsLeague', 'fl-jobs'), query: [['offset', '0'], ['limit', '1']], credentials: { ak: sim.credentials.ak, sk: 'wrong' } }, clock.now);
    expect(wrong.status).toBe(401);
  });
});

describe('seeded jobs', () => {
  it('name exactly the jobs of the seeded histories, with the ids their instances are filtered by', async () => {
    for (const { id: league } of DEMO_LEAGUES) {
      const fl = parseFlJobPage((await listJobs(seeded, league, 'fl-jobs')).json());
      const sql = parseSqlJobPage((await listJobs(seeded, league, 'sql-jobs')).json());
      if (!fl.ok || !sql.ok) throw new Error('unreadable job page');
      const jobs = new Map([...fl.value.jobs.map((j) => [j.jobId, j.jobName] as const), ...sql.value.jobs.map((j) => [j.id, j.name] as const)]);
      for (const instance of seeded.world.instances(league)) {
        const jobId = seeded.world.jobIdOf(league, instance.id)!;
        expect(jobs.get(jobId), `${league}/${instance.id}`).toBe(instance.jobName);
      }
      expect(sql.value.jobs.every((j) => j.jobType === 'SQL' && j.leagueId === league)).toBe(true);
      expect(fl.value.jobs.every((j) => j.createTime! < T - 14 * DAY)).toBe(true);
    }
    const fl = parseFlJobPage((await listJobs(seeded, DEMO_LEAGUES[0]!.id, 'fl-jobs')).json());
    const automl = fl.ok ? fl.value.jobs.find((j) => j.jobType === UNKNOWN_DEMO_JOB_TYPE) : undefined;
    expect(automl).toBeDefined();
    expect(seeded.world.instances(DEMO_LEAGUES[0]!.id).filter((i) => i.type === UNKNOWN_DEMO_TYPE).every((i) => i.jobName === automl!.jobName)).toBe(true);
  });
});
