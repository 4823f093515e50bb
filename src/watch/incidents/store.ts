/**
 * Incident state in the store, one key per concern so the writers never overwrite each other:
 * - `incident:<slot>`           the current incident; written only by the delivery holding the
 *                               channel's lock (one writer at a time, across replicas).
 * - `incident-old:<slot>#<seq>` an earlier generation, kept so its parent can still be re-rendered
 *                               and its buttons answered ("already resolved").
 * - `ack:<slot>`                who acknowledged; written by the button (last click wins).
 * - `snooze:<slot>`             the job's snooze in that channel; written by the buttons/commands.
 * - `failing:<slot>`            an alert was recorded for the job since its last success; written
 *                               only by the league's poller, so a later success knows to record
 *                               a recovery.
 */
import { millisecondsInDay } from 'date-fns/constants';
import { z } from 'zod';
import type { Store } from '../../store.js';
import { subscriptionOfSlot } from './keys.js';
import type { Acknowledgement, Incident, Snooze } from './types.js';

/** Kept this long after their last change: as long as the outbox keeps what it sent. */
export const INCIDENT_TTL_MS = 30 * millisecondsInDay;
/** Applied outbox keys remembered per incident (oldest forgotten first). */
export const APPLIED_KEPT = 200;
const CURRENT_READ_BATCH = 100;

const INCIDENT_PREFIX = 'incident:';
const incidentKey = (slot: string) => `${INCIDENT_PREFIX}${slot}`;
const archivedKey = (slot: string, seq: number) => `incident-old:${slot}#${seq}`;
const ackKey = (slot: string) => `ack:${slot}`;
const SNOOZE_PREFIX = 'snooze:';
const snoozeKey = (slot: string) => `${SNOOZE_PREFIX}${slot}`;
const failingKey = (slot: string) => `failing:${slot}`;

const instanceSchema = z.looseObject({ id: z.string(), jobName: z.string(), type: z.string(), status: z.string() });
const eventSchema = z.looseObject({
  instance: instanceSchema,
  status: z.string(),
  kind: z.enum(['failure', 'stuck']),
  from: z.string().exactOptional(),
  observedAt: z.number(),
  runningMs: z.number().exactOptional(),
  usualMs: z.number().exactOptional(),
  summary: z.looseObject({}).exactOptional(),
});
const incidentSchema = z.looseObject({
  v: z.literal(1),
  slot: z.string(),
  seq: z.number().int().positive(),
  subscriptionId: z.string(),
  channelId: z.string(),
  league: z.looseObject({ id: z.string(), alias: z.string().exactOptional(), name: z.string().exactOptional() }),
  job: z.looseObject({ key: z.string(), name: z.string(), type: z.string() }),
  state: z.enum(['open', 'resolved', 'superseded']),
  openedAt: z.number(),
  parentTs: z.string().exactOptional(),
  events: z.number().int().nonnegative(),
  first: eventSchema,
  latest: eventSchema,
  resolvedAt: z.number().exactOptional(),
  resolvedBy: instanceSchema.exactOptional(),
  notify: z.array(z.string()),
  snoozed: z.looseObject({ snoozeId: z.string(), count: z.number().int().nonnegative(), last: eventSchema.exactOptional() }).exactOptional(),
  applied: z.record(z.string(), z.string()),
  revision: z.number().int().nonnegative(),
});
export const acknowledgementSchema = z.object({ seq: z.number().int().positive(), userId: z.string().min(1), at: z.number() });
export const snoozeSchema = z.object({
  id: z.string().min(1),
  jobName: z.string(),
  by: z.string().min(1),
  at: z.number(),
  until: z.number().exactOptional(),
  untilSuccess: z.boolean(),
});

const failingSchema = z.object({ at: z.number(), startTime: z.number().exactOptional() });

function parseIncident(raw: unknown): Incident | undefined {
  if (raw === undefined) return undefined;
  const parsed = incidentSchema.safeParse(raw);
  // The loose schema checked what incidents rely on; instances are the TICS client's own shape.
  return parsed.success ? parsed.data : undefined;
}

/** Active now: until success, or until a time still ahead. */
export function isSnoozeActive(snooze: Snooze, now: number): boolean {
  return snooze.untilSuccess || (snooze.until !== undefined && snooze.until > now);
}

export class IncidentStore {
  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {}

  async get(slot: string): Promise<Incident | undefined> {
    return parseIncident(await this.store.get(incidentKey(slot)));
  }

