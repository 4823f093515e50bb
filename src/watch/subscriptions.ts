/**
 * League ↔ channel subscriptions and the health shown next to them by `/tics watches`.
 *
 * One store key per subscription (`sub:<leagueId>:<channelId>`), never one list: two replicas
 * adding different subscriptions at the same moment write different keys, so neither is lost.
 * League ids are letters and digits only, so `sub:<leagueId>:` is an exact prefix for one league.
 */
import { millisecondsInDay } from 'date-fns/constants';
import { z } from 'zod';
import type { Store } from '../store.js';
import { DEFAULT_TRIGGER_STATUSES } from './detect.js';
import type { ChannelHealth, LeagueHealth, Subscription } from './types.js';
import { withoutUndefined } from '../exact.js';
import { MAX_NOTIFY, NOTIFY_TOKEN, type WatchOptions } from './watch-options.js';

const SUB_PREFIX = 'sub:';
const subKey = (leagueId: string, channelId: string) => `${SUB_PREFIX}${leagueId}:${channelId}`;
const channelHealthKey = (channelId: string) => `health:channel:${channelId}`;
const leagueHealthKey = (leagueId: string) => `health:league:${leagueId}`;

/** Health of a channel or league nobody watches any more fades away instead of piling up. */
export const HEALTH_TTL_MS = 30 * millisecondsInDay;

export function subscriptionId(leagueId: string, channelId: string): string {
  return `${leagueId}:${channelId}`;
}

export type DeclaredSubscription = Omit<Subscription, 'id' | 'createdAt' | 'source'>;

// Stored data is checked on the way back in: an older or newer replica may have written it.
const subscriptionSchema = z.object({
  id: z.string(),
  leagueId: z.string().min(1),
  leagueAlias: z.string().exactOptional(),
  channelId: z.string().min(1),
  triggers: z.array(z.string()),
  createdAt: z.number(),
  createdBy: z.string().exactOptional(),
  source: z.enum(['slack', 'config']),
  notify: z.array(z.string()).exactOptional(),
  stuckMs: z.number().positive().exactOptional(),
  recovery: z.boolean().exactOptional(),
});

const channelHealthSchema = z.object({
  channelId: z.string(),
  lastPostAt: z.number().exactOptional(),
  lastError: z.object({ code: z.string(), at: z.number() }).exactOptional(),
});

const leagueHealthSchema = z.object({
  leagueId: z.string(),
  lastPollAt: z.number().exactOptional(),
  lastSuccessAt: z.number().exactOptional(),
  lastError: z.object({ kind: z.string(), message: z.string(), requestId: z.string().exactOptional(), at: z.number() }).exactOptional(),
  consecutiveFailures: z.number(),
  nextPollAt: z.number().exactOptional(),
  lastRequests: z.number().exactOptional(),
  lastCutShort: z.boolean().exactOptional(),
});

/** Upper case, no repeats, never empty (a subscription that alerts on nothing is a mistake). */
export function normalizeTriggers(triggers: readonly string[]): string[] {
  const out = [...new Set(triggers.map((t) => t.trim().toUpperCase()).filter(Boolean))];
  return out.length ? out : [...DEFAULT_TRIGGER_STATUSES];
}

export type ChannelResult = { ok: true; at: number } | { ok: false; code: string; at: number };

export class SubscriptionRegistry {
  constructor(private readonly store: Store) {}

  async list(): Promise<Subscription[]> {
    return this.read(await this.store.keys(SUB_PREFIX));
  }

  async forChannel(channelId: string): Promise<Subscription[]> {
    return (await this.list()).filter((s) => s.channelId === channelId);
  }

  async forLeague(leagueId: string): Promise<Subscription[]> {
    return this.read(await this.store.keys(`${SUB_PREFIX}${leagueId}:`));
  }

  async get(leagueId: string, channelId: string): Promise<Subscription | undefined> {
    return parseSubscription(await this.store.get(subKey(leagueId, channelId)));
  }

  /**
   * Creates, or updates the triggers (and display alias) of the existing one, keeping its
   * createdAt, createdBy and source. The options given replace the existing ones; those not
   * given are kept (a `watch` that only changes `on:` must not drop the owners). A `config`
   * subscription stays `config`: the caller should refuse to edit it from Slack, since the next
   * syncDeclared would undo the edit.
   */
  async upsert(sub: Subscription, options: WatchOptions = {}): Promise<{ created: boolean; subscription: Subscription }> {
    const existing = await this.get(sub.leagueId, sub.channelId);
    const triggers = normalizeTriggers(sub.triggers);
    const base = withoutUndefined<Subscription>(
      existing ? { ...existing, triggers, leagueAlias: sub.leagueAlias ?? existing.leagueAlias } : { ...sub, id: subscriptionId(sub.leagueId, sub.channelId), triggers },
    );
    const subscription = withOptions(base, options);
    await this.store.set(subKey(sub.leagueId, sub.channelId), subscription);
    return { created: !existing, subscription };
  }

  async remove(leagueId: string, channelId: string): Promise<boolean> {
    return this.store.delete(subKey(leagueId, channelId));
  }

