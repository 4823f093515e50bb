/**
 * Deterministic demo data: a few leagues with two weeks of history, a few live instances that move
 * on as the clock advances, and new instances that start now and then. Same seed + same clock →
 * same world. League ids are fixed (only their contents depend on the seed) so the demo can
 * configure aliases for them.
 *
 * History keeps realistic durations (minutes to hours); live instances run on accelerated time
 * (`SimWorld.speed`), so a 30-minute training takes 30 s at the default speed.
 */
import { KNOWN_INSTANCE_TYPES, type JobInstance, type KnownInstanceType } from '../tics/schema.js';
import { jobTypeFor, type LeagueInfo, type ProgressStep, type SimJob, type SimWorld } from './world.js';
import { withoutUndefined } from '../exact.js';

export interface DemoLeague {
  id: string;
  alias: string;
  name: string;
}

export const DEMO_LEAGUES: readonly DemoLeague[] = [
  { id: 'demoCreditRisk01', alias: 'credit-risk', name: '信用风控联盟 Credit Risk Alliance' },
  { id: 'demoMarketing02', alias: 'marketing', name: 'Joint Marketing Analytics' },
  { id: 'demoMedicalHfl03', alias: 'medical', name: '医疗影像横向联邦 Medical Imaging HFL' },
  { id: 'demoAntiFraud04', alias: 'anti-fraud', name: 'Anti-Fraud Consortium' },
];

/** Values the bot has never heard of, so its tolerance of future TICS values gets exercised. */
export const UNKNOWN_DEMO_STATUS = 'PAUSED';
export const UNKNOWN_DEMO_TYPE = 'VFL_AUTOML';
/** The job type of the UNKNOWN_DEMO_TYPE job in ListFlJob: unknown too. */
export const UNKNOWN_DEMO_JOB_TYPE = 'AUTOML';

/** What ShowLeague says about each demo league (by DEMO_LEAGUES index); `partners` counts PARTNERS' parties. */
const LEAGUE_DETAILS: readonly Omit<LeagueInfo, 'name' | 'partners' | 'createTime' | 'createDate'>[] = [
  { leagueStatus: 'NORMAL', type: 'OWNER', creatorId: 'a3f0c2d9e1b84c7f9a6d5e4c3b2a1f00', creatorName: 'risk-admin', version: 'v3.2.0', description: '城商银行、运营商与保险公司联合信用风控建模', dpEnabled: true, isAccessControl: true, isNeedApproval: true, privacyProtectionType: 'HIGH', resourceSpecCode: 'tics.league.standard' },
  { leagueStatus: 'NORMAL', type: 'PARTNER', creatorId: 'b4e1d3c0f2a95d8e0b7c6f5d4c3b2a11', creatorName: 'ads-ops', version: 'v3.2.0', description: 'Retail CRM and ad platform audience overlap and response models', dpEnabled: false, isAccessControl: false, isNeedApproval: false, privacyProtectionType: 'STANDARD', resourceSpecCode: 'tics.league.standard' },
  { leagueStatus: 'NORMAL', type: 'OWNER', creatorId: 'c5f2e4d1a3b06e9f1c8d7a6e5d4c3b22', creatorName: 'hosp-it', version: 'v3.1.5', description: '三家医院胸片分类横向联邦训练', dpEnabled: true, isAccessControl: true, isNeedApproval: true, privacyProtectionType: 'HIGH', resourceSpecCode: 'tics.league.gpu' },
  { leagueStatus: 'UPDATING', type: 'PARTNER', creatorId: 'd6a3f5e2b4c17f0a2d9e8b7f6e5d4c33', creatorName: 'fraud-lab', version: 'v3.1.5', description: 'Payments, card issuer and marketplace fraud signals', dpEnabled: false, isAccessControl: true, isNeedApproval: false, privacyProtectionType: 'STANDARD', resourceSpecCode: 'tics.league.standard' },
];

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** mulberry32: tiny, fast, and the same sequence on every machine. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.int(0, 15).toString(16);
    return out;
  }
}

interface DemoJob {
  id: string;
  name: string;
  type: string;
}

