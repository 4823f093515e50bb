/**
 * The incident delivery on its own (memory store, a scripted Notifier, an injected clock): snoozes
 * of every length end with one summary, a failure a day later opens a new incident, a retried
 * entry never posts twice, a refused reply changes nothing, two replicas share a channel without
 * duplicates, and a storm of new jobs becomes one digest.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { createStore, type Store } from '../../../src/store.js';
import { deliverDue, type DeliveryReport } from '../../../src/watch/deliver.js';
import { IncidentActions, type SnoozeLength } from '../../../src/watch/incidents/actions.js';
import { NEW_INCIDENT_AFTER_MS } from '../../../src/watch/incidents/deliver-slot.js';
import { jobKeyOf, slotOf } from '../../../src/watch/incidents/keys.js';
import { IncidentStore } from '../../../src/watch/incidents/store.js';
import { Outbox } from '../../../src/watch/outbox.js';
import { SubscriptionRegistry } from '../../../src/watch/subscriptions.js';
import type { AlertItem, IncidentView, Notifier, NotifyResult, ThreadLine } from '../../../src/watch/types.js';
import type { Incident } from '../../../src/watch/incidents/types.js';
import { notifierWith } from '../../helpers/notifier.js';

const T0 = Date.UTC(2026, 10, 1, 12);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CHANNEL = 'C0000000001';
const SUB = `league1:${CHANNEL}`;
const slotFor = (job: string) => slotOf(SUB, jobKeyOf(job, ''));

function failure(id: string, at: number, job = 'train'): AlertItem {
  return {
    key: `${SUB}|${id}:FAILED:${at}`,
    subscriptionId: SUB,
    channelId: CHANNEL,
    league: { id: 'league1', alias: 'credit' },
    instance: { id, jobName: job, type: 'VFL_TRAIN', status: 'FAILED', startTime: at - 10 * MINUTE, endTime: at },
    from: 'RUNNING',
    to: 'FAILED',
    observedAt: at,
  };
}

function success(id: string, at: number, job = 'train'): AlertItem {
  return {
    key: `${SUB}|${id}:RECOVERED:${at}`,
    subscriptionId: SUB,
    channelId: CHANNEL,
    league: { id: 'league1', alias: 'credit' },
    instance: { id, jobName: job, type: 'VFL_TRAIN', status: 'SUCCEEDED', startTime: at - 10 * MINUTE, endTime: at },
    from: 'RUNNING',
    to: 'SUCCEEDED',
    observedAt: at,
    kind: 'recovery',
  };
}

/** What the scripted Slack received, in order. */
interface SlackLog {
  parents: Array<{ ts: string; view: IncidentView }>;
  replies: Array<{ ts: string; threadTs: string; line: ThreadLine; incident: Incident }>;
  updates: Array<{ ts: string; view: IncidentView }>;
  digests: AlertItem[][];
}

/** A Notifier that accepts everything (ts p1, r2, …); `override` replaces single methods. */
function scriptedSlack(override: Partial<Notifier> = {}): { notifier: Notifier; log: SlackLog } {
  let n = 0;
  const log: SlackLog = { parents: [], replies: [], updates: [], digests: [] };
  const notifier = notifierWith({
    post(_channel, items) {
      log.digests.push([...items]);
      return Promise.resolve({ ok: true, ts: `d${++n}` });
    },
    postParent(view) {
      const ts = `p${++n}`;
      log.parents.push({ ts, view: structuredClone(view) });
      return Promise.resolve({ ok: true, ts });
    },
    postInThread(incident, threadTs, line) {
      const ts = `r${++n}`;
      log.replies.push({ ts, threadTs, line: structuredClone(line), incident: structuredClone(incident) });
      return Promise.resolve({ ok: true, ts });
    },
    updateParent(view, ts) {
      log.updates.push({ ts, view: structuredClone(view) });
      return Promise.resolve({ ok: true, ts });
    },
    ...override,
  });
  return { notifier, log };
}

interface World {
  store: Store;
  clock: { now: number };
  outbox: Outbox;
  incidents: IncidentStore;
  actions: IncidentActions;
  deliver(notifier: Notifier, opts?: { outbox?: Outbox; incidents?: IncidentStore; owner?: string }): Promise<DeliveryReport>;
}

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function world(): Promise<World> {
  const store = await createStore('memory://');
  stores.push(store);
  const clock = { now: T0 };
  const now = () => clock.now;
  const outbox = new Outbox(store, { now });
  const incidents = new IncidentStore(store, now);
  const registry = new SubscriptionRegistry(store);
  const logger = createLogger({ level: 'silent' });
  return {
    store,
    clock,
    outbox,
    incidents,
    actions: new IncidentActions({ incidents, outbox, now }),
    deliver: (notifier, opts = {}) =>
      deliverDue({ outbox: opts.outbox ?? outbox, registry, notifier, logger, now, owner: opts.owner ?? 'replica-a', incidents: opts.incidents ?? incidents }),
  };
}

