/** LeagueDirectory against the real simulator over HTTP, with a memory store. */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LeagueDirectory, LIST_TTL_MS } from '../../src/leagues/directory.js';
import { NAME_RETRY_MS, NAME_TTL_MS } from '../../src/leagues/name-cache.js';
import { startSimulator, type TicsSimulator } from '../../src/simulator/server.js';
import { createStore, type Store } from '../../src/store.js';
import { parseLeagueAliases, resolveLeague, type LeagueAliases } from '../../src/tics/leagues.js';
import { parseAccessPolicy } from '../../src/watch/access.js';
import { ticsClients } from '../helpers/tics-clients.js';

let sim: TicsSimulator;
const { client, closeAll } = ticsClients(() => sim);
const stores: Store[] = [];

const OWNED = 120;
const aliasesOf = (raw: string): LeagueAliases => {
  const parsed = parseLeagueAliases(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.value;
};
const ALIASES = aliasesOf('risk=riskLeague01,ghost=ghostLeague01');

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  for (let i = 0; i < OWNED; i++) sim.world.addLeague(`owned${String(i).padStart(3, '0')}`, { name: `Owned league ${i}`, createTime: 1_000 + i });
  sim.world.addLeague('riskLeague01', { name: 'Credit Risk', type: 'PARTNER', partners: 4 });
  sim.world.addLeague('twinA', { name: 'Twin Leagues', type: 'PARTNER' });
  sim.world.addLeague('twinB', { name: 'twin  leagues', type: 'OWNER' });
  sim.world.addLeague('Marketing01', { name: 'Marketing', type: 'PARTNER' });
  sim.world.addLeague('wordName01', { name: 'Marketing2', type: 'PARTNER' });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await closeAll();
  await Promise.all(stores.map((s) => s.close()));
  await sim.close();
});

async function memoryStore(): Promise<Store> {
  const store = await createStore('memory://');
  stores.push(store);
  return store;
}

function clock(start = 1_800_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

async function directory(opts: { store?: Store; now?: () => number; access?: string } = {}) {
  const store = opts.store ?? (await memoryStore());
  const access = opts.access === undefined ? undefined : parseAccessPolicy(opts.access, (l) => resolveLeague(l, ALIASES));
  if (access && !access.ok) throw new Error(access.problems.join('; '));
  return new LeagueDirectory({ tics: client(), store, aliases: ALIASES, ...(opts.now ? { now: opts.now } : {}), ...(access ? { access: access.value } : {}) });
}

const listCalls = () => sim.requests.filter((r) => r.path.endsWith('/league-info'));
const showCalls = (id?: string) => sim.requests.filter((r) => /\/leagues\/[^/]+$/.test(r.path) && (id === undefined || r.leagueId === id));

describe('list', () => {
  it('reads both kinds, every page, merged by id, with aliases beside the leagues they name', async () => {
    const before = listCalls().length;
    const leagues = await (await directory()).list();
    expect(leagues).toHaveLength(OWNED + 5);
    expect(new Set(leagues.map((l) => l.id)).size).toBe(leagues.length);
    expect(leagues.find((l) => l.id === 'riskLeague01')).toMatchObject({ name: 'Credit Risk', type: 'PARTNER', status: 'NORMAL', partners: 4, alias: 'risk' });
    expect(leagues.find((l) => l.id === 'owned007')).not.toHaveProperty('alias');
    const calls = listCalls().slice(before).map((r) => `${r.query.type}@${r.query.offset}`).sort();
    expect(calls).toEqual(['owned@0', 'owned@100', 'participativenormal@0']);
  });

  it('is cached for a minute per replica, one fetch shared by concurrent callers', async () => {
    const c = clock();
    const dir = await directory({ now: c.now });
    const before = listCalls().length;
    await Promise.all([dir.list(), dir.list(), dir.list()]);
    expect(listCalls().length - before).toBe(3);
    c.advance(LIST_TTL_MS - 1);
    await dir.list();
    expect(listCalls().length - before).toBe(3);
    c.advance(1);
    await dir.list();
    expect(listCalls().length - before).toBe(6);
  });

  it('fails as a whole when TICS does, and the next call tries again', async () => {
    const dir = await directory();
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'leagues', times: 6 });
    await expect(dir.list()).rejects.toThrow();
    await expect(dir.list()).resolves.toHaveLength(OWNED + 5);
  });

  it('hides the leagues TICS_ACCESS keeps from a channel; no scope sees them all', async () => {
    const dir = await directory({ access: 'C0000AAAA:risk,twinA' });
    expect((await dir.list({ channelId: 'C0000AAAA' })).map((l) => l.id).sort()).toEqual(['riskLeague01', 'twinA']);
    expect(await dir.list({ channelId: 'C0000BBBB' })).toEqual([]);
    expect(await dir.list()).toHaveLength(OWNED + 5);
  });
});

