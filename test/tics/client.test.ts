import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { createStore, type Store } from '../../src/store.js';
import { akskAuth, tokenAuth } from '../../src/tics/auth.js';
import { iteratePages } from '../../src/tics/client.js';
import { TicsAuthError, TicsInputError, TicsRequestError, TicsResponseError, TicsThrottledError, TicsUpstreamError } from '../../src/tics/errors.js';
import { iamAuth } from '../../src/tics/iam.js';
import type { JobInstance } from '../../src/tics/schema.js';
import { ticsClients } from '../helpers/tics-clients.js';

const LEAGUE = 'clientTestLeague1';
const T0 = Date.parse('2026-11-01T00:00:00Z');
let sim: TicsSimulator;

function instance(i: number, patch: Partial<JobInstance> = {}): JobInstance {
  return {
    id: `inst${String(i).padStart(4, '0')}`,
    jobName: `job-${i}`,
    type: 'VFL_TRAIN',
    status: 'SUCCEEDED',
    roundId: i,
    startTime: T0 + i * 60_000,
    endTime: T0 + i * 60_000 + 30_000,
    ...patch,
  };
}

const { client, closeAll } = ticsClients(() => sim, { maxRetryDelayMs: 1_500 });

function requestsTo(leagueId: string) {
  return sim.requests.filter((r) => r.leagueId === leagueId);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: false, tokens: ['static-token-abcdefgh'] });
  sim.world.addLeague(LEAGUE);
  for (let i = 0; i < 250; i++) sim.world.upsertInstance(LEAGUE, instance(i), { jobId: i % 10 === 0 ? 'jobTen' : 'jobOther' });
});

afterEach(() => sim.clearFaults());

afterAll(async () => {
  await closeAll();
  await sim.close();
});

describe('listInstanceHistory against the strict simulator', () => {
  it('returns a typed page with every documented field and the total', async () => {
    const page = await client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 3 });
    expect(page.total).toBe(250);
    expect(page.instances).toHaveLength(3);
    const newest = page.instances[0]!;
    expect(newest).toMatchObject({ id: 'inst0249', jobName: 'job-249', type: 'VFL_TRAIN', status: 'SUCCEEDED', roundId: 249, startTime: T0 + 249 * 60_000 });
    expect(typeof newest.endTime).toBe('number');
  });

  it('pages through everything with the iterator, stopping at total', async () => {
    const c = client();
    const before = requestsTo(LEAGUE).length;
    const ids: string[] = [];
    for await (const page of iteratePages(c, { leagueId: LEAGUE, pageSize: 100 })) ids.push(...page.instances.map((i) => i.id));
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(requestsTo(LEAGUE).length - before).toBe(3);
  });

  it('bounds the iterator by maxRecords', async () => {
    const ids: string[] = [];
    for await (const page of iteratePages(client(), { leagueId: LEAGUE, pageSize: 40, maxRecords: 90 })) ids.push(...page.instances.map((i) => i.id));
    expect(ids).toHaveLength(90);
  });

  it('filters by job_id on the server', async () => {
    const page = await client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 100, jobId: 'jobTen' });
    expect(page.total).toBe(25);
    expect(page.instances.every((i) => Number(i.id.slice(4)) % 10 === 0)).toBe(true);
  });

  it('keeps unknown statuses and types, and Chinese names, intact', async () => {
    sim.world.addLeague('oddLeague');
    sim.world.upsertInstance('oddLeague', instance(1, { status: 'PAUSED', type: 'VFL_AUTOML', jobName: '信用评分模型训练 & <测试>' }));
    const page = await client().listInstanceHistory({ leagueId: 'oddLeague', offset: 0, limit: 10 });
    expect(page.instances[0]).toMatchObject({ status: 'PAUSED', type: 'VFL_AUTOML', jobName: '信用评分模型训练 & <测试>' });
  });

  it('reads an empty league (no `lists` key) as an empty page', async () => {
    sim.world.addLeague('emptyLeague');
    expect(await client().listInstanceHistory({ leagueId: 'emptyLeague', offset: 0, limit: 10 })).toEqual({ total: 0, instances: [] });
  });

  it('validates inputs before any request is made', async () => {
    const c = client();
    const before = sim.requests.length;
    for (const bad of [
      { leagueId: 'has-dash', offset: 0, limit: 10 },
      { leagueId: 'a'.repeat(33), offset: 0, limit: 10 },
      { leagueId: LEAGUE, offset: -1, limit: 10 },
      { leagueId: LEAGUE, offset: 0.5, limit: 10 },
      { leagueId: LEAGUE, offset: 0, limit: 101 },
      { leagueId: LEAGUE, offset: 0, limit: 10, jobId: 'x/y' },
    ]) {
      await expect(c.listInstanceHistory(bad)).rejects.toBeInstanceOf(TicsInputError);
    }
    expect(sim.requests.length).toBe(before);
  });
});

