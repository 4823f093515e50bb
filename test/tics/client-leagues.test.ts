import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { akskAuth } from '../../src/tics/auth.js';
import { TicsAuthError, TicsInputError, TicsRequestError, TicsResponseError, TicsUpstreamError } from '../../src/tics/errors.js';
import type { TicsOperation, TicsOutcome } from '../../src/metrics.js';
import { ticsClients } from '../helpers/tics-clients.js';

let sim: TicsSimulator;

const { client, closeAll } = ticsClients(() => sim);

function recorded() {
  const requests: Array<[TicsOperation, TicsOutcome]> = [];
  const retries: TicsOperation[] = [];
  return { requests, retries, metrics: { ticsRequest: (op: TicsOperation, outcome: TicsOutcome) => void requests.push([op, outcome]), ticsRetry: (op: TicsOperation) => void retries.push(op), ticsHedge() {} } };
}

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  for (let i = 0; i < 5; i++) sim.world.addLeague(`ownedLeague${i}`, { name: `Owned ${i}`, createTime: 1_000 + i, partners: i + 2 });
  sim.world.addLeague('joinedLeague', { name: '联合风控', type: 'PARTNER', leagueStatus: 'HIBERNATING', privacyProtectionType: 'PARANOID', description: 'a league', dpEnabled: true });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await closeAll();
  await sim.close();
});

describe('listLeagues', () => {
  it('lists owned leagues as typed values, paged by offset/limit with the total', async () => {
    const c = client();
    const first = await c.listLeagues({ type: 'owned', offset: 0, limit: 2 });
    expect(first.total).toBe(5);
    expect(first.leagues.map((l) => l.id)).toEqual(['ownedLeague4', 'ownedLeague3']);
    expect(first.leagues[0]).toEqual({ id: 'ownedLeague4', name: 'Owned 4', leagueStatus: 'NORMAL', type: 'OWNER', partners: 6, creatorId: 'simcreator01', creatorName: 'sim-user', createTime: 1_004 });
    const rest = await c.listLeagues({ type: 'owned', offset: 2, limit: 100 });
    expect(rest.leagues.map((l) => l.id)).toEqual(['ownedLeague2', 'ownedLeague1', 'ownedLeague0']);
    expect(sim.requests.at(-1)?.query).toEqual({ offset: '2', limit: '100', type: 'owned' });
  });

  it('lists participativenormal leagues, unknown status kept verbatim', async () => {
    const page = await client().listLeagues({ type: 'participativenormal', offset: 0, limit: 10 });
    expect(page).toMatchObject({ total: 1, leagues: [{ id: 'joinedLeague', name: '联合风控', type: 'PARTNER', leagueStatus: 'HIBERNATING' }] });
    // ShowLeague-only fields are not listed.
    expect(page.leagues[0]).not.toHaveProperty('description');
  });

  it('rejects bad input before any request', async () => {
    const before = sim.requests.length;
    const c = client();
    await expect(c.listLeagues({ type: 'all' as 'owned', offset: 0, limit: 10 })).rejects.toThrow(TicsInputError);
    await expect(c.listLeagues({ type: 'owned', offset: -1, limit: 10 })).rejects.toThrow(/offset/);
    await expect(c.listLeagues({ type: 'owned', offset: 0, limit: 101 })).rejects.toThrow(/limit/);
    expect(sim.requests.length).toBe(before);
  });

  it('retries a 5xx and counts one request under list_leagues', async () => {
    sim.injectFault({ kind: 'status', status: 503 }, { path: 'leagues' });
    const { requests, retries, metrics } = recorded();
    await expect(client({ metrics }).listLeagues({ type: 'owned', offset: 0, limit: 1 })).resolves.toMatchObject({ total: 5 });
    expect(retries).toEqual(['list_leagues']);
    expect(requests).toEqual([['list_leagues', 'ok']]);
  });

  it('gives up on a 5xx after the bounded retries with a typed error', async () => {
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'leagues', times: 3 });
    const { requests, metrics } = recorded();
    const error = await client({ metrics }).listLeagues({ type: 'owned', offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsUpstreamError);
    expect((error as TicsUpstreamError).attempts).toBe(3);
    expect(requests).toEqual([['list_leagues', '5xx']]);
  });

  it('reports a malformed or wrongly shaped body as a response error', async () => {
    sim.injectFault({ kind: 'malformed' }, { path: 'leagues', times: 3 });
    await expect(client().listLeagues({ type: 'owned', offset: 0, limit: 1 })).rejects.toThrow(TicsResponseError);
    sim.injectFault({ kind: 'schema' }, { path: 'leagues' });
    const { requests, metrics } = recorded();
    const error = await client({ metrics }).listLeagues({ type: 'owned', offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsResponseError);
    expect((error as TicsResponseError).message).toMatch(/league list/);
    expect(requests).toEqual([['list_leagues', 'invalid_response']]);
  });

  it('signs the request: a wrong SK is a TicsAuthError', async () => {
    const wrong = client({ auth: akskAuth({ ak: sim.credentials.ak, sk: 'not-the-secret', projectId: sim.projectId }) });
    const error = await wrong.listLeagues({ type: 'owned', offset: 0, limit: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsAuthError);
    expect((error as TicsAuthError).httpStatus).toBe(401);
  });
});

describe('showLeague', () => {
  it('returns the league with its detail fields, unknown enum values kept', async () => {
    await expect(client().showLeague({ leagueId: 'joinedLeague' })).resolves.toEqual({
      id: 'joinedLeague',
      name: '联合风控',
      type: 'PARTNER',
      leagueStatus: 'HIBERNATING',
      partners: 2,
      creatorId: 'simcreator01',
      creatorName: 'sim-user',
      privacyProtectionType: 'PARANOID',
      description: 'a league',
      dpEnabled: true,
    });
  });

  it('an unknown league is a TicsRequestError with the 404 details; a bad id never leaves', async () => {
    const error = await client().showLeague({ leagueId: 'noSuchLeague' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicsRequestError);
    expect(error).toMatchObject({ httpStatus: 404, errorCode: 'TICS.0404' });
    await expect(client().showLeague({ leagueId: 'bad/id' })).rejects.toThrow(TicsInputError);
  });

  it('retries a 5xx under show_league (a fault scoped to this league and route)', async () => {
    sim.injectFault({ kind: 'status', status: 503 }, { path: 'league', leagueId: 'joinedLeague' });
    const { retries, metrics } = recorded();
    await expect(client({ metrics }).showLeague({ leagueId: 'joinedLeague' })).resolves.toMatchObject({ id: 'joinedLeague' });
    expect(retries).toEqual(['show_league']);
  });
});
