/**
 * Replies to `/tics watch`, `/tics unwatch` and `/tics watches`: what was set up and from when,
 * what was removed, and every subscription with its health (is polling working, can we post).
 * Pure: the command layer gathers subscriptions and health; this only lays them out within limits.
 */
import type { WatchListRow } from '../../watch/service.js';
import type { types } from '@slack/bolt';
import type { ChannelHealth, LeagueHealth, Subscription } from '../../watch/types.js';
import { plural } from '../../format/instance.js';
import { escapeAndTruncate, leagueName, mrkdwnContext, oneLine, slackDate, utcText, type SlackMessage } from './format.js';

const COMMAND = '/tics';
const BOT_MENTION = '@tics-bot';

const LEAGUE_MAX = 64;
const ID_MAX = 64;
const STATUS_MAX = 32;
const TRIGGERS_SHOWN = 10;
const ERROR_KIND_MAX = 40;
const ERROR_MESSAGE_MAX = 200;
const REASON_MAX = 300;
const TEXT_MAX = 500;
const DATE_FORMAT = '{date_short_pretty} at {time}';

/** Rows listed at most: each is a section plus a divider, and 50 blocks is Slack's cap. */
export const MAX_WATCH_ROWS = 20;
/** Block text the rows may use; the chrome around them stays under ≈ 1k. */
const ROWS_BUDGET = 10_000;
/** A poll this many intervals late with no backoff to explain it means the poller is stuck. */
const OVERDUE_INTERVALS = 3;

const SIMULATED_NOTE = ':test_tube: *Simulated data* — leagues come from tics-bot’s built-in simulator, not from Huawei Cloud TICS.';

// ---------------------------------------------------------------------------------------------
// /tics watch
// ---------------------------------------------------------------------------------------------

export interface WatchConfirmationInput {
  subscription: Subscription;
  league: { id: string; alias?: string };
  /** What the league held when watching began; absent when TICS could not be read just now. */
  baseline?: { total: number; unfinished: number; takenAt: number };
  /** Why no baseline could be taken; the first successful poll takes it instead. */
  baselineError?: string;
  /** An existing subscription whose triggers changed. */
  updated: boolean;
  channelIsPrivateHint?: boolean;
  simulated?: boolean;
}

export function buildWatchConfirmation(input: WatchConfirmationInput): SlackMessage {
  const { subscription, league } = input;
  const leagueText = leagueMrkdwn(league);
  const channel = channelMention(subscription.channelId);
  const triggers = triggersMrkdwn(subscription.triggers);
  const since = slackDate(subscription.createdAt, DATE_FORMAT);
  const headline = input.updated
    ? `:arrows_counterclockwise: Updated: ${leagueText} in ${channel} now alerts on ${triggers} (watching since ${since}).`
    : `:eyes: Watching ${leagueText} in ${channel} — alerts on ${triggers} from ${since}.`;

  const blocks: types.KnownBlock[] = [];
  if (input.simulated) blocks.push(mrkdwnContext(SIMULATED_NOTE));
  blocks.push(section(headline));
  blocks.push(section(baselineText(input)));

  const unwatch = `\`${COMMAND} unwatch ${escapeAndTruncate(leagueName(league), LEAGUE_MAX)}\``;
  const hints = [`Stop with ${unwatch} in ${channel}`, `\`${COMMAND} watches\` lists a channel’s watches`];
  blocks.push(mrkdwnContext(hints.join('  ·  ')));
  blocks.push(
    mrkdwnContext(
      input.channelIsPrivateHint
        ? `:lock: This is a private channel: invite the bot with \`/invite ${BOT_MENTION}\` there, or no alert can be posted.`
        : `:lock: Private channels need the bot invited first (\`/invite ${BOT_MENTION}\`).`,
    ),
  );

  const text =
    `${input.updated ? 'Updated watch' : 'Watching'} ${leagueName(league)}: alerts on ${subscription.triggers.join(', ') || 'nothing'} ` +
    `from ${utcText(subscription.createdAt)}` +
    (input.baseline ? `. ${plural(input.baseline.total, 'instance')} known now (${input.baseline.unfinished.toLocaleString('en-US')} still running).` : '.');
  return { text: escapeAndTruncate(text, TEXT_MAX), blocks };
}

