import { describe, expect, it } from 'vitest';
import { KNOWN_INSTANCE_TYPES, isKnownStatus, isTerminalStatus, ticsIdSchema } from '../../src/tics/schema.js';
import { DEMO_LEAGUES, UNKNOWN_DEMO_STATUS, UNKNOWN_DEMO_TYPE, seedWorld } from '../../src/simulator/seed.js';
import { SimWorld } from '../../src/simulator/world.js';
import { startSimulator } from '../../src/simulator/server.js';
import { fakeClock, list } from './http.js';

const T = Date.parse('2024-05-01T08:00:00.000Z');
const HOUR = 3_600_000;

function seeded(seed: number, now = T, speed = 60) {
  const world = new SimWorld({ now: () => now, speed });
  seedWorld(world, { seed, now });
  return world;
}

const snapshot = (world: SimWorld) => Object.fromEntries(world.leagueIds().map((id) => [id, world.instances(id)]));

describe('seeded demo world', () => {
  it('has 3–4 leagues with valid, fixed ids and aliases', () => {
    expect(DEMO_LEAGUES.length).toBeGreaterThanOrEqual(3);
    expect(DEMO_LEAGUES.length).toBeLessThanOrEqual(4);
    for (const l of DEMO_LEAGUES) expect(ticsIdSchema.safeParse(l.id).success).toBe(true);
    expect(new Set(DEMO_LEAGUES.map((l) => l.alias)).size).toBe(DEMO_LEAGUES.length);
    expect(seeded(1).leagueIds()).toEqual(DEMO_LEAGUES.map((l) => l.id));
    expect(seeded(99).leagueIds()).toEqual(DEMO_LEAGUES.map((l) => l.id));
  });

  it.each([1, 2, 42])('seed %i: each league has 20–60 finished instances across all types, failures and terminations', (seed) => {
    const world = seeded(seed);
    for (const id of world.leagueIds()) {
      const all = world.instances(id);
      const history = all.filter((i) => isTerminalStatus(i.status) && (i.startTime ?? 0) < T - HOUR + 1);
      expect(history.length).toBeGreaterThanOrEqual(20);
      expect(history.length).toBeLessThanOrEqual(60);
      const types = new Set(all.map((i) => i.type));
      for (const type of KNOWN_INSTANCE_TYPES) expect(types, `${id} lacks ${type}`).toContain(type);
      const statuses = new Set(history.map((i) => i.status));
      for (const s of ['SUCCEEDED', 'FAILED', 'TERMINATED']) expect(statuses).toContain(s);
      for (const i of history) expect(i.endTime! >= i.startTime!).toBe(true);
      for (const i of all) {
        expect(ticsIdSchema.safeParse(i.id).success).toBe(true);
        expect(i.jobName.length).toBeLessThanOrEqual(128);
        for (const s of [i.ext, i.resultExt]) expect((s ?? '').length).toBeLessThanOrEqual(512);
      }
      // Live ones exist and at least one is RUNNING right now.
      expect(all.some((i) => i.status === 'RUNNING' && i.endTime === undefined)).toBe(true);
    }
  });

  it('contains Chinese job names, partners, JSON-in-a-string ext, an unknown status and an unknown type', () => {
    const all = seeded(1)
      .leagueIds()
      .flatMap((id) => seeded(1).instances(id));
    expect(all.some((i) => /[\u4e00-\u9fff]/.test(i.jobName))).toBe(true);
    expect(all.some((i) => i.jobPartner)).toBe(true);
    const jsonExt = all.filter((i) => i.resultExt?.startsWith('{'));
    expect(jsonExt.length).toBeGreaterThan(0);
    for (const i of jsonExt) expect(() => JSON.parse(i.resultExt!) as unknown).not.toThrow();
    expect(all.some((i) => i.status === UNKNOWN_DEMO_STATUS && !isKnownStatus(i.status))).toBe(true);
    expect(all.some((i) => i.type === UNKNOWN_DEMO_TYPE && !(KNOWN_INSTANCE_TYPES as readonly string[]).includes(i.type))).toBe(true);
  });

  it('is deterministic for a seed and clock, and differs between seeds', () => {
    expect(snapshot(seeded(7))).toEqual(snapshot(seeded(7)));
    expect(snapshot(seeded(7))).not.toEqual(snapshot(seeded(8)));
    const a = seeded(7);
    const b = seeded(7);
    a.advanceTo(T + HOUR);
    for (let t = T; t <= T + HOUR; t += 97_000) b.advanceTo(t);
    b.advanceTo(T + HOUR);
    expect(snapshot(a)).toEqual(snapshot(b));
  });

  it('moves live instances to an end and starts new ones as the clock advances', () => {
    const world = seeded(3);
    const live = world.leagueIds().flatMap((league) => world.instances(league).filter((i) => !isTerminalStatus(i.status) && i.status !== UNKNOWN_DEMO_STATUS).map((i) => ({ league, id: i.id })));
    expect(live.length).toBeGreaterThanOrEqual(world.leagueIds().length);
    const before = world.leagueIds().map((l) => world.instances(l).length);
    // 2 clock hours at 60× is 5 simulated days: every job has long finished.
    world.advanceTo(T + 2 * HOUR);
    for (const { league, id } of live) {
      const now = world.instance(league, id)!;
      expect(isTerminalStatus(now.status), `${id} still ${now.status}`).toBe(true);
      expect(now.endTime).toBeGreaterThan(T);
    }
    world.leagueIds().forEach((l, i) => {
      const started = world.instances(l).filter((x) => x.startTime! > T);
      expect(world.instances(l).length).toBeGreaterThan(before[i]!);
      expect(started.length).toBeGreaterThan(0);
    });
    const everything = world.leagueIds().flatMap((l) => world.instances(l));
    const finals = new Set(everything.filter((i) => i.startTime! > T && isTerminalStatus(i.status)).map((i) => i.status));
    expect(finals).toContain('SUCCEEDED');
    expect([...finals].some((s) => s === 'FAILED' || s === 'TERMINATED')).toBe(true);
  });

  it('speed compresses live jobs: the same instance takes 10× longer at a tenth of the speed', () => {
    const fast = seeded(5, T, 60);
    const slow = seeded(5, T, 6);
    const runningAtT0 = fast.leagueIds().flatMap((l) => fast.instances(l).filter((i) => i.status === 'RUNNING').map((i) => [l, i.id] as const));
    expect(runningAtT0.length).toBeGreaterThan(0);
    fast.advanceTo(T + 24 * HOUR);
    slow.advanceTo(T + 240 * HOUR);
    for (const [league, id] of runningAtT0) {
      const fastLeft = fast.instance(league, id)!.endTime! - T;
      const slowLeft = slow.instance(league, id)!.endTime! - T;
      expect(fastLeft).toBeGreaterThan(0);
      // Phases are rounded to whole milliseconds, so allow a few ms per phase.
      expect(Math.abs(slowLeft - 10 * fastLeft)).toBeLessThan(100);
    }
  });

  it('survives a year-long clock jump quickly', () => {
    const world = seeded(1);
    const started = performance.now();
    world.advanceTo(T + 365 * 24 * HOUR);
    expect(performance.now() - started).toBeLessThan(3000);
    for (const l of world.leagueIds()) expect(world.instances(l).length).toBeLessThanOrEqual(2000);
  });
});

