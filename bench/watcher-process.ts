/**
 * The measuring side of the watcher benchmark in a fresh process, so its RSS is the watcher's and
 * not what earlier benchmarks left in `npm run bench`'s process. Started by `runWatcherBench` as
 *
 *   node --expose-gc --import tsx bench/watcher-process.ts '{"store":"memory","options":{…}}'
 *
 * Progress goes to stderr; the result is one JSON line on stdout.
 */
import { z } from 'zod';
import { withoutUndefined } from '../src/exact.js';
import { measureWatcher, type WatcherBenchOptions } from './watcher.js';

const argSchema = z.object({
  store: z.enum(['memory', 'sqlite']),
  options: z
    .object({
      leagues: z.number().int().positive(),
      instancesPerLeague: z.number().int().positive(),
      runningPerLeague: z.number().int().min(0),
      latencyMs: z.number().min(0),
      concurrency: z.number().int().positive(),
      pageSize: z.number().int().min(1).max(100),
      maxPages: z.number().int().positive(),
      fail: z.number().int().min(0),
      stuckWatches: z.boolean(),
      incidents: z.boolean(),
    })
    .partial()
    .default({}),
});

async function main(): Promise<void> {
  const arg = argSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const options: WatcherBenchOptions = { ...withoutUndefined<Omit<WatcherBenchOptions, 'onProgress'>>(arg.options), onProgress: (line) => console.error(line) };
  const run = await measureWatcher(arg.store, options);
  process.stdout.write(`${JSON.stringify(run)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('watcher-process failed:', error);
    process.exit(1);
  },
);
