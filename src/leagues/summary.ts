/** One league as a person tells it apart from the others: what ListLeagues gives, plus our alias. */
import type { League, LeagueListType } from '../tics/leagues-schema.js';
import type { LeagueAliases } from '../tics/leagues.js';

export interface LeagueSummary {
  id: string;
  name: string;
  status?: string;
  /** The credentials' role: OWNER or PARTNER (raw when TICS sends something new). */
  type?: string;
  /** Number of members. */
  partners?: number;
  creatorName?: string;
  /** Epoch ms. */
  createDate?: number;
  /** From TICS_LEAGUES, when one names this league. */
  alias?: string;
}

export function toSummary(league: League, aliases: LeagueAliases): LeagueSummary {
  const alias = aliases.byId.get(league.id);
  return {
    id: league.id,
    name: league.name,
    ...(league.leagueStatus !== undefined ? { status: league.leagueStatus } : {}),
    ...(league.type !== undefined ? { type: league.type } : {}),
    ...(league.partners !== undefined ? { partners: league.partners } : {}),
    ...(league.creatorName !== undefined ? { creatorName: league.creatorName } : {}),
    ...(league.createDate !== undefined ? { createDate: league.createDate } : {}),
    ...(alias !== undefined ? { alias } : {}),
  };
}

/**
 * Both list kinds merged by id. The docs do not say whether they overlap; when they do, the
 * `owned` entry wins (it is listed first), as owning says more than taking part.
 */
export function mergeById(lists: ReadonlyArray<{ kind: LeagueListType; leagues: readonly League[] }>, aliases: LeagueAliases): LeagueSummary[] {
  const byId = new Map<string, LeagueSummary>();
  for (const { leagues } of lists) {
    for (const league of leagues) if (!byId.has(league.id)) byId.set(league.id, toSummary(league, aliases));
  }
  return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** Names compare as a person types them: trimmed, case-insensitive, runs of spaces as one. */
export function normalizeName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}
