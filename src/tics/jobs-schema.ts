/**
 * ListFlJob and ListSqlJob (tics-api-more.md §3). The job id is `job_id` in one and `id` in the
 * other, as TICS sends them.
 */
import { z } from 'zod';
import type { ParseResult } from './schema.js';
import { isoWire, parseWirePage, snakeize, wireBool, wireDate, wireKey, wireText } from './wire.js';

/** Job types (not the instance types of ListInstanceHistory, a different vocabulary). */
export const KNOWN_JOB_TYPES = ['SQL', 'HFL', 'VFL', 'PREDICT', 'DATA_EXCHANGE'] as const;
export type JobType = (typeof KNOWN_JOB_TYPES)[number] | (string & {});
export const KNOWN_APPROVAL_STATUSES = ['NEW', 'APPROVING', 'APPROVED', 'REJECTED', 'REVOKED'] as const;
export type ApprovalStatus = (typeof KNOWN_APPROVAL_STATUSES)[number] | (string & {});
export type HflType = 'TRAIN' | 'EVALUATE' | (string & {});
export type AlgorithmType = 'XG_BOOST' | 'LIGHT_BGM' | 'LOGISTIC_REGRESSION' | 'NEURAL_NETWORK' | 'FIBINET' | (string & {});
export type LearningTaskType = 'CLASSIFICATION' | 'REGRESSION' | (string & {});

/** A federated-learning job. `jobId` is usable as ListInstanceHistory's `job_id`. */
export interface FlJob {
  jobId: string;
  jobName: string;
  creatorName?: string;
  /** Epoch ms. */
  createTime?: number;
  jobType?: JobType;
  hflType?: HflType;
  hflPlatformType?: string;
  algorithmType?: AlgorithmType;
  learningTaskType?: LearningTaskType;
  approvalStatus?: ApprovalStatus;
  isSinglePredict?: boolean;
  description?: string;
  ext?: string;
}

/** A federated SQL analysis job. `id` is usable as ListInstanceHistory's `job_id`. */
export interface SqlJob {
  id: string;
  name: string;
  jobType?: JobType;
  leagueId?: string;
  domainId?: string;
  creatorId?: string;
  creatorName?: string;
  /** Epoch ms. */
  createTime?: number;
  updateTime?: number;
  updateUserId?: string;
  updateUserName?: string;
  deleted?: boolean;
  approvalStatus?: ApprovalStatus;
  description?: string;
}

export interface FlJobPage {
  total: number;
  jobs: FlJob[];
}

export interface SqlJobPage {
  total: number;
  jobs: SqlJob[];
}

const wireFlJob = z.object({
  job_id: wireKey,
  job_name: wireKey,
  creator_name: wireText,
  create_time: wireDate,
  job_type: wireText,
  hfl_type: wireText,
  hfl_platform_type: wireText,
  algorithm_type: wireText,
  learning_task_type: wireText,
  approval_status: wireText,
  is_single_predict: wireBool,
  description: wireText,
  ext: wireText,
});

const wireSqlJob = z.object({
  id: wireKey,
  name: wireKey,
  job_type: wireText,
  league_id: wireText,
  domain_id: wireText,
  creator_id: wireText,
  creator_name: wireText,
  create_time: wireDate,
  update_time: wireDate,
  update_user_id: wireText,
  update_user_name: wireText,
  deleted: wireBool,
  approval_status: wireText,
  description: wireText,
});

export function parseFlJobPage(body: unknown): ParseResult<FlJobPage> {
  const page = parseWirePage<FlJob>(wireFlJob, body);
  return page.ok ? { ok: true, value: { total: page.value.total, jobs: page.value.items } } : page;
}

export function parseSqlJobPage(body: unknown): ParseResult<SqlJobPage> {
  const page = parseWirePage<SqlJob>(wireSqlJob, body);
  return page.ok ? { ok: true, value: { total: page.value.total, jobs: page.value.items } } : page;
}

export function toWireFlJob(job: FlJob): Record<string, unknown> {
  return snakeize({ ...job, createTime: isoWire(job.createTime) }) as Record<string, unknown>;
}

export function toWireSqlJob(job: SqlJob): Record<string, unknown> {
  return snakeize({ ...job, createTime: isoWire(job.createTime), updateTime: isoWire(job.updateTime) }) as Record<string, unknown>;
}
