/**
 * `<league>` in a command or a button: through the directory (alias, id or name, within what the
 * channel may see) when the bot has one, through the alias table alone otherwise.
 */
import type { DirectoryResolution } from '../leagues/resolve.js';
import type { LeagueSummary } from '../leagues/summary.js';
import { resolveLeague } from '../tics/leagues.js';
import type { SlackDeps } from './deps.js';

const SHOWN_MATCHES = 10;

export async function resolveLeagueInput(deps: Pick<SlackDeps, 'directory' | 'leagues'>, input: string, channelId: string | undefined): Promise<DirectoryResolution> {
  if (deps.directory) return deps.directory.resolve(input, { channelId });
  const resolved = resolveLeague(input, deps.leagues);
  return resolved.ok ? { ok: true, league: resolved.league, by: /^[A-Za-z0-9]{1,32}$/.test(input.trim()) && !deps.leagues.byAlias.has(input.trim().toLowerCase()) ? 'id' : 'alias' } : resolved;
}

/** The problem to show: for an ambiguous name, the matches with their ids and how to pick one. */
export function resolutionProblem(result: Extract<DirectoryResolution, { ok: false }>, example: (leagueId: string) => string): string {
  const matches = result.ambiguous;
  if (!matches?.length) return result.problem;
  const listed = matches.slice(0, SHOWN_MATCHES).map(describeMatch).join(' · ');
  const more = matches.length > SHOWN_MATCHES ? ` · and ${matches.length - SHOWN_MATCHES} more` : '';
  const first = matches[0]?.id ?? '';
  return `which one? ${matches.length} leagues are named "${(matches[0]?.name ?? '').slice(0, 128)}": ${listed}${more}. Give the id instead, e.g. \`${example(first)}\`.`;
}

function describeMatch(league: LeagueSummary): string {
  const facts = [league.type, league.status, league.partners !== undefined ? `${league.partners} members` : undefined, league.alias ? `alias ${league.alias}` : undefined].filter(Boolean);
  return `${league.name.slice(0, 128)} \`${league.id}\`${facts.length ? ` (${facts.join(', ')})` : ''}`;
}
