/**
 * The watcher's integration tests step the real bot (startHarness: simulator + fake Slack + startBot)
 * one poll cycle at a time. The bot and the simulator share a clock the test moves forward, so
 * "the next interval", a backoff or a Slack Retry-After pass without waiting for them. The offset
 * stays far below the simulator's 15-minute signature skew limit (the TICS signer uses the real
 * clock), so every harness is short-lived: one per scenario group.
 */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { CycleReport } from '../../../src/watch/watcher.js';
import type { JobInstance } from '../../../src/tics/schema.js';
import type { SlackCall } from '../../fakes/slack-api.js';
import { allText, blocksOf, startHarness, type Harness, type HarnessOptions, type SlackBody } from '../../helpers/bot-harness.js';

/** Seconds between polls in these tests; each `cycle()` moves the shared clock by one interval. */
export const INTERVAL_SECONDS = 10;
const HOUR = 3_600_000;
const MAX_OFFSET_MS = 14 * 60_000;

export interface TestClock {
  readonly now: () => number;
  readonly advance: (ms: number) => void;
  /** How far ahead of the real clock it runs. */
  readonly offset: number;
}

export function testClock(): TestClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    get offset() {
      return offset;
    },
  };
}

export interface WatchHarness extends Harness {
  readonly clock: TestClock;
  /** Moves the clock one interval on and runs one watcher cycle (poll every due league, deliver). */
  cycle(advanceMs?: number): Promise<CycleReport>;
  /** Every chat.postMessage call so far (successful or not). */
  posts(): SlackCall[];
  /** chat.postMessage calls Slack accepted, from index `since` on. */
  alertsSince(since: number): SlackCall[];
}

export async function startWatchHarness(options: Omit<HarnessOptions, 'bot' | 'simulator'> = {}): Promise<WatchHarness> {
  const clock = testClock();
  const h = await startHarness({
    ...options,
    simulator: { seed: false, now: clock.now },
    bot: { autoWatch: false, now: clock.now },
    env: {
      WATCH_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
      // A failed TICS call surfaces at once (no real-time retry sleeps); the watcher's own backoff is what is tested.
      TICS_MAX_RETRIES: '0',
      ...options.env,
    },
  });
  return Object.assign(h, {
    clock,
    async cycle(advanceMs = INTERVAL_SECONDS * 1000) {
      clock.advance(advanceMs);
      // Past this the simulator would refuse the bot's signatures (real clock) as skewed.
      if (clock.offset > MAX_OFFSET_MS) throw new Error(`test clock is ${clock.offset} ms ahead: split the scenario over more harnesses`);
      return h.bot.watcher.runCycle();
    },
    posts: () => h.slack.callsTo('chat.postMessage'),
    alertsSince: (since: number) =>
      h.slack
        .callsTo('chat.postMessage')
        .slice(since)
        .filter((c) => c.response.ok === true),
  });
}

/** A 32-hex TICS-shaped id, stable per name so a failing assertion names something readable. */
export function idFor(name: string): string {
  return createHash('md5').update(name).digest('hex');
}

/** Adds (or replaces) one instance; `age` hours before `now` it started. */
export function putInstance(
  h: Pick<Harness, 'sim'> & { clock: TestClock },
  leagueId: string,
  name: string,
  fields: Partial<JobInstance> & { status: string },
  ageHours = 1,
): JobInstance {
  h.sim.world.addLeague(leagueId);
  const startTime = fields.startTime ?? h.clock.now() - ageHours * HOUR;
  const terminal = ['FAILED', 'TERMINATED', 'SUCCEEDED'].includes(fields.status);
  const instance: JobInstance = {
    id: idFor(`${leagueId}/${name}`),
    jobName: name,
    type: 'VFL_TRAIN',
    roundId: 3,
    startTime,
    ...(terminal ? { endTime: startTime + 10 * 60_000 } : {}),
    ...fields,
  };
  h.sim.world.upsertInstance(leagueId, instance);
  return instance;
}

// ---------------------------------------------------------------------------------------------
// Reading alerts
// ---------------------------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The instance id a single alert names in its "Instance" field (undefined for a digest). */
export function alertInstanceId(message: SlackBody): string | undefined {
  for (const block of blocksOf(message)) {
    if (!isRecord(block) || !Array.isArray(block.fields)) continue;
    for (const field of block.fields) {
      const text = isRecord(field) && typeof field.text === 'string' ? field.text : '';
      const match = /^\*Instance\*\n`([^`]+)`$/.exec(text);
      if (match) return match[1];
    }
  }
  return undefined;
}

/** The header text (status glyph, status, job name) of an alert or a digest. */
export function headerOf(message: SlackBody): string {
  const header = blocksOf(message).find((b) => isRecord(b) && b.type === 'header');
  return isRecord(header) && isRecord(header.text) && typeof header.text.text === 'string' ? header.text.text : '';
}

export interface AlertSeen {
  channel: string;
  instanceId: string | undefined;
  status: string;
  text: string;
}

/** One row per accepted single alert: channel, instance id, status (from the header). */
export function describeAlerts(calls: readonly SlackCall[]): AlertSeen[] {
  return calls.map((c) => {
    const header = headerOf(c.args);
    const status = /^\S+ ([A-Z_]+) · /.exec(header)?.[1] ?? header;
    return { channel: String(c.args.channel), instanceId: alertInstanceId(c.args), status, text: String(c.args.text) };
  });
}

/** Sorted "channel instance STATUS" triples: compare alert sets regardless of delivery order. */
export function alertTriples(calls: readonly SlackCall[]): string[] {
  return describeAlerts(calls)
    .map((a) => `${a.channel} ${a.instanceId ?? '(digest)'} ${a.status}`)
    .sort();
}

export function triple(channel: string, instance: JobInstance, status: string): string {
  return `${channel} ${instance.id} ${status}`;
}

/** The digest's lines (one per alert, "emoji *STATUS* · *job* · …"), read from its sections. */
export function digestJobLines(message: SlackBody): string[] {
  return allText(message)
    .split('\n')
    .filter((line) => /^:\w+: \*[A-Z_]+\* · /.test(line));
}

/** Asserts the harness invariants, expecting exactly the Slack refusals the test injected in between. */
export function expectOnlyInjectedRefusals(h: Harness, pattern: RegExp): void {
  expect(() => h.assertInvariants()).toThrow(pattern);
}

/** No error-level log line anywhere in the run (assertInvariants skips a window it threw in). */
export function expectNoErrorLogs(h: Harness): void {
  const errors = h.logs().filter((l) => l.level >= 50);
  expect(errors.map((l) => `${String(l.msg)} ${JSON.stringify(l.err ?? '')}`)).toEqual([]);
}