describe('seeded simulator over HTTP', () => {
  type Wire = { id: string; status: string; end_time?: string };
  async function everything(sim: Awaited<ReturnType<typeof startSimulator>>, league: string, now: () => number) {
    const all: Wire[] = [];
    let total = 0;
    do {
      const page = (await list(sim, league, { offset: all.length, limit: 100 }, now)).json() as { total: number; lists?: Wire[] };
      total = page.total;
      all.push(...(page.lists ?? []));
    } while (all.length < total);
    return all;
  }

  it('a RUNNING instance ends after the clock advances, and new ones appear', async () => {
    const clock = fakeClock(T);
    const sim = await startSimulator({ now: clock.now, seed: 11 });
    try {
      const league = DEMO_LEAGUES[0]!.id;
      const first = await everything(sim, league, clock.now);
      const runningOne = first.find((i) => i.status === 'RUNNING');
      expect(runningOne).toBeDefined();
      expect(runningOne?.end_time).toBeUndefined();
      clock.advance(2 * HOUR);
      const later = await everything(sim, league, clock.now);
      const same = later.find((i) => i.id === runningOne!.id)!;
      expect(isTerminalStatus(same.status)).toBe(true);
      expect(Date.parse(same.end_time!)).toBeGreaterThan(T);
      expect(later.length).toBeGreaterThan(first.length);
    } finally {
      await sim.close();
    }
  });
});
