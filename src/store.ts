/**
 * The bot's state (IAM token cache, subscriptions, snapshots, outbox, leases) behind one small
 * interface, picked by STORE_URL:
 * - `sqlite://path` (default): embedded, survives restarts, one process per file.
 * - `redis://…`: shared by replicas; atomics use Redis itself (SET NX PX, compare-and-set scripts).
 * - `memory://`: tests and the demo.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Keyv } from 'keyv';
// Types only: each driver (and its native module or client) is imported when its URL is used, so a
// memory:// or SQLite bot never loads the Redis client, and a Redis bot never loads sqlite3.
import type { RedisClientType } from '@keyv/redis';

export interface Store {
  readonly kind: 'sqlite' | 'redis' | 'memory';
  /**
   * Whether work is leased in this store (watch/lease.ts), or every lease on it is a no-op held at
   * once. Redis: replicas share it, so they lease. SQLite: one process per file, and a lease kept in
   * the file would outlive a crash and stall the restarted process for its whole ttl (and cost five
   * SQL statements per poll). Memory: leases, as nothing outlives the process and it lets tests
   * stand one store in for two replicas.
   */
  readonly leasesInStore: boolean;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /** Atomically stores `value` only if `key` is absent (or expired). True when this caller won. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Atomically extends the expiry only if the current value is `expected` (lease renewal). */
  renewIf(key: string, expected: string, ttlMs: number): Promise<boolean>;
  /** Atomically deletes only if the current value is `expected` (lease release). */
  deleteIf(key: string, expected: string): Promise<boolean>;
  /** Reads an atomic key's current value (to inspect a claim before a compare-and-delete). */
  peekAtomic(key: string): Promise<string | undefined>;
  /**
   * setIfAbsent, and when it wins, the data `writes` in the same atomic step: a crash leaves all of
   * them or none (a claim without the entry it stands for would be an alert lost for good).
   */
  setIfAbsentWith(key: string, value: string, ttlMs: number, writes: readonly DataWrite[]): Promise<boolean>;
  /** Every key under `prefix` (for small collections: outbox, subscriptions). */
  keys(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface DataWrite {
  key: string;
  value: unknown;
  ttlMs: number;
}

export interface StoreOptions {
  /** Key prefix, so several bots (or test runs) can share one Redis database. */
  namespace?: string;
}

export async function createStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const namespace = options.namespace ?? 'tics-bot';
  if (url.startsWith('redis://') || url.startsWith('rediss://')) return createRedisStore(url, namespace);
  if (url.startsWith('sqlite://')) {
    const path = url.slice('sqlite://'.length);
    if (!path) throw new Error('STORE_URL sqlite:// needs a file path, e.g. sqlite://./data/tics-bot.sqlite');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 5_000 });
    // WAL: writers no longer fsync the whole journal per statement (4–10× cheaper writes), and
    // NORMAL sync in WAL mode still survives a process crash; only a power cut can lose the last
    // transactions, which the outbox and snapshots tolerate (re-detected, claims dedupe).
    if (path !== ':memory:') {
      await adapter.query('PRAGMA journal_mode=WAL');
      await adapter.query('PRAGMA synchronous=NORMAL');
    }
    const keyv = new Keyv({ store: adapter, namespace });
    return new LocalStore(
      'sqlite',
      keyv,
      namespace,
      async (from, to) => {
        // Straight off the primary key: keyv's iterator would parse every value, and it skips rows
        // while deleting expired ones under OFFSET paging.
        const rows = (await adapter.query('SELECT key FROM keyv WHERE key >= ? AND key < ?', from, to)) as Array<{ key: string }>;
        return rows.map((r) => r.key);
      },
      async (rows) => {
        // One statement is one transaction in SQLite: every row lands, or (crash) none does.
        const values = rows.map(() => '(?, ?)').join(', ');
        await adapter.query(`INSERT INTO keyv (key, value) VALUES ${values} ON CONFLICT(key) DO UPDATE SET value = excluded.value`, ...rows.flat());
      },
    );
  }
  if (url.startsWith('memory://')) {
    const map = new GroupedMap(namespace);
    return new LocalStore(
      'memory',
      new Keyv({ store: map, namespace }),
      namespace,
      (from, to) => Promise.resolve(map.keysIn(from, to)),
      (rows) => {
        for (const [key, value] of rows) map.set(key, value);
        return Promise.resolve();
      },
    );
  }
  throw new Error(`Unsupported STORE_URL scheme: ${url.split(':')[0] ?? url}`);
}

