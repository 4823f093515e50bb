import { describe, expect, it } from 'vitest';
import { DEMO_STUCK_MS, FAILED_RUNS, ROUND_MS, RUN_GAP_MS, addDemoStory, flakyRunId } from '../../src/simulator/demo-story.js';
import { DEMO_LEAGUES, seedWorld } from '../../src/simulator/seed.js';
import { SimWorld } from '../../src/simulator/world.js';
import { isTerminalStatus } from '../../src/tics/schema.js';

const T = Date.parse('2024-05-01T08:00:00.000Z');
const MINUTE = 60_000;
const LEAGUE = DEMO_LEAGUES[0]!.id;

function storyWorld() {
  let now = T;
  const world = new SimWorld({ now: () => now, speed: 60 });
  seedWorld(world, { seed: 1, now: T });
  const story = addDemoStory(world, { leagueId: LEAGUE, now: T });
  const advance = (to: number) => {
    now = to;
    world.advanceTo(to);
  };
  return { world, story, advance };
}

/** The story's runs, oldest first (the league's own spawns may run the same job too). */
const runsOf = (world: SimWorld, jobId: string) => {
  const ids = new Set(Array.from({ length: 200 }, (_, run) => flakyRunId(T, run)));
  return world
    .query(LEAGUE, { offset: 0, limit: 2000, jobId })
    .instances.filter((i) => ids.has(i.id))
    .reverse();
};

describe('demo story', () => {
  it('the flaky job fails FAILED_RUNS runs in a row, then succeeds, each run ending in its own watch interval, within 4 minutes', () => {
    const { world, story, advance } = storyWorld();
    advance(T + 4 * MINUTE);
    const runs = runsOf(world, story.flakyJob.id);
    expect(runs.map((r) => r.status)).toEqual([...Array<string>(FAILED_RUNS).fill('FAILED'), 'SUCCEEDED']);
    expect(new Set(runs.map((r) => r.jobName))).toEqual(new Set([story.flakyJob.name]));
    const ends = runs.map((r) => r.endTime!);
    for (let i = 1; i < ends.length; i++) expect(ends[i]! - ends[i - 1]!).toBe(RUN_GAP_MS);
    expect(ends.at(-1)! - T).toBeLessThan(4 * MINUTE);
    // The story uses a job the league already has, so Job history shows its earlier runs too.
    expect(world.query(LEAGUE, { offset: 0, limit: 1000, jobId: story.flakyJob.id }).total).toBeGreaterThan(runs.length);
  });

  it('starts over every ROUND_MS', () => {
    const { world, story, advance } = storyWorld();
    advance(T + ROUND_MS + 4 * MINUTE);
    const runs = runsOf(world, story.flakyJob.id);
    expect(runs.map((r) => r.status)).toEqual([...Array<string>(FAILED_RUNS).fill('FAILED'), 'SUCCEEDED', ...Array<string>(FAILED_RUNS).fill('FAILED'), 'SUCCEEDED']);
    expect(runs[FAILED_RUNS + 1]!.startTime! - runs[0]!.startTime!).toBe(ROUND_MS);
  });

  it('the hung job stays RUNNING and crosses the suggested stuck: limit about 3 minutes in', () => {
    const { world, story, advance } = storyWorld();
    const hung = world.instance(LEAGUE, story.hungInstanceId)!;
    expect(hung.status).toBe('RUNNING');
    expect(hung.jobName).toBe(story.hungJob.name);
    expect(T - hung.startTime!).toBeLessThan(DEMO_STUCK_MS);
    expect(T + 3 * MINUTE - hung.startTime!).toBe(DEMO_STUCK_MS);
    advance(T + 2 * 60 * MINUTE);
    expect(world.instance(LEAGUE, story.hungInstanceId)!.status).toBe('RUNNING');
    expect(isTerminalStatus(world.instance(LEAGUE, story.hungInstanceId)!.status)).toBe(false);
  });

  it('a year-long clock jump neither replays every round nor takes long', () => {
    const { world, story, advance } = storyWorld();
    const started = performance.now();
    advance(T + 365 * 24 * 60 * MINUTE);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(runsOf(world, story.flakyJob.id).length).toBeLessThan(50);
  });

  it('is deterministic for the same start', () => {
    const a = storyWorld();
    const b = storyWorld();
    a.advance(T + 5 * MINUTE);
    b.advance(T + 5 * MINUTE);
    expect(runsOf(a.world, a.story.flakyJob.id)).toEqual(runsOf(b.world, b.story.flakyJob.id));
  });
});
