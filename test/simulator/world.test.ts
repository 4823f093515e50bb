import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminalStatus, type JobInstance } from '../../src/tics/schema.js';
import { SimWorld, jobIdFor } from '../../src/simulator/world.js';
import { fakeClock } from './http.js';

const T = Date.parse('2024-05-01T08:00:00.000Z');

function running(id: string, start = T): JobInstance {
  return { id, jobName: 'train', type: 'VFL_TRAIN', status: 'RUNNING', startTime: start, roundId: 0 };
}

describe('SimWorld', () => {
  it('lists newest start first, not-yet-started first, and returns copies', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    world.upsertInstance('l1', running('a', T - 3000));
    world.upsertInstance('l1', running('b', T - 1000));
    world.upsertInstance('l1', { id: 'c', jobName: 'x', type: 'SQL', status: 'NEW' });
    world.upsertInstance('l1', running('d', T - 2000));
    expect(world.instances('l1').map((i) => i.id)).toEqual(['c', 'b', 'd', 'a']);
    world.instances('l1')[0]!.status = 'MUTATED';
    expect(world.instance('l1', 'c')?.status).toBe('NEW');
  });

  it('setStatus stamps end_time on terminal statuses, clears it otherwise, and cancels the plan', () => {
    const clock = fakeClock(T);
    const world = new SimWorld({ now: clock.now });
    world.addLeague('l1');
    world.upsertInstance('l1', running('a'), { plan: [{ at: T + 5000, status: 'SUCCEEDED' }] });
    clock.advance(1234);
    world.setStatus('l1', 'a', 'FAILED');
    expect(world.instance('l1', 'a')).toMatchObject({ status: 'FAILED', endTime: T + 1234 });
    world.setStatus('l1', 'a', 'RUNNING');
    expect(world.instance('l1', 'a')?.endTime).toBeUndefined();
    world.advanceTo(T + 10_000);
    expect(world.instance('l1', 'a')?.status).toBe('RUNNING');
  });

  it('applies plan steps when their time comes, with end_time at the step time', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    world.upsertInstance('l1', running('a'), {
      plan: [
        { at: T + 3000, status: 'SUCCEEDED', roundId: 10, resultExt: '{"auc":0.9}' },
        { at: T + 1000, roundId: 4 },
      ],
    });
    world.advanceTo(T + 999);
    expect(world.instance('l1', 'a')).toMatchObject({ status: 'RUNNING', roundId: 0 });
    world.advanceTo(T + 1000);
    expect(world.instance('l1', 'a')).toMatchObject({ status: 'RUNNING', roundId: 4 });
    world.advanceTo(T + 60_000);
    expect(world.instance('l1', 'a')).toMatchObject({ status: 'SUCCEEDED', roundId: 10, endTime: T + 3000, resultExt: '{"auc":0.9}' });
    expect(world.planOf('l1', 'a')).toEqual([]);
  });

  it('never goes backwards', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    world.upsertInstance('l1', running('a'), { plan: [{ at: T + 1000, status: 'FAILED' }] });
    world.advanceTo(T + 2000);
    world.advanceTo(T);
    expect(world.instance('l1', 'a')?.status).toBe('FAILED');
  });

  it('runs timers in time order, interleaved with steps', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    const fired: number[] = [];
    world.every(T + 100, (at) => {
      fired.push(at);
      world.upsertInstance('l1', running(`s${at - T}`, at), { plan: [{ at: at + 50, status: 'SUCCEEDED' }] });
      return at + 100;
    });
    world.advanceTo(T + 340);
    expect(fired).toEqual([T + 100, T + 200, T + 300]);
    expect(world.instances('l1').map((i) => `${i.id}:${i.status}`)).toEqual(['s300:RUNNING', 's200:SUCCEEDED', 's100:SUCCEEDED']);
  });

  it('queries with offset, limit, total and job id', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    for (let i = 0; i < 5; i++) world.upsertInstance('l1', { ...running(`a${i}`, T - i), jobName: 'alpha' });
    for (let i = 0; i < 3; i++) world.upsertInstance('l1', { ...running(`b${i}`, T - 10 - i), jobName: 'beta' }, { jobId: 'betaJob1' });
    expect(world.query('l1', { offset: 3, limit: 3 })).toMatchObject({ total: 8, instances: [{ id: 'a3' }, { id: 'a4' }, { id: 'b0' }] });
    expect(world.query('l1', { offset: 1, limit: 10, jobId: 'betaJob1' })).toMatchObject({ total: 3, instances: [{ id: 'b1' }, { id: 'b2' }] });
    expect(world.query('l1', { offset: 0, limit: 10, jobId: jobIdFor('alpha') }).total).toBe(5);
    // Replacing keeps the job id.
    world.upsertInstance('l1', { ...running('b0', T - 10), status: 'FAILED' });
    expect(world.jobIdOf('l1', 'b0')).toBe('betaJob1');
  });

  it('drops the oldest finished instances beyond the cap, never live ones', () => {
    const world = new SimWorld({ maxInstancesPerLeague: 3 });
    world.addLeague('l1');
    world.upsertInstance('l1', running('oldLive', T - 100));
    for (let i = 0; i < 4; i++) world.upsertInstance('l1', { ...running(`f${i}`, T - 50 + i), status: 'SUCCEEDED', endTime: T });
    expect(world.instances('l1').map((i) => i.id)).toEqual(['f3', 'f2', 'oldLive']);
  });

  it('refuses unknown leagues and ids TICS could not have', () => {
    const world = new SimWorld();
    expect(() => world.upsertInstance('nope', running('a'))).toThrow(/unknown league/);
    expect(() => world.addLeague('bad-league')).toThrow();
    world.addLeague('l1');
    expect(() => world.upsertInstance('l1', running('a'), { jobId: 'has space' })).toThrow();
    expect(() => world.setStatus('l1', 'missing', 'FAILED')).toThrow(/unknown instance/);
  });

  it('reaches the same state however the clock is stepped (property)', () => {
    const build = () => {
      const world = new SimWorld();
      world.addLeague('l1');
      let n = 0;
      world.every(T + 7, (at) => {
        const id = `t${n++}`;
        world.upsertInstance('l1', running(id, at), {
          plan: [
            { at: at + 13, roundId: 1 },
            { at: at + 29, status: n % 3 === 0 ? 'FAILED' : 'SUCCEEDED' },
          ],
        });
        return at + 11 + (n % 5);
      });
      return world;
    };
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 20 }), (steps) => {
        const stepped = build();
        let t = T;
        for (const s of steps) stepped.advanceTo((t += s));
        const jumped = build();
        jumped.advanceTo(t);
        expect(stepped.instances('l1')).toEqual(jumped.instances('l1'));
      }),
      { numRuns: 50 },
    );
  });

  it('finished instances have an end time, live ones do not', () => {
    const world = new SimWorld();
    world.addLeague('l1');
    world.upsertInstance('l1', running('a'), { plan: [{ at: T + 1, status: 'TERMINATING' }, { at: T + 2, status: 'TERMINATED' }] });
    world.advanceTo(T + 1);
    expect(world.instance('l1', 'a')?.endTime).toBeUndefined();
    world.advanceTo(T + 2);
    const a = world.instance('l1', 'a')!;
    expect(isTerminalStatus(a.status) && a.endTime).toBe(T + 2);
  });
});