describe('nameOf', () => {
  it('asks ShowLeague once an hour at most, keeping the name in the store', async () => {
    const c = clock();
    const dir = await directory({ now: c.now });
    const before = showCalls('riskLeague01').length;
    expect(await dir.nameOf('riskLeague01')).toBe('Credit Risk');
    expect(await dir.nameOf('riskLeague01')).toBe('Credit Risk');
    expect(showCalls('riskLeague01').length - before).toBe(1);
    c.advance(NAME_TTL_MS - 1);
    await dir.nameOf('riskLeague01');
    expect(showCalls('riskLeague01').length - before).toBe(1);
    c.advance(1);
    expect(await dir.nameOf('riskLeague01')).toBe('Credit Risk');
    expect(showCalls('riskLeague01').length - before).toBe(2);
  });

  it('two replicas over one store make one ShowLeague between them', async () => {
    const store = await memoryStore();
    const c = clock();
    const [a, b] = [await directory({ store, now: c.now }), await directory({ store, now: c.now })];
    const before = showCalls('twinA').length;
    const names = await Promise.all([a.nameOf('twinA'), b.nameOf('twinA'), a.nameOf('twinA')]);
    expect(showCalls('twinA').length - before).toBe(1);
    // The loser of the claim shows the fallback meanwhile, then the stored name.
    expect(names).toContain('Twin Leagues');
    expect(await b.nameOf('twinA')).toBe('Twin Leagues');
    expect(showCalls('twinA').length - before).toBe(1);
  });

  it('a fresh list answers names for every replica without ShowLeague', async () => {
    const store = await memoryStore();
    const c = clock();
    const [a, b] = [await directory({ store, now: c.now }), await directory({ store, now: c.now })];
    await a.list();
    const before = showCalls().length;
    expect(await a.nameOf('owned005')).toBe('Owned league 5');
    expect(await b.namesOf(['owned006', 'twinB', 'owned006'])).toEqual(new Map([['owned006', 'Owned league 6'], ['twinB', 'twin  leagues']]));
    expect(await b.cachedNameOf('owned007')).toBe('Owned league 7');
    expect(showCalls().length).toBe(before);
  });

  it('falls back to the alias, then the id, on TICS errors, and retries only after a backoff', async () => {
    const c = clock();
    const dir = await directory({ now: c.now });
    const before = showCalls().length;
    expect(await dir.nameOf('ghostLeague01')).toBe('ghost');
    expect(await dir.nameOf('noSuchLeague9')).toBe('noSuchLeague9');
    expect(showCalls().length - before).toBe(2);
    expect(await dir.nameOf('ghostLeague01')).toBe('ghost');
    expect(showCalls().length - before).toBe(2);
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'league', leagueId: 'riskLeague01', times: 3 });
    expect(await dir.nameOf('riskLeague01')).toBe('risk');
    expect(await dir.nameOf('riskLeague01')).toBe('risk');
    c.advance(NAME_RETRY_MS);
    expect(await dir.nameOf('riskLeague01')).toBe('Credit Risk');
    expect(await dir.cachedNameOf('ghostLeague01')).toBeUndefined();
  });

  it('shows a stale name while a refresh fails', async () => {
    const c = clock();
    const dir = await directory({ now: c.now });
    expect(await dir.nameOf('wordName01')).toBe('Marketing2');
    c.advance(NAME_TTL_MS);
    sim.injectFault({ kind: 'status', status: 503 }, { path: 'league', leagueId: 'wordName01', times: 3 });
    expect(await dir.nameOf('wordName01')).toBe('Marketing2');
  });
});

