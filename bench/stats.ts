/**
 * Summary statistics for latency samples. Nearest-rank percentiles: every figure printed is a time
 * that was really observed (no interpolation between two samples), which is what a p99 target means.
 */
import { availableParallelism, cpus } from 'node:os';

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array: the smallest value with at least p% of samples ≤ it. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) throw new Error('percentile of an empty sample');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(rank, sortedAscending.length) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('cannot summarize an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** Milliseconds for a table cell: one decimal below 100 ms, whole numbers above. */
export function ms(value: number): string {
  return Math.abs(value) < 100 ? value.toFixed(1) : value.toFixed(0);
}

export interface Target {
  name: string;
  /** The figure must be at most this. */
  limitMs: number;
  actualMs: number;
  pass: boolean;
}

export function target(name: string, limitMs: number, actualMs: number): Target {
  return { name, limitMs, actualMs, pass: actualMs <= limitMs };
}

export interface Machine {
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
}

export function machine(): Machine {
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: availableParallelism(), cpuModel: cpus()[0]?.model.trim() ?? 'unknown' };
}

/** Left-aligned first column, right-aligned numbers: readable in a terminal and pasteable into Markdown. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 2)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