  /**
   * The current incident of every slot of these subscriptions (any state), for App Home. The slot's
   * subscription is read from the key, so only those incidents are fetched. Archived generations
   * live under `incident-old:`, which this prefix does not match (nor does the memory store's
   * grouping or Redis's index put them together).
   */
  async current(subscriptionIds: ReadonlySet<string>): Promise<Incident[]> {
    const slots = (await this.store.keys(INCIDENT_PREFIX)).map((key) => key.slice(INCIDENT_PREFIX.length)).filter((slot) => subscriptionIds.has(subscriptionOfSlot(slot)));
    const found: Incident[] = [];
    // Bounded fan-out: a workspace can keep thousands of incidents for 30 days.
    for (let i = 0; i < slots.length; i += CURRENT_READ_BATCH) {
      const batch = await Promise.all(slots.slice(i, i + CURRENT_READ_BATCH).map((slot) => this.get(slot)));
      for (const incident of batch) if (incident) found.push(incident);
    }
    return found;
  }

  /** Generation `seq` of the slot: the current incident, or an archived one. */
  async generation(slot: string, seq: number): Promise<Incident | undefined> {
    const current = await this.get(slot);
    if (current?.seq === seq) return current;
    return parseIncident(await this.store.get(archivedKey(slot, seq)));
  }

  /** Only the delivery holding the channel's lock calls this. */
  async save(incident: Incident): Promise<void> {
    const keys = Object.keys(incident.applied);
    const applied = keys.length > APPLIED_KEPT ? Object.fromEntries(keys.slice(-APPLIED_KEPT).map((k) => [k, incident.applied[k]!])) : incident.applied;
    await this.store.set(incidentKey(incident.slot), { ...incident, applied }, INCIDENT_TTL_MS);
  }

  /** Keeps a generation that a newer one replaces, for its final parent update and stale buttons. */
  async archive(incident: Incident): Promise<void> {
    await this.store.set(archivedKey(incident.slot, incident.seq), incident, INCIDENT_TTL_MS);
  }

  async ack(slot: string): Promise<Acknowledgement | undefined> {
    const parsed = acknowledgementSchema.safeParse(await this.store.get(ackKey(slot)));
    return parsed.success ? parsed.data : undefined;
  }

  async setAck(slot: string, ack: Acknowledgement): Promise<void> {
    await this.store.set(ackKey(slot), ack, INCIDENT_TTL_MS);
  }

  async snooze(slot: string): Promise<Snooze | undefined> {
    const parsed = snoozeSchema.safeParse(await this.store.get(snoozeKey(slot)));
    return parsed.success ? parsed.data : undefined;
  }

  /** The snooze in force now, if any (an expired one is still stored until its end is reported). */
  async activeSnooze(slot: string): Promise<Snooze | undefined> {
    const snooze = await this.snooze(slot);
    return snooze && isSnoozeActive(snooze, this.now()) ? snooze : undefined;
  }

  async setSnooze(slot: string, snooze: Snooze): Promise<void> {
    const ttl = snooze.until === undefined ? INCIDENT_TTL_MS : Math.max(1, snooze.until - this.now()) + millisecondsInDay;
    await this.store.set(snoozeKey(slot), snooze, ttl);
  }

  /** Removes the snooze if it is still the one with this id (a newer snooze stays). */
  async clearSnooze(slot: string, id: string): Promise<boolean> {
    const current = await this.snooze(slot);
    if (current?.id !== id) return false;
    return this.store.delete(snoozeKey(slot));
  }

  /** Every stored snooze (few: people set them by hand), active or awaiting its end line. */
  async snoozes(): Promise<Array<{ slot: string; snooze: Snooze }>> {
    const keys = await this.store.keys(SNOOZE_PREFIX);
    const found = await Promise.all(
      keys.map(async (key) => {
        const slot = key.slice(SNOOZE_PREFIX.length);
        const parsed = snoozeSchema.safeParse(await this.store.get(key));
        return parsed.success ? { slot, snooze: parsed.data } : undefined;
      }),
    );
    return found.filter((f): f is { slot: string; snooze: Snooze } => f !== undefined);
  }

  /** `startTime`: of the instance that failed, so an older run finishing later resolves nothing. */
  async markFailing(slot: string, at: number, startTime?: number): Promise<void> {
    await this.store.set(failingKey(slot), startTime === undefined ? { at } : { at, startTime }, INCIDENT_TTL_MS);
  }

  async failing(slot: string): Promise<{ at: number; startTime?: number } | undefined> {
    const parsed = failingSchema.safeParse(await this.store.get(failingKey(slot)));
    return parsed.success ? parsed.data : undefined;
  }

  async clearFailing(slot: string): Promise<void> {
    await this.store.delete(failingKey(slot));
  }
}
