/**
 * Leagues under their real names in listings (/tics watches, the Home tab) when the directory
 * already knows them — its cached list or the store — without a TICS request for a listing that
 * may name many leagues. A league it does not know yet keeps its alias or id.
 */
import type { SlackDeps } from './deps.js';

type Named = { id: string; alias?: string; name?: string };

export async function withLeagueNames<R extends { league: Named }>(deps: Pick<SlackDeps, 'directory'>, rows: readonly R[]): Promise<R[]> {
  if (!deps.directory || rows.length === 0 || rows.every((row) => row.league.name !== undefined)) return [...rows];
  const labels = await deps.directory.labelsOf(rows.map((row) => row.league.id));
  return rows.map((row) => {
    if (row.league.name !== undefined) return row;
    const label = labels.get(row.league.id);
    return label === undefined || label === row.league.id || label === row.league.alias ? row : { ...row, league: { ...row.league, name: label } };
  });
}
