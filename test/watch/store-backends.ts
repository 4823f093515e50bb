/**
 * The store-backed watcher tests run against every backend: memory://, a temp sqlite:// file, and
 * Redis when REDIS_URL is set (CI: redis://127.0.0.1:6379/15). Each test gets its own namespace
 * (Redis) or file (SQLite) and everything it wrote is removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '../../src/store.js';
import { wipeRedisNamespace } from '../helpers/redis-namespace.js';

export const REDIS_URL = process.env.REDIS_URL;

let warned = false;
/** Says once per test file, loudly, that the Redis half of the suite did not run. */
export function warnIfRedisSkipped(): void {
  if (REDIS_URL || warned) return;
  warned = true;
  console.warn('⚠ REDIS_URL is not set: the Redis store tests were SKIPPED (CI sets REDIS_URL=redis://127.0.0.1:6379/15).');
}

export interface StoreFixture {
  /** The first store (replica A). */
  store: Store;
  /**
   * Another store over the same data, like a second replica. Redis only: SQLite and memory are
   * one-process stores, so there it is the same instance (which is exactly how they are deployed).
   */
  replica(): Promise<Store>;
  /** Closes every store and opens a fresh one over the same data, like a process restart. */
  restart(): Promise<Store>;
  cleanup(): Promise<void>;
}

export interface Backend {
  name: 'memory' | 'sqlite' | 'redis';
  skip: boolean;
  /** Data survives restart() (not for memory://). */
  durable: boolean;
  /** replica() is a genuinely separate connection. */
  multiProcess: boolean;
  open(): Promise<StoreFixture>;
}

function fixture(url: string, namespace: string, multiProcess: boolean, wipe: () => Promise<void>): Promise<StoreFixture> {
  const opened: Store[] = [];
  const open = async () => {
    const s = await createStore(url, { namespace });
    opened.push(s);
    return s;
  };
  const closeAll = async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  };
  return open().then((store) => ({
    store,
    replica: () => (multiProcess ? open() : Promise.resolve(store)),
    async restart() {
      await closeAll();
      return open();
    },
    async cleanup() {
      await closeAll();
      await wipe();
    },
  }));
}

const uniqueNamespace = () => `tics-bot-test-${process.pid}-${randomBytes(6).toString('hex')}`;

export const BACKENDS: Backend[] = [
  {
    name: 'memory',
    skip: false,
    durable: false,
    multiProcess: false,
    open: () => fixture('memory://', uniqueNamespace(), false, () => Promise.resolve()),
  },
  {
    name: 'sqlite',
    skip: false,
    durable: true,
    multiProcess: false,
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'tics-bot-watch-'));
      return fixture(`sqlite://${join(dir, 'store.sqlite')}`, uniqueNamespace(), false, () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      });
    },
  },
  {
    name: 'redis',
    skip: !REDIS_URL,
    durable: true,
    multiProcess: true,
    open() {
      const url = REDIS_URL!;
      const namespace = uniqueNamespace();
      return fixture(url, namespace, true, () => wipeRedisNamespace(url, namespace));
    },
  },
];

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
