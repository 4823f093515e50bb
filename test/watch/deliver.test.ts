import { describe, expect, it } from 'vitest';
import { notifierWith } from '../helpers/notifier.js';
import { createLogger } from '../../src/log.js';
import { createStore } from '../../src/store.js';
import { deliverDue } from '../../src/watch/deliver.js';
import { Outbox } from '../../src/watch/outbox.js';
import { SubscriptionRegistry } from '../../src/watch/subscriptions.js';
import type { AlertItem, Notifier } from '../../src/watch/types.js';

const T0 = Date.UTC(2026, 10, 1, 12);

function item(n: number): AlertItem {
  const subscriptionId = 'league1:C0000000001';
  return {
    key: `${subscriptionId}|inst${n}:FAILED:${T0}`,
    subscriptionId,
    channelId: 'C0000000001',
    league: { id: 'league1', alias: 'credit' },
    instance: { id: `inst${n}`, jobName: `job ${n}`, type: 'VFL_TRAIN', status: 'FAILED', startTime: T0 - 60_000, endTime: T0 },
    from: 'RUNNING',
    to: 'FAILED',
    observedAt: T0,
  };
}

describe('deliverDue and its delivery locks', () => {
  it('renews the locks while slow posts go out, so no other replica can take the channel meanwhile', async () => {
    const store = await createStore('memory://');
    const outbox = new Outbox(store);
    const registry = new SubscriptionRegistry(store);
    for (const n of [1, 2, 3]) await outbox.record(item(n));
    const other = new Outbox(store);
    const stolen: boolean[] = [];
    const notifier: Notifier = notifierWith({
      async post() {
        await new Promise((resolve) => setTimeout(resolve, 450));
        // Each post takes longer than the whole lock TTL; the locks must still be ours.
        stolen.push((await other.lockForDelivery(item(3).key, 'replica-b', 10_000)) !== undefined);
        return { ok: true, ts: '1.0' };
      },
    });
    const report = await deliverDue({ outbox, registry, notifier, logger: createLogger({ level: 'silent' }), now: () => T0, owner: 'replica-a', lockMs: 300 });
    expect(report.alertsSent).toBe(3);
    expect(stolen).toEqual([false, false, false]);
    await store.close();
  });

  it('stops posting a channel once a lock could not be renewed, leaving the rest pending', async () => {
    const store = await createStore('memory://');
    const outbox = new Outbox(store);
    const registry = new SubscriptionRegistry(store);
    for (const n of [1, 2, 3]) await outbox.record(item(n));
    // As if this process stalled past the TTL and another replica took the locks: renewals fail.
    const lock = outbox.lockForDelivery.bind(outbox);
    outbox.lockForDelivery = async (...args) => {
      const held = await lock(...args);
      return held && { ...held, renew: () => Promise.resolve(false) };
    };
    let posts = 0;
    const notifier: Notifier = notifierWith({
      async post() {
        posts += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
        return { ok: true, ts: '1.0' };
      },
    });
    const report = await deliverDue({ outbox, registry, notifier, logger: createLogger({ level: 'silent' }), now: () => T0, owner: 'replica-a', lockMs: 150 });
    expect(posts).toBe(1);
    expect(report.alertsSent).toBe(1);
    const pending = [...(await outbox.due()).values()].flat().map((e) => e.item.key);
    expect(pending).toHaveLength(2);
    await store.close();
  });
});
