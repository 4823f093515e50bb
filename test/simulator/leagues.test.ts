import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLeagueDetail, parseLeaguePage } from '../../src/tics/leagues-schema.js';
import { DEMO_LEAGUES, startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { call, fakeClock } from './http.js';

const clock = fakeClock();
let sim: TicsSimulator;
let seeded: TicsSimulator;

const leaguesPath = (s: TicsSimulator, project = s.projectId) => `/v1/${project}/league-info`;
const leaguePath = (s: TicsSimulator, league: string) => `/v1/${s.projectId}/leagues/${league}`;
type Page = { total: number; lists?: Array<Record<string, unknown>> };

function listLeagues(s: TicsSimulator, type: string, offset = 0, limit = 100) {
  return call(s, { path: leaguesPath(s), query: [['offset', String(offset)], ['limit', String(limit)], ['type', type]] }, clock.now);
}

beforeAll(async () => {
  sim = await startSimulator({ seed: false, now: clock.now });
  for (let i = 0; i < 7; i++) sim.world.addLeague(`owned${i}`, { name: `Owned ${i}`, createTime: 1_700_000_000_000 + i });
  sim.world.addLeague('joined1', { name: 'Joined', type: 'PARTNER', leagueStatus: 'FROZEN', partners: 5, createDate: Date.parse('2024-01-02T03:04:05Z') });
  sim.world.addLeague('plainLeague');
  seeded = await startSimulator({ seed: 1, now: clock.now });
});
afterAll(async () => {
  await sim.close();
  await seeded.close();
});

describe('ListLeagues', () => {
  it('lists owned leagues newest first, paged, with total', async () => {
    const first = (await listLeagues(sim, 'owned', 0, 3)).json() as Page;
    expect(first.total).toBe(8);
    expect(first.lists!.map((l) => l.id)).toEqual(['owned6', 'owned5', 'owned4']);
    const seen: unknown[] = [];
    for (let offset = 0; offset < 8; offset += 3) seen.push(...((await listLeagues(sim, 'owned', offset, 3)).json() as Page).lists!.map((l) => l.id));
    expect(new Set(seen).size).toBe(8);
    expect(seen).toContain('plainLeague');
    expect((await listLeagues(sim, 'owned', 8, 3)).json()).toEqual({ total: 8, lists: [] });
  });

  it('lists leagues taken part in under participativenormal, in the documented wire format', async () => {
    const res = await listLeagues(sim, 'participativenormal');
    expect(res.status).toBe(200);
    const body = res.json() as Page;
    expect(body.total).toBe(1);
    expect(body.lists![0]).toEqual({
      id: 'joined1',
      name: 'Joined',
      type: 'PARTNER',
      league_status: 'FROZEN',
      partners: 5,
      creator_id: 'simcreator01',
      creator_name: 'sim-user',
      create_date: '2024-01-02T03:04:05.000+00:00',
    });
    // ShowLeague-only fields are not in the list.
    const parsed = parseLeaguePage(body);
    expect(parsed.ok && parsed.value.leagues[0]).toMatchObject({ id: 'joined1', leagueStatus: 'FROZEN', createDate: Date.parse('2024-01-02T03:04:05Z') });
  });

  it('gives a league added by id alone its id as name, NORMAL, owned', async () => {
    const body = (await listLeagues(sim, 'owned')).json() as Page;
    expect(body.lists!.find((l) => l.id === 'plainLeague')).toMatchObject({ name: 'plainLeague', league_status: 'NORMAL', type: 'OWNER' });
  });

  const bad: Array<[string, Array<[string, string]>, string]> = [
    ['missing type', [['offset', '0'], ['limit', '10']], 'type'],
    ['unknown type', [['offset', '0'], ['limit', '10'], ['type', 'all']], 'type'],
    ['repeated type', [['offset', '0'], ['limit', '10'], ['type', 'owned'], ['type', 'owned']], 'type'],
    ['missing limit', [['offset', '0'], ['type', 'owned']], 'limit'],
    ['limit above 100', [['offset', '0'], ['limit', '101'], ['type', 'owned']], 'limit'],
    ['negative offset', [['offset', '-1'], ['limit', '10'], ['type', 'owned']], 'offset'],
  ];
  it.each(bad)('%s → 400 naming the parameter', async (_name, query, param) => {
    const res = await call(sim, { path: leaguesPath(sim), query }, clock.now);
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'TICS.0400', error_msg: expect.stringContaining(param) });
  });

  it('checks the signature (a wrong SK gets 401) and the project (403)', async () => {
    const query: Array<[string, string]> = [['offset', '0'], ['limit', '1'], ['type', 'owned']];
    const wrong = await call(sim, { path: leaguesPath(sim), query, credentials: { ak: sim.credentials.ak, sk: 'wrong' } }, clock.now);
    expect(wrong.status).toBe(401);
    const other = await call(sim, { path: leaguesPath(sim, 'ffffffffffffffffffffffffffffffff'), query }, clock.now);
    expect(other.status).toBe(403);
  });
});

