import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentile, summarize, table, target } from '../../bench/stats.js';

const samples = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 });
const pct = fc.double({ min: 0.01, max: 100, noNaN: true });

describe('percentile (nearest rank)', () => {
  it('is the smallest observed value with at least p% of samples at or below it', () => {
    fc.assert(
      fc.property(samples, pct, (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const r = percentile(sorted, p);
        const needed = (p / 100) * sorted.length;
        expect(sorted).toContain(r);
        expect(sorted.filter((v) => v <= r).length).toBeGreaterThanOrEqual(needed - 1e-9);
        expect(sorted.filter((v) => v < r).length).toBeLessThan(needed);
      }),
    );
  });

  it('gives the worst sample for p100 and, with 150 samples, the second worst for p99', () => {
    const sorted = Array.from({ length: 150 }, (_, i) => i * 3);
    expect(percentile(sorted, 100)).toBe(sorted[149]);
    expect(percentile(sorted, 99)).toBe(sorted[148]);
  });

  it('refuses an empty sample and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/empty/);
    expect(() => percentile([1], 0)).toThrow(/percentile/);
    expect(() => percentile([1], 101)).toThrow(/percentile/);
  });
});

describe('summarize', () => {
  it('orders its figures and does not depend on input order', () => {
    fc.assert(
      fc.property(samples, (values) => {
        const s = summarize(values);
        expect(s.n).toBe(values.length);
        expect(s.min).toBeLessThanOrEqual(s.p50);
        expect(s.p50).toBeLessThanOrEqual(s.p90);
        expect(s.p90).toBeLessThanOrEqual(s.p99);
        expect(s.p99).toBeLessThanOrEqual(s.max);
        expect(s.mean).toBeGreaterThanOrEqual(s.min - 1e-6);
        expect(s.mean).toBeLessThanOrEqual(s.max + 1e-6);
        expect(summarize([...values].reverse())).toEqual(s);
      }),
    );
  });
});

describe('target', () => {
  it('passes at the limit and misses above it', () => {
    expect(target('x', 50, 50).pass).toBe(true);
    expect(target('x', 50, 50.01).pass).toBe(false);
    expect(target('x', 15, Number.POSITIVE_INFINITY).pass).toBe(false);
  });
});

describe('table', () => {
  it('pads every row to the same width', () => {
    const lines = table(['metric', 'p50'], [['ack latency', '1.2'], ['reply', '2001']]).split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[1]).toMatch(/^\|-+\|-+:\|$/);
  });
});
