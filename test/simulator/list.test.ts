import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInstancePage, type JobInstance } from '../../src/tics/schema.js';
import { jobIdFor, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, fakeClock, instancesPath, list } from './http.js';
import { fixture, type Overrides } from '../helpers/overrides.js';

const clock = fakeClock();
const T = clock.now();
const MIN = 60_000;

function inst(id: string, startOffsetMin: number, extra: Overrides<JobInstance> = {}): JobInstance {
  return fixture<JobInstance>({ id, jobName: 'train-a', type: 'VFL_TRAIN', status: 'SUCCEEDED', startTime: T - startOffsetMin * MIN, endTime: T - startOffsetMin * MIN + 5 * MIN, ...extra });
}

let sim: TicsSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: false, now: clock.now });
  sim.world.addLeague('leagueA');
  sim.world.addLeague('emptyLeague');
  // Inserted out of order on purpose: the simulator must sort, not echo insertion order.
  sim.world.upsertInstance('leagueA', inst('i3', 30, { jobName: '信用评分模型训练', roundId: 12, jobPartner: 'agentBank01', ext: '{"lr":0.1}', resultExt: '{"auc":0.8}' }));
  sim.world.upsertInstance('leagueA', inst('i1', 90, { type: 'SQL', jobName: 'F3jDA' }));
  sim.world.upsertInstance('leagueA', inst('i5', 10, { status: 'RUNNING', endTime: undefined }));
  sim.world.upsertInstance('leagueA', inst('i2', 60, { type: 'SQL', jobName: 'F3jDA', status: 'FAILED' }));
  sim.world.upsertInstance('leagueA', inst('i4', 20, { type: 'VFL_PREDICT', isSinglePredict: true }));
  for (let i = 0; i < 7; i++) sim.world.upsertInstance('leagueA', inst(`old${i}`, 1000 + i, { jobName: 'nightly-sql', type: 'SQL' }));
});
afterAll(() => sim.close());

const listIds = (body: unknown) => ((body as { lists?: Array<{ id: string }> }).lists ?? []).map((x) => x.id);

describe('ListInstanceHistory happy path', () => {
  it('answers the documented wire format, newest start first, with JSON type and a request id', async () => {
    const res = await list(sim, 'leagueA', { offset: 0, limit: 5 }, clock.now);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const body = res.json() as { total: number; lists: Array<Record<string, unknown>> };
    expect(body.total).toBe(12);
    expect(listIds(body)).toEqual(['i5', 'i4', 'i3', 'i2', 'i1']);
    const i3 = body.lists[2]!;
    expect(i3).toEqual({
      id: 'i3',
      job_name: '信用评分模型训练',
      job_instance_type: 'VFL_TRAIN',
      status: 'SUCCEEDED',
      round_id: 12,
      start_time: '2024-05-01T07:30:00.000+00:00',
      end_time: '2024-05-01T07:35:00.000+00:00',
      job_partner: 'agentBank01',
      ext: '{"lr":0.1}',
      result_ext: '{"auc":0.8}',
    });
    // A running instance has no end_time key at all, not null.
    expect(Object.keys(body.lists[0]!)).not.toContain('end_time');
    expect(body.lists[1]!.is_single_predict).toBe(true);
    // And the bot's own parser accepts it and gets the same values back.
    const parsed = parseInstancePage(body);
    expect(parsed.ok && parsed.value.instances[2]).toEqual(sim.world.instance('leagueA', 'i3'));
  });

  it('paginates with total counting every record, pages disjoint and complete', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 12; offset += 5) {
      const body = (await list(sim, 'leagueA', { offset, limit: 5 }, clock.now)).json() as { total: number };
      expect(body.total).toBe(12);
      seen.push(...listIds(body));
    }
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect(seen).toEqual(sim.world.instances('leagueA').map((i) => i.id));
  });

  it('returns an empty lists (with the total) past the end and for limit=0', async () => {
    expect((await list(sim, 'leagueA', { offset: 12, limit: 5 }, clock.now)).json()).toEqual({ total: 12, lists: [] });
    expect((await list(sim, 'leagueA', { offset: 0, limit: 0 }, clock.now)).json()).toEqual({ total: 12, lists: [] });
  });

  it('filters by job_id, total included', async () => {
    const body = (await list(sim, 'leagueA', { offset: 0, limit: 3, jobId: jobIdFor('nightly-sql') }, clock.now)).json() as { total: number; lists: Array<{ job_name: string }> };
    expect(body.total).toBe(7);
    expect(body.lists).toHaveLength(3);
    expect(body.lists.every((l) => l.job_name === 'nightly-sql')).toBe(true);
    const sql = (await list(sim, 'leagueA', { jobId: jobIdFor('F3jDA') }, clock.now)).json();
    expect(listIds(sql)).toEqual(['i2', 'i1']);
  });

  it('omits lists entirely when nothing matches (empty league or unknown job)', async () => {
    const empty = await list(sim, 'emptyLeague', {}, clock.now);
    expect(empty.status).toBe(200);
    expect(empty.json()).toEqual({ total: 0 });
    expect(empty.text).not.toContain('lists');
    expect((await list(sim, 'leagueA', { jobId: 'abc123' }, clock.now)).json()).toEqual({ total: 0 });
  });

  it('accepts the boundary values', async () => {
    for (const query of [
      [['offset', '0'], ['limit', '100']],
      [['offset', '2147483647'], ['limit', '1']],
      [['limit', '0'], ['offset', '0'], ['unknown', 'ignored']],
    ] as Array<Array<[string, string]>>) {
      expect((await call(sim, { path: instancesPath(sim, 'leagueA'), query }, clock.now)).status).toBe(200);
    }
  });
});