/**
 * The memory store's map, with its keys grouped by kind (`<namespace>:pending:`, `…:outbox:`), so
 * keys('pending:') walks the pending keys only, as SQLite's primary key range does, not every
 * claim and sent entry kept for 30 days.
 */
class GroupedMap extends Map<string, unknown> {
  private readonly groups = new Map<string, Set<string>>();

  constructor(private readonly namespace: string) {
    super();
  }

  /** Up to and including the first ':' after the namespace; '' for a key without one. */
  private groupOf(key: string): string {
    return key.slice(0, key.indexOf(':', this.namespace.length + 1) + 1);
  }

  override set(key: string, value: unknown): this {
    super.set(key, value);
    const group = this.groupOf(key);
    let keys = this.groups.get(group);
    if (!keys) this.groups.set(group, (keys = new Set()));
    keys.add(key);
    return this;
  }

  override delete(key: string): boolean {
    if (!super.delete(key)) return false;
    const group = this.groupOf(key);
    const keys = this.groups.get(group);
    keys?.delete(key);
    if (keys?.size === 0) this.groups.delete(group);
    return true;
  }

  override clear(): void {
    super.clear();
    this.groups.clear();
  }

  /** Keys in [from, to); within one group when `from` names one. */
  keysIn(from: string, to: string): string[] {
    const group = this.groupOf(from);
    const candidates = group ? (this.groups.get(group) ?? []) : this.keys();
    return [...candidates].filter((k) => k >= from && k < to);
  }
}

/**
 * One process owns the data (SQLite file or memory), so atomicity only needs to hold inside this
 * process: operations on the same key are chained.
 */
const ATOMIC_PREFIX = '\u0000atomic:';

class LocalStore implements Store {
  private readonly chains = new Map<string, Promise<unknown>>();
  readonly leasesInStore: boolean;

  constructor(
    readonly kind: 'sqlite' | 'memory',
    private readonly keyv: Keyv,
    private readonly namespace: string,
    /** Raw stored keys in [from, to): namespaced, possibly expired (callers' get() filters those). */
    private readonly rawKeys: (from: string, to: string) => Promise<string[]>,
    /** Raw rows (namespaced key, serialized value) written in one atomic step. */
    private readonly writeRows: (rows: Array<[string, unknown]>) => Promise<void>,
  ) {
    this.leasesInStore = kind === 'memory';
  }

  get<T>(key: string): Promise<T | undefined> {
    return this.keyv.get<T>(key);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    await this.keyv.set(key, value, ttlMs);
  }

  delete(key: string): Promise<boolean> {
    return this.keyv.delete(key);
  }

