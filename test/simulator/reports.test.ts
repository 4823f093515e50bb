import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstanceDag, parseInstanceReport, type Deploy } from '../../src/tics/report-schema.js';
import { DEMO_LEAGUES, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, fakeClock } from './http.js';

const clock = fakeClock();
const T = clock.now();
const MIN = 60_000;
let sim: TicsSimulator;
let seeded: TicsSimulator;

const base = (s: TicsSimulator, league: string, instance: string) => `/v1/${s.projectId}/leagues/${league}/job-instances/${instance}`;
const report = (s: TicsSimulator, league: string, instance: string) => call(s, { path: `${base(s, league, instance)}/report` }, clock.now);
const dag = (s: TicsSimulator, league: string, instance: string, round: string | undefined) =>
  call(s, { path: `${base(s, league, instance)}/dag`, query: round === undefined ? [] : [['round_id', round]] }, clock.now);

function statuses(deploys: Deploy[]): string[] {
  return deploys.flatMap((d) => (d.stages ?? []).flatMap((s) => (s.processors ?? []).map((p) => p.taskStatus ?? '')));
}

function readDag(body: unknown): Deploy[] {
  const parsed = parseInstanceDag(body);
  if (!parsed.ok) throw new Error(parsed.issues);
  return parsed.value;
}

beforeAll(async () => {
  sim = await startSimulator({ seed: false, now: clock.now });
  sim.world.addLeague('repLeague', { name: 'Report League' });
  const common = { jobName: 'credit-xgb', type: 'VFL_TRAIN', startTime: T - 60 * MIN, jobPartner: 'agentBank01(城商银行),agentTelco02(运营商)' };
  sim.world.upsertInstance('repLeague', { ...common, id: 'ok1', status: 'SUCCEEDED', endTime: T - 10 * MIN, roundId: 3, resultExt: '{"auc":0.81}' });
  sim.world.upsertInstance('repLeague', { ...common, id: 'bad1', status: 'FAILED', endTime: T - 5 * MIN, roundId: 2, resultExt: 'Out of memory' });
  sim.world.upsertInstance('repLeague', { ...common, id: 'run1', status: 'RUNNING', roundId: 1 });
  sim.world.upsertInstance('repLeague', { ...common, id: 'new1', status: 'NEW' });
  seeded = await startSimulator({ seed: 1, now: clock.now });
});
afterAll(async () => {
  await sim.close();
  await seeded.close();
});

describe('ShowInstanceReport', () => {
  it('reports a finished instance: base info, environment, partners from job_partner, output, last round', async () => {
    const res = await report(sim, 'repLeague', 'ok1');
    expect(res.status).toBe(200);
    const body = res.json() as Record<string, unknown>;
    expect(body.job_report_base_info).toMatchObject({ job_name: 'credit-xgb', job_type: 'VFL_TRAIN', status: 'SUCCEEDED', exe_time: new Date(T - 60 * MIN).toISOString().replace('Z', '+00:00') });
    expect(body.job_report_env).toMatchObject({ league_id: 'repLeague', league_name: 'Report League', project_id: sim.projectId });
    const parsed = parseInstanceReport(body);
    if (!parsed.ok) throw new Error(parsed.issues);
    expect(parsed.value.jobReportPartners!.map((p) => [p.agentName, p.partnerDomainAlias])).toEqual([
      ['agentBank01', '城商银行'],
      ['agentTelco02', '运营商'],
    ]);
    expect(parsed.value.jobReportOutput).toMatchObject({ resultStorageAgentName: 'agentBank01', ext: '{"auc":0.81}' });
    expect(parsed.value.roundDeploys).toHaveLength(1);
    expect(parsed.value.roundDeploys![0]!.roundId).toBe(3);
    expect(parsed.value.jobReportBaseInfo!.exeTime).toBe(T - 60 * MIN);
  });

  it('is the same on every call and follows the instance when it changes', async () => {
    expect((await report(sim, 'repLeague', 'bad1')).text).toBe((await report(sim, 'repLeague', 'bad1')).text);
    sim.world.upsertInstance('repLeague', { id: 'flip1', jobName: 'x', type: 'SQL', status: 'RUNNING', startTime: T - MIN });
    const before = parseInstanceReport((await report(sim, 'repLeague', 'flip1')).json());
    expect(before.ok && before.value.jobReportBaseInfo!.status).toBe('RUNNING');
    sim.world.setStatus('repLeague', 'flip1', 'FAILED');
    const after = parseInstanceReport((await report(sim, 'repLeague', 'flip1')).json());
    expect(after.ok && after.value.jobReportBaseInfo!.status).toBe('FAILED');
    expect(after.ok && statuses(after.value.roundDeploys![0]!.deploys!)).toContain('FAILED');
  });

  it('answers 404 for an unknown instance or league and 400 for a malformed instance id', async () => {
    const missing = await report(sim, 'repLeague', 'nosuch1');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error_code: 'TICS.0404', error_msg: expect.stringContaining('nosuch1') });
    expect((await report(sim, 'noLeague', 'ok1')).status).toBe(404);
    expect((await report(sim, 'repLeague', 'bad_id!')).status).toBe(400);
  });
});

