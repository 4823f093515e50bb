/**
 * ShowInstanceReport and ShowJobInstanceDag for the simulator, derived on each request from the
 * instance as it is now, so a report never disagrees with ListInstanceHistory: a SUCCEEDED
 * instance's graph has only SUCCEEDED tasks, a FAILED one a stage with a FAILED task, a RUNNING one
 * a RUNNING stage. Details (which stage, record counts) come from a generator seeded by the
 * instance id, so the same instance always gets the same report.
 */
import { createHash } from 'node:crypto';
import type { Deploy, InstanceReport, Processor, Stage } from '../tics/report-schema.js';
import { isTerminalStatus, type JobInstance } from '../tics/schema.js';
import { Rng } from './seed.js';
import type { SimWorld } from './world.js';

const STAGES: Record<string, readonly string[]> = {
  SQL: ['load_data', 'local_compute', 'aggregate_result'],
  VFL_SAMPLE_ALIGNMENT: ['load_data', 'psi_intersect', 'save_result'],
  VFL_ID_TRUNCATION: ['load_data', 'hash_truncate', 'save_result'],
  VFL_FEATURE_SELECTION: ['load_data', 'compute_iv', 'select_features'],
  VFL_PREDICT: ['load_data', 'load_model', 'predict', 'save_result'],
  VFL_EVALUATE: ['load_data', 'load_model', 'evaluate'],
};
const TRAINING_STAGES = ['load_data', 'feature_transform', 'train', 'save_model'];

/** Statuses before anything ran: the first stage carries the instance's status. */
const NOT_STARTED: ReadonlySet<string> = new Set(['NEW', 'SUBMITING', 'ACCEPTED', 'DEPLOYING', 'PENDING']);

interface Party {
  agent: string;
  alias: string;
}

function rngFor(instanceId: string, salt: string): Rng {
  return new Rng(createHash('md5').update(`${instanceId}/${salt}`).digest().readUInt32LE(0));
}

