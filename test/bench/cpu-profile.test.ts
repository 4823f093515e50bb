import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarizeCpuProfile } from '../../bench/cpu-profile.js';

const ROOT = 'file:///build/';
const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

// (root) → handler (project) → parse (zod) ; handler → handler (recursion) → format (project)
// (root) → (idle) ; (root) → (garbage collector)
const nodes = [
  { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
  { id: 2, callFrame: frame('handler', `${ROOT}slack/a.js`), children: [3, 7] },
  { id: 3, callFrame: frame('parse', 'file:///app/node_modules/zod/v4/core.js') },
  { id: 5, callFrame: frame('(idle)') },
  { id: 6, callFrame: frame('(garbage collector)') },
  { id: 7, callFrame: frame('handler', `${ROOT}slack/a.js`), children: [4] },
  { id: 4, callFrame: frame('format', `${ROOT}slack/views/format.js`) },
];

const dir = mkdtempSync(join(tmpdir(), 'cpu-profile-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(samples: number[], deltas: number[]): string {
  const file = join(dir, `p${samples.join('')}.cpuprofile`);
  const endTime = 1000 + deltas.reduce((a, b) => a + b, 0);
  writeFileSync(file, JSON.stringify({ nodes, startTime: 1000, endTime, samples, timeDeltas: deltas }));
  return file;
}

describe('summarizeCpuProfile', () => {
  // Sample i is at 1000 + sum(deltas[0..i]) µs and stands for the time until the next one.
  const file = write([2, 3, 4, 5, 6, 3, 2, 2], [100, 100, 100, 100, 100, 100, 100, 100]);

  it('counts only samples inside the windows, and never idle time', () => {
    const all = summarizeCpuProfile(file, [[0, 10_000]], [ROOT]);
    // 8 samples of 100 µs, one of them idle.
    expect(all.samples).toBe(7);
    expect(all.busyMs).toBeCloseTo(0.7);
    // Samples at 1100…1400: handler, parse, format, idle.
    const early = summarizeCpuProfile(file, [[1100, 1400]], [ROOT]);
    expect(early.busyMs).toBeCloseTo(0.3);
    expect(early.self.map((e) => e.name).sort()).toEqual(['format', 'handler', 'parse']);
  });

  it('attributes self time to functions and places, relative to the project root', () => {
    const s = summarizeCpuProfile(file, [[0, 10_000]], [ROOT]);
    const self = Object.fromEntries(s.self.map((e) => [`${e.name}@${e.where}`, e.ms]));
    expect(self).toEqual({
      'handler@slack/a.js': expect.closeTo(0.3, 5),
      'parse@pkg:zod': expect.closeTo(0.2, 5),
      'format@slack/views/format.js': expect.closeTo(0.1, 5),
      '(garbage collector)@(garbage collector)': expect.closeTo(0.1, 5),
    });
    expect(s.byPlace.find((p) => p.name === 'pkg:zod')?.pct).toBeCloseTo((100 * 2) / 7);
  });

  it('gives project functions their callees’ time once, recursion included', () => {
    const s = summarizeCpuProfile(file, [[0, 10_000]], [ROOT]);
    const inclusive = Object.fromEntries(s.inclusive.map((e) => [e.name, e.ms]));
    // handler: its own 3 samples + parse 2 + format 1 (under the recursive handler, counted once).
    expect(inclusive.handler).toBeCloseTo(0.6);
    expect(inclusive.format).toBeCloseTo(0.1);
    // Not a project function: no inclusive entry.
    expect(inclusive.parse).toBeUndefined();
  });
});
