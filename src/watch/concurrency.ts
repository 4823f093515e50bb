import type { Logger } from '../log.js';

/**
 * Runs `worker` over `items` with at most `limit` in flight; one item's failure never stops the
 * rest, and is logged (workers are expected to handle their own errors: one that escapes is a bug).
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>, logger: Pick<Logger, 'error'>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await worker(item).catch((error: unknown) => logger.error({ err: error }, 'a bounded worker failed; the others go on'));
    }
  });
  await Promise.all(lanes);
}
