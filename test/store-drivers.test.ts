/**
 * Each store driver is loaded only for the STORE_URL that uses it: a memory:// or SQLite bot must
 * not pay for the Redis client, nor a Redis bot for sqlite3's native module. Checked in a fresh
 * process, since this one has long loaded both.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from './watch/store-backends.js';

const ROOT = resolve(import.meta.dirname, '..');

// Both drivers' own dependencies are CommonJS, so loading them leaves them in the require cache.
const SCRIPT = `
import { createRequire } from 'node:module';
const { createStore } = await import('./src/store.ts');
const store = await createStore(process.argv[1], { namespace: 'tics-bot-test-drivers-' + process.pid });
await store.close();
const loaded = Object.keys(createRequire(import.meta.url).cache);
console.log(JSON.stringify({
  redis: loaded.some((k) => k.includes('/node_modules/@redis/client/')),
  sqlite: loaded.some((k) => k.includes('/node_modules/sqlite3/')),
}));`;

function driversLoadedFor(url: string): Promise<{ redis: boolean; sqlite: boolean }> {
  return new Promise((done, fail) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT, url], { cwd: ROOT, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) return fail(new Error(`${error.message}\n${stderr}`));
      done(JSON.parse(stdout.trim().split('\n').at(-1)!) as { redis: boolean; sqlite: boolean });
    });
  });
}

describe('store drivers load lazily', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tics-bot-drivers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('memory:// loads neither driver', async () => {
    expect(await driversLoadedFor('memory://')).toEqual({ redis: false, sqlite: false });
  });

  it('sqlite:// loads sqlite3 and not the Redis client', async () => {
    expect(await driversLoadedFor(`sqlite://${join(dir, 'store.sqlite')}`)).toEqual({ redis: false, sqlite: true });
  });

  it.skipIf(!REDIS_URL)('redis:// loads the Redis client and not sqlite3', async () => {
    expect(await driversLoadedFor(REDIS_URL!)).toEqual({ redis: true, sqlite: false });
  });
});