  // Atomic keys live in their own key space (as in Redis), invisible to get/set/keys.
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const k = ATOMIC_PREFIX + key;
    return this.exclusive(k, async () => {
      if ((await this.keyv.get(k)) !== undefined) return false;
      await this.keyv.set(k, value, ttlMs);
      return true;
    });
  }

  renewIf(key: string, expected: string, ttlMs: number): Promise<boolean> {
    const k = ATOMIC_PREFIX + key;
    return this.exclusive(k, async () => {
      if ((await this.keyv.get(k)) !== expected) return false;
      await this.keyv.set(k, expected, ttlMs);
      return true;
    });
  }

  deleteIf(key: string, expected: string): Promise<boolean> {
    const k = ATOMIC_PREFIX + key;
    return this.exclusive(k, async () => {
      if ((await this.keyv.get(k)) !== expected) return false;
      return this.keyv.delete(k);
    });
  }

  async peekAtomic(key: string): Promise<string | undefined> {
    const value = await this.keyv.get<unknown>(ATOMIC_PREFIX + key);
    return typeof value === 'string' ? value : undefined;
  }

  setIfAbsentWith(key: string, value: string, ttlMs: number, writes: readonly DataWrite[]): Promise<boolean> {
    const k = ATOMIC_PREFIX + key;
    return this.exclusive(k, async () => {
      if ((await this.keyv.get(k)) !== undefined) return false;
      const now = Date.now();
      // Rows as keyv itself would store them, so get() reads them back as usual.
      const rows = await Promise.all(
        [{ key: k, value, ttlMs }, ...writes].map(async (w) => [`${this.namespace}:${w.key}`, await this.keyv.serializeData({ value: w.value, expires: now + w.ttlMs })] as [string, unknown]),
      );
      await this.writeRows(rows);
      return true;
    });
  }

  async keys(prefix: string): Promise<string[]> {
    const from = `${this.namespace}:${prefix}`;
    const keys = await this.rawKeys(from, `${from}\uffff`);
    return keys.map((k) => k.slice(this.namespace.length + 1)).filter((k) => !k.startsWith(ATOMIC_PREFIX));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.chains.values());
    await this.keyv.disconnect();
  }

  private exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }
}

const RENEW_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const DELETE_IF = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
/**
 * KEYS[1] the atomic key (ARGV[1] value, ARGV[2] px); ARGV[3] = n data writes: KEYS[i+1] (ARGV[2i+2]
 * value, ARGV[2i+3] px) for i = 1..n; then index sets KEYS[j], j > n+1, each given one member (the
 * ARGV after the writes, in order).
 */
const SET_IF_ABSENT_WITH = `if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local n = tonumber(ARGV[3])
for i = 1, n do redis.call('SET', KEYS[i + 1], ARGV[2 * i + 2], 'PX', ARGV[2 * i + 3]) end
for j = n + 2, #KEYS do redis.call('SADD', KEYS[j], ARGV[n + 2 + j]) end
return 1`;

/**
 * KEYS[1] an index set; ARGV[1] the data key prefix, ARGV[2] the wanted key prefix. Returns the
 * members under ARGV[2] whose key exists, and drops members whose key expired or was deleted. Safe
 * to drop: a member is only ever added in the same atomic step that writes its key.
 */
const INDEX_MEMBERS = `local found = {}
for _, m in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. m) == 1 then
    if string.sub(m, 1, #ARGV[2]) == ARGV[2] then found[#found + 1] = m end
  else
    redis.call('SREM', KEYS[1], m)
  end
end
return found`;

/**
 * Key prefixes Redis keeps a set of, so keys() under them costs what they hold, not a SCAN of the
 * whole keyspace (100 000s of claims and sent entries): the outbox's pending index, read every
 * interval by due(), the pending-alerts metric and /tics watches; and the snoozes, read every
 * interval to end the expired ones.
 */
// 'incident:' (App Home lists the current incidents) never matches 'incident-old:' keys, which are not indexed.
const INDEXED_PREFIXES = ['pending:', 'snooze:', 'incident:'] as const;
/**
 * Keys written by a version without the index (a rolling upgrade) are found by a full SCAN on the
 * first keys() of each indexed prefix and this often after, and added to the set.
 */
const INDEX_RECONCILE_MS = 5 * 60_000;

