/**
 * Replies to `/tics watch`, `/tics unwatch` and `/tics watches`: what was set up and from when,
 * what was removed, and every subscription with its health (is polling working, can we post).
 * Pure: the command layer gathers subscriptions and health; this only lays them out within limits.
 */
import type { SnoozeRow, WatchListRow } from '../../watch/service.js';
import type { types } from '@slack/bolt';
import type { ChannelHealth, LeagueHealth, Subscription } from '../../watch/types.js';
import { plural } from '../../format/instance.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';
import { escapeAndTruncate, leagueName, mrkdwnContext, oneLine, slackDate, utcText, type SlackMessage } from './format.js';
import { optionsLine, optionsText, snoozeLines } from './watch-extras.js';

const BOT_MENTION = '@tics-bot';
const INVITE = `\`/invite ${BOT_MENTION}\``;

const LEAGUE_MAX = 64;
const ID_MAX = 64;
const STATUS_MAX = 32;
const TRIGGERS_SHOWN = 10;
const ERROR_KIND_MAX = 40;
const ERROR_MESSAGE_MAX = 200;
const REASON_MAX = 300;
const TEXT_MAX = 500;
const DATE_FORMAT = '{date_short_pretty} at {time}';

/** Rows listed at most: each is a section plus a divider, under SLACK_LIMITS.blocksPerMessage. */
export const MAX_WATCH_ROWS = 20;
/** Block text the rows may use; the chrome around them stays under ≈ 1k of the message budget. */
const ROWS_BUDGET = SLACK_LIMITS.totalBlockText - 2_000;
/** A poll this many intervals late with no backoff to explain it means the poller is stuck. */
const OVERDUE_INTERVALS = 3;

