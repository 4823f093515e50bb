import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseInstancePage } from '../../src/tics/schema.js';
import { DEFAULT_IAM_USER, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, list } from './http.js';

let sim: TicsSimulator;

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  sim.world.addLeague('leagueA');
  sim.world.addLeague('leagueB');
  sim.world.upsertInstance('leagueA', { id: 'i1', jobName: 'job', type: 'SQL', status: 'SUCCEEDED', startTime: Date.now() - 60_000 });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearFaults();
  sim.setLatency(0);
});

const code = (res: { json: () => unknown }) => (res.json() as { error_code?: string }).error_code;

describe('injected faults', () => {
  it('status: the given status with the documented error body', async () => {
    sim.injectFault({ kind: 'status', status: 503 });
    const res = await list(sim, 'leagueA');
    expect(res.status).toBe(503);
    expect(res.json()).toEqual({ error_code: 'TICS.0503', error_msg: 'Service Unavailable' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    sim.injectFault({ kind: 'status', status: 500, errorCode: 'TICS.9999', errorMsg: 'boom' });
    expect((await list(sim, 'leagueA')).json()).toEqual({ error_code: 'TICS.9999', error_msg: 'boom' });
  });

  it('throttle: 429 APIGW.0308 with Retry-After', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 4 });
    const res = await list(sim, 'leagueA');
    expect([res.status, code(res), res.headers['retry-after']]).toEqual([429, 'APIGW.0308', '4']);
    sim.injectFault({ kind: 'throttle' });
    expect((await list(sim, 'leagueA')).headers['retry-after']).toBe('2');
  });

  it('auth: a forced 401 with the chosen code even for a valid signature', async () => {
    sim.injectFault({ kind: 'auth', errorCode: 'APIGW.0307' });
    const res = await list(sim, 'leagueA');
    expect([res.status, code(res)]).toEqual([401, 'APIGW.0307']);
    sim.injectFault({ kind: 'auth' });
    expect(code(await list(sim, 'leagueA'))).toBe('APIGW.0301');
  });

  it('latency: delays that one response, which is then normal', async () => {
    sim.injectFault({ kind: 'latency', ms: 150 });
    const started = performance.now();
    const slow = await list(sim, 'leagueA');
    const slowMs = performance.now() - started;
    expect(slow.status).toBe(200);
    expect(slowMs).toBeGreaterThanOrEqual(140);
    const t2 = performance.now();
    await list(sim, 'leagueA');
    expect(performance.now() - t2).toBeLessThan(slowMs);
  });

  it('malformed: 200 whose body is not JSON', async () => {
    sim.injectFault({ kind: 'malformed' });
    const res = await list(sim, 'leagueA');
    expect(res.status).toBe(200);
    expect(() => res.json()).toThrow(SyntaxError);
  });

  it('html: an HTML error page with the given status', async () => {
    sim.injectFault({ kind: 'html', status: 502 });
    const res = await list(sim, 'leagueA');
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<html>');
    expect(() => res.json()).toThrow();
  });

  it('schema: 200 JSON that the bot’s parser rejects', async () => {
    sim.injectFault({ kind: 'schema' });
    const res = await list(sim, 'leagueA');
    expect(res.status).toBe(200);
    expect(parseInstancePage(res.json()).ok).toBe(false);
  });

  it('reset: the connection dies without an answer, recorded with status 0', async () => {
    sim.injectFault({ kind: 'reset' });
    const before = sim.requests.length;
    await expect(list(sim, 'leagueA')).rejects.toThrow();
    expect(sim.requests.slice(before).map((r) => r.status)).toEqual([0]);
    expect((await list(sim, 'leagueA')).status).toBe(200);
  });
});

describe('fault matching', () => {
  it('applies to the next N matching requests, in injection order, and records each with its status', async () => {
    const before = sim.requests.length;
    sim.injectFault({ kind: 'status', status: 500 }, { times: 2 });
    sim.injectFault({ kind: 'status', status: 502 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await list(sim, 'leagueA')).status);
    expect(statuses).toEqual([500, 500, 502, 200]);
    expect(sim.requests.slice(before).map((r) => r.status)).toEqual([500, 500, 502, 200]);
  });

  it('targets one league only when asked', async () => {
    sim.injectFault({ kind: 'status', status: 500 }, { leagueId: 'leagueB' });
    expect((await list(sim, 'leagueA')).status).toBe(200);
    expect((await list(sim, 'leagueB')).status).toBe(500);
    expect((await list(sim, 'leagueB')).status).toBe(200);
  });

  it('targets the IAM or the instances endpoint when asked', async () => {
    sim.injectFault({ kind: 'status', status: 503 }, { path: 'iam' });
    expect((await list(sim, 'leagueA')).status).toBe(200);
    const iamBody = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: DEFAULT_IAM_USER.name, password: DEFAULT_IAM_USER.password, domain: { name: DEFAULT_IAM_USER.domain } } } },
        scope: { project: { id: sim.projectId } },
      },
    });
    const token = () => call(sim, { method: 'POST', path: '/v3/auth/tokens', query: [['nocatalog', 'true']], unsigned: true, body: iamBody });
    const failed = await token();
    expect(failed.status).toBe(503);
    expect((failed.json() as { error: { code: number } }).error.code).toBe(503);
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'instances' });
    expect((await token()).status).toBe(201);
    expect((await list(sim, 'leagueA')).status).toBe(500);
  });

  it('clearFaults drops everything pending', async () => {
    sim.injectFault({ kind: 'status', status: 500 }, { times: 5 });
    sim.clearFaults();
    expect((await list(sim, 'leagueA')).status).toBe(200);
  });

  it('rejects nonsense options', () => {
    expect(() => sim.injectFault({ kind: 'reset' }, { times: 0 })).toThrow();
    expect(() => sim.injectFault({ kind: 'reset' }, { leagueId: 'leagueA', path: 'iam' })).toThrow();
  });
});

describe('latency', () => {
  it('setLatency delays every response until reset', async () => {
    sim.setLatency(120);
    const t = performance.now();
    await Promise.all([list(sim, 'leagueA'), list(sim, 'leagueA')]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(110);
    sim.setLatency(0);
    const t2 = performance.now();
    await list(sim, 'leagueA');
    expect(performance.now() - t2).toBeLessThan(110);
  });

  it('close() does not wait for a slow response', async () => {
    const slow = await startSimulator({ seed: false, latencyMs: 10_000 });
    slow.world.addLeague('leagueA');
    const pending = list(slow, 'leagueA').then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t = performance.now();
    await slow.close();
    expect(await pending).toBe('failed');
    expect(performance.now() - t).toBeLessThan(2000);
  });
});