async function createRedisStore(url: string, namespace: string): Promise<Store> {
  const { default: KeyvRedis } = await import('@keyv/redis');
  const adapter = new KeyvRedis(url, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5_000 });
  const keyv = new Keyv({ store: adapter, namespace, useKeyPrefix: false });
  // A URL always yields a single-node client (not cluster/sentinel).
  const client = (await adapter.getClient()) as RedisClientType;
  // Atomics live beside keyv's keys under their own prefix: plain strings, not keyv's JSON envelope.
  const atomicKey = (key: string) => `${namespace}:atomic:${key}`;
  const dataKey = (key: string) => `${namespace}::${key}`;
  const px = (ms: number) => String(Math.max(1, Math.ceil(ms)));
  const indexOf = (key: string) => INDEXED_PREFIXES.find((p) => key.startsWith(p));
  const indexKey = (prefix: string) => `${namespace}:index:${prefix}`;
  // keyv's own envelope, so get() reads these back like any keyv.set().
  const envelope = async (value: unknown, expires: number | undefined) => {
    const serialized = await keyv.serializeData({ value, expires });
    return typeof serialized === 'string' ? serialized : JSON.stringify(serialized);
  };
  const reconciledAt = new Map<string, number>();
  const scan = async (prefix: string) => {
    const found: string[] = [];
    // SCAN walks the whole keyspace whatever MATCH says: a large COUNT makes that a few dozen round
    // trips for 100 000s of keys (each step still only ~1 ms of server time), not hundreds.
    for await (const batch of client.scanIterator({ MATCH: `${dataKey(prefix).replace(/[*?[\]\\]/g, '\\$&')}*`, COUNT: 5_000 })) {
      for (const k of batch) found.push(k.slice(dataKey('').length));
    }
    return found;
  };
  return {
    kind: 'redis',
    leasesInStore: true,
    get: <T>(key: string) => keyv.get<T>(key),
    async set(key, value, ttlMs) {
      const index = indexOf(key);
      if (!index) return void (await keyv.set(key, value, ttlMs));
      // The key and its member in one transaction: INDEX_MEMBERS may drop a member whose key is missing.
      const expiry = ttlMs === undefined ? {} : { expiration: { type: 'PX' as const, value: Math.max(1, Math.ceil(ttlMs)) } };
      await client
        .multi()
        .set(dataKey(key), await envelope(value, ttlMs === undefined ? undefined : Date.now() + ttlMs), expiry)
        .sAdd(indexKey(index), key)
        .exec();
    },
    async delete(key) {
      const deleted = await keyv.delete(key);
      const index = indexOf(key);
      // A member left behind (crash in between) is dropped by the next read of the index.
      if (index) await client.sRem(indexKey(index), key);
      return deleted;
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(atomicKey(key), value, { condition: 'NX', expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) } })) === 'OK';
    },
    async renewIf(key, expected, ttlMs) {
      return Number(await client.eval(RENEW_IF, { keys: [atomicKey(key)], arguments: [expected, String(Math.max(1, Math.ceil(ttlMs)))] })) === 1;
    },
    async deleteIf(key, expected) {
      return Number(await client.eval(DELETE_IF, { keys: [atomicKey(key)], arguments: [expected] })) === 1;
    },
    async peekAtomic(key) {
      return (await client.get(atomicKey(key))) ?? undefined;
    },
    async setIfAbsentWith(key, value, ttlMs, writes) {
      const now = Date.now();
      const args = [value, px(ttlMs), String(writes.length)];
      for (const w of writes) args.push(await envelope(w.value, now + w.ttlMs), px(w.ttlMs));
      const indexed = writes.flatMap((w) => {
        const index = indexOf(w.key);
        return index ? [{ set: indexKey(index), member: w.key }] : [];
      });
      args.push(...indexed.map((i) => i.member));
      // One script runs atomically in Redis: all of it (claim, data, index members) or (the client
      // died before sending) none.
      const keys = [atomicKey(key), ...writes.map((w) => dataKey(w.key)), ...indexed.map((i) => i.set)];
      return Number(await client.eval(SET_IF_ABSENT_WITH, { keys, arguments: args })) === 1;
    },
    async keys(prefix) {
      const index = indexOf(prefix);
      if (!index) return scan(prefix);
      const listed = (await client.eval(INDEX_MEMBERS, { keys: [indexKey(index)], arguments: [dataKey(''), prefix] })) as string[];
      const last = reconciledAt.get(index);
      if (last !== undefined && performance.now() - last < INDEX_RECONCILE_MS) return listed;
      reconciledAt.set(index, performance.now());
      const known = new Set(listed);
      const missing = (await scan(index)).filter((k) => !known.has(k));
      if (missing.length) await client.sAdd(indexKey(index), missing);
      return [...listed, ...missing.filter((k) => k.startsWith(prefix))];
    },
    async close() {
      await keyv.disconnect();
    },
  };
}