function baselineText(input: WatchConfirmationInput): string {
  const { baseline } = input;
  const triggers = input.subscription.triggers.length ? triggersMrkdwn(input.subscription.triggers, 'or') : 'a trigger status';
  if (!baseline) {
    const why = input.baselineError ? ` (${escapeAndTruncate(oneLine(input.baselineError), REASON_MAX)})` : '';
    return (
      `:hourglass: TICS could not be read just now${why}. The first successful poll records what the league already holds; ` +
      `only instances that reach ${triggers} after that are alerted. \`${COMMAND} watches\` shows how polling is going.`
    );
  }
  const taken = slackDate(baseline.takenAt, DATE_FORMAT);
  if (baseline.total === 0) return `:seedling: The league has no instances yet (checked ${taken}): every new one is watched.`;
  const known = `*${plural(baseline.total, 'instance')}* known as of ${taken}`;
  if (baseline.unfinished === 0) return `${known}, all finished: those are not alerted, only new instances that reach ${triggers}.`;
  return (
    `${known} (*${baseline.unfinished.toLocaleString('en-US')} still running*): those already finished are not alerted; ` +
    `the running ones alert if they reach ${triggers}.`
  );
}

// ---------------------------------------------------------------------------------------------
// /tics unwatch
// ---------------------------------------------------------------------------------------------

export interface UnwatchConfirmationInput {
  league: { id: string; alias?: string };
  channelId: string;
  removed: boolean;
  /** Declared in TICS_WATCH configuration: Slack cannot remove it. */
  configManaged?: boolean;
  /** Alerts that were waiting to be posted and now never will be. */
  pendingDropped?: number;
}

export function buildUnwatchConfirmation(input: UnwatchConfirmationInput): SlackMessage {
  const leagueText = leagueMrkdwn(input.league);
  const channel = channelMention(input.channelId);
  const name = leagueName(input.league);
  let headline: string;
  let hint: string;
  let text: string;
  if (input.removed) {
    const dropped = input.pendingDropped ? ` ${plural(input.pendingDropped, 'alert')} still waiting to be posted ${input.pendingDropped === 1 ? 'was' : 'were'} dropped.` : '';
    headline = `:no_bell: Stopped watching ${leagueText} in ${channel}.${dropped}`;
    hint = `Watch it again with \`${COMMAND} watch ${escapeAndTruncate(name, LEAGUE_MAX)}\` in ${channel}.`;
    text = `Stopped watching ${name}.${dropped}`;
  } else if (input.configManaged) {
    headline = `:gear: ${leagueText} in ${channel} is watched because the \`TICS_WATCH\` setting says so — it can only be removed there.`;
    hint = 'Ask whoever runs tics-bot to change `TICS_WATCH` and restart it.';
    text = `${name} is watched by configuration (TICS_WATCH) and cannot be removed from Slack.`;
  } else {
    headline = `:shrug: Was not watching ${leagueText} in ${channel} — nothing changed.`;
    hint = `\`${COMMAND} watches\` lists this channel’s watches, \`${COMMAND} watches all\` every channel’s.`;
    text = `Was not watching ${name} in that channel; nothing changed.`;
  }
  return { text: escapeAndTruncate(text, TEXT_MAX), blocks: [section(headline), mrkdwnContext(hint)] };
}

// ---------------------------------------------------------------------------------------------
// /tics watches
// ---------------------------------------------------------------------------------------------

/** One subscription with its health, as the watch service reports it. */
export type WatchRow = WatchListRow;

export interface WatchesInput {
  rows: WatchRow[];
  scope: 'channel' | 'all';
  channelId: string;
  now: number;
  intervalSeconds: number;
  simulated?: boolean;
}