describe('ShowLeague', () => {
  it('returns one league object with the detail fields', async () => {
    const res = await call(seeded, { path: leaguePath(seeded, DEMO_LEAGUES[0]!.id) }, clock.now);
    expect(res.status).toBe(200);
    const body = res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ id: DEMO_LEAGUES[0]!.id, name: DEMO_LEAGUES[0]!.name, league_status: 'NORMAL', type: 'OWNER', partners: 3, privacy_protection_type: 'HIGH', dp_enabled: true });
    expect(typeof body.description).toBe('string');
    const parsed = parseLeagueDetail(body);
    expect(parsed.ok && parsed.value).toEqual({ ...seeded.world.league(DEMO_LEAGUES[0]!.id) });
  });

  it('answers 404 for an unknown league and 400 for a malformed id', async () => {
    const missing = await call(sim, { path: leaguePath(sim, 'noSuchLeague') }, clock.now);
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error_code: 'TICS.0404', error_msg: expect.stringContaining('noSuchLeague') });
    expect((await call(sim, { path: leaguePath(sim, 'bad-id') }, clock.now)).status).toBe(400);
  });
});

describe('seeded leagues', () => {
  it('are split between owned and participativenormal, with names, statuses and partner counts', async () => {
    const owned = ((await listLeagues(seeded, 'owned')).json() as Page).lists ?? [];
    const joined = ((await listLeagues(seeded, 'participativenormal')).json() as Page).lists ?? [];
    expect(owned.length + joined.length).toBe(DEMO_LEAGUES.length);
    expect(new Set([...owned, ...joined].map((l) => l.id))).toEqual(new Set(DEMO_LEAGUES.map((l) => l.id)));
    for (const l of [...owned, ...joined]) {
      expect(l.name).toBe(DEMO_LEAGUES.find((d) => d.id === l.id)!.name);
      expect(typeof l.league_status).toBe('string');
      expect(l.partners).toBeGreaterThanOrEqual(2);
      expect(typeof l.create_time).toBe('number');
    }
    expect(owned.every((l) => l.type === 'OWNER')).toBe(true);
    expect(joined.every((l) => l.type === 'PARTNER')).toBe(true);
  });

  it('match the partners their instances name', () => {
    for (const { id } of DEMO_LEAGUES) {
      const parties = new Set(seeded.world.instances(id).flatMap((i) => (i.jobPartner ?? '').split(',').filter(Boolean)));
      expect(parties.size).toBeLessThanOrEqual(seeded.world.league(id).partners!);
    }
  });
});

describe('faults on the league routes', () => {
  it('a leagueId fault still means ListInstanceHistory unless a path names another league route', async () => {
    sim.injectFault({ kind: 'status', status: 500 }, { leagueId: 'joined1' });
    expect((await call(sim, { path: leaguePath(sim, 'joined1') }, clock.now)).status).toBe(200);
    sim.clearFaults();
    sim.injectFault({ kind: 'status', status: 502 }, { leagueId: 'joined1', path: 'league' });
    expect((await call(sim, { path: leaguePath(sim, 'owned1') }, clock.now)).status).toBe(200);
    expect((await call(sim, { path: leaguePath(sim, 'joined1') }, clock.now)).status).toBe(502);
    sim.injectFault({ kind: 'malformed' }, { path: 'leagues' });
    expect((await listLeagues(sim, 'owned')).text).not.toMatch(/}$/);
    expect(() => sim.injectFault({ kind: 'reset' }, { leagueId: 'joined1', path: 'leagues' })).toThrow(/leagues/);
    sim.clearFaults();
  });
});