/** Records `items` and delivers them. */
async function deliverItems(w: World, notifier: Notifier, ...items: AlertItem[]): Promise<DeliveryReport> {
  for (const item of items) expect(await w.outbox.record(item)).toBe(true);
  return w.deliver(notifier);
}

describe('snoozes end with one summary', () => {
  it.each([
    ['1h', 1],
    ['8h', 8],
    ['24h', 24],
  ] as const)('%s: the failures it held are summed up once, when it expires', async (length: SnoozeLength, hours: number) => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    await deliverItems(w, notifier, failure('i1', T0));
    expect(log.parents).toHaveLength(1);
    const slot = slotFor('train');

    w.clock.now = T0 + MINUTE;
    const snoozed = await w.actions.snooze({ slot, seq: 1 }, 'U0SNOOZER1', length);
    expect(snoozed).toMatchObject({ ok: true, snooze: { until: T0 + MINUTE + hours * HOUR, untilSuccess: false } });
    await w.deliver(notifier);
    expect(log.replies.map((r) => r.line.kind)).toEqual(['snoozed']);

    // Held: no reply, no parent; the parent counts them.
    w.clock.now = T0 + 2 * MINUTE;
    await deliverItems(w, notifier, failure('i2', w.clock.now));
    w.clock.now = T0 + 3 * MINUTE;
    await deliverItems(w, notifier, failure('i3', w.clock.now));
    expect(log.replies).toHaveLength(1);
    expect(log.parents).toHaveLength(1);
    expect((await w.incidents.get(slot))?.snoozed).toMatchObject({ count: 2 });

    // Not yet over: nothing ends.
    w.clock.now = T0 + MINUTE + hours * HOUR - 1;
    expect(await w.actions.endExpiredSnoozes()).toBe(0);

    w.clock.now = T0 + MINUTE + hours * HOUR + 1;
    expect(await w.actions.endExpiredSnoozes()).toBe(1);
    // The watcher runs it every cycle: a second run finds nothing.
    expect(await w.actions.endExpiredSnoozes()).toBe(0);
    await w.deliver(notifier);
    await w.deliver(notifier);
    const ends = log.replies.filter((r) => r.line.kind === 'snooze-end');
    expect(ends).toHaveLength(1);
    expect(ends[0]!.line).toMatchObject({ kind: 'snooze-end', reason: 'expired', count: 2, last: { instance: { id: 'i3' } } });
    expect(ends[0]!.threadTs).toBe(log.parents[0]!.ts);
    const entries = (await w.store.keys('outbox:')).filter((k) => k.includes('#snooze-end:'));
    expect(entries).toHaveLength(1);
    expect(await w.outbox.get(entries[0]!.slice('outbox:'.length))).toMatchObject({ state: 'sent' });
    expect(await w.incidents.snooze(slot)).toBeUndefined();
    // The parent no longer shows the snooze.
    expect(log.updates.at(-1)?.view.snooze).toBeUndefined();

    // Failures reply again.
    w.clock.now += MINUTE;
    await deliverItems(w, notifier, failure('i4', w.clock.now));
    expect(log.replies.at(-1)?.line).toMatchObject({ kind: 'event', number: 4 });
  });
});

describe('a failure long after the previous one', () => {
  it('opens a new incident with a new parent; the old parent is re-rendered superseded', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const slot = slotFor('train');
    await deliverItems(w, notifier, failure('i1', T0));
    w.clock.now = T0 + HOUR;
    await deliverItems(w, notifier, failure('i2', w.clock.now));
    expect(log.replies).toHaveLength(1);

    w.clock.now = T0 + HOUR + NEW_INCIDENT_AFTER_MS + MINUTE;
    await deliverItems(w, notifier, failure('i3', w.clock.now));
    expect(log.parents.map((p) => p.ts)).toEqual(['p1', expect.stringMatching(/^p/)]);
    expect(log.parents[1]!.view.incident).toMatchObject({ seq: 2, events: 1, state: 'open', first: { instance: { id: 'i3' } } });
    expect(log.replies).toHaveLength(1);
    const superseded = log.updates.filter((u) => u.ts === 'p1' && u.view.incident.state === 'superseded');
    expect(superseded).toHaveLength(1);
    expect(superseded[0]!.view.incident).toMatchObject({ seq: 1, events: 2 });
    expect(await w.incidents.get(slot)).toMatchObject({ seq: 2, parentTs: log.parents[1]!.ts });
    expect(await w.incidents.generation(slot, 1)).toMatchObject({ state: 'superseded', parentTs: 'p1' });

    // A failure within 24 h of that one replies under the new parent.
    w.clock.now += HOUR;
    await deliverItems(w, notifier, failure('i4', w.clock.now));
    expect(log.replies.at(-1)).toMatchObject({ threadTs: log.parents[1]!.ts, line: { kind: 'event', number: 2 } });
  });
});