const copy = {
  simulated: sharedCopy.simulatedNote('leagues'),
  watch: {
    updated: (league: string, channel: string, triggers: string, since: string) =>
      `:arrows_counterclockwise: Updated: ${league} in ${channel} now alerts on ${triggers} (watching since ${since}).`,
    created: (league: string, channel: string, triggers: string, since: string) =>
      `:eyes: Watching ${league} in ${channel} — alerts on ${triggers} from ${since}.`,
    stop: (league: string, channel: string) => `Stop with ${sharedCopy.command(`unwatch ${league}`)} in ${channel}`,
    list: `${sharedCopy.command('watches')} lists a channel’s watches`,
    privateHere: `:lock: This is a private channel: invite the bot with ${INVITE} there, or no alert can be posted.`,
    privateHint: `:lock: Private channels need the bot invited first (${INVITE}).`,
    text: (updated: boolean, league: string, triggers: readonly string[], from: string, baseline: string) =>
      `${updated ? 'Updated watch' : 'Watching'} ${league}: alerts on ${triggers.join(', ') || 'nothing'} from ${from}${baseline}`,
    textBaseline: (total: number, unfinished: number) => `. ${plural(total, 'instance')} known now (${unfinished.toLocaleString('en-US')} still running).`,
    anyTrigger: 'a trigger status',
    noBaseline: (why: string | undefined, triggers: string) =>
      `:hourglass: TICS could not be read just now${why === undefined ? '' : ` (${why})`}. The first successful poll records what the league already holds; ` +
      `only instances that reach ${triggers} after that are alerted. ${sharedCopy.command('watches')} shows how polling is going.`,
    emptyLeague: (taken: string) => `:seedling: The league has no instances yet (checked ${taken}): every new one is watched.`,
    known: (total: number, taken: string) => `*${plural(total, 'instance')}* known as of ${taken}`,
    allFinished: (known: string, triggers: string) => `${known}, all finished: those are not alerted, only new instances that reach ${triggers}.`,
    someRunning: (known: string, unfinished: number, triggers: string) =>
      `${known} (*${unfinished.toLocaleString('en-US')} still running*): those already finished are not alerted; ` +
      `the running ones alert if they reach ${triggers}.`,
  },
  unwatch: {
    dropped: (count: number) => ` ${plural(count, 'alert')} still waiting to be posted ${count === 1 ? 'was' : 'were'} dropped.`,
    removed: (league: string, channel: string, dropped: string) => `:no_bell: Stopped watching ${league} in ${channel}.${dropped}`,
    removedHint: (league: string, channel: string) => `Watch it again with ${sharedCopy.command(`watch ${league}`)} in ${channel}.`,
    removedText: (league: string, dropped: string) => `Stopped watching ${league}.${dropped}`,
    config: (league: string, channel: string) =>
      `:gear: ${league} in ${channel} is watched because the \`TICS_WATCH\` setting says so — it can only be removed there.`,
    configHint: 'Ask whoever runs tics-bot to change `TICS_WATCH` and restart it.',
    configText: (league: string) => `${league} is watched by configuration (TICS_WATCH) and cannot be removed from Slack.`,
    absent: (league: string, channel: string) => `:shrug: Was not watching ${league} in ${channel} — nothing changed.`,
    absentHint: `${sharedCopy.command('watches')} lists this channel’s watches, ${sharedCopy.command('watches all')} every channel’s.`,
    absentText: (league: string) => `Was not watching ${league} in that channel; nothing changed.`,
  },
  watches: {
    title: (all: boolean) => (all ? 'Watches in every channel' : 'Watches in this channel'),
    none: (all: boolean, here: string) => (all ? 'No channel watches a league yet.' : `${here} does not watch any league yet.`),
    start: (none: string, all: boolean) =>
      `:zzz: ${none} Start with ${sharedCopy.command('watch &lt;league&gt;')} (alerts on FAILED and TERMINATED), ` +
      `or choose statuses: ${sharedCopy.command('watch &lt;league&gt; on:FAILED')}.` +
      (all ? '' : ` ${sharedCopy.command('watches all')} lists every channel’s watches.`),
    noneText: (all: boolean) => (all ? 'No watches yet.' : 'No watches in this channel yet.'),
    count: (count: number) => plural(count, 'watch', 'watches'),
    countHere: (count: string, here: string | undefined) => `*${count}*${here === undefined ? '' : ` in ${here}`}`,
    troubled: (count: number) => `:warning: ${count.toLocaleString('en-US')} with problems (listed first)`,
    healthy: 'all healthy',
    polling: (seconds: number) => `polling every ${plural(seconds, 'second')}`,
    more: (count: number, all: boolean) =>
      `…and ${plural(count, 'more watch', 'more watches')} not shown here.` +
      (all ? ` Run ${sharedCopy.command('watches')} in a channel to see only its watches.` : ''),
    text: (count: string, all: boolean, troubled: number) =>
      `${count} ${all ? 'in every channel' : 'in this channel'}${troubled ? `, ${troubled.toLocaleString('en-US')} with problems` : ''}.`,
  },
  row: {
    title: (league: string, channel: string, triggers: string) => `${league} → ${channel}  ·  on ${triggers}`,
    fromConfig: 'from configuration (`TICS_WATCH`)',
    added: (by: string | undefined, when: string) => `added${by === undefined ? '' : ` by ${by}`} ${when}`,
    notPolledYet: ':hourglass: not polled yet',
    notPolledOverdue: (stuck: string) => `:warning: not polled yet — ${stuck}`,
    failures: (count: number) => `${plural(count, 'failure')} in a row`,
    neverSucceeded: 'never succeeded',
    lastSuccess: (when: string) => `last success ${when}`,
    lastTry: (when: string) => `last try ${when}`,
    retrying: (when: string) => `retrying ${when}`,
    requestId: (id: string) => `request id \`${id}\``,
    failing: (kind: string, message: string, detail: string[]) => `:warning: polling failing: \`${kind}\` ${message} (${detail.join(', ')})`,
    lastPollOverdue: (when: string, stuck: string) => `:warning: last poll ${when} — ${stuck}`,
    lastPoll: (when: string, next: string | undefined) => `:white_check_mark: last poll ${when}${next === undefined ? '' : `, next ${next}`}`,
    cutShort: ':hourglass_flowing_sand: the last poll stopped at its page limit before catching up; the next ones continue',
    stuck: (seconds: number) => `overdue (polling every ${plural(seconds, 'second')}): the poller may be stuck, check tics-bot’s logs`,
    cannotPost: (code: string, advice: string, when: string) => `:warning: can’t post here: \`${code}\` — ${advice} (last tried ${when})`,
    retryingPosts: 'tics-bot keeps the alerts and retries',
    pending: (count: number) => `:outbox_tray: ${plural(count, 'alert')} waiting to be posted`,
    noAlertYet: 'no alert posted yet',
    lastAlert: (when: string) => `last alert ${when}`,
  },
  /** What to do about a Slack error code when posting in a channel. */
  channelAdvice: {
    not_in_channel: `invite ${BOT_MENTION} (${INVITE})`,
    channel_not_found: `the channel is gone or private — invite ${BOT_MENTION}, or ${sharedCopy.command('unwatch')} it`,
    is_archived: `the channel is archived — unarchive it or ${sharedCopy.command('unwatch')} it`,
    channel_is_archived: `the channel is archived — unarchive it or ${sharedCopy.command('unwatch')} it`,
    restricted_action: 'a workspace setting stops the bot posting here — ask a Slack admin',
  } as Readonly<Record<string, string>>,
  noStatus: '_no status_',
  andMore: (shown: string, more: number) => `${shown} and ${more} more`,
  channel: (id: string) => `channel \`${id}\``,
} as const;

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
  /** Which options the command gave; the others were kept from the existing watch. */
  given?: { notify: boolean; stuck: boolean; recovery: boolean };
}

