/**
 * The simulated TICS state: leagues, their job instances, and how live instances move on as the
 * clock advances. No IO and no clock of its own: the server calls `advanceTo(now())` on each
 * request, so a test that owns the clock owns the world.
 *
 * Timestamps are clock timestamps (epoch ms). `speed` is how much faster than real life live jobs
 * move: a plan built for 30 simulated minutes at speed 60 takes 30 clock seconds (see `simToClock`).
 */
import { createHash } from 'node:crypto';
import type { FlJob, JobType, SqlJob } from '../tics/jobs-schema.js';
import type { LeagueDetail, LeagueListType } from '../tics/leagues-schema.js';
import { isTerminalStatus, ticsIdSchema, type JobInstance } from '../tics/schema.js';

/** What a scheduled step changes on an instance. A terminal status also sets `endTime` to the step time. */
export interface InstancePatch {
  status?: string;
  roundId?: number;
  ext?: string;
  resultExt?: string;
}

export interface ProgressStep extends InstancePatch {
  /** Clock time (epoch ms) at which the step applies. */
  at: number;
}

/**
 * A recurring world event (e.g. "a new job instance starts"). `fire` runs at `at` (clock ms) and
 * returns when it wants to run next, or `undefined` to stop. `target` is the time the world is
 * being advanced to, so a timer can skip ahead instead of replaying months after a clock jump.
 */
export type TimerFire = (at: number, target: number) => number | undefined;

export interface SimWorldOptions {
  /** Clock for `setStatus`'s end time (default Date.now). */
  now?: () => number;
  /** Simulated-time acceleration for live jobs (default 60). */
  speed?: number;
  /** Oldest terminal instances are dropped beyond this, so a long-running demo stays small (default 2000). */
  maxInstancesPerLeague?: number;
}

export interface InstanceQuery {
  offset: number;
  limit: number;
  jobId?: string | undefined;
}

/** Internal record: TICS instances do not carry their job id on the wire, but `job_id` filters on it. */
interface InstanceRecord {
  jobId: string;
  instance: JobInstance;
  /** Pending steps, sorted by `at`. */
  plan: ProgressStep[];
  /** Insertion order, the last tie-breaker of event processing. */
  seq: number;
}

/** What ShowLeague says about a league besides its id. */
export type LeagueInfo = Omit<LeagueDetail, 'id'>;

/** A job as ListFlJob or ListSqlJob lists it, keyed by the id instances are filtered on. */
export type SimJob = ({ kind: 'fl' } & FlJob) | ({ kind: 'sql' } & SqlJob);

interface League {
  id: string;
  info: LeagueInfo;
  jobs: Map<string, SimJob>;
  records: Map<string, InstanceRecord>;
}

interface Timer {
  at: number;
  fire: TimerFire;
  seq: number;
}

/** The job id the world uses when none is given: stable per job name, so tests can filter on it. */
export function jobIdFor(jobName: string): string {
  return createHash('md5').update(jobName, 'utf8').digest('hex');
}

function byNewestStart(a: InstanceRecord, b: InstanceRecord): number {
  // Not yet started sorts first: it is the newest thing there is.
  const sa = a.instance.startTime ?? Number.POSITIVE_INFINITY;
  const sb = b.instance.startTime ?? Number.POSITIVE_INFINITY;
  if (sa !== sb) return sb - sa;
  return a.instance.id < b.instance.id ? -1 : a.instance.id > b.instance.id ? 1 : 0;
}

function copy(instance: JobInstance): JobInstance {
  return { ...instance };
}

export class SimWorld {
  readonly speed: number;
  private readonly now: () => number;
  private readonly maxPerLeague: number;
  private readonly leagues = new Map<string, League>();
  private readonly timers: Timer[] = [];
  /** Records with a non-empty plan, so advancing does not scan finished history. */
  private readonly live = new Set<InstanceRecord>();
  private seq = 0;
  private time = Number.NEGATIVE_INFINITY;

  constructor(options: SimWorldOptions = {}) {
    this.now = options.now ?? Date.now;
    this.speed = options.speed ?? 60;
    if (!(this.speed > 0)) throw new Error(`speed must be > 0, got ${this.speed}`);
    this.maxPerLeague = options.maxInstancesPerLeague ?? 2000;
  }

  /** Clock milliseconds that `simulatedMs` of job time takes at this world's speed. */
  simToClock(simulatedMs: number): number {
    return Math.max(1, Math.round(simulatedMs / this.speed));
  }

  /** The latest time the world has been advanced to (−Infinity before the first advance). */
  get currentTime(): number {
    return this.time;
  }

  /**
   * Add a league, or update the given fields of an existing one. A league added with no details is
   * a NORMAL league the caller owns, named after its id.
   */
  addLeague(leagueId: string, opts: Partial<LeagueInfo> = {}): void {
    assertId('league id', leagueId);
    const existing = this.leagues.get(leagueId);
    if (existing) {
      existing.info = { ...existing.info, ...opts };
      return;
    }
    const info: LeagueInfo = { name: leagueId, leagueStatus: 'NORMAL', type: 'OWNER', partners: 2, creatorId: 'simcreator01', creatorName: 'sim-user', ...opts };
    this.leagues.set(leagueId, { id: leagueId, info, jobs: new Map(), records: new Map() });
  }

