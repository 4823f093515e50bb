/**
 * Builds the Bolt app: HTTP mode (`POST /slack/events`) unless an app token selects Socket Mode;
 * `GET /healthz` in both. Listeners are registered here and nowhere else.
 */
import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type CustomRoute } from '@slack/bolt';
import type { SlackConfig } from '../config.js';
import { toBoltLogger, type Logger } from '../log.js';
import { registerAlertActions } from './actions/alert.js';
import { registerHistoryActions } from './actions/history.js';
import { registerUnknownActions } from './actions/unknown.js';
import { registerCommands } from './commands/index.js';
import type { SlackDeps } from './deps.js';

export interface BotIdentity {
  botId: string;
  botUserId: string;
  team?: string;
}

export interface HealthReport {
  ok: boolean;
  [key: string]: unknown;
}

export interface SlackAppOptions {
  slack: SlackConfig;
  deps: SlackDeps;
  identity: BotIdentity;
  health: () => HealthReport | Promise<HealthReport>;
}

export interface SlackApp {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  /** Resolves with the port the HTTP server listens on. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { slack, deps } = options;
  const logger = toBoltLogger(deps.logger);
  const customRoutes: CustomRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        void Promise.resolve()
          .then(options.health)
          .then(
            (report) => {
              res.writeHead(report.ok ? 200 : 503, { 'content-type': 'application/json' });
              res.end(JSON.stringify(report));
            },
            () => {
              res.writeHead(503, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ ok: false }));
            },
          );
      },
    },
  ];
  const mode = slack.appToken ? 'socket' : 'http';
  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({ appToken: slack.appToken!, logger, customRoutes, installerOptions: { port: slack.port } })
      : new HTTPReceiver({ signingSecret: slack.signingSecret!, logger, customRoutes, endpoints: '/slack/events', processBeforeResponse: false });
  const app = new App({
    token: slack.botToken,
    receiver,
    logger,
    // Verified by verifySlackToken() before we get here, with a bounded timeout.
    tokenVerificationEnabled: false,
    botId: options.identity.botId,
    botUserId: options.identity.botUserId,
    clientOptions: { ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}), retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 } },
  });
  app.error(async (error) => {
    deps.logger.error({ err: { name: error.name, message: error.message, code: error.code } }, 'unhandled error in a Slack listener');
    await Promise.resolve();
  });
  registerCommands(app, deps);
  registerHistoryActions(app, deps);
  registerAlertActions(app, deps);
  registerUnknownActions(app, deps);

  return {
    app,
    mode,
    async start() {
      if (mode === 'http') {
        const server = (await app.start(slack.port)) as Server;
        const address = server.address();
        return typeof address === 'object' && address ? address.port : slack.port;
      }
      await app.start();
      return slack.port;
    },
    async stop() {
      await app.stop();
    },
  };
}

/**
 * Bolt would call auth.test from its constructor with no bound: an unreachable Slack hangs or
 * crashes later. Check here, bounded, and say what is wrong.
 */
export async function verifySlackToken(slack: Pick<SlackConfig, 'botToken' | 'apiUrl'>, log: Logger, timeoutMs = 10_000): Promise<BotIdentity> {
  const client = new webApi.WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    timeout: timeoutMs,
    retryConfig: { retries: 1, factor: 1, minTimeout: 500, maxTimeout: 500 },
    logger: toBoltLogger(log),
  });
  let result: webApi.AuthTestResponse;
  try {
    result = await client.auth.test();
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    throw new Error(`Slack rejected or did not answer auth.test (${code}). Check SLACK_BOT_TOKEN${slack.apiUrl ? ` and SLACK_API_URL` : ''}.`, { cause: error });
  }
  if (!result.bot_id || !result.user_id) throw new Error('SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot_id).');
  return { botId: result.bot_id, botUserId: result.user_id, ...(result.team ? { team: result.team } : {}) };
}