describe('resolve', () => {
  it('takes aliases as today, without asking TICS', async () => {
    const before = sim.requests.length;
    await expect((await directory()).resolve('RISK')).resolves.toEqual({ ok: true, league: { id: 'riskLeague01', alias: 'risk' }, by: 'alias' });
    expect(sim.requests.length).toBe(before);
  });

  it('takes ids, and exact names case-insensitively (quoted or not)', async () => {
    const dir = await directory();
    await expect(dir.resolve('owned003')).resolves.toMatchObject({ ok: true, league: { id: 'owned003', name: 'Owned league 3' }, by: 'id' });
    await expect(dir.resolve('credit risk')).resolves.toEqual({ ok: true, league: { id: 'riskLeague01', name: 'Credit Risk', alias: 'risk' }, by: 'name' });
    await expect(dir.resolve('“Owned League 12”')).resolves.toMatchObject({ ok: true, league: { id: 'owned012' }, by: 'name' });
    // A one-word name looks like an id: a listed id wins, else the name.
    await expect(dir.resolve('marketing')).resolves.toMatchObject({ ok: true, league: { id: 'Marketing01' }, by: 'name' });
    await expect(dir.resolve('Marketing01')).resolves.toMatchObject({ ok: true, league: { id: 'Marketing01' }, by: 'id' });
    // An id TICS does not list is still taken as an id (TICS will say whether it exists).
    await expect(dir.resolve('unlisted01')).resolves.toEqual({ ok: true, league: { id: 'unlisted01' }, by: 'id' });
  });

  it('answers an ambiguous name with every match', async () => {
    const result = await (await directory()).resolve('twin leagues');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.ambiguous?.map((l) => l.id).sort()).toEqual(['twinA', 'twinB']);
    expect(result.problem).toContain('2 leagues are named');
  });

  it('says what it accepts for an unknown league', async () => {
    const result = await (await directory()).resolve('no such league');
    expect(result).toMatchObject({ ok: false });
    if (result.ok) return;
    expect(result.problem).toContain('"no such league" is neither a known league alias nor a league id');
    expect(result.problem).toContain('Known aliases: risk, ghost.');
    expect(result.problem).toContain('Names are looked up in the leagues your credentials can see');
    expect(result.ambiguous).toBeUndefined();
  });

  it('cannot find by name a league the channel may not query', async () => {
    const dir = await directory({ access: 'C0000AAAA:twinA' });
    await expect(dir.resolve('Credit Risk', { channelId: 'C0000AAAA' })).resolves.toMatchObject({ ok: false });
    await expect(dir.resolve('twin leagues', { channelId: 'C0000AAAA' })).resolves.toMatchObject({ ok: true, league: { id: 'twinA' }, by: 'name' });
    await expect(dir.resolve('Credit Risk')).resolves.toMatchObject({ ok: true, league: { id: 'riskLeague01' } });
  });

  it('still takes aliases and ids when the list cannot be read, and says so for names', async () => {
    const dir = await directory();
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'leagues', times: 6 });
    await expect(dir.resolve('owned003')).resolves.toEqual({ ok: true, league: { id: 'owned003' }, by: 'id' });
    sim.injectFault({ kind: 'status', status: 500 }, { path: 'leagues', times: 6 });
    const named = await dir.resolve('Credit Risk');
    expect(named.ok).toBe(false);
    if (!named.ok) expect(named.problem).toContain('could not be read just now');
  });
});

describe('labelsOf', () => {
  it('answers from the store without any TICS request; with fetch, from a fresh list', async () => {
    const store = await memoryStore();
    const c = clock();
    const [a, b] = [await directory({ store, now: c.now }), await directory({ store, now: c.now })];
    const before = sim.requests.length;
    expect(await b.labelsOf(['riskLeague01', 'owned001', 'unknown01'])).toEqual(new Map([['riskLeague01', 'risk'], ['owned001', 'owned001'], ['unknown01', 'unknown01']]));
    expect(sim.requests.length).toBe(before);
    await a.list();
    const listed = sim.requests.length;
    expect(await b.labelsOf(['riskLeague01', 'owned001'])).toEqual(new Map([['riskLeague01', 'Credit Risk'], ['owned001', 'Owned league 1']]));
    expect(sim.requests.length).toBe(listed);
    const fresh = await directory({ now: c.now });
    expect((await fresh.labelsOf(['twinA'], { fetch: true })).get('twinA')).toBe('Twin Leagues');
  });

  it('with fetch, a slow list is waited for only briefly', async () => {
    sim.setLatency(300);
    try {
      const dir = await directory();
      expect(await dir.labelsOf(['riskLeague01'], { fetch: true, waitMs: 20 })).toEqual(new Map([['riskLeague01', 'risk']]));
    } finally {
      sim.setLatency(0);
    }
  });
});

describe('resolve when TICS is slow', () => {
  it('an id waits for the list only briefly; a name waits for it', async () => {
    sim.setLatency(300);
    try {
      const dir = new LeagueDirectory({ tics: client(), store: await memoryStore(), aliases: ALIASES, idWaitMs: 20 });
      const started = performance.now();
      await expect(dir.resolve('owned003')).resolves.toEqual({ ok: true, league: { id: 'owned003' }, by: 'id' });
      expect(performance.now() - started).toBeLessThan(250);
      await expect(dir.resolve('Credit Risk')).resolves.toMatchObject({ ok: true, league: { id: 'riskLeague01' }, by: 'name' });
    } finally {
      sim.setLatency(0);
    }
  });
});
