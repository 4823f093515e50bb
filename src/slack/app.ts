/**
 * Builds the Bolt app: HTTP mode (`POST /slack/events`) unless an app token selects Socket Mode;
 * `GET /livez`, `/readyz` and `/healthz` in both. Listeners are registered here and nowhere else.
 */
import type { Server, ServerResponse } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi, type CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';
import { fetch as undiciFetch } from 'undici';
import type { SlackConfig } from '../config.js';
import type { ReadinessReport } from '../health.js';
import { toBoltLogger, type Logger } from '../log.js';
import { registerAlertActions } from './actions/alert.js';
import { registerIncidentActions } from './actions/incident.js';
import { registerHistoryActions } from './actions/history.js';
import { registerLeaguePicker } from './actions/league-picker.js';
import { registerLeaguesActions } from './actions/leagues.js';
import { registerHome } from './home.js';
import { registerUnknownActions } from './actions/unknown.js';
import { registerCommands } from './commands/index.js';
import { runConnectionLoop, SlackConnection, type BackoffOptions, type ConnectionLoop } from './connection.js';
import type { SlackDeps } from './deps.js';
import { instrumentAcks } from './interaction-metrics.js';
import { metricsRoute } from './metrics-route.js';
import { createReplyTransport, type ReplyTransport } from './respond.js';
import { createRoutesServer } from './routes-server.js';

export interface BotIdentity {
  botId: string;
  botUserId: string;
  team?: string;
}

export interface SlackAppOptions {
  slack: SlackConfig;
  deps: SlackDeps;
  /** Undefined when Slack did not answer auth.test at start: checked again before connecting. */
  identity: BotIdentity | undefined;
  ready: () => Promise<ReadinessReport>;
  /** Retry delays for the Slack connection (tests shorten them). */
  backoff?: BackoffOptions;
  /** Served at `GET /metrics` when given. */
  metricsRegistry?: Registry;
}

