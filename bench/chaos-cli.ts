/**
 * `npm run chaos [-- --mode sqlite|redis|both] [--seed N] [--duration S] [--kills N] [--leagues N] [--json] [--logs DIR]`
 * builds the bot, then runs bench/chaos.ts once per mode and prints the comparison. Exit 1 when an
 * alert was lost, unexpected, doubled outside the documented crash window, or a process died on its
 * own; 2 for usage errors.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { killTrackedChildrenNow } from '../test/helpers/children.js';
import { formatChaosReport, runChaos, type ChaosMode, type ChaosReport } from './chaos.js';
import { machine } from './stats.js';

const flagsSchema = z.object({
  mode: z.enum(['sqlite', 'redis', 'both']).default('both'),
  seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(),
  duration: z.coerce.number().int().min(10).max(3_600).default(180),
  kills: z.coerce.number().int().min(0).max(200).default(12),
  leagues: z.coerce.number().int().min(1).max(50).default(10),
  redis: z.string().regex(/^redis:\/\/127\.0\.0\.1(:\d+)?(\/\d+)?$/, 'must be a redis://127.0.0.1… URL').default('redis://127.0.0.1:6379/15'),
  json: z.boolean().default(false),
  logs: z.string().optional(),
});

async function main(): Promise<number> {
  let flags: z.infer<typeof flagsSchema>;
  try {
    const { values } = parseArgs({
      options: { mode: { type: 'string' }, seed: { type: 'string' }, duration: { type: 'string' }, kills: { type: 'string' }, leagues: { type: 'string' }, redis: { type: 'string' }, json: { type: 'boolean' }, logs: { type: 'string' } },
    });
    flags = flagsSchema.parse(values);
  } catch (error) {
    console.error(`usage: npm run chaos -- [--mode sqlite|redis|both] [--seed N] [--duration S] [--kills N] [--leagues N] [--redis URL] [--json] [--logs DIR]\n${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const seed = flags.seed ?? randomInt(2 ** 31);
  const modes: ChaosMode[] = flags.mode === 'both' ? ['sqlite', 'redis'] : [flags.mode];
  const m = machine();
  console.error(`chaos: seed ${seed} (replay with --seed ${seed}) · ${m.cpus} × ${m.cpuModel} · Node ${m.node}`);
  const reports: ChaosReport[] = [];
  for (const mode of modes) {
    const report = await runChaos({
      mode,
      seed,
      durationMs: flags.duration * 1000,
      kills: flags.kills,
      leagues: flags.leagues,
      redisUrl: flags.redis,
      onProgress: (line) => console.error(`  ${line}`),
      ...(flags.logs === undefined ? {} : { logDir: flags.logs }),
    });
    reports.push(report);
    if (!flags.json) console.log(formatChaosReport(report));
  }
  if (flags.json) console.log(JSON.stringify({ seed, machine: m, reports }, null, 2));
  const bad = reports.some((r) => r.lost.length || r.unexpected.length || r.unexpectedExits.length || r.duplicated.some((d) => !d.inCrashWindow));
  return bad ? 1 : 0;
}

process.once('exit', killTrackedChildrenNow);
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
