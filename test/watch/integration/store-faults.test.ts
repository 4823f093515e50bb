/**
 * The bot's own store failing mid-poll, right between "alerts recorded" and "snapshot saved" — the
 * window a crash would hit. The next poll detects the same transitions again; the outbox's
 * idempotency claims must keep that from becoming a second message.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../../src/store.js';
import { allText, forEachMode } from '../../helpers/bot-harness.js';
import { alertTriples, expectNoErrorLogs, putInstance, startWatchHarness, triple, type WatchHarness } from './watch-harness.js';

const CHAN = 'C0STOREFLT1';
const LEAGUE = 'leagueStoreFault1';

forEachMode((mode) => {
  let h: WatchHarness;
  /** Fails the next `n` writes of a league snapshot, as a full disk or a dropped Redis connection would. */
  let failSnapshotWrites = 0;

  beforeAll(async () => {
    h = await startWatchHarness({ mode, leagues: { sf: LEAGUE } });
    const store: Store = h.bot.store;
    const set = store.set.bind(store);
    Object.assign(store, {
      set: async (key: string, value: unknown, ttlMs?: number) => {
        if (key.startsWith('snap:') && failSnapshotWrites > 0) {
          failSnapshotWrites -= 1;
          throw new Error('store write failed (injected)');
        }
        return set(key, value, ttlMs);
      },
    });
    for (let i = 0; i < 3; i++) putInstance(h, LEAGUE, `sf-${i}`, { status: 'RUNNING' }, 2 - i / 10);
    await h.ask('watch sf', { channelId: CHAN });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => {
    expectNoErrorLogs(h);
    await h?.close();
  });

  it('a failure recorded by a poll whose snapshot could not be saved is posted once, not once per re-detection', async () => {
    const jobs = h.sim.world.instances(LEAGUE);
    h.sim.world.setStatus(LEAGUE, jobs[0]!.id, 'FAILED');
    h.sim.world.setStatus(LEAGUE, jobs[1]!.id, 'TERMINATED');
    failSnapshotWrites = 2;
    const first = await h.cycle();
    expect(first).toMatchObject({ polled: 0, failed: 1 });
    // Recorded before the snapshot write failed, so delivered in the same cycle.
    expect(first.delivery.alertsSent).toBe(2);
    // Twice more the same transitions are detected (the snapshot still says RUNNING): the second
    // attempt fails to save again, the third succeeds.
    for (let i = 0; i < 4; i++) await h.cycle();
    expect(failSnapshotWrites).toBe(0);
    expect(alertTriples(h.alertsSince(0))).toEqual([triple(CHAN, jobs[0]!, 'FAILED'), triple(CHAN, jobs[1]!, 'TERMINATED')].sort());
    expect(h.posts()).toHaveLength(2);
    const { reply } = await h.ask('watches', { channelId: CHAN });
    expect(allText(reply)).not.toContain('polling failing');
  });
});
