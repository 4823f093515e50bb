/** Runs `worker` over `items` with at most `limit` in flight; one item's failure never stops the rest. */
export async function forEachBounded<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await worker(item).catch(() => undefined);
    }
  });
  await Promise.all(lanes);
}