export function buildWatchesMessage(input: WatchesInput): SlackMessage {
  const here = channelMention(input.channelId);
  const title = input.scope === 'all' ? 'Watches in every channel' : 'Watches in this channel';
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: title, emoji: false } }];
  if (input.simulated) blocks.push(mrkdwnContext(SIMULATED_NOTE));

  if (input.rows.length === 0) {
    const where = input.scope === 'all' ? 'No channel watches a league yet.' : `${here} does not watch any league yet.`;
    blocks.push(
      section(
        `:zzz: ${where} Start with \`${COMMAND} watch &lt;league&gt;\` (alerts on FAILED and TERMINATED), ` +
          `or choose statuses: \`${COMMAND} watch &lt;league&gt; on:FAILED\`.` +
          (input.scope === 'channel' ? ` \`${COMMAND} watches all\` lists every channel’s watches.` : ''),
      ),
    );
    return { text: input.scope === 'all' ? 'No watches yet.' : 'No watches in this channel yet.', blocks };
  }

  const rows = sortRows(input.rows, input);
  const troubled = rows.filter((row) => rowProblems(row, input).length > 0).length;
  const summary = [
    `*${plural(rows.length, 'watch', 'watches')}*${input.scope === 'channel' ? ` in ${here}` : ''}`,
    troubled ? `:warning: ${troubled.toLocaleString('en-US')} with problems (listed first)` : 'all healthy',
    `polling every ${plural(input.intervalSeconds, 'second')}`,
  ];
  blocks.push(mrkdwnContext(summary.join('  ·  ')), { type: 'divider' });

  let used = 0;
  let shown = 0;
  for (const row of rows.slice(0, MAX_WATCH_ROWS)) {
    const text = rowText(row, input);
    if (used + text.length > ROWS_BUDGET) break;
    if (shown > 0) blocks.push({ type: 'divider' });
    blocks.push(section(text));
    used += text.length;
    shown++;
  }
  if (shown < rows.length) {
    const narrow = input.scope === 'all' ? ` Run \`${COMMAND} watches\` in a channel to see only its watches.` : '';
    blocks.push(mrkdwnContext(`…and ${plural(rows.length - shown, 'more watch', 'more watches')} not shown here.${narrow}`));
  }

  const scope = input.scope === 'all' ? 'in every channel' : 'in this channel';
  const problems = troubled ? `, ${troubled.toLocaleString('en-US')} with problems` : '';
  return { text: `${plural(rows.length, 'watch', 'watches')} ${scope}${problems}.`, blocks };
}

