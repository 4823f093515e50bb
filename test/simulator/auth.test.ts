import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_IAM_USER, DEFAULT_PROJECT_ID, LOCKOUT_MS, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, fakeClock, instancesPath, list, type CallOptions } from './http.js';

type Tamper = NonNullable<CallOptions['tamper']>;

const Q: Array<[string, string]> = [['offset', '0'], ['limit', '10']];
const MIN = 60_000;

let sim: TicsSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Parameters<typeof startSimulator>[0] = {}) {
  const clock = fakeClock();
  sim = await startSimulator({ seed: false, now: clock.now, ...options });
  sim.world.addLeague('leagueA');
  return { sim, clock };
}

function errorOf(res: { status: number; json: () => unknown }) {
  const body = res.json() as { error_code?: string };
  return `${res.status} ${body.error_code}`;
}

describe('AK/SK signatures', () => {
  it('accepts a correctly signed request', async () => {
    const { sim, clock } = await start();
    expect((await call(sim, { path: instancesPath(sim, 'leagueA'), query: Q }, clock.now)).status).toBe(200);
  });

  const tampers: Array<[string, Tamper]> = [
    ['query changed after signing', (r) => void r.query.push(['job_id', 'abc'])],
    ['limit changed after signing', (r) => void (r.query[1] = ['limit', '11'])],
    ['path changed after signing', (r) => void (r.path = r.path.replace('leagueA', 'leagueB'))],
    ['host changed after signing', (r) => void (r.headers.host = 'tics.cn-north-4.myhuaweicloud.com')],
    ['content-type changed after signing', (r) => void (r.headers['content-type'] = 'text/plain')],
  ];
  it.each(tampers)('rejects a signature when the %s → 401 APIGW.0301', async (_name, tamper) => {
    const { sim, clock } = await start();
    sim.world.addLeague('leagueB');
    const res = await call(sim, { path: instancesPath(sim, 'leagueA'), query: Q, tamper }, clock.now);
    expect(errorOf(res)).toBe('401 APIGW.0301');
    expect(sim.requests.at(-1)?.auth).toBe('aksk');
  });

  it('rejects a wrong secret, an unknown key, a malformed header and no auth at all', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    expect(errorOf(await call(sim, { path, query: Q, credentials: { ak: sim.credentials.ak, sk: 'wrong' } }, clock.now))).toBe('401 APIGW.0301');
    expect(errorOf(await call(sim, { path, query: Q, credentials: { ak: 'UNKNOWNKEY0000000000', sk: 'x' } }, clock.now))).toBe('401 APIGW.0301');
    expect(errorOf(await call(sim, { path, query: Q, unsigned: true, headers: { authorization: 'Basic dXNlcjpwdw==' } }, clock.now))).toBe('401 APIGW.0301');
    expect(errorOf(await call(sim, { path, query: Q, unsigned: true }, clock.now))).toBe('401 APIGW.0301');
  });

  it('checks auth before anything else: an unsigned bad request is a 401, not a 400', async () => {
    const { sim, clock } = await start();
    const res = await call(sim, { path: instancesPath(sim, 'noSuchLeague'), query: [['limit', 'x']], unsigned: true }, clock.now);
    expect(errorOf(res)).toBe('401 APIGW.0301');
  });

  it('requires host and x-sdk-date to be signed', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    expect(errorOf(await call(sim, { path, query: Q, signedHeaders: ['x-sdk-date', 'x-project-id'] }, clock.now))).toBe('401 APIGW.0301');
    expect(errorOf(await call(sim, { path, query: Q, signedHeaders: ['host', 'x-project-id'] }, clock.now))).toBe('401 APIGW.0301');
    expect((await call(sim, { path, query: Q, signedHeaders: ['host', 'x-sdk-date'] }, clock.now)).status).toBe(200);
  });

  it('requires X-Project-Id equal to the project', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    expect(errorOf(await call(sim, { path, query: Q, headers: { 'x-project-id': 'ffffffffffffffffffffffffffffffff' } }, clock.now))).toBe('401 APIGW.0301');
    const withoutHeader = await call(sim, { path, query: Q, signedHeaders: ['host', 'x-sdk-date'], tamper: (r) => delete r.headers['x-project-id'] }, clock.now);
    expect(errorOf(withoutHeader)).toBe('401 APIGW.0301');
  });

  it('rejects X-Sdk-Date more than 15 minutes off with APIGW.0303, either way', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    const at = (offsetMs: number) => new Date(clock.now() + offsetMs);
    expect((await call(sim, { path, query: Q, date: at(14 * MIN) }, clock.now)).status).toBe(200);
    expect((await call(sim, { path, query: Q, date: at(-14 * MIN) }, clock.now)).status).toBe(200);
    expect(errorOf(await call(sim, { path, query: Q, date: at(16 * MIN) }, clock.now))).toBe('401 APIGW.0303');
    expect(errorOf(await call(sim, { path, query: Q, date: at(-16 * MIN) }, clock.now))).toBe('401 APIGW.0303');
  });
});

