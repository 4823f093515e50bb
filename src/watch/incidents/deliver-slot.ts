/**
 * Delivers the outbox entries of one incident slot (one job in one channel), in order, under the
 * channel's delivery lock — the only writer of `incident:<slot>`, on any replica.
 *
 * Every entry follows the same three steps, so a crash between any two neither loses nor repeats
 * a post:
 *   1. post (parent, thread reply) unless the incident already lists the entry's key as applied;
 *   2. save the incident with the key applied (the ts posted, '' when nothing was) and its change;
 *   3. record the parent update the change needs (an outbox entry of its own, idempotent: it
 *      re-renders the parent from the stored incident), then settle the entry.
 * A crash after 1 and before 2 posts again on retry — the one duplicate window, as for a plain
 * alert; after 2, the retry finds the key applied and only redoes 3, which is idempotent.
 */
import { hoursToMilliseconds } from 'date-fns/hoursToMilliseconds';
import { crashPoint } from '../../crash-point.js';
import type { Logger } from '../../log.js';
import type { Outbox } from '../outbox.js';
import type { AlertItem, IncidentView, IncidentWorkItem, Notifier, NotifyResult, OutboxEntry, OutboxItem, ThreadLine } from '../types.js';
import { isAlertItem } from '../types.js';
import { workItem } from './actions.js';
import { jobKeyOf, slotOf } from './keys.js';
import { isSnoozeActive, type IncidentStore } from './store.js';
import type { FailureSummary } from '../../tics/failure-summary.js';
import type { Incident, IncidentEvent, Snooze } from './types.js';

/** A failure this long after the previous one opens a new incident instead of replying. */
export const NEW_INCIDENT_AFTER_MS = hoursToMilliseconds(24);

/** Statuses whose alerts join a job's incident; other `on:` statuses post plain alerts as before. */
export const INCIDENT_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'TERMINATED']);

/** The incident slot an outbox item belongs to, or undefined for a plain alert. */
export function slotOfItem(item: OutboxItem): string | undefined {
  if (!isAlertItem(item)) return item.slot;
  if (item.kind === undefined && !INCIDENT_STATUSES.has(item.to)) return undefined;
  return slotOf(item.subscriptionId, jobKeyOf(item.instance.jobName, item.instance.id));
}

/** True for an alert that opens or joins an incident (a failure or a stuck instance). */
export function isIncidentEvent(item: OutboxItem): item is AlertItem {
  return isAlertItem(item) && item.kind !== 'recovery' && slotOfItem(item) !== undefined;
}

export interface SlotDeps {
  outbox: Outbox;
  incidents: IncidentStore;
  notifier: Notifier;
  logger: Logger;
  now: () => number;
  /** True once the channel's delivery lock could not be renewed: stop posting. */
  lockLost: () => boolean;
  /** Why a new incident's first failure failed, within what is left of the delivery's budget (deliver.ts). */
  summarize?: ((item: AlertItem) => Promise<FailureSummary | undefined>) | undefined;
}

export type SlotOutcome =
  | { ok: true; posted: number; alertsSent: number }
  /** Slack refused a post: `entries` stay pending and the caller applies its failure policy. */
  | { ok: false; posted: number; alertsSent: number; result: NotifyResult & { ok: false }; entries: OutboxEntry[] }
  | { ok: false; posted: number; alertsSent: number; lockLost: true };

function eventOf(item: AlertItem): IncidentEvent {
  const event: IncidentEvent = { instance: item.instance, status: item.to, kind: item.kind === 'stuck' ? 'stuck' : 'failure', observedAt: item.observedAt };
  if (item.from !== undefined && item.kind !== 'stuck') event.from = item.from;
  if (item.stuck) {
    event.runningMs = item.stuck.runningMs;
    if (item.stuck.usualMs !== undefined) event.usualMs = item.stuck.usualMs;
  }
  return event;
}

function openIncident(slot: string, seq: number, item: AlertItem): Incident {
  const event = eventOf(item);
  return {
    v: 1,
    slot,
    seq,
    subscriptionId: item.subscriptionId,
    channelId: item.channelId,
    league: item.league,
    job: { key: slot.slice(slot.indexOf('|') + 1), name: item.instance.jobName, type: item.instance.type },
    state: 'open',
    openedAt: item.observedAt,
    events: 1,
    first: event,
    latest: event,
    notify: item.notify ?? [],
    applied: {},
    revision: 0,
  };
}

const parentKeyOf = (incident: Incident) => `parent:${incident.seq}:${incident.revision}`;