describe('errors and retries', () => {
  it('401: no retry (five failures lock the AK), an auth error with code and request id', async () => {
    const c = client({ auth: akskAuth({ ak: sim.credentials.ak, sk: 'wrong-secret-key', projectId: sim.projectId }) });
    const before = requestsTo(LEAGUE).length;
    const error = await c.listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsAuthError);
    expect(error).toMatchObject({ httpStatus: 401, errorCode: 'APIGW.0301', attempts: 1 });
    expect((error as TicsAuthError).requestId).toMatch(/^[0-9a-f]{32}$/);
    expect((error as Error).message).toContain('AK/SK signing (access key SIMU…');
    expect((error as Error).message).not.toContain('wrong-secret-key');
    expect(requestsTo(LEAGUE).length - before).toBe(1);
  });

  it('rejects a request signed with a clock more than 15 minutes off', async () => {
    const c = client({ auth: akskAuth({ ...sim.credentials, projectId: sim.projectId, now: () => new Date(Date.now() - 20 * 60_000) }) });
    await expect(c.listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toMatchObject({ kind: 'auth', errorCode: 'APIGW.0303' });
  });

  it('accepts a static token and reports a bad one as an auth error', async () => {
    await expect(client({ auth: tokenAuth('static-token-abcdefgh') }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    await expect(client({ auth: tokenAuth('not-a-token') }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toBeInstanceOf(TicsAuthError);
  });

  it('429: retries honouring Retry-After, then succeeds', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 1 }, { leagueId: LEAGUE });
    const before = requestsTo(LEAGUE).length;
    const started = Date.now();
    await expect(client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(requestsTo(LEAGUE).slice(before).map((r) => r.status)).toEqual([429, 200]);
  });

  it('429 that persists: bounded retries, then a throttled error', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 0 }, { leagueId: LEAGUE, times: 10 });
    const before = requestsTo(LEAGUE).length;
    const error = await client({ maxRetries: 2 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsThrottledError);
    expect(error).toMatchObject({ errorCode: 'APIGW.0308', attempts: 3 });
    expect(requestsTo(LEAGUE).length - before).toBe(3);
  });

  it('5xx: retried with backoff and counted on the server, then succeeds', async () => {
    sim.injectFault({ kind: 'status', status: 503 }, { leagueId: LEAGUE, times: 2 });
    const before = requestsTo(LEAGUE).length;
    await expect(client({ maxRetries: 3 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(requestsTo(LEAGUE).slice(before).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('5xx that persists: an upstream error with the attempt count, error body and request id', async () => {
    sim.injectFault({ kind: 'status', status: 500, errorCode: 'TICS.5000', errorMsg: 'internal error' }, { leagueId: LEAGUE, times: 5 });
    const error = await client({ maxRetries: 2 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsUpstreamError);
    expect(error).toMatchObject({ httpStatus: 500, errorCode: 'TICS.5000', errorMsg: 'internal error', attempts: 3 });
    expect((error as TicsUpstreamError).requestId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('an HTML error page from a proxy never reaches the message', async () => {
    sim.injectFault({ kind: 'html', status: 502 }, { leagueId: LEAGUE, times: 5 });
    const error = (await client({ maxRetries: 1 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e)) as TicsUpstreamError;
    expect(error).toBeInstanceOf(TicsUpstreamError);
    expect(error.message).not.toMatch(/<|html/i);
    expect(error.errorMsg).toBeUndefined();
  });

  it('a dropped connection is retried', async () => {
    sim.injectFault({ kind: 'reset' }, { leagueId: LEAGUE });
    await expect(client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
  });

  it('a response slower than the timeout is retried, then reported as a timeout', async () => {
    // undici's timers tick coarsely (~0.5 s), so keep a wide gap between timeout and latency.
    sim.injectFault({ kind: 'latency', ms: 4_000 }, { leagueId: LEAGUE, times: 2 });
    const error = await client({ requestTimeoutMs: 500, maxRetries: 1 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsUpstreamError);
    expect((error as Error).message).toMatch(/timed out.*2 attempts/);
  });

  it('a 2xx body that is not JSON is asked again like a 5xx, from the same retry budget', async () => {
    sim.injectFault({ kind: 'malformed' }, { leagueId: LEAGUE });
    const before = requestsTo(LEAGUE).length;
    await expect(client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(requestsTo(LEAGUE).length - before).toBe(2);
    // A 503 then two garbled answers: four attempts would be one more than maxRetries 2 allows.
    sim.injectFault({ kind: 'status', status: 503 }, { leagueId: LEAGUE });
    sim.injectFault({ kind: 'malformed' }, { leagueId: LEAGUE, times: 5 });
    const before2 = requestsTo(LEAGUE).length;
    const error = await client({ maxRetries: 2 }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsResponseError);
    expect(error).toMatchObject({ attempts: 3 });
    expect(requestsTo(LEAGUE).length - before2).toBe(3);
  });

  it('malformed JSON (every time) and a wrong shape are response errors with a short excerpt', async () => {
    sim.injectFault({ kind: 'malformed' }, { leagueId: LEAGUE, times: 3 });
    const bad = (await client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e)) as TicsResponseError;
    expect(bad).toBeInstanceOf(TicsResponseError);
    expect(bad.excerpt.length).toBeLessThanOrEqual(160);
    expect(bad.excerpt).toContain('"total": 3');
    sim.injectFault({ kind: 'schema' }, { leagueId: LEAGUE });
    const shape = (await client().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e)) as TicsResponseError;
    expect(shape).toBeInstanceOf(TicsResponseError);
    expect(shape.excerpt).toMatch(/total|lists/);
  });

  it('an unknown league is a request error carrying what TICS said', async () => {
    const error = await client().listInstanceHistory({ leagueId: 'noSuchLeague', offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsRequestError);
    expect(error).toMatchObject({ httpStatus: 404 });
    expect((error as TicsRequestError).errorMsg).toBeTruthy();
  });
});

describe('IAM password login', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createStore('memory://');
  });
  afterAll(async () => {
    await store.close();
  });

  const iamClient = (password = 'sim-password', s: Store = store) =>
    client({ auth: iamAuth({ endpoint: sim.url, user: 'sim-user', password, domain: 'sim-account', projectId: sim.projectId, store: s }) });
  const logins = () => sim.requests.filter((r) => r.path.startsWith('/v3/auth/tokens')).length;

  it('logs in once, caches the token in the store, and shares it with other clients', async () => {
    const before = logins();
    await iamClient().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 });
    await iamClient().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 });
    expect(logins() - before).toBe(1);
    expect(sim.requests.at(-1)).toMatchObject({ auth: 'token', status: 200 });
  });

  it('on an expired-token 401 re-issues the token and retries exactly once', async () => {
    const before = logins();
    const beforeLeague = requestsTo(LEAGUE).length;
    sim.injectFault({ kind: 'auth', errorCode: 'APIGW.0307' }, { leagueId: LEAGUE });
    await expect(iamClient().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(logins() - before).toBe(1);
    expect(requestsTo(LEAGUE).slice(beforeLeague).map((r) => r.status)).toEqual([401, 200]);
  });

  it('does not loop when the fresh token is rejected too', async () => {
    sim.injectFault({ kind: 'auth', errorCode: 'APIGW.0307' }, { leagueId: LEAGUE, times: 5 });
    const beforeLeague = requestsTo(LEAGUE).length;
    await expect(iamClient().listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).rejects.toBeInstanceOf(TicsAuthError);
    expect(requestsTo(LEAGUE).length - beforeLeague).toBe(2);
  });

  it('a wrong password is an auth error naming the user, not the password', async () => {
    const fresh = await createStore('memory://');
    const error = await iamClient('wrong-password-123', fresh).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }).catch((e: unknown) => e);
    await fresh.close();
    expect(error).toBeInstanceOf(TicsAuthError);
    expect((error as Error).message).toContain('sim-user');
    expect((error as Error).message).not.toContain('wrong-password-123');
  });

  it('refreshes a cached token that is close to expiry before using it', async () => {
    const fresh = await createStore('memory://');
    let clock = Date.now();
    const auth = iamAuth({ endpoint: sim.url, user: 'sim-user', password: 'sim-password', domain: 'sim-account', projectId: sim.projectId, store: fresh, now: () => clock });
    const c = client({ auth });
    const before = logins();
    await c.listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 });
    clock += 23.5 * 60 * 60_000; // 30 min left of 24 h: inside the 1 h refresh margin
    await c.listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 });
    expect(logins() - before).toBe(2);
    await fresh.close();
  });
});

describe('hedging a first attempt that hangs', () => {
  const hedges = () => {
    const calls: string[] = [];
    return { calls, metrics: { ticsRequest() {}, ticsRetry() {}, ticsHedge: (op: string) => void calls.push(op) } };
  };

  it('sends the same GET again after hedgeAfterMs and takes the first answer', async () => {
    sim.injectFault({ kind: 'latency', ms: 8_000 }, { leagueId: LEAGUE });
    const { calls, metrics } = hedges();
    const before = requestsTo(LEAGUE).length;
    const started = Date.now();
    await expect(client({ hedgeAfterMs: 300, requestTimeoutMs: 20_000, metrics }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    // Without the hedge this waits out the 8 s answer; the bound is wide for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toEqual(['list_instance_history']);
    expect(requestsTo(LEAGUE).length - before).toBeGreaterThanOrEqual(1);
  });

  it('hedges a retry that hangs too, counting from when that attempt started', async () => {
    sim.injectFault({ kind: 'status', status: 503 }, { leagueId: LEAGUE });
    sim.injectFault({ kind: 'latency', ms: 8_000 }, { leagueId: LEAGUE });
    const { calls, metrics } = hedges();
    const before = requestsTo(LEAGUE).length;
    const started = Date.now();
    await expect(client({ hedgeAfterMs: 300, requestTimeoutMs: 20_000, metrics }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toEqual(['list_instance_history']);
    expect(requestsTo(LEAGUE).slice(before)[0]?.status).toBe(503);
  });

  it('does not hedge an answer that comes in time', async () => {
    const { calls, metrics } = hedges();
    const before = requestsTo(LEAGUE).length;
    await client({ hedgeAfterMs: 1_000, metrics }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 });
    expect(calls).toEqual([]);
    expect(requestsTo(LEAGUE).length - before).toBe(1);
  });

  it('does not hedge while a failed first attempt waits out Retry-After', async () => {
    sim.injectFault({ kind: 'throttle', retryAfterSeconds: 1 }, { leagueId: LEAGUE });
    const { calls, metrics } = hedges();
    const before = requestsTo(LEAGUE).length;
    await expect(client({ hedgeAfterMs: 200, metrics }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 })).resolves.toMatchObject({ total: 250 });
    expect(calls).toEqual([]);
    expect(requestsTo(LEAGUE).slice(before).map((r) => r.status)).toEqual([429, 200]);
  });

  it("a caller's abort stops both copies", async () => {
    sim.injectFault({ kind: 'latency', ms: 8_000 }, { leagueId: LEAGUE, times: 2 });
    const { calls, metrics } = hedges();
    const signal = AbortSignal.timeout(1_000);
    const started = Date.now();
    const error = await client({ hedgeAfterMs: 200, requestTimeoutMs: 20_000, metrics }).listInstanceHistory({ leagueId: LEAGUE, offset: 0, limit: 1 }, { signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsUpstreamError);
    expect(calls).toEqual(['list_instance_history']);
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});
