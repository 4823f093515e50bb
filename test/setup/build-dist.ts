/**
 * Global setup of the `process` project: builds the app once (`tsc -p tsconfig.build.json`,
 * incremental, so an up-to-date dist/ costs a few seconds), because process-level tests start the
 * built bot exactly as production does (`node dist/main.js`), not a `tsx` transpile per spawn.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export default async function buildDist(): Promise<void> {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = performance.now();
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`building dist/ for the process-level tests failed:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.stdout || e.stderr ? '' : e.message}`);
  }
  console.log(`process tests: dist/ built in ${Math.round(performance.now() - started)} ms`);
}
