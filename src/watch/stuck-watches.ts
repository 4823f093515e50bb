/**
 * Which leagues have a `stuck:` watch, for the poll's "may anything here be stuck?" check. Read
 * from the subscriptions at most once per refresh interval per process — not once per poll: a
 * league whose jobs run for hours would otherwise list its subscriptions on every poll (a keyspace
 * SCAN on Redis). A `stuck:` added in Slack takes effect within the interval, far below the
 * 5-minute minimum limit.
 */
import type { SubscriptionRegistry } from './subscriptions.js';

export const STUCK_WATCHES_REFRESH_MS = 60_000;

export function stuckWatchLookup(registry: Pick<SubscriptionRegistry, 'list'>, refreshMs = STUCK_WATCHES_REFRESH_MS): (leagueId: string) => Promise<boolean> {
  let leagues: Promise<Set<string>> | undefined;
  let readAt = 0;
  return async (leagueId) => {
    if (!leagues || performance.now() - readAt > refreshMs) {
      readAt = performance.now();
      leagues = registry.list().then((subs) => new Set(subs.filter((s) => s.stuckMs !== undefined).map((s) => s.leagueId)));
      // A failed read is retried by the next poll rather than remembered for a minute.
      leagues.catch(() => {
        leagues = undefined;
      });
    }
    return (await leagues).has(leagueId);
  };
}
