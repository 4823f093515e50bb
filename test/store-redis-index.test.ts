/**
 * Redis keeps a set of the keys under an indexed prefix (the outbox's pending index), so keys()
 * there costs what the prefix holds, not a SCAN of every claim and sent entry. These pin what the
 * outbox relies on: a key is listed from the moment it exists, never after it is gone, and keys
 * written without the set (an older replica) are still found.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '@keyv/redis';
import { createStore, type Store } from '../src/store.js';
import { REDIS_URL, sleep, warnIfRedisSkipped } from './watch/store-backends.js';
import { wipeRedisNamespace } from './helpers/redis-namespace.js';

warnIfRedisSkipped();

describe.skipIf(!REDIS_URL)('Redis index of pending: keys', () => {
  let namespace: string;
  let store: Store;
  let client: ReturnType<typeof createClient>;
  beforeEach(async () => {
    namespace = `tics-bot-test-${process.pid}-${randomBytes(6).toString('hex')}`;
    store = await createStore(REDIS_URL!, { namespace });
    client = createClient({ url: REDIS_URL! });
    await client.connect();
  });
  afterEach(async () => {
    await store.close();
    client.destroy();
    await wipeRedisNamespace(REDIS_URL!, namespace);
  });
  const members = () => client.sMembers(`${namespace}:index:pending:`);

  it('lists what setIfAbsentWith and set wrote, and nothing deleted, expired or not won', async () => {
    expect(await store.setIfAbsentWith('claim:a', 'x', 60_000, [{ key: 'pending:a', value: 1, ttlMs: 60_000 }, { key: 'outbox:a', value: { n: 1 }, ttlMs: 60_000 }])).toBe(true);
    expect(await store.setIfAbsentWith('claim:b', 'x', 60_000, [{ key: 'pending:b', value: 1, ttlMs: 200 }])).toBe(true);
    // Lost: the claim exists, so nothing is written and nothing indexed.
    expect(await store.setIfAbsentWith('claim:a', 'y', 60_000, [{ key: 'pending:zz', value: 1, ttlMs: 60_000 }])).toBe(false);
    await store.set('pending:c', 1, 60_000);
    expect(await store.get('outbox:a')).toEqual({ n: 1 });
    expect((await store.keys('pending:')).sort()).toEqual(['pending:a', 'pending:b', 'pending:c']);
    expect((await members()).sort()).toEqual(['pending:a', 'pending:b', 'pending:c']);
    expect(await store.keys('pending:a')).toEqual(['pending:a']);
    await store.delete('pending:a');
    await sleep(300);
    expect(await store.keys('pending:')).toEqual(['pending:c']);
    expect(await members()).toEqual(['pending:c']);
    expect(await store.keys('outbox:')).toEqual(['outbox:a']);
  });

  it('finds keys an older version wrote without the index, and indexes them', async () => {
    await client.set(`${namespace}::pending:old`, JSON.stringify({ value: 1 }));
    expect(await store.keys('pending:')).toEqual(['pending:old']);
    expect(await members()).toEqual(['pending:old']);
    expect(await store.get('pending:old')).toBe(1);
  });
});
