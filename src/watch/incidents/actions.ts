/**
 * What people do to an incident from Slack (acknowledge, snooze, unsnooze), and the watcher's
 * end of expired snoozes. Each writes its own key (last click wins, atomically per key) and then
 * records an outbox entry for the thread line and the parent update, so the delivery — the only
 * writer of the incident itself — posts them exactly once, on whichever replica.
 */
import { randomUUID } from 'node:crypto';
import { hoursToMilliseconds } from 'date-fns/hoursToMilliseconds';
import type { Outbox } from '../outbox.js';
import type { IncidentWorkItem } from '../types.js';
import { subscriptionOfSlot } from './keys.js';
import { isSnoozeActive, type IncidentStore } from './store.js';
import type { Incident, Snooze, SnoozeEndReason } from './types.js';

export const SNOOZE_LENGTHS = ['1h', '8h', '24h', 'success'] as const;
export type SnoozeLength = (typeof SNOOZE_LENGTHS)[number];
const SNOOZE_HOURS: Record<Exclude<SnoozeLength, 'success'>, number> = { '1h': 1, '8h': 8, '24h': 24 };

/** Which incident a button on a parent stands for. */
export interface IncidentRef {
  slot: string;
  seq: number;
}

export type IncidentActionResult = { ok: true; incident: Incident } | { ok: false; reason: 'gone' | 'resolved' | 'superseded' };

export interface IncidentActionsDeps {
  incidents: IncidentStore;
  outbox: Outbox;
  now: () => number;
  /** Called after an entry was recorded, so the delivery can run now instead of next interval. */
  onRecorded?: () => void;
}

/** `league:channel` → channel. */
function channelOfSubscription(subscriptionId: string): string {
  return subscriptionId.slice(subscriptionId.indexOf(':') + 1);
}

export function workItem(slot: string, seq: number, kind: IncidentWorkItem['kind'], what: string, observedAt: number, extra: Partial<Pick<IncidentWorkItem, 'userId' | 'snooze' | 'reason'>> = {}): IncidentWorkItem {
  const subscriptionId = subscriptionOfSlot(slot);
  return { key: `${slot}#${what}`, subscriptionId, channelId: channelOfSubscription(subscriptionId), kind, slot, seq, observedAt, ...extra };
}

/** The one key a snooze's end is recorded under, whatever ended it: its summary posts once. */
export function snoozeEndItem(slot: string, seq: number, snooze: Snooze, reason: SnoozeEndReason, at: number, userId?: string): IncidentWorkItem {
  return workItem(slot, seq, 'snooze-end', `snooze-end:${snooze.id}`, at, { snooze, reason, ...(userId === undefined ? {} : { userId }) });
}

export class IncidentActions {
  constructor(private readonly deps: IncidentActionsDeps) {}

  /** The incident a button names, if it is still open (a stale button gets the reason). */
  async open(ref: IncidentRef): Promise<IncidentActionResult> {
    const incident = await this.deps.incidents.generation(ref.slot, ref.seq);
    if (!incident) return { ok: false, reason: 'gone' };
    if (incident.state !== 'open') return { ok: false, reason: incident.state };
    return { ok: true, incident };
  }

  async acknowledge(ref: IncidentRef, userId: string): Promise<IncidentActionResult> {
    const found = await this.open(ref);
    if (!found.ok) return found;
    const at = this.deps.now();
    await this.deps.incidents.setAck(ref.slot, { seq: ref.seq, userId, at });
    await this.record(workItem(ref.slot, ref.seq, 'ack', `ack:${ref.seq}:${userId}:${at}`, at, { userId }));
    return found;
  }

  /**
   * Snoozes the job's alerts in the channel. Snoozing again while snoozed changes the length but
   * keeps the snooze's id, so what it held back so far is still reported when it ends.
   */
  async snooze(ref: IncidentRef, userId: string, length: SnoozeLength): Promise<IncidentActionResult & { snooze?: Snooze }> {
    const found = await this.open(ref);
    if (!found.ok) return found;
    const at = this.deps.now();
    const previous = await this.deps.incidents.snooze(ref.slot);
    const id = previous && isSnoozeActive(previous, at) ? previous.id : `${at}-${randomUUID().slice(0, 8)}`;
    const snooze: Snooze =
      length === 'success'
        ? { id, jobName: found.incident.job.name, by: userId, at, untilSuccess: true }
        : { id, jobName: found.incident.job.name, by: userId, at, until: at + hoursToMilliseconds(SNOOZE_HOURS[length]), untilSuccess: false };
    await this.deps.incidents.setSnooze(ref.slot, snooze);
    await this.record(workItem(ref.slot, ref.seq, 'snoozed', `snoozed:${id}:${at}`, at, { userId, snooze }));
    return { ...found, snooze };
  }

  /**
   * Ends a snooze now. The end line is recorded before the snooze is cleared: a crash in between
   * leaves the snooze, and trying again records nothing new (same key) and clears it.
   */
  async unsnooze(slot: string, userId: string): Promise<{ ok: true; snooze: Snooze } | { ok: false; reason: 'not_snoozed' }> {
    const snooze = await this.deps.incidents.snooze(slot);
    if (!snooze || !isSnoozeActive(snooze, this.deps.now())) return { ok: false, reason: 'not_snoozed' };
    const incident = await this.deps.incidents.get(slot);
    await this.record(snoozeEndItem(slot, incident?.seq ?? 0, snooze, 'unsnoozed', this.deps.now(), userId));
    await this.deps.incidents.clearSnooze(slot, snooze.id);
    return { ok: true, snooze };
  }

  /** The watcher's turn: every snooze whose time is up gets its end line, then is cleared. */
  async endExpiredSnoozes(): Promise<number> {
    const now = this.deps.now();
    let ended = 0;
    for (const { slot, snooze } of await this.deps.incidents.snoozes()) {
      if (isSnoozeActive(snooze, now)) continue;
      const incident = await this.deps.incidents.get(slot);
      await this.record(snoozeEndItem(slot, incident?.seq ?? 0, snooze, 'expired', snooze.until ?? now), false);
      await this.deps.incidents.clearSnooze(slot, snooze.id);
      ended += 1;
    }
    if (ended) this.deps.onRecorded?.();
    return ended;
  }

  private async record(item: IncidentWorkItem, nudge = true): Promise<void> {
    await this.deps.outbox.record(item);
    if (nudge) this.deps.onRecorded?.();
  }
}
