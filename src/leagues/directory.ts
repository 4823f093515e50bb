/**
 * The leagues the credentials can see, by name: what `/tics leagues` lists, what `<league>` may
 * name, and the real names shown instead of aliases and ids. Nothing here throws for a display:
 * names fall back to the alias, then the id.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Store } from '../store.js';
import type { TicsApi } from '../tics/client.js';
import type { LeagueAliases } from '../tics/leagues.js';
import type { AccessPolicy } from '../watch/access.js';
import { fetchAllLeagues } from './fetch-all.js';
import { claimRefresh, isFresh, readName, writeName } from './name-cache.js';
import { resolveInDirectory, type DirectoryResolution } from './resolve.js';
import { mergeById, type LeagueSummary } from './summary.js';

export const LIST_TTL_MS = 60_000;
/** How long a reply waits for the league list before it shows stored names, aliases and ids. */
export const LABEL_WAIT_MS = 1_500;

export interface LeagueDirectoryOptions {
  tics: TicsApi;
  store: Store;
  aliases: LeagueAliases;
  /** Absent: every channel may see every league. */
  access?: AccessPolicy | undefined;
  now?: () => number;
  logger?: Logger | undefined;
  listTtlMs?: number;
  /** How long an id-shaped `<league>` waits for the list (to tell an id from a one-word name). */
  idWaitMs?: number;
}

/** Whose leagues: a Slack channel is filtered by TICS_ACCESS; no scope (the CLI) sees them all. */
export interface LeagueScope {
  channelId?: string | undefined;
}

export class LeagueDirectory {
  private cached: { at: number; leagues: LeagueSummary[] } | undefined;
  private inFlight: Promise<LeagueSummary[]> | undefined;
  private readonly naming = new Map<string, Promise<string>>();
  private readonly now: () => number;
  /** Names this replica's claims, for whoever inspects the store. */
  private readonly owner = randomUUID();

  constructor(private readonly options: LeagueDirectoryOptions) {
    this.now = options.now ?? Date.now;
  }

  get aliases(): LeagueAliases {
    return this.options.aliases;
  }

  /** Every visible league (to this scope), name order; cached per replica, one fetch at a time. */
  async list(scope: LeagueScope = {}): Promise<LeagueSummary[]> {
    const all = await this.all();
    const { access } = this.options;
    if (!access || scope.channelId === undefined) return all;
    const channelId = scope.channelId;
    return all.filter((l) => access.allows(channelId, l.id));
  }

  /** Alias → id → exact name (case-insensitive) among the leagues this scope may see. */
  resolve(input: string, scope: LeagueScope = {}): Promise<DirectoryResolution> {
    return resolveInDirectory(input, this.options.aliases, () => this.list(scope), this.options.logger, this.options.idWaitMs);
  }

  /** The name to show for a league: its real name, else its alias, else its id. Never throws. */
  nameOf(leagueId: string): Promise<string> {
    const pending = this.naming.get(leagueId);
    if (pending) return pending;
    const lookup = this.lookupName(leagueId).finally(() => this.naming.delete(leagueId));
    this.naming.set(leagueId, lookup);
    return lookup;
  }

  async namesOf(leagueIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(leagueIds)];
    const names = await Promise.all(unique.map((id) => this.nameOf(id)));
    return new Map(unique.map((id, i) => [id, names[i] ?? id]));
  }

  /**
   * Names for displays that answer a person now: from the list, else the store (which every list
   * fetch fills, for every replica), else the alias or id. Never a ShowLeague. With `fetch` a stale
   * list is fetched again, waited for at most `waitMs` (the fetch goes on and fills the cache);
   * without it (the default) this makes no TICS request at all.
   */
  async labelsOf(leagueIds: readonly string[], options: { fetch?: boolean; waitMs?: number } = {}): Promise<Map<string, string>> {
    const unique = [...new Set(leagueIds)];
    const listed = options.fetch ? await this.listWithin(options.waitMs ?? LABEL_WAIT_MS) : this.freshList();
    const byId = new Map((listed ?? []).map((l) => [l.id, l.name]));
    const names = await Promise.all(unique.map(async (id) => byId.get(id) ?? (await this.cachedNameOf(id)) ?? this.fallback(id)));
    return new Map(unique.map((id, i) => [id, names[i] ?? id]));
  }

  private freshList(): LeagueSummary[] | undefined {
    return this.cached && this.now() - this.cached.at < this.listTtl ? this.cached.leagues : undefined;
  }

  private async listWithin(waitMs: number): Promise<LeagueSummary[] | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), waitMs);
    });
    return Promise.race([this.all().catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  /** The stored name only (fresh or stale), never a TICS request: for the watcher's alerts. */
  async cachedNameOf(leagueId: string): Promise<string | undefined> {
    try {
      return (await readName(this.options.store, leagueId))?.name;
    } catch {
      return undefined;
    }
  }

  private fallback(leagueId: string, stale?: string): string {
    return stale ?? this.options.aliases.byId.get(leagueId) ?? leagueId;
  }

  private async lookupName(leagueId: string): Promise<string> {
    const { store, tics, logger } = this.options;
    const now = this.now();
    const listed = this.freshList()?.find((l) => l.id === leagueId);
    if (listed) return listed.name;
    let stale: string | undefined;
    try {
      const entry = await readName(store, leagueId);
      if (entry && isFresh(entry, now)) return entry.name;
      stale = entry?.name;
      if (!tics.showLeague || !(await claimRefresh(store, leagueId, now, this.owner))) return this.fallback(leagueId, stale);
      const league = await tics.showLeague({ leagueId });
      await writeName(store, leagueId, league.name, this.now());
      return league.name;
    } catch (error) {
      logger?.info({ leagueId, err: error instanceof Error ? error.message : String(error) }, 'could not look up a league name; showing its alias or id');
      return this.fallback(leagueId, stale);
    }
  }

  private get listTtl(): number {
    return this.options.listTtlMs ?? LIST_TTL_MS;
  }

  private all(): Promise<LeagueSummary[]> {
    const now = this.now();
    if (this.cached && now - this.cached.at < this.listTtl) return Promise.resolve(this.cached.leagues);
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetch(): Promise<LeagueSummary[]> {
    const { tics, store, aliases, logger } = this.options;
    if (!tics.listLeagues) return [];
    const fetched = await fetchAllLeagues(tics.listLeagues.bind(tics));
    if (fetched.truncated) logger?.warn('more leagues than the bot reads; the list is cut short');
    const leagues = mergeById(fetched.lists, aliases);
    const at = this.now();
    this.cached = { at, leagues };
    // The list answers every name at once: the other replicas need not ask ShowLeague for them.
    await Promise.all(leagues.map((l) => writeName(store, l.id, l.name, at))).catch((error: unknown) => {
      logger?.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not store league names');
    });
    return leagues;
  }
}
