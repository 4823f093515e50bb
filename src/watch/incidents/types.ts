/**
 * Incidents: one per (channel, league, job). The first alert of a job becomes the incident's
 * parent message; later alerts go into its thread, the parent is re-rendered in place from the
 * state below, and a later success resolves it. Plain JSON: it lives in the store.
 */
import type { FailureSummary } from '../../tics/failure-summary.js';
import type { JobInstance } from '../../tics/schema.js';

/**
 * `open`: failing (or stuck) and not yet recovered. `resolved`: a later instance of the job
 * succeeded. `superseded`: a failure came more than 24 h after the previous one and started a new
 * incident with its own parent.
 */
export type IncidentState = 'open' | 'resolved' | 'superseded';

export interface IncidentJob {
  /** The job's key within its subscription (see jobKeyOf): the job name's digest. */
  key: string;
  /** As TICS reports it ('' when the instance has none). */
  name: string;
  type: string;
}

/** What the incident remembers of one failing (or stuck) instance. */
export interface IncidentEvent {
  instance: JobInstance;
  /** The status that alerted (FAILED, TERMINATED…; for a stuck alert, the status it is stuck in). */
  status: string;
  kind: 'failure' | 'stuck';
  /** The status it was seen in before (undefined: first seen already in `status`). */
  from?: string;
  /** When the bot noticed (epoch ms). */
  observedAt: number;
  /** For a stuck alert: how long it had been running when noticed, and the job's usual duration. */
  runningMs?: number;
  usualMs?: number;
  /** Why it failed, from the run's report and graph, when they could be had in time. */
  summary?: FailureSummary;
}

export interface Incident {
  v: 1;
  /** `${subscriptionId}|${job.key}`: the slot the incidents of one job in one channel take turns in. */
  slot: string;
  /** Generation within the slot: 1 for the first incident, +1 each time a new one opens. */
  seq: number;
  subscriptionId: string;
  channelId: string;
  league: { id: string; alias?: string; name?: string };
  job: IncidentJob;
  state: IncidentState;
  /** When the first event was noticed. */
  openedAt: number;
  /** The parent message; undefined until posted (or when it was born while snoozed). */
  parentTs?: string;
  /** Events (failures and stuck alerts) in this incident, posted or snoozed. */
  events: number;
  first: IncidentEvent;
  latest: IncidentEvent;
  /** Resolution: the instance that succeeded, and when the bot noticed. */
  resolvedAt?: number;
  resolvedBy?: JobInstance;
  /** Typed-by-humans mentions (`<@U…>`, `<!subteam^S…>`) the parent names; set when it opens. */
  notify: string[];
  /** Events held back by the snooze of this id (the snooze-end line reports them). */
  snoozed?: { snoozeId: string; count: number; last?: IncidentEvent };
  /**
   * Outbox keys already applied to this incident → the ts of what was posted for each ('' when
   * nothing was). A retried entry finds its key here and neither posts nor counts again.
   * Bounded (APPLIED_KEPT, oldest dropped): entries are retried within hours, not weeks.
   */
  applied: Record<string, string>;
  /** Bumped by every change the parent shows; its update entry carries it. */
  revision: number;
}

export interface Acknowledgement {
  /** The incident generation acknowledged; an ack of an older one does not carry over. */
  seq: number;
  userId: string;
  at: number;
}

export interface Snooze {
  /** Unique per snooze: the snooze-end line is recorded once per id. */
  id: string;
  /** The job's name, for `/tics watches` and `/tics unsnooze` (the slot holds only its digest). */
  jobName: string;
  by: string;
  at: number;
  /** Epoch ms the snooze ends; undefined with untilSuccess. */
  until?: number;
  untilSuccess: boolean;
}

/** Why a snooze ended (the summary line says it). */
export type SnoozeEndReason = 'expired' | 'unsnoozed' | 'recovered';
