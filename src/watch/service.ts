/**
 * What `/tics watch | unwatch | watches` need from the watcher, as one small facade so the Slack
 * side never touches the store, the outbox or the poll loop directly.
 */
import type { Logger } from '../log.js';
import { isTicsError } from '../tics/errors.js';
import { DEFAULT_TRIGGER_STATUSES } from './detect.js';
import type { Outbox } from './outbox.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import type { ChannelHealth, LeagueHealth, Subscription } from './types.js';
import type { BaselineInfo, Watcher } from './watcher.js';

export interface WatchListRow {
  subscription: Subscription;
  league: { id: string; alias?: string };
  leagueHealth?: LeagueHealth;
  channelHealth?: ChannelHealth;
  pendingAlerts: number;
  lastAlertAt?: number;
}

export interface SubscribeResult {
  subscription: Subscription;
  created: boolean;
  /** Declared in TICS_WATCH: left as configured (the next sync would undo a change anyway). */
  configManaged?: boolean;
  baseline?: BaselineInfo;
  /** Why no baseline could be taken now (TICS unreachable…); the first good poll takes it. */
  baselineError?: string;
}

export interface UnsubscribeResult {
  removed: boolean;
  /** Declared in TICS_WATCH: only configuration can remove it. */
  configManaged: boolean;
  pendingDropped: number;
}

export interface WatchService {
  readonly intervalSeconds: number;
  subscribe(input: { leagueId: string; leagueAlias?: string; channelId: string; triggers?: string[]; userId: string }): Promise<SubscribeResult>;
  unsubscribe(leagueId: string, channelId: string): Promise<UnsubscribeResult>;
  list(scope: { channelId: string } | 'all'): Promise<WatchListRow[]>;
}

export function createWatchService(deps: {
  registry: SubscriptionRegistry;
  outbox: Outbox;
  watcher: Watcher;
  logger: Logger;
  now: () => number;
  intervalSeconds: number;
  aliasOf: (leagueId: string) => string | undefined;
}): WatchService {
  const { registry, outbox, watcher, logger } = deps;
  return {
    intervalSeconds: deps.intervalSeconds,

    async subscribe(input) {
      const triggers = input.triggers?.length ? input.triggers : [...DEFAULT_TRIGGER_STATUSES];
      const existing = await registry.get(input.leagueId, input.channelId);
      if (existing?.source === 'config') return { subscription: existing, created: false, configManaged: true };
      const { created, subscription } = await registry.upsert({
        id: `${input.leagueId}:${input.channelId}`,
        leagueId: input.leagueId,
        ...(input.leagueAlias ? { leagueAlias: input.leagueAlias } : {}),
        channelId: input.channelId,
        triggers,
        createdAt: deps.now(),
        createdBy: input.userId,
        source: 'slack',
      });
      logger.info({ leagueId: input.leagueId, channelId: input.channelId, triggers, created, user: input.userId }, 'subscription saved');
      try {
        const baseline = await watcher.baseline(input.leagueId);
        return { subscription, created, ...(baseline ? { baseline } : {}) };
      } catch (error) {
        const reason = isTicsError(error) ? error.message : 'unexpected error';
        logger.warn({ leagueId: input.leagueId, err: error }, 'could not take a baseline at subscribe time');
        return { subscription, created, baselineError: reason };
      }
    },

    async unsubscribe(leagueId, channelId) {
      const existing = await registry.get(leagueId, channelId);
      if (!existing) return { removed: false, configManaged: false, pendingDropped: 0 };
      if (existing.source === 'config') return { removed: false, configManaged: true, pendingDropped: 0 };
      await registry.remove(leagueId, channelId);
      const pendingDropped = await outbox.dropPendingFor(existing.id);
      if ((await registry.forLeague(leagueId)).length === 0) await watcher.forgetLeague(leagueId);
      logger.info({ leagueId, channelId, pendingDropped }, 'subscription removed');
      return { removed: true, configManaged: false, pendingDropped };
    },

    async list(scope) {
      const subs = scope === 'all' ? await registry.list() : await registry.forChannel(scope.channelId);
      const stats = await outbox.stats(subs.map((s) => s.id));
      const leagueHealth = new Map<string, LeagueHealth | undefined>();
      const channelHealth = new Map<string, ChannelHealth | undefined>();
      for (const sub of subs) {
        if (!leagueHealth.has(sub.leagueId)) leagueHealth.set(sub.leagueId, await registry.getLeagueHealth(sub.leagueId));
        if (!channelHealth.has(sub.channelId)) channelHealth.set(sub.channelId, await registry.getChannelHealth(sub.channelId));
      }
      return subs
        .sort((a, b) => a.channelId.localeCompare(b.channelId) || a.leagueId.localeCompare(b.leagueId))
        .map((subscription) => {
          const alias = subscription.leagueAlias ?? deps.aliasOf(subscription.leagueId);
          const lh = leagueHealth.get(subscription.leagueId);
          const ch = channelHealth.get(subscription.channelId);
          const st = stats.get(subscription.id);
          return {
            subscription,
            league: alias ? { id: subscription.leagueId, alias } : { id: subscription.leagueId },
            ...(lh ? { leagueHealth: lh } : {}),
            ...(ch ? { channelHealth: ch } : {}),
            pendingAlerts: st?.pending ?? 0,
            ...(st?.lastSentAt !== undefined ? { lastAlertAt: st.lastSentAt } : {}),
          };
        });
    },
  };
}