/**
 * One slot's entries, oldest first. Parent updates are collapsed: whatever asked for them, one
 * chat.update per generation renders the latest state, after the slot's other entries.
 */
export async function deliverSlot(deps: SlotDeps, slot: string, entries: readonly OutboxEntry[]): Promise<SlotOutcome> {
  let incident = await deps.incidents.get(slot);
  const storedSnooze = await deps.incidents.snooze(slot);
  let posted = 0;
  let alertsSent = 0;
  const parents: OutboxEntry[] = [];
  const fail = (result: NotifyResult & { ok: false }, entry: OutboxEntry): SlotOutcome => ({ ok: false, posted, alertsSent, result, entries: [entry] });

  /** Steps 2–3 for an entry whose post (if any) is done: apply, save, ask for a parent update, settle. */
  const commit = async (entry: OutboxEntry, next: Incident, ts: string, options: { parentUpdate: boolean }) => {
    next.applied = { ...next.applied, [entry.item.key]: ts };
    await deps.incidents.save(next);
    incident = next;
    crashPoint('after-incident-save');
    if (options.parentUpdate) await requestParentUpdate(deps, next, parents);
    if (ts) await deps.outbox.markSent([entry.item.key], ts);
    else await deps.outbox.markSuppressed([entry.item.key]);
  };

  for (const entry of entries) {
    if (deps.lockLost()) return { ok: false, posted, alertsSent, lockLost: true };
    const item = entry.item;
    if (!isAlertItem(item) && item.kind === 'parent') {
      parents.push(entry);
      continue;
    }
    // Applied before a crash: only the bookkeeping after it is left (idempotent).
    const applied = incident?.applied[item.key];
    if (incident && applied !== undefined) {
      await requestParentUpdate(deps, incident, parents);
      if (applied) await deps.outbox.markSent([item.key], applied);
      else await deps.outbox.markSuppressed([item.key]);
      continue;
    }
    const now = deps.now();
    const snooze = storedSnooze && isSnoozeActive(storedSnooze, now) ? storedSnooze : undefined;

    if (isAlertItem(item) && item.kind !== 'recovery') {
      const event = eventOf(item);
      const current = incident?.state === 'open' ? incident : undefined;
      const stale = current !== undefined && item.observedAt - current.latest.observedAt > NEW_INCIDENT_AFTER_MS;
      if (!current || stale) {
        // A new generation. The one it replaces keeps its last state in the archive, and its
        // parent is re-rendered once more (superseded) through its own update entry.
        if (incident) {
          const old: Incident = stale ? { ...incident, state: 'superseded', revision: incident.revision + 1 } : incident;
          await deps.incidents.archive(old);
          if (stale) await requestParentUpdate(deps, old, parents);
        }
        const fresh = openIncident(slot, (incident?.seq ?? 0) + 1, item);
        if (snooze) {
          fresh.snoozed = { snoozeId: snooze.id, count: 1, last: event };
          await commit(entry, fresh, '', { parentUpdate: false });
          continue;
        }
        const summary =
          item.kind === undefined
            ? await deps.summarize?.(item).catch((error: unknown) => {
                // TICS failures come back as "no summary"; reaching here is a bug, not an outage.
                deps.logger.warn({ err: error, slot }, 'failure summary failed; the alert goes without it');
                return undefined;
              })
            : undefined;
        if (summary) fresh.first = fresh.latest = { ...fresh.latest, summary };
        if (deps.lockLost()) return { ok: false, posted, alertsSent, lockLost: true };
        const result = await deps.notifier.postParent({ incident: fresh }, now);
        if (!result.ok) return fail(result, entry);
        crashPoint('after-parent-post');
        fresh.parentTs = result.ts;
        posted += 1;
        alertsSent += 1;
        await commit(entry, fresh, result.ts, { parentUpdate: false });
        // Logged once recorded, as for a plain alert: the chaos run reads this line as "marked sent".
        deps.logger.info({ channelId: fresh.channelId, ts: result.ts, slot, incident: fresh.seq }, 'alert posted');
        continue;
      }
      const next: Incident = { ...current, events: current.events + 1, latest: event, revision: current.revision + 1 };
      if (snooze) {
        const count = current.snoozed?.snoozeId === snooze.id ? current.snoozed.count + 1 : 1;
        next.snoozed = { snoozeId: snooze.id, count, last: event };
        await commit(entry, next, '', { parentUpdate: current.parentTs !== undefined });
        continue;
      }
      const sent = await replyOrRepost(deps, next, { kind: 'event', event, number: next.events }, now);
      if (!sent.ok) return fail(sent, entry);
      posted += 1;
      alertsSent += 1;
      await commit(entry, next, sent.ts, { parentUpdate: !sent.reposted });
      deps.logger.info({ channelId: next.channelId, ts: sent.ts, slot, incident: next.seq, reply: !sent.reposted }, 'alert posted');
      continue;
    }

    if (isAlertItem(item)) {
      // A success: resolves the open incident; with none open there is nothing to say.
      if (incident?.state !== 'open') {
        await deps.outbox.markSuppressed([item.key]);
        continue;
      }
      const resolved: Incident = { ...incident, state: 'resolved', resolvedAt: item.observedAt, resolvedBy: item.instance, revision: incident.revision + 1 };
      let ts = '';
      if (resolved.parentTs !== undefined) {
        const line: ThreadLine = { kind: 'recovery', incident: resolved, snoozedCount: incident.snoozed?.count ?? 0 };
        const result = await deps.notifier.postInThread(resolved, resolved.parentTs, line, now);
        // A parent deleted by hand: the recovery has nowhere to go, and is no alert to re-post.
        if (!result.ok && result.kind !== 'gone') return fail(result, entry);
        if (result.ok) {
          ts = result.ts;
          posted += 1;
        }
      }
      await commit(entry, resolved, ts, { parentUpdate: true });
      // The job recovered: its snooze (whatever its length) is over, and the line above said so.
      if (storedSnooze) await deps.incidents.clearSnooze(slot, storedSnooze.id);
      continue;
    }

    const work = item;
    const outcome = await deliverWork(deps, work, incident, storedSnooze, now);
    if (outcome.kind === 'skip') {
      await deps.outbox.markSuppressed([work.key]);
      continue;
    }
    if (outcome.kind === 'failed') return fail(outcome.result, entry);
    posted += outcome.posted;
    await commit(entry, outcome.next, outcome.ts, { parentUpdate: true });
  }

  const parentOutcome = await deliverParentUpdates(deps, slot, parents, () => incident, (next) => (incident = next));
  posted += parentOutcome.posted;
  if (!parentOutcome.ok) return { ...parentOutcome, posted, alertsSent };
  return { ok: true, posted, alertsSent };
}

