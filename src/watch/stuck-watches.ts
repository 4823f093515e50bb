/**
 * The `stuck:` watches of each league, for the poll's "may anything here be stuck?" check. Read
 * from the subscriptions at most once per refresh interval per process, not once per poll: a
 * league whose jobs run for hours would otherwise list its subscriptions on every poll (a keyspace
 * SCAN on Redis). A `stuck:` added in Slack takes effect within the interval, far below the
 * 5-minute minimum limit; the poll confirms against the live subscriptions before it alerts, so a
 * watch removed meanwhile is never alerted from the cache.
 */
import type { SubscriptionRegistry } from './subscriptions.js';
import type { Subscription } from './types.js';

export const STUCK_WATCHES_REFRESH_MS = 60_000;

export type StuckWatchLookup = (leagueId: string) => Promise<readonly Subscription[]>;

export function stuckWatchLookup(registry: Pick<SubscriptionRegistry, 'list'>, refreshMs = STUCK_WATCHES_REFRESH_MS): StuckWatchLookup {
  let byLeague: Promise<Map<string, Subscription[]>> | undefined;
  let readAt = 0;
  return async (leagueId) => {
    if (!byLeague || performance.now() - readAt > refreshMs) {
      readAt = performance.now();
      byLeague = registry.list().then((subs) => {
        const map = new Map<string, Subscription[]>();
        for (const sub of subs) if (sub.stuckMs !== undefined) map.set(sub.leagueId, [...(map.get(sub.leagueId) ?? []), sub]);
        return map;
      });
      // A failed read is retried by the next poll rather than remembered for a minute.
      byLeague.catch(() => {
        byLeague = undefined;
      });
    }
    return (await byLeague).get(leagueId) ?? [];
  };
}

/**
 * Stuck alerts this process already recorded: a stuck instance is seen again on every poll, and
 * its claim would say "already recorded" anyway, but only after a subscription read and a store
 * round trip each time. Bounded; forgetting only costs that round trip once more.
 */
export class StuckMemo {
  private readonly keys = new Set<string>();

  constructor(private readonly max = 10_000) {}

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    if (this.keys.size >= this.max) this.keys.clear();
    this.keys.add(key);
  }
}
