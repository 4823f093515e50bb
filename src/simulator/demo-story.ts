/**
 * What `npm run demo` adds to the seeded world so that incidents show within minutes instead of
 * whenever the dice allow: in one league, a job that fails several runs in a row and then succeeds
 * (a thread with replies, then its recovery), over and over, and one federated job that hangs in
 * RUNNING (a `stuck:` alert). Only the demo calls this: the seeded world the tests and the CLI use
 * stays as it was.
 *
 * Times are clock times (like every instance in the world), not simulated ones: a watch polls on
 * the clock, and `stuck:` limits are clock durations.
 */
import { createHash } from 'node:crypto';
import { millisecondsInMinute, millisecondsInSecond } from 'date-fns/constants';
import { withoutUndefined } from '../exact.js';
import type { JobInstance } from '../tics/schema.js';
import type { SimWorld } from './world.js';

export interface DemoStoryOptions {
  leagueId: string;
  /** The clock when the demo starts: the first flaky run starts a little after it. */
  now: number;
  /** The `stuck:` limit the demo suggests; the hung job crosses it `hungCrossesAfterMs` after `now`. */
  stuckMs?: number;
  hungCrossesAfterMs?: number;
}

export interface DemoStory {
  flakyJob: { id: string; name: string };
  hungJob: { id: string; name: string };
  hungInstanceId: string;
}

/** A story round: FAILED_RUNS failures of the flaky job, then one success; then it starts over. */
export const FAILED_RUNS = 4;
export const DEMO_STUCK_MS = 30 * millisecondsInMinute;
/** Longer than a watch interval (15 s in the demo), so each run is its own alert. */
export const RUN_GAP_MS = 35 * millisecondsInSecond;
const FIRST_RUN_AFTER_MS = 20 * millisecondsInSecond;
const RUNNING_AFTER_MS = 5 * millisecondsInSecond;
const ENDS_AFTER_MS = 25 * millisecondsInSecond;
/** A round every 10 minutes: someone who adds the watch later still sees the whole story soon. */
export const ROUND_MS = 10 * millisecondsInMinute;
const CATCH_UP_MS = 6 * ROUND_MS;

const FLAKY_ERROR = '{"error_code":"TICS.DATA.0102","error_msg":"样本对齐结果为空，请检查ID列 (ID column id_sha256 missing at agentTelco02)"}';

function storyId(what: string): string {
  return createHash('md5').update(`demo-story:${what}`, 'utf8').digest('hex');
}

/** The id of the story's `run`-th flaky run (0-based) for a story started at `now`. */
export function flakyRunId(now: number, run: number): string {
  return storyId(`flaky:${now}:${run}`);
}

/** A job of the league with history of this type, as the seed made it (its name, id and partners). */
function jobOfType(world: SimWorld, leagueId: string, type: string): { id: string; sample: JobInstance } {
  const sample = world.instances(leagueId).find((i) => i.type === type && world.jobIdOf(leagueId, i.id) !== undefined);
  if (!sample) throw new Error(`league ${leagueId} has no ${type} job to tell the demo story with`);
  return { id: world.jobIdOf(leagueId, sample.id)!, sample };
}

export function addDemoStory(world: SimWorld, options: DemoStoryOptions): DemoStory {
  const { leagueId, now } = options;
  const flaky = jobOfType(world, leagueId, 'VFL_SAMPLE_ALIGNMENT');
  const hung = jobOfType(world, leagueId, 'VFL_TRAIN');

  // Hung from the start; crosses the suggested limit a few minutes in, so the alert shows up live.
  const hungInstanceId = storyId(`hung:${now}`);
  const hungSince = now - (options.stuckMs ?? DEMO_STUCK_MS) + (options.hungCrossesAfterMs ?? 3 * millisecondsInMinute);
  world.upsertInstance(
    leagueId,
    withoutUndefined<JobInstance>({
      id: hungInstanceId,
      jobName: hung.sample.jobName,
      type: hung.sample.type,
      status: 'RUNNING',
      startTime: hungSince,
      roundId: 3,
      jobPartner: hung.sample.jobPartner,
      ext: hung.sample.ext,
    }),
    { jobId: hung.id },
  );

  let run = 0;
  const firstAt = now + FIRST_RUN_AFTER_MS;
  world.every(firstAt, (at, target) => {
    const round = Math.floor(run / (FAILED_RUNS + 1));
    // After a long clock jump, replay the last hour's rounds at most, not every missed one.
    if (target - at > CATCH_UP_MS) {
      run = (round + Math.floor((target - at - CATCH_UP_MS) / ROUND_MS) + 1) * (FAILED_RUNS + 1);
      return roundStart(run);
    }
    const succeeds = run % (FAILED_RUNS + 1) === FAILED_RUNS;
    const instance = withoutUndefined<JobInstance>({
      id: flakyRunId(now, run),
      jobName: flaky.sample.jobName,
      type: flaky.sample.type,
      status: 'NEW',
      startTime: at,
      roundId: 0,
      jobPartner: flaky.sample.jobPartner,
      ext: flaky.sample.ext,
    });
    world.upsertInstance(leagueId, instance, {
      jobId: flaky.id,
      plan: [
        { at: at + RUNNING_AFTER_MS, status: 'RUNNING', roundId: 1 },
        succeeds
          ? { at: at + ENDS_AFTER_MS, status: 'SUCCEEDED', roundId: 1, resultExt: '{"aligned_rows":1843201,"intersection_rate":0.8731}' }
          : { at: at + ENDS_AFTER_MS, status: 'FAILED', roundId: 1, resultExt: FLAKY_ERROR },
      ],
    });
    run += 1;
    return run % (FAILED_RUNS + 1) === 0 ? roundStart(run) : at + RUN_GAP_MS;
  });

  function roundStart(nextRun: number): number {
    return firstAt + Math.floor(nextRun / (FAILED_RUNS + 1)) * ROUND_MS;
  }

  return { flakyJob: { id: flaky.id, name: flaky.sample.jobName }, hungJob: { id: hung.id, name: hung.sample.jobName }, hungInstanceId };
}