const JOB_NAMES: Record<KnownInstanceType, readonly string[]> = {
  VFL_TRAIN: ['信用评分模型训练', 'credit-score-xgb-train', '营销响应模型训练', 'fraud-lr-train'],
  VFL_PREDICT: ['信用评分批量预测', 'credit-score-predict', 'campaign-response-predict'],
  VFL_EVALUATE: ['模型效果评估', 'xgb-eval-auc-ks'],
  VFL_FEATURE_SELECTION: ['特征筛选IV', 'feature-selection-iv'],
  VFL_ID_TRUNCATION: ['ID截断处理', 'id-truncation-sha256'],
  VFL_SAMPLE_ALIGNMENT: ['样本对齐', 'psi-sample-alignment'],
  SQL: ['联合统计月度交易', 'joint-sql-overlap-count', 'F3jDA'],
  HFL: ['横向联邦影像分类', 'hfl-resnet-chest-xray'],
};

/** Simulated RUNNING time by type, [min, max]. */
const RUN_MS: Record<string, readonly [number, number]> = {
  SQL: [30 * SECOND, 8 * MINUTE],
  VFL_SAMPLE_ALIGNMENT: [2 * MINUTE, 15 * MINUTE],
  VFL_ID_TRUNCATION: [1 * MINUTE, 5 * MINUTE],
  VFL_FEATURE_SELECTION: [5 * MINUTE, 25 * MINUTE],
  VFL_TRAIN: [15 * MINUTE, 90 * MINUTE],
  VFL_EVALUATE: [3 * MINUTE, 12 * MINUTE],
  VFL_PREDICT: [5 * MINUTE, 30 * MINUTE],
  HFL: [20 * MINUTE, 120 * MINUTE],
};

const PARTNERS: readonly (readonly string[])[] = [
  ['agentBank01(城商银行数据节点)', 'agentTelco02(运营商数据节点)', 'agentInsure03(保险数据节点)'],
  ['agentRetail01(retail-crm)', 'agentAds02(ad-platform)'],
  ['agentHospA(第一人民医院)', 'agentHospB(中心医院)', 'agentHospC(儿童医院)'],
  ['agentPay01(payments)', 'agentBank02(card-issuer)', 'agentEcom03(marketplace)'],
];

const FAILURES = [
  '{"error_code":"TICS.AGENT.0001","error_msg":"partner agent heartbeat lost"}',
  'Out of memory on executor 3 (container killed)',
  '{"error_msg":"样本对齐结果为空，请检查ID列"}',
  '{"error_code":"TICS.DATA.0102","error_msg":"dataset schema changed: column age missing"}',
];
const TERMINATIONS = ['terminated by user admin01', '{"terminated_by":"ops-zhang","reason":"wrong dataset"}'];

function isTraining(type: string): boolean {
  return type === 'VFL_TRAIN' || type === 'HFL' || type === UNKNOWN_DEMO_TYPE;
}

function plannedRounds(rng: Rng, type: string): number {
  if (type === 'HFL') return rng.int(5, 100);
  if (isTraining(type)) return rng.int(10, 200);
  return 1;
}

function extFor(rng: Rng, type: string, rounds: number): string | undefined {
  switch (type) {
    case 'VFL_TRAIN':
      return JSON.stringify({ algorithm: rng.pick(['XGBoost', 'LR', 'SecureBoost']), max_depth: rng.int(3, 8), learning_rate: rng.pick([0.05, 0.1, 0.2]), num_rounds: rounds });
    case 'HFL':
      return JSON.stringify({ model: 'resnet18', aggregation: 'FedAvg', epochs: rounds });
    case 'SQL':
      return rng.chance(0.5) ? JSON.stringify({ sql: 'SELECT COUNT(*) FROM a.users JOIN b.accounts ON a.users.id = b.accounts.uid' }) : undefined;
    default:
      return rng.chance(0.3) ? JSON.stringify({ dataset: `ds_${rng.hex(6)}` }) : undefined;
  }
}