describe('AK lockout', () => {
  const bad = { sk: 'definitely-not-the-secret' };

  it('tolerates 5 consecutive failures; a success resets the count', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5; i++) expect((await call(sim, { path, query: Q, credentials: { ...sim.credentials, ...bad } }, clock.now)).status).toBe(401);
      expect((await call(sim, { path, query: Q }, clock.now)).status).toBe(200);
    }
  });

  it('locks the AK for 5 minutes after the 6th failure, even for correct signatures, and only that AK', async () => {
    const second = { ak: 'SECONDACCESSKEY00002', sk: 'second-secret' };
    const { sim, clock } = await start({ credentials: [{ ak: 'FIRSTACCESSKEY000001', sk: 'first-secret' }, second] });
    const path = instancesPath(sim, 'leagueA');
    for (let i = 0; i < 6; i++) await call(sim, { path, query: Q, credentials: { ...sim.credentials, ...bad } }, clock.now);
    const locked = await call(sim, { path, query: Q }, clock.now);
    expect(errorOf(locked)).toBe('401 APIGW.0301');
    expect((locked.json() as { error_msg: string }).error_msg).toMatch(/locked/);
    expect((await call(sim, { path, query: Q, credentials: second }, clock.now)).status).toBe(200);
    clock.advance(LOCKOUT_MS - 1000);
    expect((await call(sim, { path, query: Q }, clock.now)).status).toBe(401);
    clock.advance(2000);
    expect((await call(sim, { path, query: Q }, clock.now)).status).toBe(200);
  });

  it('counts clock-skew failures too', async () => {
    const { sim, clock } = await start();
    const path = instancesPath(sim, 'leagueA');
    for (let i = 0; i < 6; i++) await call(sim, { path, query: Q, date: new Date(clock.now() - 60 * MIN) }, clock.now);
    expect(errorOf(await call(sim, { path, query: Q }, clock.now))).toBe('401 APIGW.0301');
  });
});

describe('tokens', () => {
  it('accepts pre-issued tokens and rejects unknown ones', async () => {
    const { sim, clock } = await start({ tokens: ['preissuedtoken'] });
    const path = instancesPath(sim, 'leagueA');
    expect((await call(sim, { path, query: Q, token: 'preissuedtoken' }, clock.now)).status).toBe(200);
    expect(sim.requests.at(-1)?.auth).toBe('token');
    expect(errorOf(await call(sim, { path, query: Q, token: 'someothertoken' }, clock.now))).toBe('401 APIGW.0301');
  });

  it('issues an IAM token that works until it expires, then answers APIGW.0307', async () => {
    const { sim, clock } = await start({ tokenTtlMs: 60 * MIN });
    const issued = await requestToken(sim, clock.now);
    expect(issued.status).toBe(201);
    const token = issued.headers['x-subject-token']!;
    expect(token.length).toBeGreaterThan(32);
    const body = issued.json() as { token: { expires_at: string; issued_at: string; methods: string[]; project: { id: string } } };
    expect(body.token.methods).toEqual(['password']);
    expect(body.token.project.id).toBe(sim.projectId);
    expect(body.token.issued_at).toBe('2024-05-01T08:00:00.000000Z');
    expect(Date.parse(body.token.expires_at) - Date.parse(body.token.issued_at)).toBe(60 * MIN);

    const path = instancesPath(sim, 'leagueA');
    clock.advance(60 * MIN - 1);
    expect((await call(sim, { path, query: Q, token }, clock.now)).status).toBe(200);
    clock.advance(1);
    expect(errorOf(await call(sim, { path, query: Q, token }, clock.now))).toBe('401 APIGW.0307');
    // A fresh token works again.
    const again = await requestToken(sim, clock.now);
    expect((await call(sim, { path, query: Q, token: again.headers['x-subject-token']! }, clock.now)).status).toBe(200);
  });

  it('defaults to 24 h tokens', async () => {
    const { sim, clock } = await start();
    const body = (await requestToken(sim, clock.now)).json() as { token: { expires_at: string } };
    expect(Date.parse(body.token.expires_at) - clock.now()).toBe(24 * 60 * MIN);
  });
});

