/**
 * The TICS ListInstanceHistory wire format, validated once at the edge and turned into the typed
 * values the rest of the bot trusts. Unknown statuses and types are kept as strings: TICS will add
 * values one day and a new word must render, not crash.
 */
import { z } from 'zod';
import { withoutUndefined } from '../exact.js';
import { isoWire, wireDate, wireText } from './wire.js';

export const KNOWN_STATUSES = [
  'NEW',
  'SUBMITING',
  'ACCEPTED',
  'DEPLOYING',
  'RUNNING',
  'PENDING',
  'TERMINATING',
  'SUCCEEDED',
  'FAILED',
  'TERMINATED',
] as const;
type KnownStatus = (typeof KNOWN_STATUSES)[number];
/** A status as TICS sent it: one of the known ones, or a future value kept verbatim. */
type InstanceStatus = KnownStatus | (string & {});

const TERMINAL_STATUSES: ReadonlySet<string> = new Set<KnownStatus>(['SUCCEEDED', 'FAILED', 'TERMINATED']);

export function isKnownStatus(value: string): value is KnownStatus {
  return (KNOWN_STATUSES as readonly string[]).includes(value);
}

export function isTerminalStatus(status: string): boolean {
  return TERMINAL_STATUSES.has(status);
}

export const KNOWN_INSTANCE_TYPES = [
  'HFL',
  'SQL',
  'VFL_EVALUATE',
  'VFL_FEATURE_SELECTION',
  'VFL_ID_TRUNCATION',
  'VFL_PREDICT',
  'VFL_SAMPLE_ALIGNMENT',
  'VFL_TRAIN',
] as const;
export type KnownInstanceType = (typeof KNOWN_INSTANCE_TYPES)[number];
type InstanceType = KnownInstanceType | (string & {});

/** What the bot works with: camelCase, times as epoch milliseconds (JSON-safe for the store). */
export interface JobInstance {
  id: string;
  jobName: string;
  type: InstanceType;
  status: InstanceStatus;
  roundId?: number;
  startTime?: number;
  endTime?: number;
  isSinglePredict?: boolean;
  jobPartner?: string;
  ext?: string;
  resultExt?: string;
}

export interface InstancePage {
  total: number;
  instances: JobInstance[];
}

const wireInstance = z.object({
  id: z.string().nullish(),
  job_name: z.string().nullish(),
  job_instance_type: z.string().nullish(),
  status: z.string().nullish(),
  round_id: z.number().int().nullish(),
  start_time: wireDate,
  end_time: wireDate,
  is_single_predict: z.boolean().nullish(),
  job_partner: wireText,
  ext: wireText,
  result_ext: wireText,
});

const wirePage = z.object({
  total: z.number().int().nonnegative().nullish(),
  lists: z.array(wireInstance).nullish(),
});

function toJobInstance(wire: z.output<typeof wireInstance>): JobInstance {
  return withoutUndefined<JobInstance>({
    id: wire.id ?? '',
    jobName: wire.job_name ?? '',
    type: wire.job_instance_type ?? 'UNKNOWN',
    status: (wire.status ?? 'UNKNOWN').toUpperCase(),
    roundId: wire.round_id ?? undefined,
    startTime: wire.start_time,
    endTime: wire.end_time,
    isSinglePredict: wire.is_single_predict ?? undefined,
    jobPartner: wire.job_partner,
    ext: wire.ext,
    resultExt: wire.result_ext,
  });
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: string };

/** Validates a 200 body. A missing `lists` is an empty page; a missing `total` is the page length. */
export function parseInstancePage(body: unknown): ParseResult<InstancePage> {
  const parsed = wirePage.safeParse(body);
  if (!parsed.success) return { ok: false, issues: z.prettifyError(parsed.error) };
  const instances = (parsed.data.lists ?? []).map(toJobInstance);
  return { ok: true, value: { total: parsed.data.total ?? instances.length, instances } };
}

/** The wire shape, for the simulator (which must speak exactly what TICS speaks). */
export function toWireInstance(instance: JobInstance): Record<string, unknown> {
  return withoutUndefined<Record<string, unknown>>({
    id: instance.id,
    job_name: instance.jobName,
    job_instance_type: instance.type,
    status: instance.status,
    round_id: instance.roundId,
    start_time: isoWire(instance.startTime),
    end_time: isoWire(instance.endTime),
    is_single_predict: instance.isSinglePredict,
    job_partner: instance.jobPartner,
    ext: instance.ext,
    result_ext: instance.resultExt,
  });
}

export const errorBodySchema = z.object({
  error_code: z.string().optional(),
  error_msg: z.string().optional(),
});

/** Ids in paths and `job_id`: ≤ 32 letters or digits (tics-api.md). */
export const ticsIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters or digits');
