import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store.js';
import { SubscriptionRegistry, normalizeTriggers, type DeclaredSubscription } from '../../src/watch/subscriptions.js';
import type { Subscription } from '../../src/watch/types.js';
import { BACKENDS, warnIfRedisSkipped, type StoreFixture } from './store-backends.js';

warnIfRedisSkipped();

const T0 = Date.UTC(2024, 5, 1, 12);

function slackSub(leagueId: string, channelId: string, extra: Partial<Subscription> = {}): Subscription {
  return {
    id: `${leagueId}:${channelId}`,
    leagueId,
    channelId,
    triggers: ['FAILED', 'TERMINATED'],
    createdAt: T0,
    createdBy: 'U0000000001',
    source: 'slack',
    ...extra,
  };
}

const declared = (leagueId: string, channelId: string, triggers = ['FAILED'], leagueAlias?: string): DeclaredSubscription =>
  leagueAlias ? { leagueId, channelId, triggers, leagueAlias } : { leagueId, channelId, triggers };

const ids = (subs: Subscription[]) => subs.map((s) => s.id).sort();

describe('normalizeTriggers', () => {
  it('upper-cases, removes repeats and blanks, and never returns nothing', () => {
    expect(normalizeTriggers(['failed', ' FAILED ', 'terminated', ''])).toEqual(['FAILED', 'TERMINATED']);
    expect(normalizeTriggers([])).toEqual(['FAILED', 'TERMINATED']);
    expect(normalizeTriggers(['succeeded'])).toEqual(['SUCCEEDED']);
  });
});

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`SubscriptionRegistry on ${backend.name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    let registry: SubscriptionRegistry;
    beforeEach(async () => {
      fx = await backend.open();
      store = fx.store;
      registry = new SubscriptionRegistry(store);
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('creates, then updates only the triggers and alias of an existing subscription', async () => {
      const first = await registry.upsert(slackSub('league1', 'C0000000001', { triggers: ['failed'] }));
      expect(first.created).toBe(true);
      expect(first.subscription).toMatchObject({ id: 'league1:C0000000001', triggers: ['FAILED'], createdAt: T0 });

      const again = await registry.upsert(
        slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'], createdAt: T0 + 999, createdBy: 'U0000000002', leagueAlias: 'credit' }),
      );
      expect(again.created).toBe(false);
      expect(again.subscription).toEqual({
        id: 'league1:C0000000001',
        leagueId: 'league1',
        leagueAlias: 'credit',
        channelId: 'C0000000001',
        triggers: ['TERMINATED'],
        createdAt: T0,
        createdBy: 'U0000000001',
        source: 'slack',
      });
      expect(await registry.get('league1', 'C0000000001')).toEqual(again.subscription);
    });

    it('stores owners, stuck: and recovery:off and reads them back; options not given are kept, given ones replace', async () => {
      const first = await registry.upsert(slackSub('league1', 'C0000000001'), { notify: ['<@U0000000001>', '<!subteam^S0000000001>'], stuckMs: 7_200_000, recovery: false });
      const stored = { ...slackSub('league1', 'C0000000001'), notify: ['<@U0000000001>', '<!subteam^S0000000001>'], stuckMs: 7_200_000, recovery: false };
      expect(first.subscription).toEqual(stored);
      expect(await registry.get('league1', 'C0000000001')).toEqual(stored);
      expect(await new SubscriptionRegistry(await fx.replica()).list()).toEqual([stored]);

      // `watch … on:TERMINATED` alone: triggers change, the options stay.
      const kept = await registry.upsert(slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] }));
      expect(kept.subscription).toEqual({ ...stored, triggers: ['TERMINATED'] });

      // Given ones replace: new owners, stuck:off, recovery:on (the last two leave their field out).
      const replaced = await registry.upsert(slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] }), { notify: ['<@W0000000002>'], stuckMs: null, recovery: true });
      expect(replaced.subscription).toEqual({ ...slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] }), notify: ['<@W0000000002>'] });
      const cleared = await registry.upsert(slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] }), { notify: [] });
      expect(cleared.subscription).toEqual(slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] }));
      expect(await registry.get('league1', 'C0000000001')).toEqual(cleared.subscription);
    });

    it('never reads back a stored owner of another shape (a tampered or foreign store)', async () => {
      await store.set('sub:league1:C0000000001', { ...slackSub('league1', 'C0000000001'), notify: ['<!channel>', '<@U0000000001>', '@here', '<!subteam^S0000000001|x>'] });
      expect((await registry.get('league1', 'C0000000001'))?.notify).toEqual(['<@U0000000001>']);
      await store.set('sub:league1:C0000000001', { ...slackSub('league1', 'C0000000001'), notify: ['<!everyone>'] });
      expect(await registry.get('league1', 'C0000000001')).toEqual(slackSub('league1', 'C0000000001'));
    });

    it('syncs declared options: added with the entry, changed and dropped like triggers', async () => {
      const withOptions: DeclaredSubscription = { ...declared('league1', 'C0000000001'), notify: ['<@U0000000001>'], stuckMs: 2_700_000, recovery: false };
      expect(await registry.syncDeclared([withOptions], T0)).toEqual({ added: 1, updated: 0, removed: 0 });
      expect(await registry.get('league1', 'C0000000001')).toEqual({ ...withOptions, id: 'league1:C0000000001', createdAt: T0, source: 'config' });
      expect(await registry.syncDeclared([withOptions], T0 + 1)).toEqual({ added: 0, updated: 0, removed: 0 });
      const changed = { ...withOptions, notify: ['<@U0000000001>', '<!subteam^S0000000001>'] };
      expect(await registry.syncDeclared([changed], T0 + 2)).toEqual({ added: 0, updated: 1, removed: 0 });
      expect((await registry.get('league1', 'C0000000001'))?.notify).toEqual(['<@U0000000001>', '<!subteam^S0000000001>']);
      // An option the declaration no longer gives is off.
      expect(await registry.syncDeclared([declared('league1', 'C0000000001')], T0 + 3)).toEqual({ added: 0, updated: 1, removed: 0 });
      expect(await registry.get('league1', 'C0000000001')).toEqual({ ...declared('league1', 'C0000000001'), id: 'league1:C0000000001', createdAt: T0, source: 'config' });
    });

    it('derives the id from league and channel, whatever the caller passed', async () => {
      const { subscription } = await registry.upsert(slackSub('league1', 'C0000000001', { id: 'bogus' }));
      expect(subscription.id).toBe('league1:C0000000001');
      expect((await registry.list()).map((s) => s.id)).toEqual(['league1:C0000000001']);
    });

    it('removes, lists, and filters by channel and by league', async () => {
      await registry.upsert(slackSub('abc', 'C0000000001'));
      await registry.upsert(slackSub('abc', 'C0000000002', { createdAt: T0 + 1 }));
      // A league id that extends another must not be mistaken for it.
      await registry.upsert(slackSub('abcd', 'C0000000001', { createdAt: T0 + 2 }));
      await registry.upsert(slackSub('zzz', 'C0000000003', { createdAt: T0 + 3 }));

      expect((await registry.list()).map((s) => s.id)).toEqual(['abc:C0000000001', 'abc:C0000000002', 'abcd:C0000000001', 'zzz:C0000000003']);
      expect(ids(await registry.forLeague('abc'))).toEqual(['abc:C0000000001', 'abc:C0000000002']);
      expect(ids(await registry.forChannel('C0000000001'))).toEqual(['abc:C0000000001', 'abcd:C0000000001']);
      expect(await registry.leagueIds()).toEqual(['abc', 'abcd', 'zzz']);

      expect(await registry.remove('abc', 'C0000000001')).toBe(true);
      expect(await registry.remove('abc', 'C0000000001')).toBe(false);
      expect(await registry.get('abc', 'C0000000001')).toBeUndefined();
      expect(ids(await registry.forLeague('abc'))).toEqual(['abc:C0000000002']);
      await registry.remove('zzz', 'C0000000003');
      expect(await registry.leagueIds()).toEqual(['abc', 'abcd']);
    });

    it('syncs declared subscriptions idempotently', async () => {
      const want = [declared('league1', 'C0000000001', ['FAILED'], 'credit'), declared('league2', 'C0000000002', ['failed', 'TERMINATED'])];
      expect(await registry.syncDeclared(want, T0)).toEqual({ added: 2, updated: 0, removed: 0 });
      const afterFirst = await registry.list();
      expect(afterFirst).toEqual([
        { id: 'league1:C0000000001', leagueId: 'league1', leagueAlias: 'credit', channelId: 'C0000000001', triggers: ['FAILED'], createdAt: T0, source: 'config' },
        { id: 'league2:C0000000002', leagueId: 'league2', channelId: 'C0000000002', triggers: ['FAILED', 'TERMINATED'], createdAt: T0, source: 'config' },
      ]);

      // Every restart of every replica runs it again: nothing changes, createdAt stays.
      expect(await registry.syncDeclared(want, T0 + 60_000)).toEqual({ added: 0, updated: 0, removed: 0 });
      expect(await registry.list()).toEqual(afterFirst);

      // Trigger order is not a change.
      const reordered = [want[0]!, declared('league2', 'C0000000002', ['TERMINATED', 'FAILED'])];
      expect(await registry.syncDeclared(reordered, T0 + 120_000)).toEqual({ added: 0, updated: 0, removed: 0 });
    });

    it('syncs changes: new triggers, a new entry, a dropped entry', async () => {
      await registry.syncDeclared([declared('league1', 'C0000000001'), declared('league2', 'C0000000002')], T0);
      const next = [declared('league1', 'C0000000001', ['FAILED', 'TERMINATED']), declared('league3', 'C0000000003')];
      expect(await registry.syncDeclared(next, T0 + 5_000)).toEqual({ added: 1, updated: 1, removed: 1 });
      expect(await registry.get('league1', 'C0000000001')).toMatchObject({ triggers: ['FAILED', 'TERMINATED'], createdAt: T0 });
      expect(await registry.get('league3', 'C0000000003')).toMatchObject({ createdAt: T0 + 5_000, source: 'config' });
      expect(await registry.get('league2', 'C0000000002')).toBeUndefined();
      expect(await registry.syncDeclared([], T0 + 10_000)).toEqual({ added: 0, updated: 0, removed: 2 });
      expect(await registry.list()).toEqual([]);
    });

    it('never touches subscriptions made in Slack', async () => {
      const fromSlack = slackSub('league1', 'C0000000001', { triggers: ['TERMINATED'] });
      const otherSlack = slackSub('league9', 'C0000000009');
      await registry.upsert(fromSlack);
      await registry.upsert(otherSlack);
      // Declaring the same league and channel leaves the Slack one as Slack made it.
      expect(await registry.syncDeclared([declared('league1', 'C0000000001', ['FAILED'])], T0 + 1)).toEqual({ added: 0, updated: 0, removed: 0 });
      expect(await registry.get('league1', 'C0000000001')).toEqual(fromSlack);
      // An empty declaration removes config subscriptions only.
      expect(await registry.syncDeclared([], T0 + 2)).toEqual({ added: 0, updated: 0, removed: 0 });
      expect(await registry.list()).toEqual([fromSlack, otherSlack]);
    });

    it('keeps every subscription when two replicas add different ones at once', async () => {
      const a = new SubscriptionRegistry(store);
      const b = new SubscriptionRegistry(await fx.replica());
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => [
          a.upsert(slackSub('league1', `C00000000A${i}`)),
          b.upsert(slackSub('league2', `C00000000B${i}`)),
        ]).flat(),
      );
      expect(await a.list()).toHaveLength(20);
      expect(await b.leagueIds()).toEqual(['league1', 'league2']);
    });

    it('converges when every replica syncs the same declaration at start-up', async () => {
      const replica = await fx.replica();
      await registry.upsert(slackSub('league1', 'C0000000001'));
      const want = [declared('league1', 'C0000000001'), declared('league2', 'C0000000002'), declared('league3', 'C0000000003')];
      await Promise.all([new SubscriptionRegistry(store).syncDeclared(want, T0), new SubscriptionRegistry(replica).syncDeclared(want, T0)]);
      const subs = await registry.list();
      expect(subs.map((s) => [s.id, s.source])).toEqual([
        ['league1:C0000000001', 'slack'],
        ['league2:C0000000002', 'config'],
        ['league3:C0000000003', 'config'],
      ]);
      expect(await registry.syncDeclared(want, T0 + 1)).toEqual({ added: 0, updated: 0, removed: 0 });
    });

    it.skipIf(!backend.durable)('keeps subscriptions and health across a restart', async () => {
      await registry.upsert(slackSub('league1', 'C0000000001'));
      await registry.recordChannelResult('C0000000001', { ok: false, code: 'not_in_channel', at: T0 });
      const reopened = new SubscriptionRegistry(await fx.restart());
      expect(ids(await reopened.list())).toEqual(['league1:C0000000001']);
      expect(await reopened.getChannelHealth('C0000000001')).toEqual({ channelId: 'C0000000001', lastError: { code: 'not_in_channel', at: T0 } });
    });

    it('records channel health, newest result winning even when results arrive out of order', async () => {
      expect(await registry.getChannelHealth('C0000000001')).toBeUndefined();
      await registry.recordChannelResult('C0000000001', { ok: false, code: 'not_in_channel', at: T0 + 10 });
      expect(await registry.getChannelHealth('C0000000001')).toEqual({ channelId: 'C0000000001', lastError: { code: 'not_in_channel', at: T0 + 10 } });
      // An older success (a slower replica reporting late) does not hide the newer error.
      await registry.recordChannelResult('C0000000001', { ok: true, at: T0 + 5 });
      expect(await registry.getChannelHealth('C0000000001')).toEqual({
        channelId: 'C0000000001',
        lastPostAt: T0 + 5,
        lastError: { code: 'not_in_channel', at: T0 + 10 },
      });
      // An older error does not replace a newer one.
      await registry.recordChannelResult('C0000000001', { ok: false, code: 'is_archived', at: T0 + 1 });
      expect((await registry.getChannelHealth('C0000000001'))?.lastError).toEqual({ code: 'not_in_channel', at: T0 + 10 });
      // A newer success clears the error: the channel works again.
      await registry.recordChannelResult('C0000000001', { ok: true, at: T0 + 20 });
      expect(await registry.getChannelHealth('C0000000001')).toEqual({ channelId: 'C0000000001', lastPostAt: T0 + 20 });
      await registry.recordChannelResult('C0000000001', { ok: true, at: T0 + 15 });
      expect((await registry.getChannelHealth('C0000000001'))?.lastPostAt).toBe(T0 + 20);
    });

    it('stores league health per league, shared by replicas', async () => {
      const other = new SubscriptionRegistry(await fx.replica());
      const health = {
        leagueId: 'league1',
        lastPollAt: T0,
        lastError: { kind: 'throttled', message: 'APIGW.0308', requestId: 'req-1', at: T0 },
        consecutiveFailures: 2,
        nextPollAt: T0 + 120_000,
      };
      await registry.setLeagueHealth(health);
      expect(await other.getLeagueHealth('league1')).toEqual(health);
      expect(await other.getLeagueHealth('league2')).toBeUndefined();
      await other.setLeagueHealth({ leagueId: 'league1', lastPollAt: T0 + 60_000, lastSuccessAt: T0 + 60_000, consecutiveFailures: 0, lastRequests: 1 });
      expect(await registry.getLeagueHealth('league1')).toEqual({ leagueId: 'league1', lastPollAt: T0 + 60_000, lastSuccessAt: T0 + 60_000, consecutiveFailures: 0, lastRequests: 1 });
    });

    it('skips stored records it cannot read', async () => {
      await registry.upsert(slackSub('league1', 'C0000000001'));
      await store.set('sub:league2:C0000000002', { leagueId: 'league2' });
      await store.set('health:league:league3', 'garbage');
      expect(ids(await registry.list())).toEqual(['league1:C0000000001']);
      expect(await registry.get('league2', 'C0000000002')).toBeUndefined();
      expect(await registry.getLeagueHealth('league3')).toBeUndefined();
    });
  });
}