  hasLeague(leagueId: string): boolean {
    return this.leagues.has(leagueId);
  }

  leagueIds(): string[] {
    return [...this.leagues.keys()];
  }

  leagueName(leagueId: string): string {
    return this.leagueRecord(leagueId).info.name;
  }

  league(leagueId: string): LeagueDetail {
    const league = this.leagueRecord(leagueId);
    return { id: league.id, ...league.info };
  }

  /** ListLeagues: `owned` is the leagues whose role is OWNER, `participativenormal` every other. */
  queryLeagues(type: LeagueListType, q: { offset: number; limit: number }): { total: number; leagues: LeagueDetail[] } {
    const matching = [...this.leagues.values()].filter((l) => (l.info.type === 'OWNER') === (type === 'owned')).map((l) => ({ id: l.id, ...l.info }));
    matching.sort(byNewestCreated((l) => l.createTime, (l) => l.id));
    return { total: matching.length, leagues: matching.slice(q.offset, q.offset + q.limit) };
  }

  /** Add or replace a job of a league (instances name their job by this id). */
  addJob(leagueId: string, job: SimJob): void {
    const id = job.kind === 'fl' ? job.jobId : job.id;
    assertId('job id', id);
    this.leagueRecord(leagueId).jobs.set(id, { ...job });
  }

  job(leagueId: string, jobId: string): SimJob | undefined {
    const job = this.leagueRecord(leagueId).jobs.get(jobId);
    return job && { ...job };
  }

  /** ListFlJob / ListSqlJob: newest created first. */
  queryJobs(leagueId: string, kind: SimJob['kind'], q: { offset: number; limit: number }): { total: number; jobs: SimJob[] } {
    const matching = [...this.leagueRecord(leagueId).jobs.values()].filter((j) => j.kind === kind).map((j) => ({ ...j }));
    matching.sort(byNewestCreated((j) => j.createTime, (j) => (j.kind === 'fl' ? j.jobId : j.id)));
    return { total: matching.length, jobs: matching.slice(q.offset, q.offset + q.limit) };
  }

  /**
   * Add or replace an instance. Replacing keeps the previous job id unless one is given, and
   * cancels any pending plan unless a new one is given.
   */
  upsertInstance(leagueId: string, instance: JobInstance, opts: { jobId?: string; plan?: ProgressStep[] } = {}): void {
    const league = this.leagueRecord(leagueId);
    if (!instance.id) throw new Error('instance.id is required');
    const previous = league.records.get(instance.id);
    const jobId = opts.jobId ?? previous?.jobId ?? jobIdFor(instance.jobName);
    assertId('job id', jobId);
    // Every instance's job is listed by ListFlJob or ListSqlJob, as in TICS.
    if (!league.jobs.has(jobId)) league.jobs.set(jobId, defaultJob(league.id, jobId, instance));
    if (previous) this.live.delete(previous);
    const record: InstanceRecord = { jobId, instance: copy(instance), plan: [], seq: this.seq++ };
    league.records.set(instance.id, record);
    if (opts.plan) this.setPlan(record, opts.plan);
    this.trim(league);
  }

  /** Replace the pending plan of an instance (an empty plan freezes it). */
  schedule(leagueId: string, instanceId: string, plan: ProgressStep[]): void {
    this.setPlan(this.record(leagueId, instanceId), plan);
  }

  /** Set the status now; a terminal status stamps `endTime`, a non-terminal one clears it. Cancels the plan. */
  setStatus(leagueId: string, instanceId: string, status: string): void {
    const record = this.record(leagueId, instanceId);
    this.setPlan(record, []);
    applyPatch(record.instance, { status }, this.now());
  }

  instances(leagueId: string): JobInstance[] {
    return [...this.leagueRecord(leagueId).records.values()].sort(byNewestStart).map((r) => copy(r.instance));
  }

  instance(leagueId: string, instanceId: string): JobInstance | undefined {
    const record = this.leagueRecord(leagueId).records.get(instanceId);
    return record && copy(record.instance);
  }

  jobIdOf(leagueId: string, instanceId: string): string | undefined {
    return this.leagueRecord(leagueId).records.get(instanceId)?.jobId;
  }

  /** Pending steps of an instance (a copy). */
  planOf(leagueId: string, instanceId: string): ProgressStep[] {
    return this.record(leagueId, instanceId).plan.map((s) => ({ ...s }));
  }

  /** One page, newest start first, with `total` counting every match (ListInstanceHistory semantics). */
  query(leagueId: string, q: InstanceQuery): { total: number; instances: JobInstance[] } {
    const matching = [...this.leagueRecord(leagueId).records.values()].filter((r) => q.jobId === undefined || r.jobId === q.jobId);
    matching.sort(byNewestStart);
    return { total: matching.length, instances: matching.slice(q.offset, q.offset + q.limit).map((r) => copy(r.instance)) };
  }