export interface SlackApp {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  /** Connection state for readiness and metrics (`connected` / `disconnected` / `reconnecting` events). */
  readonly connection: SlackConnection;
  /**
   * Resolves with the port once the HTTP server listens; the Slack connection (Socket Mode, or the
   * token check if Slack was down at start) goes on in the background.
   */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The Web API clients' transport: undici is loaded anyway (TICS, replies), and Node's own `fetch`
 * would load a second copy of it (~8 MB of RSS) for auth.test alone.
 */
const webApiFetch = undiciFetch as unknown as typeof globalThis.fetch;

// apps.connections.open per attempt: our loop retries with backoff, web-api's retries would hide failures.
const SOCKET_OPEN_TIMEOUT_MS = 5_000;

const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

/** The socket-mode client logs every failed attempt at error; the connection loop reports them at warn with the reason. */
function socketClientLogger(base: Logger): ReturnType<typeof toBoltLogger> {
  const bolt = toBoltLogger(base);
  bolt.setName('socket-mode');
  return { ...bolt, error: (...msg: unknown[]) => bolt.warn(...msg) };
}

export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { slack, deps } = options;
  const logger = toBoltLogger(deps.logger);
  const readiness = (_req: unknown, res: ServerResponse) => {
    void Promise.resolve()
      .then(() => options.ready())
      .then(
        (report) => sendJson(res, report.ok ? 200 : 503, report),
        () => sendJson(res, 503, { ok: false }),
      );
  };
  const customRoutes: CustomRoute[] = [
    // Answered from the event loop with no I/O: if this responds, the process is alive.
    { path: '/livez', method: ['GET'], handler: (_req, res) => sendJson(res, 200, { ok: true }) },
    { path: '/readyz', method: ['GET'], handler: readiness },
    { path: '/healthz', method: ['GET'], handler: readiness },
    ...(options.metricsRegistry ? [metricsRoute(options.metricsRegistry)] : []),
  ];
  const mode = slack.appToken ? 'socket' : 'http';
  const connection = new SlackConnection(mode, deps.now);
  const apiUrl = slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {};
  // Socket Mode: the custom routes get our own server (routes-server.ts), so none go to the receiver.
  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({
          appToken: slack.appToken!,
          logger: socketClientLogger(deps.logger),
          autoReconnectEnabled: false,
          installerOptions: { clientOptions: { ...apiUrl, fetch: webApiFetch, timeout: SOCKET_OPEN_TIMEOUT_MS, retryConfig: { retries: 0 } } },
        })
      : new HTTPReceiver({ signingSecret: slack.signingSecret!, logger, customRoutes, endpoints: '/slack/events', processBeforeResponse: false });
  let identity = options.identity;
  const app = new App({
    receiver,
    logger,
    // Instead of `token`: Bolt would call auth.test without a bound; ours is checked by verifySlackToken().
    authorize: () =>
      Promise.resolve({
        botToken: slack.botToken,
        ...(identity?.botId === undefined ? {} : { botId: identity.botId }),
        ...(identity?.botUserId === undefined ? {} : { botUserId: identity.botUserId }),
      }),
    clientOptions: { ...apiUrl, fetch: webApiFetch, retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 } },
  });
  const replies = useReplyTransport(app, createReplyTransport(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}));
  if (deps.metrics) instrumentAcks(app, deps.metrics);
  app.error(async (error) => {
    deps.logger.error({ err: { name: error.name, message: error.message, code: error.code } }, 'unhandled error in a Slack listener');
    await Promise.resolve();
  });
  registerCommands(app, deps);
  registerHistoryActions(app, deps);
  registerLeaguesActions(app, deps);
  registerLeaguePicker(app, deps);
  registerAlertActions(app, deps);
  registerIncidentActions(app, deps);
  registerHome(app, deps);
  registerUnknownActions(app, deps);

  const routesServer = mode === 'socket' ? createRoutesServer(customRoutes) : undefined;
  const prepare = async () => {
    identity = await verifySlackToken(slack, deps.logger, SOCKET_OPEN_TIMEOUT_MS, 0);
  };
  let loop: ConnectionLoop | undefined;

  return {
    app,
    mode,
    connection,
    async start() {
      let port: number;
      if (routesServer) port = await routesServer.listen(slack.port);
      else {
        const server = (await app.start(slack.port)) as Server;
        const address = server.address();
        port = typeof address === 'object' && address ? address.port : slack.port;
      }
      loop = runConnectionLoop({
        connection,
        logger: deps.logger.child({ component: 'slack-connection' }),
        ...(receiver instanceof SocketModeReceiver ? { client: receiver.client } : {}),
        ...(identity ? {} : { prepare }),
        ...(options.backoff ? { backoff: options.backoff } : {}),
      });
      return port;
    },
    async stop() {
      await loop?.stop();
      if (routesServer) await routesServer.close();
      else await app.stop();
      await replies.close();
    },
  };
}

/**
 * Every listener's `respond()` is `createRespond(app.fetchFn, response_url)`, and `fetchFn` serves
 * nothing else in Bolt 5. Setting it here, rather than through `clientOptions.fetch`, keeps the
 * Web API client on its own transport. A Bolt without the field fails the start, not silently.
 */
function useReplyTransport(app: App, transport: ReplyTransport): ReplyTransport {
  const target = app as unknown as { fetchFn?: unknown };
  if (typeof target.fetchFn !== 'function') throw new Error('@slack/bolt no longer has App.fetchFn: respond() cannot use the reply transport (src/slack/respond.ts)');
  target.fetchFn = transport.fetch;
  return transport;
}

/** auth.test answered and refused the token: starting cannot help. Anything else is Slack being unreachable. */
export function isTokenRejection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === webApi.ErrorCode.PlatformError || (error instanceof Error && error.message.includes('is not a bot token'));
}

/**
 * Bolt would call auth.test from its constructor with no bound: an unreachable Slack hangs or
 * crashes later. Check here, bounded, and say what is wrong.
 */
export async function verifySlackToken(slack: Pick<SlackConfig, 'botToken' | 'apiUrl'>, log: Logger, timeoutMs = 10_000, retries = 1): Promise<BotIdentity> {
  const client = new webApi.WebClient(slack.botToken, {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    fetch: webApiFetch,
    timeout: timeoutMs,
    retryConfig: { retries, factor: 1, minTimeout: 500, maxTimeout: 500 },
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