/** Problems first (they are why people look), then by league and channel for a stable order. */
function sortRows(rows: readonly WatchRow[], input: WatchesInput): WatchRow[] {
  const key = (row: WatchRow) => `${leagueName(row.league).toLowerCase()}\u0000${row.subscription.channelId}`;
  const rank = (row: WatchRow) => (rowProblems(row, input).length > 0 ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function rowText(row: WatchRow, input: WatchesInput): string {
  const { subscription } = row;
  const title = `${leagueMrkdwn(row.league)} → ${channelMention(subscription.channelId)}  ·  on ${triggersMrkdwn(subscription.triggers)}`;
  const origin =
    subscription.source === 'config'
      ? 'from configuration (`TICS_WATCH`)'
      : `added${subscription.createdBy ? ` by ${userMention(subscription.createdBy)}` : ''} ${slackDate(subscription.createdAt, DATE_FORMAT)}`;
  const lines = [title, origin, ...pollLines(row.leagueHealth, subscription.createdAt, input), ...channelLines(row)];
  return lines.join('\n');
}

function rowProblems(row: WatchRow, input: WatchesInput): string[] {
  return [...pollLines(row.leagueHealth, row.subscription.createdAt, input), ...channelLines(row)].filter((line) => line.startsWith(':warning:'));
}

function pollingFailing(health: LeagueHealth | undefined): boolean {
  return health?.lastError !== undefined && (health.lastSuccessAt === undefined || health.lastError.at >= health.lastSuccessAt);
}

function pollLines(health: LeagueHealth | undefined, createdAt: number, input: WatchesInput): string[] {
  if (!health || (health.lastPollAt === undefined && health.lastError === undefined)) {
    return [isOverdue(createdAt, input) ? `:warning: not polled yet — ${pollerStuck(input)}` : ':hourglass: not polled yet'];
  }
  const lines: string[] = [];
  if (pollingFailing(health) && health.lastError) {
    const error = health.lastError;
    const detail = [
      `${plural(health.consecutiveFailures, 'failure')} in a row`,
      health.lastSuccessAt === undefined ? 'never succeeded' : `last success ${slackDate(health.lastSuccessAt, DATE_FORMAT)}`,
      `last try ${slackDate(error.at, DATE_FORMAT)}`,
    ];
    if (health.nextPollAt !== undefined) detail.push(`retrying ${slackDate(health.nextPollAt, DATE_FORMAT)}`);
    if (error.requestId) detail.push(`request id \`${escapeAndTruncate(error.requestId, ID_MAX)}\``);
    lines.push(
      `:warning: polling failing: \`${escapeAndTruncate(oneLine(error.kind), ERROR_KIND_MAX)}\` ` +
        `${escapeAndTruncate(oneLine(error.message), ERROR_MESSAGE_MAX)} (${detail.join(', ')})`,
    );
    return lines;
  }
  const last = health.lastSuccessAt ?? health.lastPollAt;
  if (last !== undefined) {
    const waiting = health.nextPollAt !== undefined && health.nextPollAt > input.now;
    if (isOverdue(last, input) && !waiting) {
      lines.push(`:warning: last poll ${slackDate(last, DATE_FORMAT)} — ${pollerStuck(input)}`);
    } else {
      const next = waiting && health.nextPollAt !== undefined ? `, next ${slackDate(health.nextPollAt, DATE_FORMAT)}` : '';
      lines.push(`:white_check_mark: last poll ${slackDate(last, DATE_FORMAT)}${next}`);
    }
  }
  if (health.lastCutShort) {
    lines.push(':hourglass_flowing_sand: the last poll stopped at its page limit before catching up; the next ones continue');
  }
  return lines;
}

function isOverdue(since: number, input: WatchesInput): boolean {
  return input.now - since > OVERDUE_INTERVALS * input.intervalSeconds * 1000;
}

function pollerStuck(input: WatchesInput): string {
  return `overdue (polling every ${plural(input.intervalSeconds, 'second')}): the poller may be stuck, check tics-bot’s logs`;
}

/** The channel's last post failed, and nothing has been posted since. */
function channelProblem(health: ChannelHealth | undefined): ChannelHealth['lastError'] {
  const error = health?.lastError;
  if (!error) return undefined;
  return health?.lastPostAt === undefined || error.at >= health.lastPostAt ? error : undefined;
}

const CHANNEL_ADVICE: Readonly<Record<string, string>> = {
  not_in_channel: `invite ${BOT_MENTION} (\`/invite ${BOT_MENTION}\`)`,
  channel_not_found: `the channel is gone or private — invite ${BOT_MENTION}, or \`${COMMAND} unwatch\` it`,
  is_archived: `the channel is archived — unarchive it or \`${COMMAND} unwatch\` it`,
  channel_is_archived: `the channel is archived — unarchive it or \`${COMMAND} unwatch\` it`,
  restricted_action: 'a workspace setting stops the bot posting here — ask a Slack admin',
};

function channelLines(row: WatchRow): string[] {
  const lines: string[] = [];
  const problem = channelProblem(row.channelHealth);
  if (problem) {
    const code = escapeAndTruncate(oneLine(problem.code), ERROR_KIND_MAX);
    const advice = CHANNEL_ADVICE[problem.code] ?? 'tics-bot keeps the alerts and retries';
    lines.push(`:warning: can’t post here: \`${code}\` — ${advice} (last tried ${slackDate(problem.at, DATE_FORMAT)})`);
  }
  const facts: string[] = [];
  if (row.pendingAlerts > 0) facts.push(`:outbox_tray: ${plural(row.pendingAlerts, 'alert')} waiting to be posted`);
  const lastAlert = row.lastAlertAt ?? row.channelHealth?.lastPostAt;
  facts.push(lastAlert === undefined ? 'no alert posted yet' : `last alert ${slackDate(lastAlert, DATE_FORMAT)}`);
  lines.push(facts.join('  ·  '));
  return lines;
}

// ---------------------------------------------------------------------------------------------

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** "*credit-risk* `3f1c…`", or just the id in code when there is no alias. */
function leagueMrkdwn(league: { id: string; alias?: string }): string {
  const id = `\`${escapeAndTruncate(league.id, ID_MAX)}\``;
  return league.alias ? `*${escapeAndTruncate(league.alias, LEAGUE_MAX)}* ${id}` : id;
}

function triggersMrkdwn(triggers: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (triggers.length === 0) return '_no status_';
  const shown = triggers.slice(0, TRIGGERS_SHOWN).map((t) => `\`${escapeAndTruncate(t.replace(/`/g, 'ˋ'), STATUS_MAX)}\``);
  const more = triggers.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1] ?? ''}`;
}

// Mentions are built from ids Slack gave us; anything else is shown as text, never as a token,
// so a crafted id cannot smuggle `<!channel>` into the message.
const CHANNEL_ID = /^[CGD][A-Z0-9]{1,20}$/;
const USER_ID = /^[UW][A-Z0-9]{1,20}$/;

function channelMention(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : `channel \`${escapeAndTruncate(channelId, ID_MAX)}\``;
}

function userMention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : `\`${escapeAndTruncate(userId, ID_MAX)}\``;
}