describe('ShowJobInstanceDag', () => {
  it('a SUCCEEDED instance: every task succeeded, one node per partner, stages chained', async () => {
    const res = await dag(sim, 'repLeague', 'ok1', '3');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json())).toBe(true);
    const deploys = readDag(res.json());
    expect(deploys.map((d) => [d.nodeName, d.nodePartnerAlias, d.nodeType])).toEqual([
      ['agentBank01', '城商银行', 'AGENT'],
      ['agentTelco02', '运营商', 'AGENT'],
    ]);
    expect(new Set(statuses(deploys))).toEqual(new Set(['SUCCEEDED']));
    const stages = deploys[0]!.stages!;
    expect(stages[0]!.lastStepStageId).toBeUndefined();
    for (let i = 1; i < stages.length; i++) expect(stages[i]!.lastStepStageId).toEqual([stages[i - 1]!.id]);
  });

  it('a FAILED instance: the last round has a failed stage, earlier rounds succeeded', async () => {
    const last = readDag((await dag(sim, 'repLeague', 'bad1', '2')).json());
    expect(statuses(last)).toContain('FAILED');
    const failed = last.flatMap((d) => d.stages!).find((s) => s.processors!.some((p) => p.taskStatus === 'FAILED'))!;
    expect(failed.processors![0]!.endTime).toBe(T - 5 * MIN);
    expect(new Set(statuses(readDag((await dag(sim, 'repLeague', 'bad1', '1')).json())))).toEqual(new Set(['SUCCEEDED']));
  });

  it('a RUNNING instance has a running stage; a round not reached yet and a NEW instance have none', async () => {
    expect(statuses(readDag((await dag(sim, 'repLeague', 'run1', '1')).json()))).toContain('RUNNING');
    expect((await dag(sim, 'repLeague', 'run1', '5')).json()).toEqual([]);
    expect((await dag(sim, 'repLeague', 'new1', '0')).json()).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['negative', '-1'],
    ['beyond int32', '2147483648'],
    ['not a number', 'last'],
  ])('round_id %s → 400', async (_name, round) => {
    const res = await dag(sim, 'repLeague', 'ok1', round);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'TICS.0400', error_msg: expect.stringContaining('round_id') });
  });

  it('checks the signature (a wrong SK gets 401)', async () => {
    const res = await call(sim, { path: `${base(sim, 'repLeague', 'ok1')}/dag`, query: [['round_id', '1']], credentials: { ak: sim.credentials.ak, sk: 'wrong' } }, clock.now);
    expect(res.status).toBe(401);
  });
});

describe('seeded reports and graphs', () => {
  it('agree with every seeded instance: SUCCEEDED all succeeded, FAILED has a failed stage', async () => {
    let failed = 0;
    for (const { id: league } of DEMO_LEAGUES) {
      for (const instance of seeded.world.instances(league).filter((i) => i.status === 'SUCCEEDED' || i.status === 'FAILED')) {
        const parsed = parseInstanceReport((await report(seeded, league, instance.id)).json());
        if (!parsed.ok) throw new Error(parsed.issues);
        expect(parsed.value.jobReportBaseInfo).toMatchObject({ jobName: instance.jobName, jobType: instance.type, status: instance.status });
        const tasks = statuses(parsed.value.roundDeploys![0]!.deploys!);
        if (instance.status === 'SUCCEEDED') expect(new Set(tasks)).toEqual(new Set(['SUCCEEDED']));
        else {
          expect(tasks).toContain('FAILED');
          failed += 1;
        }
      }
    }
    expect(failed).toBeGreaterThan(0);
  });
});
