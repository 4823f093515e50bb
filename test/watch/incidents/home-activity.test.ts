/**
 * What App Home reads of incidents, on every store backend: IncidentStore.current() lists only the
 * current incidents of the subscriptions asked for (never an archived `incident-old:` generation,
 * whose key starts the same way), and WatchService.activity() turns them into the open incidents
 * with their ack and snooze, and per-league alert counts for the last 24 hours.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.js';
import { IncidentStore } from '../../../src/watch/incidents/store.js';
import type { Incident } from '../../../src/watch/incidents/types.js';
import { createWatchService, type WatchService } from '../../../src/watch/service.js';
import { HOUR, NOW } from '../../slack/views/fixtures.js';
import { failureEvent, incident } from '../../slack/views/incident-fixtures.js';
import { BACKENDS, warnIfRedisSkipped, type StoreFixture } from '../store-backends.js';

const A = { id: 'leagueA000000000000000000000000a', alias: 'alpha' };
const B = { id: 'leagueB000000000000000000000000b', alias: 'beta' };
const sub = (league: { id: string }, channel: string) => `${league.id}:${channel}`;

function inc(league: { id: string; alias: string }, channel: string, job: string, overrides: Partial<Incident> = {}): Incident {
  const subscriptionId = sub(league, channel);
  return incident({ slot: `${subscriptionId}|${job}`, subscriptionId, channelId: channel, league, job: { key: job, name: job, type: 'VFL_TRAIN' }, seq: 1, ...overrides });
}

warnIfRedisSkipped();

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`App Home activity (${backend.name})`, () => {
    let fx: StoreFixture;
    let store: IncidentStore;
    let service: WatchService;

    beforeEach(async () => {
      fx = await backend.open();
      store = new IncidentStore(fx.store, () => NOW);
      // activity() reads incidents only: the rest of the service is not reached.
      service = createWatchService({
        registry: {} as never,
        outbox: {} as never,
        watcher: {} as never,
        logger: createLogger({ level: 'silent' }),
        now: () => NOW,
        intervalSeconds: 60,
        aliasOf: () => undefined,
        incidents: store,
      });
    });
    afterEach(async () => fx?.cleanup());

    it('current() lists the current incidents of the subscriptions asked for, never archived ones', async () => {
      const a1 = inc(A, 'C0ONE', 'job-1');
      const a2 = inc(A, 'C0TWO', 'job-1');
      const b1 = inc(B, 'C0ONE', 'job-9');
      for (const i of [a1, a2, b1]) await store.save(i);
      await store.archive({ ...a1, seq: 7 });
      const ids = (list: Incident[]) => list.map((i) => `${i.slot}#${i.seq}`).sort();
      expect(ids(await store.current(new Set([sub(A, 'C0ONE'), sub(B, 'C0ONE')])))).toEqual([`${a1.slot}#1`, `${b1.slot}#1`].sort());
      expect(ids(await store.current(new Set([sub(A, 'C0TWO')])))).toEqual([`${a2.slot}#1`]);
      expect(await store.current(new Set())).toEqual([]);
    });

    it('activity(): open incidents latest first, with their ack (this generation only) and active snooze', async () => {
      const older = inc(A, 'C0ONE', 'job-old', { latest: failureEvent('i-old', 3 * HOUR) });
      const newer = inc(A, 'C0ONE', 'job-new', { latest: failureEvent('i-new', HOUR), seq: 2 });
      const resolved = inc(A, 'C0ONE', 'job-done', { state: 'resolved', resolvedAt: NOW });
      for (const i of [older, newer, resolved]) await store.save(i);
      await store.setAck(newer.slot, { seq: 2, userId: 'U0ALICE', at: NOW - HOUR });
      await store.setAck(older.slot, { seq: 9, userId: 'U0STALE', at: NOW - HOUR });
      await store.setSnooze(older.slot, { id: 's1', jobName: 'job-old', by: 'U0BOB', at: NOW - HOUR, untilSuccess: true });
      const { open } = await service.activity([sub(A, 'C0ONE')], NOW - 24 * HOUR);
      expect(open.map((v) => v.incident.job.name)).toEqual(['job-new', 'job-old']);
      expect(open[0]!.ack?.userId).toBe('U0ALICE');
      expect(open[0]!.snooze).toBeUndefined();
      expect(open[1]!.ack).toBeUndefined();
      expect(open[1]!.snooze?.id).toBe('s1');
    });

    it('activity(): counts the last 24 h per league, earlier generations included, a straddling incident as a lower bound', async () => {
      const since = NOW - 24 * HOUR;
      // Opened 5 h ago, 4 events: all inside.
      await store.save(inc(A, 'C0ONE', 'job-1', { events: 4 }));
      // Generation 2 opened 2 h ago (1 event) after generation 1 (3 events, 10 h ago) resolved.
      const gen2 = inc(A, 'C0ONE', 'job-2', { seq: 2, events: 1, openedAt: NOW - 2 * HOUR, latest: failureEvent('g2', 2 * HOUR) });
      await store.save(gen2);
      await store.archive({ ...gen2, seq: 1, state: 'resolved', events: 3, openedAt: NOW - 10 * HOUR, latest: failureEvent('g1', 9 * HOUR) });
      // Opened 30 h ago, still failing: only its latest is known to be inside.
      await store.save(inc(B, 'C0ONE', 'job-3', { events: 9, openedAt: NOW - 30 * HOUR }));
      // Nothing in the window.
      await store.save(inc(B, 'C0ONE', 'job-4', { events: 5, openedAt: NOW - 40 * HOUR, latest: failureEvent('z', 30 * HOUR) }));
      // The same league in another channel, fewer: the busiest channel's count stands.
      await store.save(inc(A, 'C0TWO', 'job-1', { events: 2 }));
      const { alerts } = await service.activity([sub(A, 'C0ONE'), sub(A, 'C0TWO'), sub(B, 'C0ONE')], since);
      expect(alerts).toEqual([
        { league: A, count: 8, atLeast: false },
        { league: B, count: 1, atLeast: true },
      ]);
    });
  });
}
