/** Every league the credentials can see: both ListLeagues kinds, every page, within a bound. */
import type { TicsApi } from '../tics/client.js';
import { LEAGUE_LIST_TYPES, type League, type LeagueListType } from '../tics/leagues-schema.js';

/** TICS's largest page. */
export const LEAGUE_PAGE_SIZE = 100;
/** Per kind: 1,000 leagues is far beyond any tenant we know, and stops a runaway `total`. */
export const MAX_LEAGUE_PAGES = 10;

export interface FetchedLeagues {
  lists: Array<{ kind: LeagueListType; leagues: League[] }>;
  /** Some kind had more than the page bound lets us read. */
  truncated: boolean;
}

type ListLeagues = NonNullable<TicsApi['listLeagues']>;

export async function fetchAllLeagues(listLeagues: ListLeagues, options: { signal?: AbortSignal; pageSize?: number; maxPages?: number } = {}): Promise<FetchedLeagues> {
  const pageSize = options.pageSize ?? LEAGUE_PAGE_SIZE;
  const maxPages = options.maxPages ?? MAX_LEAGUE_PAGES;
  const call = options.signal ? { signal: options.signal } : {};
  const kinds = await Promise.all(
    LEAGUE_LIST_TYPES.map(async (kind) => {
      const leagues: League[] = [];
      for (let page = 0; page < maxPages; page++) {
        const got = await listLeagues({ type: kind, offset: page * pageSize, limit: pageSize }, call);
        leagues.push(...got.leagues);
        // A short page ends the list even when `total` says otherwise (it is optional in the models).
        if (got.leagues.length < pageSize || leagues.length >= got.total) return { kind, leagues, truncated: false };
      }
      return { kind, leagues, truncated: true };
    }),
  );
  return { lists: kinds.map(({ kind, leagues }) => ({ kind, leagues })), truncated: kinds.some((k) => k.truncated) };
}
