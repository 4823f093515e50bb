/**
 * Every metric the bot exports, on a Registry of its own: tests run several bots in one process, and
 * prom-client's global registry would mix their counts (and refuse a second metric of one name).
 * Instrumented code gets the typed `BotMetrics` (or `noopMetrics`), never prom-client objects, so
 * label values can only be the bounded sets below — never a league, channel or user id.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export type InteractionKind = 'command' | 'action';
/** `/tics <subcommand>`; `unknown` for input that names no subcommand. */
export type Subcommand = 'history' | 'watch' | 'unwatch' | 'watches' | 'unsnooze' | 'leagues' | 'help' | 'unknown';
/**
 * How an interaction ended: `usage_error` bad input, `denied` TICS_ACCESS, `tics_error` TICS failed,
 * `stale_button` a button value this version cannot read, `refused` a valid request the bot declines
 * (watching disabled, a TICS_WATCH subscription), `error` a bug or a store failure.
 */
export type InteractionOutcome = 'ok' | 'usage_error' | 'denied' | 'tics_error' | 'stale_button' | 'refused' | 'error';
export type ReplyResult = 'ok' | 'failed';
export type TicsOperation = 'list_instance_history' | 'list_leagues' | 'show_league' | 'list_fl_jobs' | 'list_sql_jobs' | 'show_instance_report' | 'show_job_instance_dag';
/** `invalid_response`: a 2xx the bot could not read. `aborted`: the caller gave up (a lost lease); a poll deadline is a `timeout`. */
export type TicsOutcome = 'ok' | '4xx' | '5xx' | 'other_status' | 'invalid_response' | 'timeout' | 'network' | 'aborted';
export type AlertFailureKind = 'rate_limited' | 'transient' | 'channel' | 'fatal';

export interface BotMetrics {
  command(subcommand: Subcommand, outcome: InteractionOutcome): void;
  /** `action` must be one of the bot's own action ids or `unknown` (see slack/interaction-metrics.ts). */
  buttonClick(action: string, outcome: InteractionOutcome): void;
  ackSeconds(kind: InteractionKind, seconds: number): void;
  replySeconds(kind: InteractionKind, result: ReplyResult, seconds: number): void;
  ticsRequest(operation: TicsOperation, outcome: TicsOutcome, seconds: number): void;
  ticsRetry(operation: TicsOperation): void;
  /** A second copy of a request whose first attempt was slow (src/tics/client.ts, `hedgeAfterMs`). */
  ticsHedge(operation: TicsOperation): void;
  watchCycle(seconds: number): void;
  leaguesInBackoff(count: number): void;
  alertsRecorded(count: number): void;
  alertsSent(count: number): void;
  alertsFailed(kind: AlertFailureKind, count: number): void;
  alertsPending(count: number): void;
  /** `method`: a Slack Web API method name such as `chat.postMessage`. */
  slackRateLimited(method: string): void;
  socketReconnect(): void;
}

export const noopMetrics: BotMetrics = {
  command() {},
  buttonClick() {},
  ackSeconds() {},
  replySeconds() {},
  ticsRequest() {},
  ticsRetry() {},
  ticsHedge() {},
  watchCycle() {},
  leaguesInBackoff() {},
  alertsRecorded() {},
  alertsSent() {},
  alertsFailed() {},
  alertsPending() {},
  slackRateLimited() {},
  socketReconnect() {},
};