export function buildWatchConfirmation(input: WatchConfirmationInput): SlackMessage {
  const { subscription, league } = input;
  const leagueText = leagueMrkdwn(league);
  const channel = channelMention(subscription.channelId);
  const triggers = triggersMrkdwn(subscription.triggers);
  const since = slackDate(subscription.createdAt, DATE_FORMAT);
  const headline = (input.updated ? copy.watch.updated : copy.watch.created)(leagueText, channel, triggers, since);

  const blocks: types.KnownBlock[] = [];
  if (input.simulated) blocks.push(mrkdwnContext(copy.simulated));
  blocks.push(section(headline));
  const options = optionsLine(subscription, input.given);
  if (options) blocks.push(section(options));
  blocks.push(section(baselineText(input)));

  const hints = [copy.watch.stop(escapeAndTruncate(leagueName(league), LEAGUE_MAX), channel), copy.watch.list];
  blocks.push(mrkdwnContext(hints.join('  ·  ')));
  blocks.push(mrkdwnContext(input.channelIsPrivateHint ? copy.watch.privateHere : copy.watch.privateHint));

  const baseline = input.baseline ? copy.watch.textBaseline(input.baseline.total, input.baseline.unfinished) : '.';
  const text = copy.watch.text(input.updated, leagueName(league), subscription.triggers, utcText(subscription.createdAt), optionsText(subscription) + baseline);
  return { text: escapeAndTruncate(text, TEXT_MAX), blocks };
}

function baselineText(input: WatchConfirmationInput): string {
  const { baseline } = input;
  const triggers = input.subscription.triggers.length ? triggersMrkdwn(input.subscription.triggers, 'or') : copy.watch.anyTrigger;
  if (!baseline) {
    const why = input.baselineError ? escapeAndTruncate(oneLine(input.baselineError), REASON_MAX) : undefined;
    return copy.watch.noBaseline(why, triggers);
  }
  const taken = slackDate(baseline.takenAt, DATE_FORMAT);
  if (baseline.total === 0) return copy.watch.emptyLeague(taken);
  const known = copy.watch.known(baseline.total, taken);
  if (baseline.unfinished === 0) return copy.watch.allFinished(known, triggers);
  return copy.watch.someRunning(known, baseline.unfinished, triggers);
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
    const dropped = input.pendingDropped ? copy.unwatch.dropped(input.pendingDropped) : '';
    headline = copy.unwatch.removed(leagueText, channel, dropped);
    hint = copy.unwatch.removedHint(escapeAndTruncate(name, LEAGUE_MAX), channel);
    text = copy.unwatch.removedText(name, dropped);
  } else if (input.configManaged) {
    headline = copy.unwatch.config(leagueText, channel);
    hint = copy.unwatch.configHint;
    text = copy.unwatch.configText(name);
  } else {
    headline = copy.unwatch.absent(leagueText, channel);
    hint = copy.unwatch.absentHint;
    text = copy.unwatch.absentText(name);
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
  /** Snoozes in force, of these watches' jobs (matched to a row by subscription id). */
  snoozes?: readonly SnoozeRow[];
}

