/**
 * Which channels may see which leagues: `TICS_ACCESS="C0123ABCD:credit-risk,fraud;C0456EFGH:*;*:marketing"`.
 * Unset or empty: every channel may use every league. Otherwise a channel may use the leagues of
 * its own entries plus those of the `*` entry; a channel listed nowhere gets only the `*` entry's.
 * Leagues are given by alias or id and compared by id, so renaming an alias changes nothing.
 */
import { channelProblem, quoteEntry, splitEntries, type LeagueResolver, type ParseResult } from './declared.js';

export interface AccessPolicy {
  /** False when TICS_ACCESS is unset: everything is allowed. */
  readonly restricted: boolean;
  allows(channelId: string, leagueId: string): boolean;
  /** Which leagues this channel may use, for messages: "all leagues", "credit-risk, fraud", "no leagues". */
  describe(channelId: string): string;
}

interface Grant {
  all: boolean;
  /** league id → how to show it (alias when there is one). */
  leagues: Map<string, string>;
}

const ANY = '*';

export const ALLOW_ALL: AccessPolicy = {
  restricted: false,
  allows: () => true,
  describe: () => 'all leagues',
};

export function parseAccessPolicy(raw: string | undefined, resolve: LeagueResolver): ParseResult<AccessPolicy> {
  const entries = splitEntries(raw ?? '');
  if (!entries.length) return { ok: true, value: ALLOW_ALL };
  const problems: string[] = [];
  const grants = new Map<string, Grant>();
  for (const entry of entries) {
    const at = `entry ${quoteEntry(entry)}`;
    const fields = entry.split(':').map((f) => f.trim());
    if (fields.length !== 2) {
      problems.push(`${at} must look like CHANNEL:league,league (or * for every channel / every league)`);
      continue;
    }
    const [channel = '', leagueList = ''] = fields;
    const before = problems.length;
    if (channel !== ANY) {
      const bad = channelProblem(channel);
      if (bad) problems.push(`${at}: ${bad}`);
    }
    const grant: Grant = { all: false, leagues: new Map() };
    const names = leagueList.split(',').map((l) => l.trim()).filter(Boolean);
    if (!names.length) problems.push(`${at}: no leagues given (use * for all leagues)`);
    for (const name of names) {
      if (name === ANY) {
        grant.all = true;
        continue;
      }
      const resolved = resolve(name);
      if (resolved.ok) grant.leagues.set(resolved.league.id, resolved.league.alias ?? resolved.league.id);
      else problems.push(`${at}: ${resolved.problem}`);
    }
    if (problems.length > before) continue;
    // A channel named twice gets the union: listing more never grants less.
    const existing = grants.get(channel);
    if (existing) {
      existing.all ||= grant.all;
      for (const [id, label] of grant.leagues) existing.leagues.set(id, label);
    } else grants.set(channel, grant);
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: restrictedPolicy(grants) };
}

function restrictedPolicy(grants: ReadonlyMap<string, Grant>): AccessPolicy {
  const everyone = grants.get(ANY);
  const grantsOf = (channelId: string) => [grants.get(channelId), everyone].filter((g): g is Grant => g !== undefined);
  return {
    restricted: true,
    allows(channelId, leagueId) {
      return grantsOf(channelId).some((g) => g.all || g.leagues.has(leagueId));
    },
    describe(channelId) {
      const own = grantsOf(channelId);
      if (own.some((g) => g.all)) return 'all leagues';
      const labels = new Map(own.flatMap((g) => [...g.leagues]));
      if (!labels.size) return 'no leagues';
      return [...labels.values()].sort((a, b) => a.localeCompare(b)).join(', ');
    },
  };
}
