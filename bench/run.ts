/**
 * `npm run bench [-- <name>…] [--json]`: runs every benchmark in sequence, or only those named.
 * A report, not a test: a missed target prints MISS and the exit code stays 0. Exit 2 is for
 * usage errors, 1 for a benchmark that could not run at all.
 */
import { parseArgs } from 'node:util';
import { formatHistoryResult, runHistoryBench } from './history.js';
import { formatLoadResult, runLoadBench } from './load.js';
import { formatMemoryResult, runMemoryBench } from './memory.js';
import { machine } from './stats.js';
import { formatWatcherResult, runWatcherBench } from './watcher.js';
import { formatWatchesResult, runWatchesBench } from './watches.js';

interface Flags {
  /** Profile the process under test (`--cpu-prof`) where a benchmark supports it (history). */
  cpuProf: boolean;
}

interface Bench {
  description: string;
  run(onProgress: (line: string) => void, flags: Flags): Promise<unknown>;
  format(result: never): string;
}

// Registry order is run order. A new benchmark adds one entry here and one file beside this one.
const BENCHES: Record<string, Bench> = {
  history: {
    description: '/tics history: ack latency and reply overhead, 50 concurrent commands, 2 s TICS latency',
    run: (onProgress, flags) => runHistoryBench({ onProgress, cpuProfile: flags.cpuProf }),
    format: formatHistoryResult,
  },
  watcher: {
    description: 'watcher: one poll cycle over 2 000 leagues × 100 instances, 50 ms TICS latency, concurrency 8; RSS',
    run: (onProgress) => runWatcherBench({ onProgress }),
    format: formatWatcherResult,
  },
  watches: {
    description: '/tics watches: outbox stats cost with 10 vs 100 000 alerts kept, memory, SQLite and Redis (REDIS_URL)',
    run: (onProgress) => runWatchesBench({ onProgress }),
    format: formatWatchesResult,
  },
  load: {
    description: 'load: 500 /tics history commands over 10 s, twice in one bot process, 200 ms TICS latency; acks, replies, RSS',
    run: (onProgress) => runLoadBench({ onProgress }),
    format: formatLoadResult,
  },
  memory: {
    description: 'memory: the built bot at rest (memory:// store, no traffic): RSS 8 s after start, peak, and what each big dependency adds',
    run: (onProgress) => runMemoryBench({ onProgress }),
    format: formatMemoryResult,
  },
};

const USAGE = `usage: npm run bench [-- [--json] [--cpu-prof] [name…]]\n  --cpu-prof  profile the bot during the measured bursts (history; slows it down)\nbenchmarks:\n${Object.entries(BENCHES)
  .map(([name, b]) => `  ${name.padEnd(10)} ${b.description}`)
  .join('\n')}`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: { json: { type: 'boolean', default: false }, 'cpu-prof': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const unknown = parsed.positionals.filter((name) => !(name in BENCHES));
  if (unknown.length) {
    console.error(`unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const names = parsed.positionals.length ? [...new Set(parsed.positionals)] : Object.keys(BENCHES);
  const json = parsed.values.json;
  // Progress goes to stderr so `--json` output on stdout stays parseable.
  const onProgress = (line: string) => console.error(line);
  const results: Record<string, unknown> = {};
  for (const name of names) {
    const bench = BENCHES[name]!;
    const result = await bench.run(onProgress, { cpuProf: parsed.values['cpu-prof'] });
    results[name] = result;
    if (!json) console.log(`\n${bench.format(result as never)}\n`);
  }
  if (json) console.log(JSON.stringify({ machine: machine(), at: new Date().toISOString(), results }, null, 2));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('bench failed:', error);
    process.exitCode = 1;
  },
);
