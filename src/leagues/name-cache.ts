/**
 * League names in the store, shared by replicas: `leaguename:<id>` holds the name and when it was
 * read. Freshness is judged from `fetchedAt` on the bot's clock, so a stale name is still there to
 * show while a refresh is pending or failing; the store TTL only clears leagues nobody asks about.
 */
import { z } from 'zod';
import type { Store } from '../store.js';

export const NAME_TTL_MS = 60 * 60_000;
/** After a failed (or another replica's) lookup, how long before this league is asked for again. */
export const NAME_RETRY_MS = 60_000;
const KEEP_STALE_MS = 24 * 60 * 60_000;

const entrySchema = z.object({ name: z.string().min(1).max(512), fetchedAt: z.number() });
export type NameEntry = z.infer<typeof entrySchema>;

const nameKey = (leagueId: string) => `leaguename:${leagueId}`;

export async function readName(store: Store, leagueId: string): Promise<NameEntry | undefined> {
  const parsed = entrySchema.safeParse(await store.get<unknown>(nameKey(leagueId)));
  return parsed.success ? parsed.data : undefined;
}

export async function writeName(store: Store, leagueId: string, name: string, now: number): Promise<void> {
  await store.set(nameKey(leagueId), { name, fetchedAt: now } satisfies NameEntry, NAME_TTL_MS + KEEP_STALE_MS);
}

export function isFresh(entry: NameEntry, now: number): boolean {
  return now - entry.fetchedAt < NAME_TTL_MS;
}

/**
 * The right to ask TICS for this league's name in the current retry window: one replica wins it
 * (atomic setIfAbsent), and a failure is retried in the next window, not on every call. Keyed by
 * window rather than relying on the claim's TTL so it follows the bot's clock.
 */
export function claimRefresh(store: Store, leagueId: string, now: number, owner: string): Promise<boolean> {
  const window = Math.floor(now / NAME_RETRY_MS);
  return store.setIfAbsent(`leaguename-claim:${leagueId}:${window}`, owner, 2 * NAME_RETRY_MS);
}