describe('ListInstanceHistory validation', () => {
  const cases: Array<[string, Array<[string, string]>, string]> = [
    ['missing limit', [['offset', '0']], 'limit'],
    ['missing offset', [['limit', '10']], 'offset'],
    ['non-numeric limit', [['offset', '0'], ['limit', 'ten']], 'limit'],
    ['fractional limit', [['offset', '0'], ['limit', '1.5']], 'limit'],
    ['empty limit', [['offset', '0'], ['limit', '']], 'limit'],
    ['limit above 100', [['offset', '0'], ['limit', '101']], 'limit'],
    ['negative limit', [['offset', '0'], ['limit', '-1']], 'limit'],
    ['negative offset', [['offset', '-1'], ['limit', '10']], 'offset'],
    ['offset beyond int32', [['offset', '2147483648'], ['limit', '10']], 'offset'],
    ['non-numeric offset', [['offset', '1e3'], ['limit', '10']], 'offset'],
    ['repeated limit', [['offset', '0'], ['limit', '1'], ['limit', '2']], 'limit'],
    ['job_id with punctuation', [['offset', '0'], ['limit', '10'], ['job_id', 'job-1']], 'job_id'],
    ['job_id of 33 chars', [['offset', '0'], ['limit', '10'], ['job_id', 'a'.repeat(33)]], 'job_id'],
    ['empty job_id', [['offset', '0'], ['limit', '10'], ['job_id', '']], 'job_id'],
  ];
  it.each(cases)('%s → 400 TICS.0400 naming the parameter', async (_name, query, param) => {
    const res = await call(sim, { path: instancesPath(sim, 'leagueA'), query }, clock.now);
    expect(res.status).toBe(400);
    const body = res.json() as { error_code: string; error_msg: string };
    expect(body.error_code).toBe('TICS.0400');
    expect(body.error_msg).toContain(param);
  });

  it('rejects malformed path ids with 400', async () => {
    const q: Array<[string, string]> = [['offset', '0'], ['limit', '1']];
    const longLeague = await call(sim, { path: instancesPath(sim, 'L'.repeat(33)), query: q }, clock.now);
    expect([longLeague.status, (longLeague.json() as { error_msg: string }).error_msg]).toEqual([400, expect.stringContaining('league_id')]);
    const badLeague = await call(sim, { path: instancesPath(sim, 'league%20A'), query: q }, clock.now);
    expect(badLeague.status).toBe(400);
  });

  it('answers 403 for another project and 404 for an unknown league', async () => {
    const q: Array<[string, string]> = [['offset', '0'], ['limit', '1']];
    const other = await call(sim, { path: instancesPath(sim, 'leagueA', 'ffffffffffffffffffffffffffffffff'), query: q }, clock.now);
    expect(other.status).toBe(403);
    expect((other.json() as { error_code: string }).error_code).toBe('TICS.0403');
    const missing = await call(sim, { path: instancesPath(sim, 'noSuchLeague'), query: q }, clock.now);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error_code: 'TICS.0404', error_msg: expect.stringContaining('noSuchLeague') });
  });

  it('answers unknown routes with a JSON 404 and non-GET methods with 405', async () => {
    const route = await call(sim, { path: `/v1/${sim.projectId}/leagues/leagueA/partners`, query: [] }, clock.now);
    expect(route.status).toBe(404);
    expect(route.headers['content-type']).toMatch(/^application\/json/);
    expect((route.json() as { error_code: string }).error_code).toBe('APIGW.0101');
    const post = await call(sim, { method: 'POST', path: instancesPath(sim, 'leagueA'), query: [['offset', '0'], ['limit', '1']], body: '{}' }, clock.now);
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
  });
});

describe('request bookkeeping', () => {
  it('gives every response a distinct 32-hex X-Request-Id, recorded with the status sent', async () => {
    const before = sim.requests.length;
    const responses = await Promise.all([
      list(sim, 'leagueA', {}, clock.now),
      list(sim, 'noSuchLeague', {}, clock.now),
      call(sim, { path: instancesPath(sim, 'leagueA'), query: [], unsigned: true }, clock.now),
      call(sim, { path: '/nowhere', query: [] }, clock.now),
    ]);
    const ids = responses.map((r) => r.headers['x-request-id']);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    const recorded = sim.requests.slice(before);
    expect(recorded).toHaveLength(4);
    for (const r of responses) {
      const rec = recorded.find((x) => x.requestId === r.headers['x-request-id']);
      expect(rec?.status).toBe(r.status);
    }
    const ok = recorded.find((x) => x.status === 200)!;
    expect(ok).toMatchObject({ method: 'GET', path: instancesPath(sim, 'leagueA'), auth: 'aksk', leagueId: 'leagueA', query: { offset: '0', limit: '100' }, at: clock.now() });
    expect(recorded.find((x) => x.status === 401)?.auth).toBe('none');
  });
});
