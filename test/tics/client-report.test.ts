import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { akskAuth } from '../../src/tics/auth.js';
import { TicsAuthError, TicsInputError, TicsRequestError, TicsResponseError, TicsUpstreamError } from '../../src/tics/errors.js';
import type { Deploy } from '../../src/tics/report-schema.js';
import type { TicsOperation } from '../../src/metrics.js';
import { ticsClients } from '../helpers/tics-clients.js';

const LEAGUE = 'reportClientLeague';
const T0 = Date.parse('2026-11-01T00:00:00Z');
let sim: TicsSimulator;

const { client, closeAll } = ticsClients(() => sim);

const taskStatuses = (deploys: Deploy[]) => deploys.flatMap((d) => (d.stages ?? []).flatMap((s) => (s.processors ?? []).map((p) => p.taskStatus)));

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  sim.world.addLeague(LEAGUE, { name: 'Reports', creatorName: 'report-admin' });
  const common = { jobName: 'hfl-xray', type: 'HFL', startTime: T0, jobPartner: 'agentHospA(第一人民医院),agentHospB(中心医院)' };
  sim.world.upsertInstance(LEAGUE, { ...common, id: 'done1', status: 'SUCCEEDED', endTime: T0 + 600_000, roundId: 4, resultExt: '{"accuracy":0.9}' });
  sim.world.upsertInstance(LEAGUE, { ...common, id: 'fail1', status: 'FAILED', endTime: T0 + 300_000, roundId: 2 });
  sim.world.upsertInstance(LEAGUE, { ...common, id: 'odd1', status: 'PAUSED', roundId: 1 });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await closeAll();
  await sim.close();
});

describe('showInstanceReport', () => {
  it('returns the typed report of a finished instance', async () => {
    const report = await client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'done1' });
    expect(report.jobReportBaseInfo).toEqual({ jobName: 'hfl-xray', jobType: 'HFL', status: 'SUCCEEDED', hflType: 'TRAIN', executor: 'report-admin', exeTime: T0 });
    expect(report.jobReportEnv).toMatchObject({ leagueId: LEAGUE, leagueName: 'Reports', projectId: sim.projectId, aggName: 'aggServer01' });
    expect(report.jobReportPartners!.map((p) => p.partnerDomainAlias)).toEqual(['第一人民医院', '中心医院']);
    expect(report.jobReportOutput).toMatchObject({ resultStorageAgentName: 'agentHospA', ext: '{"accuracy":0.9}' });
    const round = report.roundDeploys![0]!;
    expect(round.roundId).toBe(4);
    // Two hospitals and the HFL aggregator.
    expect(round.deploys!.map((d) => d.nodeType)).toEqual(['AGENT', 'AGENT', 'AGG']);
  });

  it('keeps an unknown instance status in the report and the graph', async () => {
    const report = await client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'odd1' });
    expect(report.jobReportBaseInfo?.status).toBe('PAUSED');
    expect(taskStatuses(report.roundDeploys![0]!.deploys!)).toContain('PAUSED');
  });

  it('an unknown instance is a 404 TicsRequestError; bad ids never leave', async () => {
    await expect(client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'nosuch1' })).rejects.toMatchObject({ httpStatus: 404, errorCode: 'TICS.0404' });
    const before = sim.requests.length;
    await expect(client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'a'.repeat(33) })).rejects.toThrow(TicsInputError);
    await expect(client().showInstanceReport({ leagueId: '', instanceId: 'done1' })).rejects.toThrow(/leagueId/);
    expect(sim.requests.length).toBe(before);
  });

  it('retries a 5xx, then gives up with a typed error, metered as show_instance_report', async () => {
    const outcomes: string[] = [];
    const retries: TicsOperation[] = [];
    const metrics = { ticsRequest: (op: TicsOperation, outcome: string) => void outcomes.push(`${op}:${outcome}`), ticsRetry: (op: TicsOperation) => void retries.push(op), ticsHedge() {} };
    sim.injectFault({ kind: 'status', status: 502 }, { path: 'report', times: 3 });
    await expect(client({ metrics }).showInstanceReport({ leagueId: LEAGUE, instanceId: 'done1' })).rejects.toThrow(TicsUpstreamError);
    expect(retries).toEqual(['show_instance_report', 'show_instance_report']);
    expect(outcomes).toEqual(['show_instance_report:5xx']);
  });

  it('a body that is not a report object is a TicsResponseError; a wrong SK a TicsAuthError', async () => {
    sim.injectFault({ kind: 'malformed' }, { path: 'report', times: 3 });
    await expect(client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'done1' })).rejects.toThrow(TicsResponseError);
    // Every report field is optional, so an object of unknown fields reads as an empty report.
    sim.injectFault({ kind: 'schema' }, { path: 'report' });
    await expect(client().showInstanceReport({ leagueId: LEAGUE, instanceId: 'done1' })).resolves.toEqual({});
    const wrong = client({ auth: akskAuth({ ak: sim.credentials.ak, sk: 'wrong-secret', projectId: sim.projectId }) });
    await expect(wrong.showInstanceReport({ leagueId: LEAGUE, instanceId: 'done1' })).rejects.toThrow(TicsAuthError);
  });
});

describe('showJobInstanceDag', () => {
  it('returns the graph of one round: a failed instance has a failed stage', async () => {
    const c = client();
    const failed = await c.showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'fail1', roundId: 2 });
    expect(taskStatuses(failed)).toContain('FAILED');
    expect(sim.requests.at(-1)?.query).toEqual({ round_id: '2' });
    const done = await c.showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: 4 });
    expect(new Set(taskStatuses(done))).toEqual(new Set(['SUCCEEDED']));
    expect(await c.showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: 99 })).toEqual([]);
  });

  it('validates round_id before any request', async () => {
    const before = sim.requests.length;
    await expect(client().showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: -1 })).rejects.toThrow(/roundId/);
    await expect(client().showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: 0.5 })).rejects.toThrow(TicsInputError);
    expect(sim.requests.length).toBe(before);
  });

  it('errors: malformed body, unknown instance, retried 5xx', async () => {
    sim.injectFault({ kind: 'malformed' }, { path: 'dag', times: 3 });
    await expect(client().showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: 1 })).rejects.toThrow(TicsResponseError);
    await expect(client().showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'nosuch1', roundId: 1 })).rejects.toThrow(TicsRequestError);
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'dag', leagueId: LEAGUE });
    await expect(client().showJobInstanceDag({ leagueId: LEAGUE, instanceId: 'done1', roundId: 1 })).resolves.toHaveLength(3);
  });
});
