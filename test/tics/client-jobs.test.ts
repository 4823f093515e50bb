import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LEAGUES, jobIdFor, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { akskAuth, tokenAuth } from '../../src/tics/auth.js';
import { TicsAuthError, TicsInputError, TicsRequestError, TicsResponseError, TicsThrottledError } from '../../src/tics/errors.js';
import type { TicsOperation } from '../../src/metrics.js';
import { ticsClients } from '../helpers/tics-clients.js';

const LEAGUE = 'jobsClientLeague';
const T0 = Date.parse('2026-11-01T00:00:00Z');
let sim: TicsSimulator;

const { client, closeAll } = ticsClients(() => sim);

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, tokens: ['static-token-abcdefgh'] });
  sim.world.addLeague(LEAGUE);
  for (let i = 0; i < 12; i++) sim.world.upsertInstance(LEAGUE, { id: `fl${i}`, jobName: `train-${i}`, type: i % 2 ? 'HFL' : 'VFL_PREDICT', status: 'SUCCEEDED', startTime: T0 + i * 60_000 });
  sim.world.upsertInstance(LEAGUE, { id: 'sq1', jobName: 'monthly-count', type: 'SQL', status: 'SUCCEEDED', startTime: T0 });
  sim.world.addJob(LEAGUE, { kind: 'sql', id: 'futureSql1', name: 'future', jobType: 'GRAPH_QUERY', approvalStatus: 'PONDERING', deleted: true, createTime: T0 - 1 });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await closeAll();
  await sim.close();
});

describe('listFlJobs', () => {
  it('pages through the federated-learning jobs with the total', async () => {
    const c = client();
    const ids: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const page = await c.listFlJobs({ leagueId: LEAGUE, offset, limit: 5 });
      expect(page.total).toBe(12);
      ids.push(...page.jobs.map((j) => j.jobId));
    }
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 12 }, (_, i) => jobIdFor(`train-${i}`))));
    const [newest] = (await c.listFlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).jobs;
    expect(newest).toMatchObject({ jobId: jobIdFor('train-11'), jobName: 'train-11', jobType: 'HFL', hflPlatformType: 'LOCAL', createTime: T0 + 11 * 60_000 - 86_400_000 });
  });

  it('gives job ids that filter ListInstanceHistory to that job', async () => {
    const c = client();
    const seededLeague = DEMO_LEAGUES[1]!.id;
    const { jobs } = await c.listFlJobs({ leagueId: seededLeague, offset: 0, limit: 100 });
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs.slice(0, 3)) {
      const page = await c.listInstanceHistory({ leagueId: seededLeague, offset: 0, limit: 100, jobId: job.jobId });
      expect(page.instances.every((i) => i.jobName === job.jobName)).toBe(true);
    }
  });

  it('validates input before any request', async () => {
    const before = sim.requests.length;
    await expect(client().listFlJobs({ leagueId: LEAGUE, offset: 0, limit: 1000 })).rejects.toThrow(TicsInputError);
    await expect(client().listFlJobs({ leagueId: 'a-b', offset: 0, limit: 10 })).rejects.toThrow(/leagueId/);
    await expect(client().listFlJobs({ leagueId: LEAGUE, offset: 1.5, limit: 10 })).rejects.toThrow(/offset/);
    expect(sim.requests.length).toBe(before);
  });

  it('an unknown league is a TicsRequestError (404)', async () => {
    await expect(client().listFlJobs({ leagueId: 'noSuchLeague', offset: 0, limit: 1 })).rejects.toMatchObject({ httpStatus: 404, kind: 'request' });
  });
});

describe('listSqlJobs', () => {
  it('lists SQL jobs, unknown enum values flowing through, with token auth too', async () => {
    const page = await client({ auth: tokenAuth('static-token-abcdefgh') }).listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 10 });
    expect(page.total).toBe(2);
    // Newest created first: the job of sq1 was created a day before sq1 started.
    expect(page.jobs[1]).toMatchObject({ id: jobIdFor('monthly-count'), name: 'monthly-count', jobType: 'SQL', leagueId: LEAGUE, deleted: false });
    expect(page.jobs[0]).toEqual({ id: 'futureSql1', name: 'future', jobType: 'GRAPH_QUERY', approvalStatus: 'PONDERING', deleted: true, createTime: T0 - 1 });
  });

  it('retries throttling and names the operation in metrics', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 0 }, { path: 'sql_jobs', leagueId: LEAGUE });
    const retries: TicsOperation[] = [];
    const requests: string[] = [];
    const metrics = { ticsRequest: (op: TicsOperation, outcome: string) => void requests.push(`${op}:${outcome}`), ticsRetry: (op: TicsOperation) => void retries.push(op), ticsHedge() {} };
    await expect(client({ metrics }).listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 2 });
    expect(retries).toEqual(['list_sql_jobs']);
    expect(requests).toEqual(['list_sql_jobs:ok']);
  });

  it('throttled beyond the retries, unauthorised and malformed answers are typed errors', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 0 }, { path: 'sql_jobs', times: 3 });
    await expect(client().listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toThrow(TicsThrottledError);
    sim.injectFault({ kind: 'html', status: 200 }, { path: 'sql_jobs', times: 3 });
    await expect(client().listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toThrow(TicsResponseError);
    const wrong = client({ auth: akskAuth({ ak: sim.credentials.ak, sk: 'wrong-secret', projectId: sim.projectId }) });
    await expect(wrong.listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toThrow(TicsAuthError);
    sim.injectFault({ kind: 'status', status: 403, errorCode: 'TICS.0403' }, { path: 'sql_jobs' });
    await expect(client().listSqlJobs({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toThrow(TicsRequestError);
  });
});
