/**
 * The simulated TICS state: leagues, their job instances, and how live instances move on as the
 * clock advances. No IO and no clock of its own: the server calls `advanceTo(now())` on each
 * request, so a test that owns the clock owns the world.
 *
 * Timestamps are clock timestamps (epoch ms). `speed` is how much faster than real life live jobs
 * move: a plan built for 30 simulated minutes at speed 60 takes 30 clock seconds (see `simToClock`).
 */
import { createHash } from 'node:crypto';
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

interface League {
  id: string;
  name: string;
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

  addLeague(leagueId: string, opts: { name?: string } = {}): void {
    assertId('league id', leagueId);
    const existing = this.leagues.get(leagueId);
    if (existing) {
      if (opts.name !== undefined) existing.name = opts.name;
      return;
    }
    this.leagues.set(leagueId, { id: leagueId, name: opts.name ?? leagueId, records: new Map() });
  }

  hasLeague(leagueId: string): boolean {
    return this.leagues.has(leagueId);
  }

  leagueIds(): string[] {
    return [...this.leagues.keys()];
  }

  leagueName(leagueId: string): string {
    return this.league(leagueId).name;
  }

  /**
   * Add or replace an instance. Replacing keeps the previous job id unless one is given, and
   * cancels any pending plan unless a new one is given.
   */
  upsertInstance(leagueId: string, instance: JobInstance, opts: { jobId?: string; plan?: ProgressStep[] } = {}): void {
    const league = this.league(leagueId);
    if (!instance.id) throw new Error('instance.id is required');
    const previous = league.records.get(instance.id);
    const jobId = opts.jobId ?? previous?.jobId ?? jobIdFor(instance.jobName);
    assertId('job id', jobId);
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
    return [...this.league(leagueId).records.values()].sort(byNewestStart).map((r) => copy(r.instance));
  }

  instance(leagueId: string, instanceId: string): JobInstance | undefined {
    const record = this.league(leagueId).records.get(instanceId);
    return record && copy(record.instance);
  }

  jobIdOf(leagueId: string, instanceId: string): string | undefined {
    return this.league(leagueId).records.get(instanceId)?.jobId;
  }

  /** Pending steps of an instance (a copy). */
  planOf(leagueId: string, instanceId: string): ProgressStep[] {
    return this.record(leagueId, instanceId).plan.map((s) => ({ ...s }));
  }

  /** One page, newest start first, with `total` counting every match (ListInstanceHistory semantics). */
  query(leagueId: string, q: InstanceQuery): { total: number; instances: JobInstance[] } {
    const matching = [...this.league(leagueId).records.values()].filter((r) => q.jobId === undefined || r.jobId === q.jobId);
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

  private league(leagueId: string): League {
    const league = this.leagues.get(leagueId);
    if (!league) throw new Error(`unknown league ${leagueId}`);
    return league;
  }

  private record(leagueId: string, instanceId: string): InstanceRecord {
    const record = this.league(leagueId).records.get(instanceId);
    if (!record) throw new Error(`unknown instance ${instanceId} in league ${leagueId}`);
    return record;
  }
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
