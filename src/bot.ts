/**
 * Wiring only: config → logger → store → TICS client → Slack app (→ watcher). Returns a handle so
 * main.ts, the demo and the integration tests start exactly the same thing.
 */
import type { Config } from './config.js';
import { createHealth } from './health.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics } from './metrics.js';
import { createSlackApp, isTokenRejection, verifySlackToken, type BotIdentity, type SlackApp } from './slack/app.js';
import { describeFailure, type BackoffOptions, type SlackConnection } from './slack/connection.js';
import { LeagueDirectory } from './leagues/directory.js';
import { createStore, type Store } from './store.js';
import type { TicsClient } from './tics/client.js';
import { createTicsClient } from './tics/factory.js';
import { createSlackNotifier } from './slack/notifier.js';
import { countReconnects } from './slack/slack-metrics.js';
import { Outbox } from './watch/outbox.js';
import { createWatchService } from './watch/service.js';
import { IncidentStore } from './watch/incidents/store.js';
import { IncidentActions } from './watch/incidents/actions.js';
import { SubscriptionRegistry } from './watch/subscriptions.js';
import { stuckWatchLookup } from './watch/stuck-watches.js';
import { createSummarizer } from './watch/incidents/summarize.js';
import { Watcher } from './watch/watcher.js';

export interface BotHandle {
  readonly port: number;
  readonly mode: SlackApp['mode'];
  readonly store: Store;
  readonly logger: Logger;
  readonly watcher: Watcher;
  /** The Slack link's state and events (metrics attach their counters here). */
  readonly connection: SlackConnection;
  stop(): Promise<void>;
}

export interface BotOptions {
  logger?: Logger;
  /** The data comes from the built-in simulator (the demo): every message says so. */
  simulated?: boolean;
  now?: () => number;
  /** Start the poll loop (default). Tests drive `watcher.runCycle()` themselves. */
  autoWatch?: boolean;
  /** Retry delays for the Slack connection; tests shorten them. */
  slackBackoff?: BackoffOptions;
}

/**
 * A bounded auth.test before anything starts: a refused token stops the start (nothing can work),
 * an unreachable Slack does not (the check is repeated in the background before connecting).
 */
async function checkToken(config: Config, logger: Logger): Promise<BotIdentity | undefined> {
  try {
    return await verifySlackToken(config.slack, logger, 5_000, 0);
  } catch (error) {
    if (isTokenRejection(error)) throw error;
    logger.warn({ reason: describeFailure(error) }, 'Slack did not answer auth.test at start; starting anyway and retrying in the background');
    return undefined;
  }
}

export function secretsOf(config: Config): string[] {
  const auth = config.tics.auth;
  const tics = auth.kind === 'aksk' ? [auth.sk, auth.securityToken] : auth.kind === 'token' ? [auth.token] : [auth.password];
  return [config.slack.botToken, config.slack.signingSecret, config.slack.appToken, ...tics].filter((s): s is string => Boolean(s));
}

export async function startBot(config: Config, options: BotOptions = {}): Promise<BotHandle> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  const now = options.now ?? Date.now;
  const identity = await checkToken(config, logger);
  const store = await createStore(config.storeUrl, { namespace: config.storeNamespace });
  let tics: TicsClient | undefined;
  // One registry per bot: several bots in one process (the tests) must not share counts.
  const { metrics, registry: metricsRegistry } = createMetrics();
  try {
    tics = createTicsClient(config.tics, { store, logger: logger.child({ component: 'tics' }), metrics });
    const aliasOf = (leagueId: string) => config.leagues.byId.get(leagueId);
    const directory = new LeagueDirectory({ tics, store, aliases: config.leagues, access: config.access, now, logger: logger.child({ component: 'leagues' }) });
    const registry = new SubscriptionRegistry(store);
    const outbox = new Outbox(store, { now });
    const incidents = new IncidentStore(store, now);
    const watcher = new Watcher({
      store,
      tics,
      notifier: createSlackNotifier({
        token: config.slack.botToken,
        ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
        logger: logger.child({ component: 'notifier' }),
        now,
        simulated: options.simulated ?? false,
        metrics,
      }),
      registry,
      outbox,
      logger: logger.child({ component: 'watch' }),
      intervalMs: config.watchIntervalSeconds * 1000,
      concurrency: config.watchConcurrency,
      leaseMs: config.watchLeaseSeconds * 1000,
      now,
      aliasOf,
      metrics,
      incidents,
      stuckWatches: stuckWatchLookup(registry),
      summarize: createSummarizer(tics),
      // The store's cached name, now; a refresh (at most one ShowLeague per league per hour, shared
      // by replicas) runs behind it, so an alert never waits on TICS for a name.
      leagueNameOf: (leagueId) => {
        void directory.nameOf(leagueId);
        return directory.cachedNameOf(leagueId);
      },
    });
    const synced = await registry.syncDeclared(config.watchDeclarations, now());
    if (synced.added + synced.updated + synced.removed > 0) logger.info({ ...synced }, 'TICS_WATCH subscriptions synchronised');
    const watch = createWatchService({
      registry,
      outbox,
      watcher,
      logger: logger.child({ component: 'watch' }),
      now,
      intervalSeconds: config.watchIntervalSeconds,
      aliasOf,
      incidents,
      // An unsnooze's summary line posts now, not at the next interval.
      onRecorded: () => watcher.deliverNow(),
    });
    let watcherStartedAt: number | undefined;
    const health = createHealth({
      mode: config.slack.appToken ? 'socket' : 'http',
      // Read at probe time, once the app below exists.
      slack: () => slack.connection.snapshot(),
      store,
      watcher: () => watcher.status(),
      watcherStartedAt: () => watcherStartedAt,
      intervalMs: config.watchIntervalSeconds * 1000,
      now,
    });
    const slack = createSlackApp({
      slack: config.slack,
      identity,
      deps: {
        tics,
        leagues: config.leagues,
        logger,
        now,
        simulated: options.simulated ?? false,
        watch,
        access: config.access,
        directory,
        metrics,
        incidents: new IncidentActions({ incidents, outbox, now, onRecorded: () => watcher.deliverNow() }),
      },
      ready: () => health.ready(),
      ...(options.slackBackoff ? { backoff: options.slackBackoff } : {}),
      metricsRegistry,
    });
    countReconnects(slack.connection, metrics);
    // Listening only: the Slack connection proceeds in the background and never holds up the watcher.
    const port = await slack.start();
    if (options.autoWatch ?? true) {
      watcherStartedAt = now();
      watcher.start();
    }
    logger.info({ port, mode: slack.mode, team: identity?.team, store: store.kind, tics: tics.description, watchIntervalSeconds: config.watchIntervalSeconds }, 'tics-bot is up');
    const client = tics;
    let stopping: Promise<void> | undefined;
    return {
      port,
      mode: slack.mode,
      store,
      logger,
      watcher,
      connection: slack.connection,
      stop() {
        stopping ??= (async () => {
          logger.info('shutting down');
          // Finish the cycle in flight first: its alerts are recorded and its snapshot saved.
          await watcher.stop();
          await slack.stop().catch((err: unknown) => logger.warn({ err }, 'error while stopping the Slack app'));
          await client.close();
          await store.close();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await tics?.close();
    await store.close();
    throw error;
  }
}