describe('IAM token endpoint', () => {
  it('answers wrong credentials with IAM 401 body', async () => {
    const { sim, clock } = await start();
    const res = await requestToken(sim, clock.now, { password: 'nope' });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } });
    expect(res.headers['x-subject-token']).toBeUndefined();
    expect((await requestToken(sim, clock.now, { domain: 'other-account' })).status).toBe(401);
  });

  it.each([
    ['not JSON', '{"auth":'],
    ['empty object', '{}'],
    ['token method instead of password', JSON.stringify(tokenBody({ methods: ['token'] }))],
    ['missing scope', JSON.stringify({ auth: { identity: tokenBody().auth.identity } })],
    ['missing domain', JSON.stringify({ auth: { ...tokenBody().auth, identity: { methods: ['password'], password: { user: { name: 'u', password: 'p' } } } } })],
  ])('answers a malformed body (%s) with 400', async (_name, raw) => {
    const { sim, clock } = await start();
    const res = await call(sim, { method: 'POST', path: '/v3/auth/tokens', query: [['nocatalog', 'true']], unsigned: true, body: raw }, clock.now);
    expect(res.status).toBe(400);
    expect((res.json() as { error: { code: number } }).error.code).toBe(400);
  });

  it('refuses a token scoped to another project and non-POST methods', async () => {
    const { sim, clock } = await start();
    expect((await requestToken(sim, clock.now, { project: 'ffffffffffffffffffffffffffffffff' })).status).toBe(400);
    expect((await call(sim, { method: 'GET', path: '/v3/auth/tokens', query: [], unsigned: true }, clock.now)).status).toBe(405);
  });
});

function tokenBody(overrides: { password?: string; domain?: string; project?: string; methods?: string[] } = {}) {
  return {
    auth: {
      identity: {
        methods: overrides.methods ?? ['password'],
        password: { user: { name: DEFAULT_IAM_USER.name, password: overrides.password ?? DEFAULT_IAM_USER.password, domain: { name: overrides.domain ?? DEFAULT_IAM_USER.domain } } },
      },
      scope: { project: { id: overrides.project ?? DEFAULT_PROJECT_ID } },
    },
  };
}

function requestToken(s: TicsSimulator, now: () => number, overrides: Parameters<typeof tokenBody>[0] = {}) {
  return call(s, { method: 'POST', path: '/v3/auth/tokens', query: [['nocatalog', 'true']], unsigned: true, body: JSON.stringify(tokenBody(overrides)) }, now);
}

describe('gateway throttle', () => {
  it('answers 429 APIGW.0308 with Retry-After above the per-second limit, and recovers next second', async () => {
    const { sim, clock } = await start({ rateLimitPerSecond: 3 });
    clock.set(Date.parse('2024-05-01T08:00:00.250Z'));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await list(sim, 'leagueA', {}, clock.now)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const throttled = await list(sim, 'leagueA', {}, clock.now);
    expect(errorOf(throttled)).toBe('429 APIGW.0308');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    clock.advance(1000);
    expect((await list(sim, 'leagueA', {}, clock.now)).status).toBe(200);
  });
});