  /** Register a recurring event first due at `firstAt`. */
  every(firstAt: number, fire: TimerFire): void {
    this.timers.push({ at: firstAt, fire, seq: this.seq++ });
  }

  /**
   * Apply every step and timer due at or before `nowMs`, in time order (ties: timers first, then
   * insertion order). Going backwards is ignored: the world never un-happens. The result depends
   * only on the sequence of targets, not on how often this is called in between.
   */
  advanceTo(nowMs: number): void {
    if (nowMs < this.time) return;
    for (;;) {
      const timer = this.nextTimer(nowMs);
      const record = this.nextStep(nowMs);
      const step = record?.plan[0];
      if (!timer && !step) break;
      if (timer && (!step || timer.at <= step.at)) {
        const next = timer.fire(timer.at, nowMs);
        if (next === undefined) this.timers.splice(this.timers.indexOf(timer), 1);
        else timer.at = Math.max(next, timer.at + 1);
      } else if (record && step) {
        record.plan.shift();
        if (record.plan.length === 0) this.live.delete(record);
        applyPatch(record.instance, step, step.at);
      }
    }
    this.time = nowMs;
  }

  private nextTimer(limit: number): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq))) best = t;
    }
    return best;
  }

  private nextStep(limit: number): InstanceRecord | undefined {
    let best: InstanceRecord | undefined;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const r of this.live) {
      const at = r.plan[0]?.at;
      if (at === undefined || at > limit) continue;
      if (!best || at < bestAt || (at === bestAt && r.seq < best.seq)) {
        best = r;
        bestAt = at;
      }
    }
    return best;
  }

  private setPlan(record: InstanceRecord, plan: ProgressStep[]): void {
    record.plan = plan.map((s) => ({ ...s })).sort((a, b) => a.at - b.at);
    if (record.plan.length) this.live.add(record);
    else this.live.delete(record);
  }

  private trim(league: League): void {
    if (league.records.size <= this.maxPerLeague) return;
    const oldestFirst = [...league.records.values()].filter((r) => isTerminalStatus(r.instance.status)).sort(byNewestStart).reverse();
    for (const r of oldestFirst) {
      if (league.records.size <= this.maxPerLeague) break;
      league.records.delete(r.instance.id);
      this.live.delete(r);
    }
  }

  private leagueRecord(leagueId: string): League {
    const league = this.leagues.get(leagueId);
    if (!league) throw new Error(`unknown league ${leagueId}`);
    return league;
  }

  private record(leagueId: string, instanceId: string): InstanceRecord {
    const record = this.leagueRecord(leagueId).records.get(instanceId);
    if (!record) throw new Error(`unknown instance ${instanceId} in league ${leagueId}`);
    return record;
  }
}

function byNewestCreated<T>(created: (item: T) => number | undefined, id: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const ca = created(a) ?? 0;
    const cb = created(b) ?? 0;
    if (ca !== cb) return cb - ca;
    return id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
  };
}

/** The job type (ListFlJob's vocabulary) that runs instances of this instance type. */
export function jobTypeFor(instanceType: string): JobType {
  if (instanceType === 'SQL' || instanceType === 'HFL') return instanceType;
  if (instanceType === 'VFL_PREDICT') return 'PREDICT';
  return 'VFL';
}

const DAY_MS = 24 * 60 * 60_000;

/** A job for an instance whose job was never added: created a day before the instance started. */
function defaultJob(leagueId: string, jobId: string, instance: JobInstance): SimJob {
  const createTime = instance.startTime === undefined ? undefined : instance.startTime - DAY_MS;
  const common = { creatorName: 'sim-user', approvalStatus: 'APPROVED', ...(createTime === undefined ? {} : { createTime }) };
  if (instance.type === 'SQL') {
    return { kind: 'sql', id: jobId, name: instance.jobName, jobType: 'SQL', leagueId, domainId: 'simdomain01', creatorId: 'simcreator01', deleted: false, ...common };
  }
  const jobType = jobTypeFor(instance.type);
  return {
    kind: 'fl',
    jobId,
    jobName: instance.jobName,
    jobType,
    hflType: instance.type === 'VFL_EVALUATE' ? 'EVALUATE' : 'TRAIN',
    hflPlatformType: 'LOCAL',
    ...(jobType === 'PREDICT' && instance.isSinglePredict !== undefined ? { isSinglePredict: instance.isSinglePredict } : {}),
    ...common,
  };
}

function applyPatch(instance: JobInstance, patch: InstancePatch, at: number): void {
  if (patch.status !== undefined) {
    instance.status = patch.status;
    if (isTerminalStatus(patch.status)) instance.endTime = at;
    else delete instance.endTime;
  }
  if (patch.roundId !== undefined) instance.roundId = patch.roundId;
  if (patch.ext !== undefined) instance.ext = patch.ext;
  if (patch.resultExt !== undefined) instance.resultExt = patch.resultExt;
}

function assertId(what: string, value: string): void {
  if (!ticsIdSchema.safeParse(value).success) throw new Error(`${what} "${value}" must be 1–32 letters or digits`);
}
