/**
 * League aliases: people say "credit-scoring", TICS wants a 32-character id.
 * `TICS_LEAGUES=credit=3f1c…,fraud=9ab0…`.
 */
export interface LeagueRef {
  id: string;
  alias?: string;
}

export interface LeagueAliases {
  readonly byAlias: ReadonlyMap<string, string>;
  readonly byId: ReadonlyMap<string, string>;
}

const ID = /^[A-Za-z0-9]{1,32}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const EMPTY_ALIASES: LeagueAliases = { byAlias: new Map(), byId: new Map() };

export function parseLeagueAliases(raw: string): { ok: true; value: LeagueAliases } | { ok: false; problems: string[] } {
  const byAlias = new Map<string, string>();
  const byId = new Map<string, string>();
  const problems: string[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const alias = eq < 0 ? '' : entry.slice(0, eq).trim();
    const id = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (eq < 0) problems.push(`entry "${entry}" must look like name=leagueId`);
    else if (!ALIAS.test(alias)) problems.push(`alias "${alias}" must be 1–64 letters, digits, "-" or "_"`);
    else if (!ID.test(id)) problems.push(`league id for "${alias}" must be 1–32 letters or digits`);
    else if (byAlias.has(alias.toLowerCase())) problems.push(`alias "${alias}" is defined twice`);
    else {
      byAlias.set(alias.toLowerCase(), id);
      if (!byId.has(id)) byId.set(id, alias);
    }
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: { byAlias, byId } };
}

export type ResolveResult = { ok: true; league: LeagueRef } | { ok: false; problem: string };

/** An alias (case-insensitive) wins over a raw id of the same spelling. */
export function resolveLeague(input: string, aliases: LeagueAliases): ResolveResult {
  const trimmed = input.trim();
  const aliased = aliases.byAlias.get(trimmed.toLowerCase());
  if (aliased) return { ok: true, league: { id: aliased, alias: aliases.byId.get(aliased) ?? trimmed } };
  if (ID.test(trimmed)) {
    const alias = aliases.byId.get(trimmed);
    return { ok: true, league: alias ? { id: trimmed, alias } : { id: trimmed } };
  }
  const known = [...aliases.byAlias.keys()];
  return {
    ok: false,
    problem:
      `"${trimmed}" is neither a known league alias nor a league id (1–32 letters or digits).` +
      (known.length ? ` Known aliases: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}.` : ''),
  };
}

export function leagueLabel(league: LeagueRef): string {
  return league.alias ?? league.id;
}