  /**
   * Ops-as-code: make the stored `config` subscriptions equal `declared` (add new ones with
   * createdAt=now, update triggers, remove config subs no longer declared); never touch `slack`
   * ones — a league+channel already watched from Slack stays as Slack made it. Idempotent and
   * safe to run on every start of every replica: replicas syncing the same declaration converge
   * on the same set (at worst a first-time add gets a createdAt a few ms later).
   */
  async syncDeclared(declared: readonly DeclaredSubscription[], now: number): Promise<{ added: number; updated: number; removed: number }> {
    const existing = new Map((await this.list()).map((s) => [s.id, s]));
    const wanted = new Map(declared.map((d) => [subscriptionId(d.leagueId, d.channelId), d]));
    let added = 0;
    let updated = 0;
    let removed = 0;
    for (const [id, d] of wanted) {
      const current = existing.get(id);
      const triggers = normalizeTriggers(d.triggers);
      // The declaration is the whole truth: an option it leaves out is off, not kept.
      const options = declaredOptions(d);
      if (!current) {
        const sub = withOptions(withoutUndefined<Subscription>({ ...d, id, triggers, createdAt: now, source: 'config' }), options);
        await this.store.set(subKey(d.leagueId, d.channelId), sub);
        added++;
      } else if (current.source === 'config' && (!sameSet(current.triggers, triggers) || current.leagueAlias !== d.leagueAlias || !sameOptions(current, d))) {
        const sub = withOptions(withoutUndefined<Subscription>({ ...current, triggers, leagueAlias: d.leagueAlias }), options);
        await this.store.set(subKey(d.leagueId, d.channelId), sub);
        updated++;
      }
    }
    for (const current of existing.values()) {
      if (current.source !== 'config' || wanted.has(current.id)) continue;
      if (await this.remove(current.leagueId, current.channelId)) removed++;
    }
    return { added, updated, removed };
  }

  /** Distinct leagues with at least one subscription (read from the keys alone: cheap per cycle). */
  async leagueIds(): Promise<string[]> {
    const ids = new Set<string>();
    for (const key of await this.store.keys(SUB_PREFIX)) {
      const rest = key.slice(SUB_PREFIX.length);
      const colon = rest.indexOf(':');
      if (colon > 0) ids.add(rest.slice(0, colon));
    }
    return [...ids].sort();
  }

  async getChannelHealth(channelId: string): Promise<ChannelHealth | undefined> {
    const parsed = channelHealthSchema.safeParse(await this.store.get(channelHealthKey(channelId)));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * Results may arrive out of order from several replicas: the newest post and the newest error
   * are kept, and an error older than the last successful post is no longer the channel's state.
   */
  async recordChannelResult(channelId: string, result: ChannelResult): Promise<void> {
    const prev = await this.getChannelHealth(channelId);
    let lastPostAt = prev?.lastPostAt;
    let lastError = prev?.lastError;
    if (result.ok) lastPostAt = Math.max(lastPostAt ?? result.at, result.at);
    else if (!lastError || result.at >= lastError.at) lastError = { code: result.code, at: result.at };
    if (lastError && lastPostAt !== undefined && lastPostAt >= lastError.at) lastError = undefined;
    await this.store.set(channelHealthKey(channelId), withoutUndefined<ChannelHealth>({ channelId, lastPostAt, lastError }), HEALTH_TTL_MS);
  }

  async getLeagueHealth(leagueId: string): Promise<LeagueHealth | undefined> {
    const parsed = leagueHealthSchema.safeParse(await this.store.get(leagueHealthKey(leagueId)));
    return parsed.success ? parsed.data : undefined;
  }

  async setLeagueHealth(h: LeagueHealth): Promise<void> {
    await this.store.set(leagueHealthKey(h.leagueId), h, HEALTH_TTL_MS);
  }

  private async read(keys: readonly string[]): Promise<Subscription[]> {
    const subs = await Promise.all(keys.map(async (k) => parseSubscription(await this.store.get(k))));
    return subs
      .filter((s): s is Subscription => s !== undefined)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

function parseSubscription(raw: unknown): Subscription | undefined {
  if (raw === undefined) return undefined;
  const parsed = subscriptionSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const { notify, ...rest } = parsed.data;
  // Owners end up in message text: a stored token of any other shape is dropped, never posted.
  const owners = notify?.filter((t) => NOTIFY_TOKEN.test(t)).slice(0, MAX_NOTIFY);
  // The id is derived, never trusted: everything keys off league and channel.
  return { ...rest, ...(owners?.length ? { notify: owners } : {}), id: subscriptionId(parsed.data.leagueId, parsed.data.channelId) };
}

/** `base` with the options given applied: an empty owner list, `stuck:off` and `recovery:on` leave the field out. */
function withOptions(base: Subscription, options: WatchOptions): Subscription {
  const { notify, stuckMs, recovery, ...rest } = base;
  const nextNotify = options.notify ?? notify;
  const nextStuck = options.stuckMs === undefined ? stuckMs : (options.stuckMs ?? undefined);
  const nextRecovery = options.recovery ?? recovery;
  return {
    ...rest,
    ...(nextNotify?.length ? { notify: [...nextNotify] } : {}),
    ...(nextStuck !== undefined ? { stuckMs: nextStuck } : {}),
    ...(nextRecovery === false ? { recovery: false } : {}),
  };
}

/** A declaration's options, every one given: what it leaves out is cleared. */
function declaredOptions(d: DeclaredSubscription): Required<WatchOptions> {
  return { notify: d.notify ?? [], stuckMs: d.stuckMs ?? null, recovery: d.recovery ?? true };
}

function sameOptions(current: Subscription, d: DeclaredSubscription): boolean {
  const a = current.notify ?? [];
  const b = d.notify ?? [];
  return a.length === b.length && a.every((x, i) => x === b[i]) && current.stuckMs === d.stuckMs && (current.recovery ?? true) === (d.recovery ?? true);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}
