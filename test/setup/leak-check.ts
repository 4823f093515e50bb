/**
 * Global setup for the whole run: the suite-wide secret-leak check. Setup makes a fresh directory
 * and hands its path to every worker (and every process they spawn) through the environment;
 * everything that starts the bot records its secrets and the bot's output there
 * (test/helpers/leak-record.ts). Teardown, after the last test of every project, searches all of
 * that output for every secret in every encoding (test/helpers/leak-scan.ts) and fails the run on
 * a leak, naming the kind, the encoding, where it was configured and the line it appeared in.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LEAK_DIR_ENV, SECRET_VARS, type RecordedSecret } from '../helpers/leak-record.js';
import { LeakScanner } from '../helpers/leak-scan.js';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tics-leak-check-'));
  process.env[LEAK_DIR_ENV] = dir;
  return () => {
    try {
      check(dir);
    } catch (error) {
      // Vitest only logs an error thrown by a teardown ("error during close") and exits 0; the exit
      // code is what fails CI, and Vitest never lowers one that is set.
      console.error(`\n${(error as Error).message}\n`);
      process.exitCode = 1;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function check(dir: string): void {
  const started = performance.now();
  const files = readdirSync(dir);
  const secrets: RecordedSecret[] = files
    .filter((f) => f.startsWith('secrets-'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as RecordedSecret);
  if (secrets.length === 0) return; // nothing started the bot in this run
  const scanner = new LeakScanner(secrets);
  let bytes = 0;
  const leaks = files
    .filter((f) => f.startsWith('output-'))
    .flatMap((f) => {
      const text = readFileSync(join(dir, f), 'utf8');
      bytes += text.length;
      return scanner.scan(text);
    });
  const kinds = new Set(secrets.map((s) => s.kind));
  const missing = Object.values(SECRET_VARS).filter((k) => !kinds.has(k));
  console.log(
    `leak check: ${new Set(secrets.map((s) => s.value)).size} secrets (${[...kinds].join(', ')}) searched in ${(bytes / 1e6).toFixed(1)} MB ` +
      `of bot logs and Slack payloads in ${((performance.now() - started) / 1000).toFixed(1)} s: ${leaks.length ? `${leaks.length} LEAK(S)` : 'none found'}` +
      (missing.length ? `; never configured in this run: ${missing.join(', ')}` : ''),
  );
  if (leaks.length) {
    throw new Error(
      `secret leak check failed:\n${leaks
        .slice(0, 20)
        .map((l) => `  ${l.kind} (${l.encoding}), configured in ${l.configuredIn}, appeared in: ${l.line}`)
        .join('\n')}`,
    );
  }
}
