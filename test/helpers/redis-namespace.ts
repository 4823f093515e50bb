import { createClient } from '@keyv/redis';

/**
 * Deletes every key of one namespace (data keys and atomic keys: claims, leases, indexes) from a
 * Redis that tests and benches share, and nothing else.
 */
export async function wipeRedisNamespace(url: string, namespace: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    for await (const batch of client.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 })) if (batch.length) await client.del(batch);
  } finally {
    client.destroy();
  }
}