type WorkOutcome = { kind: 'skip' } | { kind: 'failed'; result: NotifyResult & { ok: false } } | { kind: 'done'; next: Incident; ts: string; posted: number };

/** ack, snoozed and snooze-end: one thread line each, on the incident they were meant for. */
async function deliverWork(deps: SlotDeps, item: IncidentWorkItem, incident: Incident | undefined, snooze: Snooze | undefined, now: number): Promise<WorkOutcome> {
  if (!incident || incident.state !== 'open') return { kind: 'skip' };
  let line: ThreadLine;
  switch (item.kind) {
    case 'ack':
      if (incident.seq !== item.seq || item.userId === undefined) return { kind: 'skip' };
      line = { kind: 'ack', userId: item.userId, at: item.observedAt };
      break;
    case 'snoozed':
      if (incident.seq !== item.seq || !item.snooze) return { kind: 'skip' };
      line = { kind: 'snoozed', snooze: item.snooze };
      break;
    case 'snooze-end': {
      if (!item.snooze || item.reason === undefined) return { kind: 'skip' };
      const held = incident.snoozed?.snoozeId === item.snooze.id ? incident.snoozed : undefined;
      line = { kind: 'snooze-end', snooze: item.snooze, reason: item.reason, at: item.observedAt, count: held?.count ?? 0, ...(held?.last ? { last: held.last } : {}), ...(item.userId === undefined ? {} : { userId: item.userId }) };
      break;
    }
    default:
      return { kind: 'skip' };
  }
  const next: Incident = { ...incident, revision: incident.revision + 1 };
  let posted = 0;
  if (next.parentTs === undefined) {
    // Born while snoozed: now that the snooze is over, the incident gets its parent first.
    if (item.kind !== 'snooze-end') return { kind: 'skip' };
    const parent = await deps.notifier.postParent(await viewOf(deps, next, snooze), now);
    if (!parent.ok) return { kind: 'failed', result: parent };
    next.parentTs = parent.ts;
    posted += 1;
    // Saved at once: a failure of the line below must not post this parent a second time.
    await deps.incidents.save(next);
  }
  const sent = await replyOrRepost(deps, next, line, now);
  if (!sent.ok) return { kind: 'failed', result: sent };
  return { kind: 'done', next, ts: sent.ts, posted: posted + 1 };
}

