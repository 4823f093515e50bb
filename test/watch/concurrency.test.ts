import { describe, expect, it, vi } from 'vitest';
import { forEachBounded } from '../../src/watch/concurrency.js';

describe('forEachBounded', () => {
  it('keeps going past a failing worker, logs the failure, and never exceeds the limit', async () => {
    const error = vi.fn();
    const done: number[] = [];
    let running = 0;
    let peak = 0;
    await forEachBounded(
      [1, 2, 3, 4, 5],
      2,
      async (n) => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        if (n === 2) throw new Error('worker 2 broke');
        done.push(n);
      },
      { error },
    );
    expect(done.sort()).toEqual([1, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(error).toHaveBeenCalledTimes(1);
    expect(error.mock.calls[0]![0]).toEqual({ err: new Error('worker 2 broke') });
  });
});
