import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../src/store.js';
import { createStore } from '../src/store.js';
import { BACKENDS, sleep, warnIfRedisSkipped, type StoreFixture } from './watch/store-backends.js';

warnIfRedisSkipped();

for (const backend of BACKENDS) {
  describe.skipIf(backend.skip)(`store on ${backend.name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      fx = await backend.open();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('round-trips JSON values and honours TTLs', async () => {
      await store.set('a', { n: 1, s: '联邦', list: [1, 2] });
      await store.set('short', 'x', 50);
      expect(await store.get('a')).toEqual({ n: 1, s: '联邦', list: [1, 2] });
      await sleep(120);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.delete('a')).toBe(true);
      expect(await store.get('a')).toBeUndefined();
    });

    it('lists every live key under a prefix — also when expired keys sit among them — and no atomic keys', async () => {
      for (let i = 0; i < 15; i++) await store.set(`sub:${String(i).padStart(2, '0')}`, i, i % 7 === 3 ? 30 : undefined);
      await store.set('subway', 'not under sub:');
      await store.set('other:1', 1);
      await store.setIfAbsent('sub:atomic-lease', 'owner', 60_000);
      await sleep(80);
      const keys = (await store.keys('sub:')).sort();
      const live = [];
      for (const k of keys) if ((await store.get(k)) !== undefined) live.push(k);
      expect(live).toEqual(Array.from({ length: 15 }, (_, i) => i).filter((i) => i % 7 !== 3).map((i) => `sub:${String(i).padStart(2, '0')}`));
      expect(keys.every((k) => k.startsWith('sub:'))).toBe(true);
      expect(keys).not.toContain('sub:atomic-lease');
    });

    it('atomic keys: set-if-absent, compare-and-renew, compare-and-delete, peek', async () => {
      expect(await store.setIfAbsent('lock', 'me', 10_000)).toBe(true);
      expect(await store.setIfAbsent('lock', 'you', 10_000)).toBe(false);
      expect(await store.peekAtomic('lock')).toBe('me');
      expect(await store.renewIf('lock', 'you', 10_000)).toBe(false);
      expect(await store.renewIf('lock', 'me', 10_000)).toBe(true);
      expect(await store.deleteIf('lock', 'you')).toBe(false);
      expect(await store.deleteIf('lock', 'me')).toBe(true);
      expect(await store.peekAtomic('lock')).toBeUndefined();
      // Atomic keys live apart from ordinary ones.
      expect(await store.get('lock')).toBeUndefined();
    });
  });
}

describe('store namespaces', () => {
  it('keep two bots in one SQLite file apart', async () => {
    const path = `/tmp/tics-bot-store-ns-${process.pid}-${Date.now()}.sqlite`;
    const a = await createStore(`sqlite://${path}`, { namespace: 'bot-a' });
    const b = await createStore(`sqlite://${path}`, { namespace: 'bot-b' });
    await a.set('sub:x', 1);
    expect(await b.get('sub:x')).toBeUndefined();
    expect(await b.keys('sub:')).toEqual([]);
    expect(await a.keys('sub:')).toEqual(['sub:x']);
    await a.close();
    await b.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  });

  it('refuse an unknown scheme with the scheme named', async () => {
    await expect(createStore('postgres://x')).rejects.toThrow(/Unsupported STORE_URL scheme: postgres/);
  });
});
