/**
 * ShowInstanceReport and ShowJobInstanceDag (tics-api-more.md §4). Statuses and types reuse the
 * instance vocabulary (schema.ts) and stay open strings.
 */
import { z } from 'zod';
import type { ParseResult } from './schema.js';
import { isoWire, parseWire, snakeize, wireDate, wireKey, wireNumber, wireText } from './wire.js';

export type NodeType = 'AGENT' | 'AGG' | 'AGG_MANAGER' | 'SERVER' | (string & {});

export interface Processor {
  id: string;
  taskName: string;
  taskStatus?: string;
  /** Epoch numbers of undocumented unit, as sent. */
  startTime?: number;
  endTime?: number;
  execDurationNano?: number;
  taskInRecordCnt?: number;
  taskOutRecordCnt?: number;
  lastStepTaskInsId?: string[];
  /** Free-form display info; keys as TICS sent them. */
  taskShowInfo?: Record<string, unknown>;
}

export interface Stage {
  id: number;
  stageName?: string;
  /** Upstream stage ids: the edges of the graph. */
  lastStepStageId?: number[];
  processors?: Processor[];
}

/** One node's part of a round. */
export interface Deploy {
  nodeId: string;
  nodeName: string;
  nodePartnerAlias: string;
  nodeType?: NodeType;
  stages?: Stage[];
}

export interface InstanceReport {
  jobReportBaseInfo?: {
    jobName?: string;
    jobType?: string;
    status?: string;
    hflType?: string;
    executor?: string;
    /** Epoch ms. */
    exeTime?: number;
  };
  jobReportEnv?: { leagueId?: string; leagueName?: string; projectId?: string; regionId?: string; aggName?: string };
  jobReportOutput?: { resultStorageAgentName?: string; resultStorageDomainAlias?: string; ext?: string };
  jobReportPartners?: Array<{ partnerDomainName?: string; partnerDomainAlias?: string; agentName?: string; datasetName?: string; dataOutputCnt?: number }>;
  roundDeploys?: Array<{ roundId?: number; deploys?: Deploy[] }>;
}

const showInfo = z
  .unknown()
  .transform((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined))
  .optional();

const wireProcessor = z.object({
  id: wireKey,
  task_name: wireKey,
  task_status: wireText,
  start_time: wireNumber,
  end_time: wireNumber,
  exec_duration_nano: wireNumber,
  task_in_record_cnt: wireNumber,
  task_out_record_cnt: wireNumber,
  last_step_task_ins_id: z.array(z.string()).nullish(),
  task_show_info: showInfo,
});

const wireStage = z.object({
  id: z.number().int().nullish().transform((v) => v ?? 0),
  stage_name: wireText,
  last_step_stage_id: z.array(z.number().int()).nullish(),
  processors: z.array(wireProcessor).nullish(),
});

const wireDeploy = z.object({
  node_id: wireKey,
  node_name: wireKey,
  node_partner_alias: wireKey,
  node_type: wireText,
  stages: z.array(wireStage).nullish(),
});

const wireReport = z.object({
  job_report_base_info: z
    .object({ job_name: wireText, job_type: wireText, status: wireText, hfl_type: wireText, executor: wireText, exe_time: wireDate })
    .nullish(),
  job_report_env: z.object({ league_id: wireText, league_name: wireText, project_id: wireText, region_id: wireText, agg_name: wireText }).nullish(),
  job_report_output: z.object({ result_storage_agent_name: wireText, result_storage_domain_alias: wireText, ext: wireText }).nullish(),
  job_report_partners: z
    .array(z.object({ partner_domain_name: wireText, partner_domain_alias: wireText, agent_name: wireText, dataset_name: wireText, data_output_cnt: wireNumber }))
    .nullish(),
  round_deploys: z.array(z.object({ round_id: z.number().int().nullish(), deploys: z.array(wireDeploy).nullish() })).nullish(),
});

// The SDKs say an array of DeployVo; the 2024-11 doc says an array of arrays: accept both.
const wireDag = z.array(z.union([wireDeploy, z.array(wireDeploy)]));

export function parseInstanceReport(body: unknown): ParseResult<InstanceReport> {
  return parseWire<InstanceReport>(wireReport, body);
}

export function parseInstanceDag(body: unknown): ParseResult<Deploy[]> {
  const parsed = parseWire<Array<Deploy | Deploy[]>>(wireDag, body);
  return parsed.ok ? { ok: true, value: parsed.value.flat() } : parsed;
}

export function toWireReport(report: InstanceReport): Record<string, unknown> {
  const base = report.jobReportBaseInfo;
  return snakeize({ ...report, jobReportBaseInfo: base && { ...base, exeTime: isoWire(base.exeTime) } }) as Record<string, unknown>;
}

export function toWireDag(deploys: Deploy[]): unknown[] {
  return snakeize(deploys) as unknown[];
}