/**
 * A thread reply; when the parent is gone (deleted, channel restored…), a new parent carries the
 * incident on — never a lost alert — and later replies go under it.
 */
async function replyOrRepost(deps: SlotDeps, next: Incident, line: ThreadLine, now: number): Promise<(NotifyResult & { ok: false }) | { ok: true; ts: string; reposted: boolean }> {
  if (next.parentTs !== undefined) {
    const result = await deps.notifier.postInThread(next, next.parentTs, line, now);
    if (result.ok) {
      crashPoint('after-thread-post');
      return { ok: true, ts: result.ts, reposted: false };
    }
    if (result.kind !== 'gone') return result;
    deps.logger.warn({ slot: next.slot, parentTs: next.parentTs }, "an incident's parent is gone; posting a new one");
  }
  const parent = await deps.notifier.postParent(await viewOf(deps, next, await deps.incidents.activeSnooze(next.slot)), now);
  if (!parent.ok) return parent;
  crashPoint('after-parent-post');
  next.parentTs = parent.ts;
  return { ok: true, ts: parent.ts, reposted: true };
}

async function viewOf(deps: Pick<SlotDeps, 'incidents'>, incident: Incident, snooze: Snooze | undefined): Promise<IncidentView> {
  const ack = await deps.incidents.ack(incident.slot);
  return { incident, ...(ack?.seq === incident.seq ? { ack } : {}), ...(snooze ? { snooze } : {}) };
}

/** Records (idempotently) the entry that re-renders this generation's parent; queued for this pass. */
async function requestParentUpdate(deps: SlotDeps, incident: Incident, queue: OutboxEntry[]): Promise<void> {
  if (incident.parentTs === undefined) return;
  const item = workItem(incident.slot, incident.seq, 'parent', parentKeyOf(incident), deps.now());
  await deps.outbox.record(item);
  const entry = await deps.outbox.get(item.key);
  if (entry?.state === 'pending') queue.push(entry);
}

/**
 * One chat.update per generation with pending updates, rendering the stored state as it is now;
 * the other update entries of that generation are settled with it.
 */
async function deliverParentUpdates(
  deps: SlotDeps,
  slot: string,
  parents: readonly OutboxEntry[],
  current: () => Incident | undefined,
  replaced: (next: Incident) => void,
): Promise<{ ok: true; posted: number } | { ok: false; posted: number; result: NotifyResult & { ok: false }; entries: OutboxEntry[] } | { ok: false; posted: number; lockLost: true }> {
  const bySeq = new Map<number, OutboxEntry[]>();
  for (const entry of parents) {
    if (isAlertItem(entry.item)) continue;
    const list = bySeq.get(entry.item.seq) ?? [];
    if (!list.some((e) => e.item.key === entry.item.key)) list.push(entry);
    bySeq.set(entry.item.seq, list);
  }
  let posted = 0;
  for (const [seq, entries] of bySeq) {
    if (deps.lockLost()) return { ok: false, posted, lockLost: true };
    const keys = entries.map((e) => e.item.key);
    const now = deps.now();
    const live = current();
    const target = live?.seq === seq ? live : await deps.incidents.generation(slot, seq);
    if (target?.parentTs === undefined) {
      await deps.outbox.markSuppressed(keys);
      continue;
    }
    const snooze = target.state === 'open' ? await deps.incidents.activeSnooze(slot) : undefined;
    const result = await deps.notifier.updateParent(await viewOf(deps, target, snooze), target.parentTs, now);
    if (result.ok) {
      await deps.outbox.markSent(keys, target.parentTs);
      continue;
    }
    if (result.kind !== 'gone') return { ok: false, posted, result, entries };
    // Gone: an open incident gets a new parent (its alerts must stay visible); a closed one's
    // final state has nowhere to go.
    if (target.state !== 'open' || target !== live) {
      await deps.outbox.markSuppressed(keys);
      continue;
    }
    const reposted = await deps.notifier.postParent(await viewOf(deps, target, snooze), now);
    if (!reposted.ok) return { ok: false, posted, result: reposted, entries };
    const next: Incident = { ...target, parentTs: reposted.ts };
    await deps.incidents.save(next);
    replaced(next);
    posted += 1;
    await deps.outbox.markSent(keys, reposted.ts);
  }
  return { ok: true, posted };
}