describe('born while snoozed', () => {
  it('a new incident opened during a snooze posts nothing until the snooze ends, then its parent and the summary', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const slot = slotFor('train');
    await deliverItems(w, notifier, failure('i1', T0));
    w.clock.now = T0 + 23 * HOUR;
    await w.actions.snooze({ slot, seq: 1 }, 'U0SNOOZER1', '24h');
    await w.deliver(notifier);
    // More than 24 h after the last failure: a new incident, born snoozed.
    w.clock.now = T0 + 25 * HOUR;
    await deliverItems(w, notifier, failure('i2', w.clock.now));
    expect(log.parents).toHaveLength(1);
    expect(log.replies.map((r) => r.line.kind)).toEqual(['snoozed']);
    expect(await w.incidents.get(slot)).toMatchObject({ seq: 2, snoozed: { count: 1 } });
    expect((await w.incidents.get(slot))?.parentTs).toBeUndefined();
    expect(log.updates.filter((u) => u.ts === 'p1').at(-1)?.view.incident.state).toBe('superseded');

    w.clock.now = T0 + 47 * HOUR + 1;
    expect(await w.actions.endExpiredSnoozes()).toBe(1);
    await w.deliver(notifier);
    await w.deliver(notifier);
    expect(log.parents).toHaveLength(2);
    expect(log.parents[1]!.view.incident).toMatchObject({ seq: 2, events: 1 });
    const end = log.replies.filter((r) => r.line.kind === 'snooze-end');
    expect(end).toHaveLength(1);
    expect(end[0]).toMatchObject({ threadTs: log.parents[1]!.ts, line: { count: 1, reason: 'expired' } });
  });
});

describe('a deleted parent', () => {
  it('a recovery with nowhere to go resolves the incident quietly; nothing is re-posted', async () => {
    const w = await world();
    const gone = (): Promise<NotifyResult> => Promise.resolve({ ok: false, kind: 'gone', error: 'thread_not_found' });
    const { notifier, log } = scriptedSlack({ postInThread: gone, updateParent: () => Promise.resolve({ ok: false, kind: 'gone', error: 'message_not_found' }) });
    const slot = slotFor('train');
    await deliverItems(w, notifier, failure('i1', T0));
    w.clock.now = T0 + HOUR;
    const ok = success('ok1', w.clock.now);
    const report = await deliverItems(w, notifier, ok);
    expect(report).toMatchObject({ gaveUp: 0, deferred: 0 });
    expect(log.parents).toHaveLength(1);
    expect(await w.incidents.get(slot)).toMatchObject({ state: 'resolved' });
    expect(await w.outbox.get(ok.key)).toMatchObject({ state: 'suppressed' });
    expect((await w.outbox.due()).size).toBe(0);
  });
});