const PREFIX = 'tics_bot_';
// Slack gives up on an ack after 3 s: the buckets resolve the range below and around it.
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const REPLY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
// Up to the client's worst case: 4 attempts × 15 s plus backoff.
const TICS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// A cycle over 2,000 leagues takes ≈ 15 s (bench); the default interval is 60 s.
const CYCLE_BUCKETS = [0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const SLACK_METHOD = /^[a-z]+(?:\.[a-zA-Z]+)+$/;

export interface MetricsBundle {
  metrics: BotMetrics;
  registry: Registry;
}

export function createMetrics(): MetricsBundle {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  const commands = new Counter({ name: `${PREFIX}commands_total`, help: '/tics commands handled, by subcommand and outcome', labelNames: ['subcommand', 'outcome'], registers });
  const clicks = new Counter({ name: `${PREFIX}button_clicks_total`, help: 'Button clicks handled, by action id and outcome', labelNames: ['action', 'outcome'], registers });
  const ack = new Histogram({ name: `${PREFIX}ack_seconds`, help: 'From receiving a command or click to acknowledging it', labelNames: ['kind'], buckets: ACK_BUCKETS, registers });
  const reply = new Histogram({
    name: `${PREFIX}reply_seconds`,
    help: 'From receiving a command or click to its first response_url post finishing',
    labelNames: ['kind', 'result'],
    buckets: REPLY_BUCKETS,
    registers,
  });
  const ticsRequests = new Counter({ name: `${PREFIX}tics_requests_total`, help: 'TICS API requests (retries included in one request), by outcome', labelNames: ['operation', 'outcome'], registers });
  const ticsSeconds = new Histogram({ name: `${PREFIX}tics_request_seconds`, help: 'TICS API request latency, retries included', labelNames: ['operation', 'outcome'], buckets: TICS_BUCKETS, registers });
  const ticsRetries = new Counter({ name: `${PREFIX}tics_retries_total`, help: 'Retries of TICS requests (429, 5xx, network)', labelNames: ['operation'], registers });
  const ticsHedges = new Counter({ name: `${PREFIX}tics_hedged_requests_total`, help: 'Second copies of TICS requests sent because the first had not answered in time', labelNames: ['operation'], registers });
  const cycle = new Histogram({ name: `${PREFIX}watch_cycle_seconds`, help: 'Duration of a completed watch cycle (poll due leagues, deliver alerts)', buckets: CYCLE_BUCKETS, registers });
  const backoff = new Gauge({ name: `${PREFIX}watch_leagues_in_backoff`, help: 'Leagues backing off after TICS failures, as of the last watch cycle', registers });
  const recorded = new Counter({ name: `${PREFIX}alerts_recorded_total`, help: 'Alerts recorded in the outbox by this process', registers });
  const sent = new Counter({ name: `${PREFIX}alerts_sent_total`, help: 'Alerts Slack accepted (a digest counts each alert in it)', registers });
  const failed = new Counter({ name: `${PREFIX}alerts_failed_total`, help: 'Alerts in a post Slack did not accept, by failure kind', labelNames: ['kind'], registers });
  const pending = new Gauge({ name: `${PREFIX}alerts_pending`, help: 'Alerts waiting to be posted (whole store), as of the last watch cycle', registers });
  const rateLimited = new Counter({ name: `${PREFIX}slack_rate_limited_total`, help: 'HTTP 429 answers from the Slack Web API, by method', labelNames: ['method'], registers });
  const reconnects = new Counter({ name: `${PREFIX}socket_mode_reconnects_total`, help: 'Socket Mode connections re-opened after the first one', registers });

  const metrics: BotMetrics = {
    command: (subcommand, outcome) => commands.inc({ subcommand, outcome }),
    buttonClick: (action, outcome) => clicks.inc({ action, outcome }),
    ackSeconds: (kind, seconds) => ack.observe({ kind }, seconds),
    replySeconds: (kind, result, seconds) => reply.observe({ kind, result }, seconds),
    ticsRequest(operation, outcome, seconds) {
      ticsRequests.inc({ operation, outcome });
      ticsSeconds.observe({ operation, outcome }, seconds);
    },
    ticsRetry: (operation) => ticsRetries.inc({ operation }),
    ticsHedge: (operation) => ticsHedges.inc({ operation }),
    watchCycle: (seconds) => cycle.observe(seconds),
    leaguesInBackoff: (count) => backoff.set(count),
    alertsRecorded: (count) => recorded.inc(count),
    alertsSent: (count) => sent.inc(count),
    alertsFailed: (kind, count) => failed.inc({ kind }, count),
    alertsPending: (count) => pending.set(count),
    slackRateLimited: (method) => rateLimited.inc({ method: SLACK_METHOD.test(method) ? method : 'other' }),
    socketReconnect: () => reconnects.inc(),
  };
  return { metrics, registry };
}
