/**
 * `<league>` as a person types it: an alias (TICS_LEAGUES), an id, or a league's exact name.
 * Names come from the list the caller's scope may see, so a league TICS_ACCESS hides from a
 * channel cannot be found there by name.
 */
import type { Logger } from '../log.js';
import { resolveLeague, type LeagueAliases, type LeagueRef } from '../tics/leagues.js';
import { normalizeName, type LeagueSummary } from './summary.js';

export interface NamedLeagueRef extends LeagueRef {
  /** The league's real name, when the resolution learnt it. */
  name?: string;
}

export type DirectoryResolution =
  | { ok: true; league: NamedLeagueRef; by: 'alias' | 'id' | 'name' }
  | { ok: false; problem: string; ambiguous?: LeagueSummary[] };

export const NAMES_HINT = 'Names are looked up in the leagues your credentials can see (`/tics leagues` lists them).';

const ID = /^[A-Za-z0-9]{1,32}$/;

/** Quotes a person may put around a name with spaces, and the entities Slack escapes. */
export function cleanLeagueInput(input: string): string {
  const unescaped = input.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\u00a0/g, ' ').trim();
  const quoted = /^(["“”'‘’])(.*)(["“”'‘’])$/s.exec(unescaped);
  return (quoted ? (quoted[2] ?? '') : unescaped).trim();
}

export function refOf(league: LeagueSummary): NamedLeagueRef {
  return { id: league.id, name: league.name, ...(league.alias !== undefined ? { alias: league.alias } : {}) };
}

/** An id-shaped word waits this long for the league list before it is taken as an id regardless. */
export const ID_LIST_WAIT_MS = 1_500;

export async function resolveInDirectory(
  input: string,
  aliases: LeagueAliases,
  list: () => Promise<LeagueSummary[]>,
  logger?: Logger,
  idWaitMs = ID_LIST_WAIT_MS,
): Promise<DirectoryResolution> {
  const typed = cleanLeagueInput(input);
  if (aliases.byAlias.has(typed.toLowerCase())) {
    const byAlias = resolveLeague(typed, aliases);
    if (byAlias.ok) return { ok: true, league: byAlias.league, by: 'alias' };
  }
  let leagues: LeagueSummary[] | undefined;
  let listProblem: string | undefined;
  try {
    // An id works without the list, so a slow TICS must not hold it up; a name needs the list.
    leagues = ID.test(typed) ? await within(list(), idWaitMs) : await list();
  } catch (error) {
    listProblem = error instanceof Error ? error.message : String(error);
    logger?.info({ err: listProblem }, 'could not list leagues to resolve a name');
  }
  if (ID.test(typed)) {
    // An id-shaped word may still be a one-word name ("Marketing"): an id TICS lists wins, then a
    // name, then the word is taken as an id as it always was.
    const listed = leagues?.find((l) => l.id === typed);
    if (listed) return { ok: true, league: refOf(listed), by: 'id' };
    const named = matches(leagues, typed);
    if (named.length === 0) {
      const alias = aliases.byId.get(typed);
      return { ok: true, league: alias ? { id: typed, alias } : { id: typed }, by: 'id' };
    }
    return byName(named, typed);
  }
  const named = matches(leagues, typed);
  if (named.length) return byName(named, typed);
  const known = [...aliases.byAlias.keys()];
  const shown = typed.slice(0, 128);
  return {
    ok: false,
    problem:
      `"${shown}" is neither a known league alias nor a league id (1–32 letters or digits), nor the name of a league.` +
      (known.length ? ` Known aliases: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}.` : '') +
      ` ${NAMES_HINT}` +
      (listProblem ? ` (The league list could not be read just now: ${listProblem.slice(0, 200)})` : ''),
  };
}

function matches(leagues: readonly LeagueSummary[] | undefined, typed: string): LeagueSummary[] {
  const wanted = normalizeName(typed);
  return (leagues ?? []).filter((l) => normalizeName(l.name) === wanted);
}

function byName(named: LeagueSummary[], typed: string): DirectoryResolution {
  const [only] = named;
  if (only && named.length === 1) return { ok: true, league: refOf(only), by: 'name' };
  return { ok: false, problem: `${named.length} leagues are named "${typed.slice(0, 128)}": give one by its id.`, ambiguous: named };
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  // The list may still fail after the wait: that failure is nobody's to handle but the cache's.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
