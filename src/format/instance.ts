/**
 * How a job instance is put into words on any surface (Slack views, the terminal table): durations,
 * timing phrases, type and prediction labels, counts. Plain text only, no markup; no clock is read
 * here: callers pass `now`.
 */
import { UTCDateMini } from '@date-fns/utc/date/mini';
import { formatDuration } from 'date-fns/formatDuration';
import { intervalToDuration } from 'date-fns/intervalToDuration';
import type { Duration } from 'date-fns';
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';

// date-fns's `in` context, as @date-fns/utc's `utc()` but on the mini class (see tics/sign.ts).
const utc = (value: Date | number | string) => new UTCDateMini(+new Date(value));

// Largest first. Seconds only matter for short runs; "2 hours 0 minutes 7 seconds" is noise.
const DURATION_UNITS = ['years', 'months', 'days', 'hours', 'minutes'] as const satisfies ReadonlyArray<keyof Duration>;

/**
 * A compact human duration: the largest non-zero unit plus the next one down when non-zero
 * ("1 hour 5 minutes", "2 days"); seconds only under a minute. Negative input (clock skew between
 * TICS and us) reads as zero rather than as nonsense.
 */
export function formatDurationMs(ms: number): string {
  const safe = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  // UTC so a daylight-saving change in the server's zone cannot add or drop an hour.
  const duration = intervalToDuration({ start: 0, end: safe }, { in: utc });
  if (safe < 60_000) return formatDuration({ seconds: duration.seconds ?? 0 }, { format: ['seconds'], zero: true });
  const first = DURATION_UNITS.findIndex((unit) => (duration[unit] ?? 0) > 0);
  const units = DURATION_UNITS.slice(first, first + 2).filter((unit) => (duration[unit] ?? 0) > 0);
  return formatDuration(duration, { format: [...units] });
}

const FINISHED_VERB: Readonly<Record<string, string>> = {
  SUCCEEDED: 'took',
  FAILED: 'failed after',
  TERMINATED: 'stopped after',
};

/** One phrase about how long an instance ran or has been running. */
export function describeTiming(instance: Pick<JobInstance, 'status' | 'startTime' | 'endTime'>, now: number): string {
  const { startTime, endTime, status } = instance;
  if (startTime === undefined) return 'not started';
  if (endTime !== undefined) return `${FINISHED_VERB[status] ?? 'ran'} ${formatDurationMs(endTime - startTime)}`;
  if (isTerminalStatus(status)) return 'end time unknown';
  const elapsed = formatDurationMs(now - startTime);
  return status === 'RUNNING' ? `running for ${elapsed}` : `in progress for ${elapsed}`;
}

const TYPE_LABEL: Readonly<Record<string, string>> = {
  HFL: 'Horizontal FL',
  SQL: 'Federated SQL',
  VFL_TRAIN: 'Vertical FL training',
  VFL_EVALUATE: 'Vertical FL evaluation',
  VFL_FEATURE_SELECTION: 'Feature selection',
  VFL_ID_TRUNCATION: 'ID truncation',
  VFL_PREDICT: 'Vertical FL prediction',
  VFL_SAMPLE_ALIGNMENT: 'Sample alignment',
};

/** A human label for a known instance type; an unknown one is returned as-is (unescaped). */
export function typeLabel(type: string): string {
  return TYPE_LABEL[type] ?? type;
}

export function predictionLabel(isSinglePredict: boolean): string {
  return isSinglePredict ? 'single-party prediction' : 'two-party prediction';
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}