describe('retries', () => {
  it('an entry already applied (its post done, the settling interrupted) posts nothing again and counts once', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const slot = slotFor('train');
    await deliverItems(w, notifier, failure('i1', T0));
    const second = failure('i2', T0 + MINUTE);
    // The process dies between the reply (saved as applied) and settling the entry.
    const markSent = w.outbox.markSent.bind(w.outbox);
    let interrupted = false;
    w.outbox.markSent = async (keys, ts) => {
      if (!interrupted && keys.includes(second.key)) {
        interrupted = true;
        throw new Error('crash after the post');
      }
      return markSent(keys, ts);
    };
    w.clock.now = T0 + MINUTE;
    await deliverItems(w, notifier, second);
    expect(interrupted).toBe(true);
    expect(log.replies).toHaveLength(1);
    expect(await w.outbox.get(second.key)).toMatchObject({ state: 'pending' });
    expect((await w.incidents.get(slot))?.applied[second.key]).toBe(log.replies[0]!.ts);

    await w.deliver(notifier);
    await w.deliver(notifier);
    expect(log.replies).toHaveLength(1);
    expect(log.parents).toHaveLength(1);
    expect(await w.outbox.get(second.key)).toMatchObject({ state: 'sent', sentTs: log.replies[0]!.ts });
    expect(await w.incidents.get(slot)).toMatchObject({ events: 2 });
    // The parent was brought up to date all the same.
    expect(log.updates.at(-1)?.view.incident.events).toBe(2);
  });

  it('a reply Slack refuses for now keeps its entry pending and the incident unchanged; the retry posts it once', async () => {
    const w = await world();
    let refuse = 1;
    const base = scriptedSlack();
    const { notifier, log } = scriptedSlack({
      postInThread: (incident, threadTs, line, now) => {
        if (refuse-- > 0) return Promise.resolve<NotifyResult>({ ok: false, kind: 'transient', error: 'internal_error' });
        return base.notifier.postInThread(incident, threadTs, line, now);
      },
    });
    const slot = slotFor('train');
    await deliverItems(w, notifier, failure('i1', T0));
    const before = await w.incidents.get(slot);
    w.clock.now = T0 + MINUTE;
    const second = failure('i2', w.clock.now);
    const report = await deliverItems(w, notifier, second);
    expect(report).toMatchObject({ deferred: 1, alertsSent: 0 });
    expect(await w.outbox.get(second.key)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'internal_error' });
    expect(await w.incidents.get(slot)).toEqual(before);
    expect(log.updates).toHaveLength(0);

    // Not due yet: nothing happens.
    await w.deliver(notifier);
    expect(base.log.replies).toHaveLength(0);
    w.clock.now += HOUR;
    await w.deliver(notifier);
    await w.deliver(notifier);
    expect(base.log.replies).toHaveLength(1);
    expect(base.log.replies[0]!.line).toMatchObject({ kind: 'event', number: 2 });
    expect(await w.incidents.get(slot)).toMatchObject({ events: 2 });
    expect(log.parents).toHaveLength(1);
  });
});

describe('two replicas', () => {
  it('delivering one channel at the same time post each parent and reply once (the channel lock)', async () => {
    const w = await world();
    const replica = { outbox: new Outbox(w.store, { now: () => w.clock.now }), incidents: new IncidentStore(w.store, () => w.clock.now), owner: 'replica-b' };
    // Each call takes a while, so the deliveries overlap; at most one may be talking to Slack.
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = <A extends unknown[]>(call: (...args: A) => Promise<NotifyResult>) => async (...args: A) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await delay(20);
      inFlight -= 1;
      return call(...args);
    };
    const fast = scriptedSlack();
    const { notifier } = scriptedSlack({
      postParent: slow((view: IncidentView, now: number) => fast.notifier.postParent(view, now)),
      postInThread: slow((incident: Incident, threadTs: string, line: ThreadLine, now: number) => fast.notifier.postInThread(incident, threadTs, line, now)),
      updateParent: slow((view: IncidentView, ts: string, now: number) => fast.notifier.updateParent(view, ts, now)),
    });
    expect(await w.outbox.record(failure('i1', T0))).toBe(true);
    await Promise.all([w.deliver(notifier), w.deliver(notifier, replica), w.deliver(notifier, { ...replica, owner: 'replica-c' })]);
    // Whoever lost the race left it to the holder; a later pass finds nothing to do.
    await Promise.all([w.deliver(notifier), w.deliver(notifier, replica)]);
    expect(fast.log.parents).toHaveLength(1);

    w.clock.now = T0 + MINUTE;
    for (const n of [2, 3, 4]) expect(await replica.outbox.record(failure(`i${n}`, T0 + n * 1000))).toBe(true);
    for (let round = 0; round < 3; round++) await Promise.all([w.deliver(notifier), w.deliver(notifier, replica)]);
    expect(fast.log.parents).toHaveLength(1);
    expect(fast.log.replies.map((r) => (r.line.kind === 'event' ? r.line.number : 0))).toEqual([2, 3, 4]);
    expect(fast.log.replies.every((r) => r.threadTs === fast.log.parents[0]!.ts)).toBe(true);
    expect(await w.incidents.get(slotFor('train'))).toMatchObject({ events: 4 });
    expect(maxInFlight).toBe(1);
  });
});

