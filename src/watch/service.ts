/**
 * What `/tics watch | unwatch | watches` need from the watcher, as one small facade so the Slack
 * side never touches the store, the outbox or the poll loop directly.
 */
import type { Logger } from '../log.js';
import { isTicsError } from '../tics/errors.js';
import { DEFAULT_TRIGGER_STATUSES } from './detect.js';
import { IncidentActions } from './incidents/actions.js';
import { subscriptionOfSlot } from './incidents/keys.js';
import { isSnoozeActive, type IncidentStore } from './incidents/store.js';
import type { Incident, Snooze } from './incidents/types.js';
import type { Outbox } from './outbox.js';
import type { SubscriptionRegistry } from './subscriptions.js';
import type { ChannelHealth, IncidentView, LeagueHealth, Subscription } from './types.js';
import type { WatchOptions } from './watch-options.js';
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

/** A job's snooze in one subscription's channel, as `/tics watches` lists it. */
export interface SnoozeRow {
  subscriptionId: string;
  slot: string;
  snooze: Snooze;
}

/** Alerts a league had lately, as App Home shows them (see activity()). */
export interface LeagueAlertCount {
  league: { id: string; alias?: string };
  /** Failures and stuck alerts noticed (snoozed ones included). */
  count: number;
  /** An incident began before the window: only its latest alert is known to fall inside, so `count` is a lower bound. */
  atLeast: boolean;
}

/** What App Home shows besides the watches themselves. */
export interface WatchActivity {
  /** Open incidents with who acknowledged and the snooze in force, latest alert first. */
  open: IncidentView[];
  /** Per league, alerts since `since`; leagues with none are left out. */
  alerts: LeagueAlertCount[];
}

export type UnsnoozeResult = { ok: true; snooze: Snooze } | { ok: false; reason: 'not_snoozed' };

export interface WatchService {
  readonly intervalSeconds: number;
  /** `options` not given are kept from the existing subscription (a new one starts without them). */
  subscribe(input: { leagueId: string; leagueAlias?: string; channelId: string; triggers?: string[]; options?: WatchOptions; userId: string }): Promise<SubscribeResult>;
  unsubscribe(leagueId: string, channelId: string): Promise<UnsubscribeResult>;
  list(scope: { channelId: string } | 'all'): Promise<WatchListRow[]>;
  /** Snoozes in force now (an expired one awaiting its end line is not listed), oldest first. */
  snoozes(scope: { channelId: string } | 'all'): Promise<SnoozeRow[]>;
  /** Ends the job's snooze in a channel now; its end line goes through the outbox. */
  unsnooze(slot: string, userId: string): Promise<UnsnoozeResult>;
  /** Open incidents and recent alert counts of these subscriptions, read from the incidents the store keeps. */
  activity(subscriptionIds: readonly string[], since: number): Promise<WatchActivity>;
}

/** Earlier generations of a slot looked at when counting recent alerts (a job that failed, recovered and failed again). */
const GENERATIONS_COUNTED = 5;
/** Open incidents whose ack and snooze are read at once. */
const ACTIVITY_READ_BATCH = 50;

/** `league:channel` → channel (league ids hold no `:`). */
function channelOfSubscription(subscriptionId: string): string {
  return subscriptionId.slice(subscriptionId.indexOf(':') + 1);
}

export function createWatchService(deps: {
  registry: SubscriptionRegistry;
  outbox: Outbox;
  watcher: Watcher;
  logger: Logger;
  now: () => number;
  intervalSeconds: number;
  aliasOf: (leagueId: string) => string | undefined;
  incidents: IncidentStore;
  /** Called after an unsnooze recorded its end line, so delivery can post it before the next cycle. */
  onRecorded?: () => void;
}): WatchService {
  const { registry, outbox, watcher, logger, incidents } = deps;
  const actions = new IncidentActions({ incidents, outbox, now: deps.now, ...(deps.onRecorded ? { onRecorded: deps.onRecorded } : {}) });
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
      }, input.options);
      logger.info({ leagueId: input.leagueId, channelId: input.channelId, triggers, options: input.options, created, user: input.userId }, 'subscription saved');
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
      // Its snoozes go with it: one ending later would post a summary for a watch that is gone.
      for (const { slot, snooze } of await incidents.snoozes()) {
        if (subscriptionOfSlot(slot) === existing.id) await incidents.clearSnooze(slot, snooze.id);
      }
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

    async snoozes(scope) {
      const now = deps.now();
      return (await incidents.snoozes())
        .map(({ slot, snooze }) => ({ subscriptionId: subscriptionOfSlot(slot), slot, snooze }))
        .filter((row) => isSnoozeActive(row.snooze, now) && (scope === 'all' || channelOfSubscription(row.subscriptionId) === scope.channelId))
        .sort((a, b) => a.snooze.at - b.snooze.at || (a.slot < b.slot ? -1 : a.slot > b.slot ? 1 : 0));
    },

    async unsnooze(slot, userId) {
      const result = await actions.unsnooze(slot, userId);
      logger.info({ slot, user: userId, ended: result.ok }, result.ok ? 'snooze ended from Slack' : 'unsnooze: nothing snoozed');
      return result;
    },

    async activity(subscriptionIds, since) {
      const now = deps.now();
      const current = await incidents.current(new Set(subscriptionIds));
      const open: IncidentView[] = [];
      const failing = current.filter((i) => i.state === 'open');
      for (let i = 0; i < failing.length; i += ACTIVITY_READ_BATCH) {
        const batch = await Promise.all(
          failing.slice(i, i + ACTIVITY_READ_BATCH).map(async (incident): Promise<IncidentView> => {
            const [ack, snooze] = await Promise.all([incidents.ack(incident.slot), incidents.snooze(incident.slot)]);
            return {
              incident,
              ...(ack?.seq === incident.seq ? { ack } : {}),
              ...(snooze && isSnoozeActive(snooze, now) ? { snooze } : {}),
            };
          }),
        );
        open.push(...batch);
      }
      open.sort((a, b) => b.incident.latest.observedAt - a.incident.latest.observedAt || (a.incident.slot < b.incident.slot ? -1 : 1));

      // Per subscription first: a league watched in several channels alerts each of them for the same failure.
      const perSubscription = new Map<string, LeagueAlertCount>();
      for (const incident of current) {
        let count = 0;
        let atLeast = false;
        let generation: Incident | undefined = incident;
        for (let n = 0; generation && n < GENERATIONS_COUNTED && generation.latest.observedAt >= since; n++) {
          if (generation.openedAt >= since) count += generation.events;
          else {
            count += 1;
            atLeast = true;
            break;
          }
          generation = generation.seq > 1 ? await incidents.generation(generation.slot, generation.seq - 1) : undefined;
        }
        if (count === 0) continue;
        const seen = perSubscription.get(incident.subscriptionId) ?? { league: incident.league, count: 0, atLeast: false };
        perSubscription.set(incident.subscriptionId, { league: seen.league, count: seen.count + count, atLeast: seen.atLeast || atLeast });
      }
      const perLeague = new Map<string, LeagueAlertCount>();
      for (const row of perSubscription.values()) {
        const seen = perLeague.get(row.league.id);
        if (!seen || row.count > seen.count) perLeague.set(row.league.id, row);
      }
      const alerts = [...perLeague.values()].sort((a, b) => b.count - a.count || (a.league.id < b.league.id ? -1 : 1));
      return { open, alerts };
    },
  };
}