export function buildWatchesMessage(input: WatchesInput): SlackMessage {
  const here = channelMention(input.channelId);
  const all = input.scope === 'all';
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: copy.watches.title(all), emoji: false } }];
  if (input.simulated) blocks.push(mrkdwnContext(copy.simulated));

  if (input.rows.length === 0) {
    blocks.push(section(copy.watches.start(copy.watches.none(all, here), all)));
    return { text: copy.watches.noneText(all), blocks };
  }

  const rows = sortRows(input.rows, input);
  const troubled = rows.filter((row) => rowProblems(row, input).length > 0).length;
  const summary = [
    copy.watches.countHere(copy.watches.count(rows.length), all ? undefined : here),
    troubled ? copy.watches.troubled(troubled) : copy.watches.healthy,
    copy.watches.polling(input.intervalSeconds),
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
  if (shown < rows.length) blocks.push(mrkdwnContext(copy.watches.more(rows.length - shown, all)));
  return { text: copy.watches.text(copy.watches.count(rows.length), all, troubled), blocks };
}

/** Problems first (they are why people look), then by league and channel for a stable order. App Home lists them the same way. */
export function sortRows(rows: readonly WatchRow[], input: WatchesInput): WatchRow[] {
  const key = (row: WatchRow) => `${leagueName(row.league).toLowerCase()}\u0000${row.subscription.channelId}`;
  const rank = (row: WatchRow) => (rowProblems(row, input).length > 0 ? 0 : 1);
  return [...rows].sort((a, b) => rank(a) - rank(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One watch with its options, health and snoozes (App Home shows the same text). */
export function rowText(row: WatchRow, input: WatchesInput): string {
  const { subscription } = row;
  const title = copy.row.title(leagueMrkdwn(row.league), channelMention(subscription.channelId), triggersMrkdwn(subscription.triggers));
  const origin =
    subscription.source === 'config'
      ? copy.row.fromConfig
      : copy.row.added(subscription.createdBy ? userMention(subscription.createdBy) : undefined, slackDate(subscription.createdAt, DATE_FORMAT));
  const options = optionsLine(subscription);
  const snoozed = (input.snoozes ?? []).filter((s) => s.subscriptionId === subscription.id);
  const lines = [title, origin, ...(options ? [options] : []), ...pollLines(row.leagueHealth, subscription.createdAt, input), ...channelLines(row), ...snoozeLines(snoozed)];
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
    return [isOverdue(createdAt, input) ? copy.row.notPolledOverdue(pollerStuck(input)) : copy.row.notPolledYet];
  }
  const lines: string[] = [];
  if (pollingFailing(health) && health.lastError) {
    const error = health.lastError;
    const detail = [
      copy.row.failures(health.consecutiveFailures),
      health.lastSuccessAt === undefined ? copy.row.neverSucceeded : copy.row.lastSuccess(slackDate(health.lastSuccessAt, DATE_FORMAT)),
      copy.row.lastTry(slackDate(error.at, DATE_FORMAT)),
    ];
    if (health.nextPollAt !== undefined) detail.push(copy.row.retrying(slackDate(health.nextPollAt, DATE_FORMAT)));
    if (error.requestId) detail.push(copy.row.requestId(escapeAndTruncate(error.requestId, ID_MAX)));
    lines.push(
      copy.row.failing(escapeAndTruncate(oneLine(error.kind), ERROR_KIND_MAX), escapeAndTruncate(oneLine(error.message), ERROR_MESSAGE_MAX), detail),
    );
    return lines;
  }
  const last = health.lastSuccessAt ?? health.lastPollAt;
  if (last !== undefined) {
    const waiting = health.nextPollAt !== undefined && health.nextPollAt > input.now;
    if (isOverdue(last, input) && !waiting) {
      lines.push(copy.row.lastPollOverdue(slackDate(last, DATE_FORMAT), pollerStuck(input)));
    } else {
      const next = waiting && health.nextPollAt !== undefined ? slackDate(health.nextPollAt, DATE_FORMAT) : undefined;
      lines.push(copy.row.lastPoll(slackDate(last, DATE_FORMAT), next));
    }
  }
  if (health.lastCutShort) lines.push(copy.row.cutShort);
  return lines;
}

function isOverdue(since: number, input: WatchesInput): boolean {
  return input.now - since > OVERDUE_INTERVALS * input.intervalSeconds * 1000;
}

function pollerStuck(input: WatchesInput): string {
  return copy.row.stuck(input.intervalSeconds);
}

/** The channel's last post failed, and nothing has been posted since. */
function channelProblem(health: ChannelHealth | undefined): ChannelHealth['lastError'] {
  const error = health?.lastError;
  if (!error) return undefined;
  return health?.lastPostAt === undefined || error.at >= health.lastPostAt ? error : undefined;
}

function channelLines(row: WatchRow): string[] {
  const lines: string[] = [];
  const problem = channelProblem(row.channelHealth);
  if (problem) {
    const code = escapeAndTruncate(oneLine(problem.code), ERROR_KIND_MAX);
    const advice = Object.hasOwn(copy.channelAdvice, problem.code) ? copy.channelAdvice[problem.code] : undefined;
    lines.push(copy.row.cannotPost(code, advice ?? copy.row.retryingPosts, slackDate(problem.at, DATE_FORMAT)));
  }
  const facts: string[] = [];
  if (row.pendingAlerts > 0) facts.push(copy.row.pending(row.pendingAlerts));
  const lastAlert = row.lastAlertAt ?? row.channelHealth?.lastPostAt;
  facts.push(lastAlert === undefined ? copy.row.noAlertYet : copy.row.lastAlert(slackDate(lastAlert, DATE_FORMAT)));
  lines.push(facts.join('  ·  '));
  return lines;
}

// ---------------------------------------------------------------------------------------------

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

/** "*credit-risk* `3f1c…`", or just the id in code when there is no alias. */
/** `*Real name* (alias) \`id\``, `*alias* \`id\`` or the id: a real name is there when the caller knew it. */
function leagueMrkdwn(league: { id: string; alias?: string; name?: string }): string {
  const id = `\`${escapeAndTruncate(league.id, ID_MAX)}\``;
  if (league.name) return `*${escapeAndTruncate(oneLine(league.name), LEAGUE_MAX)}*${league.alias ? ` (${escapeAndTruncate(league.alias, LEAGUE_MAX)})` : ''} ${id}`;
  return league.alias ? `*${escapeAndTruncate(league.alias, LEAGUE_MAX)}* ${id}` : id;
}

function triggersMrkdwn(triggers: readonly string[], conjunction: 'and' | 'or' = 'and'): string {
  if (triggers.length === 0) return copy.noStatus;
  const shown = triggers.slice(0, TRIGGERS_SHOWN).map((t) => `\`${escapeAndTruncate(t.replace(/`/g, 'ˋ'), STATUS_MAX)}\``);
  const more = triggers.length - shown.length;
  if (more > 0) return copy.andMore(shown.join(', '), more);
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} ${conjunction} ${shown[shown.length - 1] ?? ''}`;
}

// Mentions are built from ids Slack gave us; anything else is shown as text, never as a token,
// so a crafted id cannot smuggle `<!channel>` into the message.
const CHANNEL_ID = /^[CGD][A-Z0-9]{1,20}$/;
const USER_ID = /^[UW][A-Z0-9]{1,20}$/;

function channelMention(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : copy.channel(escapeAndTruncate(channelId, ID_MAX));
}

function userMention(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : `\`${escapeAndTruncate(userId, ID_MAX)}\``;
}