describe('a storm', () => {
  it('more than 5 jobs opening incidents in one delivery: one digest, and no incident opened for them', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    // One job already has its incident: its failure still goes into its thread.
    await deliverItems(w, notifier, failure('old1', T0, 'known-job'));
    w.clock.now = T0 + MINUTE;
    const jobs = Array.from({ length: 6 }, (_, i) => `storm-${i}`);
    await deliverItems(w, notifier, ...jobs.map((job, i) => failure(`s${i}`, w.clock.now, job)), failure('old2', w.clock.now, 'known-job'));
    expect(log.digests).toHaveLength(1);
    expect(log.digests[0]!.map((i) => i.instance.jobName).sort()).toEqual(jobs);
    expect(log.parents).toHaveLength(1);
    expect(log.replies).toHaveLength(1);
    expect(log.replies[0]!.incident.job.name).toBe('known-job');
    for (const job of jobs) expect(await w.incidents.get(slotFor(job))).toBeUndefined();

    // Their later success has no incident to resolve and posts nothing.
    w.clock.now += MINUTE;
    await deliverItems(w, notifier, success('ok0', w.clock.now, 'storm-0'));
    expect(log.replies).toHaveLength(1);
    expect(log.digests).toHaveLength(1);
  });

  it('5 jobs at once is no storm: each opens its own incident', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const jobs = Array.from({ length: 5 }, (_, i) => `calm-${i}`);
    await deliverItems(w, notifier, ...jobs.map((job, i) => failure(`c${i}`, T0, job)));
    expect(log.digests).toHaveLength(0);
    expect(log.parents.map((p) => p.view.incident.job.name).sort()).toEqual(jobs);
    for (const job of jobs) expect(await w.incidents.get(slotFor(job))).toMatchObject({ state: 'open', seq: 1 });
  });
});

describe("a new incident's failure summary", () => {
  const summary = { failedStage: { stage: 'train', node: 'agentBank01', party: 'bank', task: 'train_task_1' }, partners: ['bank', 'insurer'] };

  async function deliverWith(w: World, notifier: Notifier, summarize: (item: AlertItem) => Promise<typeof summary | undefined>) {
    return deliverDue({
      outbox: w.outbox,
      registry: new SubscriptionRegistry(w.store),
      notifier,
      logger: createLogger({ level: 'silent' }),
      now: () => w.clock.now,
      owner: 'replica-a',
      incidents: w.incidents,
      summarize,
    });
  }

  it('goes into the parent and the stored incident; later failures do not ask TICS again', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const asked: string[] = [];
    const summarize = (item: AlertItem) => {
      asked.push(item.instance.id);
      return Promise.resolve(summary);
    };
    await w.outbox.record(failure('i1', T0));
    await deliverWith(w, notifier, summarize);
    w.clock.now += MINUTE;
    await w.outbox.record(failure('i2', w.clock.now));
    await deliverWith(w, notifier, summarize);
    expect(asked).toEqual(['i1']);
    expect(log.parents[0]!.view.incident.first.summary).toEqual(summary);
    expect((await w.incidents.get(slotFor('train')))?.first.summary).toEqual(summary);
    // The parent re-rendered after the reply still has it (from the store, not from TICS).
    expect(log.updates.at(-1)!.view.incident.first.summary).toEqual(summary);
  });

  it("shares one budget among a delivery's new parents: once it is spent, the rest go out without asking", async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    const budgets: number[] = [];
    const summarize = async (_item: AlertItem, budgetMs: number) => {
      budgets.push(budgetMs);
      // A TICS as slow as the whole budget allows.
      await delay(budgetMs - 40);
      return summary;
    };
    await w.outbox.record(failure('i1', T0, 'first'));
    await w.outbox.record(failure('j1', T0, 'second'));
    await deliverDue({ outbox: w.outbox, registry: new SubscriptionRegistry(w.store), notifier, logger: createLogger({ level: 'silent' }), now: () => w.clock.now, owner: 'a', incidents: w.incidents, summarize });
    expect(budgets).toHaveLength(1);
    expect(budgets[0]).toBeLessThanOrEqual(1_500);
    expect(log.parents.map((p) => p.view.incident.first.summary !== undefined)).toEqual([true, false]);
  });

  it('a summary that fails or is not there leaves the alert as it was: posted, without one', async () => {
    const w = await world();
    const { notifier, log } = scriptedSlack();
    await w.outbox.record(failure('i1', T0));
    await deliverWith(w, notifier, () => Promise.reject(new Error('TICS down')));
    await w.outbox.record(failure('j1', T0, 'other'));
    await deliverWith(w, notifier, () => Promise.resolve(undefined));
    expect(log.parents).toHaveLength(2);
    expect(log.parents.every((p) => p.view.incident.first.summary === undefined)).toBe(true);
  });
});