/** `agentBank01(城商银行数据节点)` → agent `agentBank01`, alias `城商银行数据节点`. */
function parties(instance: JobInstance): Party[] {
  const raw = (instance.jobPartner ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const list = raw.length ? raw : ['agentSim01(sim-party)'];
  return list.map((p) => {
    const m = /^([^(]+)\((.*)\)$/.exec(p);
    return m?.[1] && m[2] !== undefined ? { agent: m[1], alias: m[2] || m[1] } : { agent: p, alias: p };
  });
}

/** The round whose graph reflects the instance's status; earlier rounds all succeeded. */
function lastRound(instance: JobInstance): number {
  return Math.max(instance.roundId ?? 0, 1);
}

function stageStatus(instance: JobInstance, stage: number, current: number, round: number): string {
  if (round < lastRound(instance) || instance.status === 'SUCCEEDED') return 'SUCCEEDED';
  if (stage < current) return 'SUCCEEDED';
  if (stage > current) return 'NEW';
  return instance.status;
}

function deploys(world: SimWorld, instance: JobInstance, round: number): Deploy[] {
  const rng = rngFor(instance.id, 'dag');
  const names = STAGES[instance.type] ?? TRAINING_STAGES;
  const current = NOT_STARTED.has(instance.status) ? 0 : rng.int(0, names.length - 1);
  const failingNode = rng.int(0, 7);
  const start = instance.startTime ?? world.currentTime;
  const end = instance.endTime ?? Math.max(start, world.currentTime);
  const slice = Math.max(1, Math.floor((end - start) / names.length));
  const nodes = parties(instance).map((party, index) => ({ ...party, type: 'AGENT', id: `${party.agent}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 32) || `node${index}` }));
  if (instance.type === 'HFL') nodes.push({ agent: 'aggServer01', alias: nodes[0]?.alias ?? 'sim-party', type: 'AGG', id: 'aggServer01' });
  const failing = failingNode % nodes.length;
  return nodes.map((node, nodeIndex) => {
    const stages: Stage[] = names.map((stageName, i) => {
      let status = stageStatus(instance, i, current, round);
      // Only one node fails or stops; the others are stopped with it.
      if ((status === 'FAILED' || status === 'TERMINATED') && nodeIndex !== failing) status = status === 'FAILED' ? 'TERMINATED' : status;
      const processor: Processor = { id: `${node.id.slice(0, 20)}r${round}s${i + 1}`.slice(0, 32), taskName: `${stageName}@${node.agent}`, taskStatus: status };
      if (status !== 'NEW' && !NOT_STARTED.has(status)) {
        processor.startTime = start + i * slice;
        if (isTerminalStatus(status)) {
          // The stage that ended the instance ends when it did.
          const endedIt = i === current && round === lastRound(instance) && instance.endTime !== undefined;
          processor.endTime = endedIt ? Math.max(processor.startTime, end) : start + (i + 1) * slice;
          processor.execDurationNano = (processor.endTime - processor.startTime) * 1_000_000;
        }
        processor.taskInRecordCnt = rng.int(1_000, 500_000);
        if (status === 'SUCCEEDED') processor.taskOutRecordCnt = rng.int(100, processor.taskInRecordCnt);
        processor.taskShowInfo = { stage: stageName, round };
      }
      if (i > 0) processor.lastStepTaskInsId = [`${node.id.slice(0, 20)}r${round}s${i}`.slice(0, 32)];
      return { id: i + 1, stageName, ...(i > 0 ? { lastStepStageId: [i] } : {}), processors: [processor] };
    });
    return { nodeId: node.id, nodeName: node.agent, nodePartnerAlias: node.alias, nodeType: node.type, stages };
  });
}

/**
 * ShowJobInstanceDag. Round ids run from 0 to the instance's round (at least 1); a round not
 * reached yet, or an instance not yet deployed, has an empty graph.
 */
export function instanceDag(world: SimWorld, leagueId: string, instanceId: string, roundId: number): Deploy[] | undefined {
  const instance = world.instance(leagueId, instanceId);
  if (!instance) return undefined;
  if (roundId > lastRound(instance) || instance.status === 'NEW' || instance.status === 'SUBMITING' || instance.status === 'ACCEPTED') return [];
  return deploys(world, instance, roundId);
}

export function instanceReport(world: SimWorld, leagueId: string, instanceId: string, projectId: string): InstanceReport | undefined {
  const instance = world.instance(leagueId, instanceId);
  if (!instance) return undefined;
  const league = world.league(leagueId);
  const rng = rngFor(instance.id, 'report');
  const list = parties(instance);
  const finished = instance.status === 'SUCCEEDED';
  const round = lastRound(instance);
  const graph = instanceDag(world, leagueId, instanceId, round) ?? [];
  const report: InstanceReport = {
    jobReportBaseInfo: {
      jobName: instance.jobName,
      jobType: instance.type,
      status: instance.status,
      ...(instance.type === 'HFL' ? { hflType: 'TRAIN' } : {}),
      executor: league.creatorName ?? 'sim-user',
      ...(instance.startTime === undefined ? {} : { exeTime: instance.startTime }),
    },
    jobReportEnv: { leagueId, leagueName: league.name, projectId, regionId: 'cn-north-4', ...(instance.type === 'HFL' ? { aggName: 'aggServer01' } : {}) },
    jobReportPartners: list.map((p) => ({
      partnerDomainName: p.agent.replace(/^agent/, '').toLowerCase() || p.agent,
      partnerDomainAlias: p.alias,
      agentName: p.agent,
      datasetName: `ds_${p.agent.toLowerCase()}`.slice(0, 128),
      ...(finished ? { dataOutputCnt: rng.int(1_000, 2_000_000) } : {}),
    })),
  };
  const keeper = list[0];
  if (finished && keeper) report.jobReportOutput = { resultStorageAgentName: keeper.agent, resultStorageDomainAlias: keeper.alias, ...(instance.resultExt ? { ext: instance.resultExt.slice(0, 1024) } : {}) };
  if (graph.length) report.roundDeploys = [{ roundId: round, deploys: graph }];
  return report;
}