function successResult(rng: Rng, type: string): string | undefined {
  const metric = () => Math.round((0.6 + rng.next() * 0.35) * 1e4) / 1e4;
  switch (type) {
    case 'VFL_TRAIN':
    case 'VFL_EVALUATE':
      return JSON.stringify({ auc: metric(), ks: Math.round(rng.next() * 0.5 * 1e4) / 1e4 });
    case 'HFL':
      return JSON.stringify({ accuracy: metric(), loss: Math.round(rng.next() * 1e4) / 1e4 });
    case 'VFL_PREDICT':
      return JSON.stringify({ predicted_rows: rng.int(1_000, 2_000_000) });
    case 'VFL_SAMPLE_ALIGNMENT':
      return JSON.stringify({ aligned_rows: rng.int(1_000, 5_000_000), intersection_rate: metric() });
    case 'VFL_FEATURE_SELECTION':
      return JSON.stringify({ selected_features: rng.int(5, 80), min_iv: 0.02 });
    case 'SQL':
      return String(rng.int(1, 100_000));
    default:
      return rng.chance(0.5) ? 'ok' : undefined;
  }
}

function baseInstance(rng: Rng, job: DemoJob, partners: readonly string[], start: number, rounds: number): JobInstance {
  const partnerCount = rng.int(1, Math.min(2, partners.length));
  const chosen = [...new Set(Array.from({ length: partnerCount }, () => rng.pick(partners)))];
  return withoutUndefined<JobInstance>({
    id: rng.hex(32),
    jobName: job.name,
    type: job.type,
    status: 'NEW',
    startTime: start,
    roundId: 0,
    jobPartner: rng.chance(0.85) ? chosen.join(',') : undefined,
    ext: extFor(rng, job.type, rounds),
    isSinglePredict: job.type === 'VFL_PREDICT' ? rng.chance(0.3) : undefined,
  });
}

type Outcome = 'SUCCEEDED' | 'FAILED' | 'TERMINATED';

function rollOutcome(rng: Rng): Outcome {
  const r = rng.next();
  return r < 0.78 ? 'SUCCEEDED' : r < 0.92 ? 'FAILED' : 'TERMINATED';
}

function finishedInstance(rng: Rng, job: DemoJob, partners: readonly string[], start: number, outcome: Outcome): JobInstance {
  const rounds = plannedRounds(rng, job.type);
  const instance = baseInstance(rng, job, partners, start, rounds);
  const [min, max] = RUN_MS[job.type] ?? [5 * MINUTE, 40 * MINUTE];
  const fraction = outcome === 'SUCCEEDED' ? 1 : 0.1 + rng.next() * 0.8;
  const duration = rng.int(30 * SECOND, 3 * MINUTE) + Math.round(rng.int(min, max) * fraction);
  return withoutUndefined<JobInstance>({
    ...instance,
    status: outcome,
    endTime: start + duration,
    roundId: Math.max(1, Math.round(rounds * fraction)),
    resultExt: outcome === 'SUCCEEDED' ? successResult(rng, job.type) : outcome === 'FAILED' ? rng.pick(FAILURES) : rng.pick(TERMINATIONS),
  });
}

/**
 * A live instance starting at `start` and its whole future, as clock times. Phases are drawn in
 * simulated time and compressed by the world's speed.
 */
function liveInstance(world: SimWorld, rng: Rng, job: DemoJob, partners: readonly string[], start: number): { instance: JobInstance; plan: ProgressStep[]; runningFrom: number; runningUntil: number } {
  const rounds = plannedRounds(rng, job.type);
  const instance = baseInstance(rng, job, partners, start, rounds);
  const plan: ProgressStep[] = [];
  let t = start;
  const phase = (minSim: number, maxSim: number, step: Omit<ProgressStep, 'at'>) => {
    t += world.simToClock(rng.int(minSim, maxSim));
    plan.push({ at: t, ...step });
  };
  phase(5 * SECOND, 20 * SECOND, { status: 'SUBMITING' });
  phase(5 * SECOND, 15 * SECOND, { status: 'ACCEPTED' });
  if (rng.chance(0.25)) phase(10 * SECOND, 60 * SECOND, { status: 'PENDING' });
  phase(5 * SECOND, 30 * SECOND, { status: 'DEPLOYING' });
  phase(20 * SECOND, 90 * SECOND, { status: 'RUNNING', roundId: isTraining(job.type) ? 0 : 1 });
  const runningFrom = t;
  const [min, max] = RUN_MS[job.type] ?? [5 * MINUTE, 40 * MINUTE];
  const runClock = world.simToClock(rng.int(min, max));
  const outcome = rollOutcome(rng);
  const fraction = outcome === 'SUCCEEDED' ? 1 : 0.2 + rng.next() * 0.7;
  const reachedRounds = Math.max(1, Math.round(rounds * fraction));
  if (isTraining(job.type)) {
    // Round progress in at most ten visible increments.
    const updates = Math.min(10, reachedRounds);
    for (let i = 1; i <= updates; i++) {
      plan.push({ at: runningFrom + Math.round((runClock * fraction * i) / (updates + 1)), roundId: Math.round((reachedRounds * i) / (updates + 1)) });
    }
  }
  t = runningFrom + Math.max(1, Math.round(runClock * fraction));
  const runningUntil = t;
  if (outcome === 'SUCCEEDED') plan.push({ at: t, status: 'SUCCEEDED', roundId: reachedRounds, ...optional('resultExt', successResult(rng, job.type)) });
  else if (outcome === 'FAILED') plan.push({ at: t, status: 'FAILED', roundId: reachedRounds, resultExt: rng.pick(FAILURES) });
  else {
    plan.push({ at: t, status: 'TERMINATING', roundId: reachedRounds });
    phase(10 * SECOND, 30 * SECOND, { status: 'TERMINATED', resultExt: rng.pick(TERMINATIONS) });
  }
  return { instance, plan, runningFrom, runningUntil };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function shiftPlan(plan: ProgressStep[], by: number): ProgressStep[] {
  return plan.map((s) => ({ ...s, at: s.at + by }));
}

function leagueJobs(rng: Rng, index: number): DemoJob[] {
  const jobs: DemoJob[] = KNOWN_INSTANCE_TYPES.map((type) => ({ id: rng.hex(32), name: rng.pick(JOB_NAMES[type]), type }));
  // A second training job with a name unlike the first, as real leagues tend to have.
  const otherTrain = JOB_NAMES.VFL_TRAIN.filter((n) => !jobs.some((j) => j.name === n));
  jobs.push({ id: rng.hex(32), name: rng.pick(otherTrain), type: 'VFL_TRAIN' });
  if (index === 0) jobs.push({ id: rng.hex(32), name: 'AutoML 自动建模', type: UNKNOWN_DEMO_TYPE });
  return jobs;
}

/** ListFlJob / ListSqlJob entries for a league's demo jobs; their own generator, so the history stays as it was. */
function simJobs(rng: Rng, leagueId: string, jobs: readonly DemoJob[], creator: { id: string; name: string }, t0: number): SimJob[] {
  return jobs.map((job) => {
    const createTime = t0 - rng.int(15 * DAY, 90 * DAY);
    const approvalStatus = 'APPROVED';
    if (job.type === 'SQL') {
      return { kind: 'sql', id: job.id, name: job.name, jobType: 'SQL', leagueId, domainId: rng.hex(32), creatorId: creator.id, creatorName: creator.name, createTime, updateTime: createTime + rng.int(HOUR, 10 * DAY), deleted: false, approvalStatus, description: 'Monthly joint statistics' };
    }
    const jobType = job.type === UNKNOWN_DEMO_TYPE ? UNKNOWN_DEMO_JOB_TYPE : jobTypeFor(job.type);
    return {
      kind: 'fl',
      jobId: job.id,
      jobName: job.name,
      creatorName: creator.name,
      createTime,
      jobType,
      hflType: job.type === 'VFL_EVALUATE' ? 'EVALUATE' : 'TRAIN',
      hflPlatformType: 'LOCAL',
      ...(jobType === 'VFL' || jobType === 'PREDICT' ? { algorithmType: rng.pick(['XG_BOOST', 'LOGISTIC_REGRESSION', 'LIGHT_BGM']), learningTaskType: 'CLASSIFICATION' } : {}),
      ...(jobType === 'PREDICT' ? { isSinglePredict: rng.chance(0.3) } : {}),
      approvalStatus,
      description: `${job.type} job`,
    };
  });
}

export interface SeedOptions {
  seed: number;
  /** The clock at seeding: history lies before it, live instances straddle it. */
  now: number;
  /** Mean simulated time between new instances in one league (default 45 min). */
  meanSpawnIntervalSimMs?: number;
}

/** Fills `world` with the demo leagues; returns them. */
export function seedWorld(world: SimWorld, options: SeedOptions): readonly DemoLeague[] {
  const t0 = options.now;
  const meanSpawn = options.meanSpawnIntervalSimMs ?? 45 * MINUTE;
  DEMO_LEAGUES.forEach((league, index) => {
    const rng = new Rng(Math.imul(options.seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77));
    const partners = PARTNERS[index % PARTNERS.length] ?? [];
    const details = LEAGUE_DETAILS[index % LEAGUE_DETAILS.length]!;
    const created = t0 - 180 * DAY + index * 7 * DAY;
    world.addLeague(league.id, { ...details, name: league.name, partners: partners.length, createTime: created, createDate: created });
    const jobs = leagueJobs(rng, index);
    const jobRng = new Rng(Math.imul(options.seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x27d4eb2f));
    for (const job of simJobs(jobRng, league.id, jobs, { id: details.creatorId ?? 'creator', name: details.creatorName ?? 'creator' }, t0)) world.addJob(league.id, job);

    const historyCount = rng.int(20, 60);
    for (let i = 0; i < historyCount; i++) {
      // The first ones cover every job (hence every type), then one failure and one termination.
      const job = i < jobs.length ? jobs[i]! : rng.pick(jobs);
      const outcome: Outcome = i === jobs.length ? 'FAILED' : i === jobs.length + 1 ? 'TERMINATED' : rollOutcome(rng);
      const start = t0 - rng.int(1 * HOUR, 14 * DAY);
      world.upsertInstance(league.id, finishedInstance(rng, job, partners, start, outcome), { jobId: job.id });
    }
    if (index === 0) {
      const job = jobs[0]!;
      const paused = baseInstance(rng, job, partners, t0 - rng.int(2 * HOUR, 2 * DAY), plannedRounds(rng, job.type));
      world.upsertInstance(league.id, { ...paused, status: UNKNOWN_DEMO_STATUS, roundId: rng.int(1, 20) }, { jobId: job.id });
    }

    // One instance guaranteed RUNNING at t0, plus a couple anywhere along their life.
    const runningJob = rng.pick(jobs);
    const running = liveInstance(world, rng, runningJob, partners, 0);
    const shift = t0 - Math.round(running.runningFrom + (running.runningUntil - running.runningFrom) * 0.3);
    world.upsertInstance(league.id, { ...running.instance, startTime: shift }, { jobId: runningJob.id, plan: shiftPlan(running.plan, shift) });
    const others = rng.int(1, 2);
    for (let i = 0; i < others; i++) {
      const job = rng.pick(jobs);
      const live = liveInstance(world, rng, job, partners, t0 - world.simToClock(rng.int(0, 20 * MINUTE)));
      world.upsertInstance(league.id, live.instance, { jobId: job.id, plan: live.plan });
    }

    const nextSpawn = (at: number) => at + world.simToClock(rng.int(Math.round(meanSpawn / 2), Math.round(meanSpawn * 1.5)));
    // After a long clock jump, replay at most a few hundred spawns' worth rather than months.
    const catchUp = world.simToClock(meanSpawn * 300);
    world.every(nextSpawn(t0), (at, target) => {
      if (target - at > catchUp) return target - catchUp;
      const job = rng.pick(jobs);
      const live = liveInstance(world, rng, job, partners, at);
      world.upsertInstance(league.id, live.instance, { jobId: job.id, plan: live.plan });
      return nextSpawn(at);
    });
  });
  world.advanceTo(t0);
  return DEMO_LEAGUES;
}
