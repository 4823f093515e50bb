/**
 * The App Home tab: the watches a person may see with their health, the open incidents with their
 * state, the last 24 hours of alerts per league, and buttons (Refresh, History, open the incident's
 * thread, Unsnooze). Pure: the Home handler gathers the data (and the threads' permalinks); this
 * lays it out within a Home view's 100 blocks, summarising what does not fit.
 */
import type { types } from '@slack/bolt';
import type { IncidentView } from '../../watch/types.js';
import type { LeagueAlertCount, SnoozeRow, WatchListRow } from '../../watch/service.js';
import { plural } from '../../format/instance.js';
import { statusShortcode } from '../../format/status.js';
import { decodeCursor, encodeCursor, MAX_BUTTON_VALUE, type HistoryCursor } from '../cursor.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';
import { escapeAndTruncate, leagueDisplayName, leagueName, mrkdwnContext, oneLine, slackDate, truncate } from './format.js';
import { encodeIncidentRef } from './incident-ref.js';
import { rowText, sortRows } from './watch.js';

export const HOME_ACTIONS = {
  refresh: 'home_refresh',
  history: 'home_history',
  unsnooze: 'home_unsnooze',
  /** A link button: Slack opens the URL itself but still sends the click, which must be acked. */
  openThread: 'home_open_thread',
} as const;

/** Slack's limit for a Home tab (a message has 50). */
export const HOME_MAX_BLOCKS = 100;
/** Open incidents listed (two blocks each); the rest are counted. */
export const HOME_MAX_INCIDENTS = 15;
/** Leagues listed in the 24-hour summary. */
const ALERT_LEAGUES_SHOWN = 20;
const HISTORY_PAGE = 10;
const LEAGUE_MAX = 64;
const JOB_MAX = 80;
const STATUS_MAX = 32;
const ID_MAX = 64;
const DATE_FORMAT = '{date_short_pretty} at {time}';
const USER_ID = /^[UW][A-Z0-9]{1,20}$/;
const CHANNEL_ID = /^[CGD][A-Z0-9]{1,20}$/;

const copy = {
  header: 'TICS watches and incidents',
  updated: (when: string, seen: string) => `Updated ${when}. ${seen}`,
  seeAll: (count: number) => `You see *${plural(count, 'watch', 'watches')}*: every watch in this workspace.`,
  seeAllowed: (count: number) => `You see *${plural(count, 'watch', 'watches')}*: those whose channel may query its league under \`TICS_ACCESS\`.`,
  refresh: 'Refresh',
  simulated: sharedCopy.simulatedNote('leagues'),
  incidents: (count: number) => `Open incidents (${count.toLocaleString('en-US')})`,
  noIncidents: ':white_check_mark: No open incidents in these watches.',
  moreIncidents: (count: number) => `…and ${plural(count, 'more open incident')}, older ones: their threads are in the channels, and ${sharedCopy.command('watches')} there lists snoozes.`,
  state: {
    open: ':rotating_light: *open*, not acknowledged',
    acknowledged: (user: string, when: string) => `:eyes: *acknowledged* by ${user}, ${when}`,
    snoozedUntil: (until: string, by: string) => `:zzz: *snoozed* until ${until} by ${by}`,
    snoozedUntilSuccess: (by: string) => `:zzz: *snoozed* until it succeeds, by ${by}`,
    alsoAcked: (user: string) => ` (acknowledged by ${user})`,
  },
  incidentTitle: (emoji: string, job: string, league: string, channel: string) => `${emoji} *${job}* · ${league} → ${channel}`,
  lastFailure: (kind: 'failure' | 'stuck', status: string, id: string, when: string) =>
    `${kind === 'stuck' ? 'last: stuck in' : 'last failure:'} *${status}* ${id} ${when}`,
  failuresSince: (count: number, since: string) => `${plural(count, 'alert')} since ${since}`,
  noThread: 'thread not posted yet',
  button: { thread: 'Open thread', jobHistory: 'Job history', leagueHistory: 'League history', history: 'History', unsnooze: 'Unsnooze' },
  alertsHeader: 'Alerts in the last 24 hours',
  alertLine: (league: string, count: string) => `• *${league}*: ${count}`,
  alertCount: (count: number, atLeast: boolean) => `${atLeast ? 'at least ' : ''}${plural(count, 'alert')}`,
  noAlerts: 'No alerts in the last 24 hours.',
  moreLeagues: (count: number) => `…and ${plural(count, 'more league')}`,
  alertsCounted:
    'Counts the failures and stuck jobs the watcher noticed (snoozed ones included), from the incidents it keeps; a league watched in several channels shows its busiest channel’s count. ' +
    '“At least” when an incident began before the 24 hours.',
  watchesHeader: (count: number) => `Watches (${count.toLocaleString('en-US')})`,
  noWatches: `:zzz: No watch you can see yet. In a channel, start one with ${sharedCopy.command('watch &lt;league&gt;')}.`,
  moreWatches: (count: number) => `…and ${plural(count, 'more watch', 'more watches')}: ${sharedCopy.command('watches all')}`,
  text: (watches: number, open: number) => `${plural(watches, 'watch', 'watches')}, ${plural(open, 'open incident')}`,
  unnamedJob: `_${sharedCopy.unnamedJob}_`,
} as const;

export interface HomeInput {
  /** The watches this person may see, with their health. */
  rows: readonly WatchListRow[];
  /** Snoozes in force in those watches (shown on each watch, as `/tics watches` does). */
  snoozes: readonly SnoozeRow[];
  /** Their open incidents, latest alert first. */
  open: readonly IncidentView[];
  alerts: readonly LeagueAlertCount[];
  /** `permalinkKey(channel, ts)` → the thread's permalink, for the incidents shown. */
  permalinks: ReadonlyMap<string, string>;
  now: number;
  intervalSeconds: number;
  /** TICS_ACCESS is set: the header says the list is filtered by it. */
  restricted: boolean;
  simulated?: boolean;
  /** One line on top, e.g. what the last button did. */
  notice?: string;
}

export interface HomeView {
  type: 'home';
  blocks: types.KnownBlock[];
}

export function permalinkKey(channelId: string, ts: string): string {
  return `${channelId}\u0000${ts}`;
}

/** The incidents the view lists: the handler fetches permalinks for these only. */
export function incidentsShown(open: readonly IncidentView[]): IncidentView[] {
  return open.slice(0, HOME_MAX_INCIDENTS);
}

/** A short plain-text summary (logs and tests; a Home view has no notification text). */
export function homeSummary(input: Pick<HomeInput, 'rows' | 'open'>): string {
  return copy.text(input.rows.length, input.open.length);
}

export function buildHomeView(input: HomeInput): HomeView {
  const blocks: types.KnownBlock[] = [header(copy.header)];
  const seen = input.restricted ? copy.seeAllowed(input.rows.length) : copy.seeAll(input.rows.length);
  blocks.push({
    type: 'section',
    text: mrkdwn(copy.updated(slackDate(input.now, DATE_FORMAT), seen)),
    accessory: { type: 'button', action_id: HOME_ACTIONS.refresh, text: plain(copy.refresh), value: 'refresh' },
  });
  if (input.simulated) blocks.push(mrkdwnContext(copy.simulated));
  if (input.notice) blocks.push({ type: 'section', text: mrkdwn(truncate(input.notice, SLACK_LIMITS.sectionText)) });

  blocks.push({ type: 'divider' }, header(copy.incidents(input.open.length)));
  const shown = incidentsShown(input.open);
  if (shown.length === 0) blocks.push(mrkdwnContext(copy.noIncidents));
  for (const view of shown) blocks.push(...incidentBlocks(view, input));
  if (input.open.length > shown.length) blocks.push(mrkdwnContext(copy.moreIncidents(input.open.length - shown.length)));

  blocks.push({ type: 'divider' }, header(copy.alertsHeader), { type: 'section', text: mrkdwn(alertsText(input.alerts)) }, mrkdwnContext(copy.alertsCounted));

  blocks.push({ type: 'divider' }, header(copy.watchesHeader(input.rows.length)));
  if (input.rows.length === 0) {
    blocks.push({ type: 'section', text: mrkdwn(copy.noWatches) });
    return { type: 'home', blocks };
  }
  const rows = sortRows(input.rows, watchesInput(input));
  const room = HOME_MAX_BLOCKS - blocks.length;
  // Everything fits, or all but the last line, which says how many more there are.
  const fit = rows.length <= room ? rows.length : Math.max(0, room - 1);
  for (const row of rows.slice(0, fit)) blocks.push(watchBlock(row, input));
  if (fit < rows.length) blocks.push(mrkdwnContext(copy.moreWatches(rows.length - fit)));
  return { type: 'home', blocks };
}

function watchesInput(input: HomeInput) {
  return { rows: [...input.rows], scope: 'all' as const, channelId: '', now: input.now, intervalSeconds: input.intervalSeconds, snoozes: input.snoozes };
}

function watchBlock(row: WatchListRow, input: HomeInput): types.SectionBlock {
  const text = truncate(rowText(row, watchesInput(input)), SLACK_LIMITS.sectionText);
  const history = historyButton(leagueName(row.league), undefined, copy.button.history);
  return { type: 'section', text: mrkdwn(text), ...(history ? { accessory: history } : {}) };
}

function incidentBlocks(view: IncidentView, input: HomeInput): types.KnownBlock[] {
  const { incident, snooze } = view;
  const job = incident.job.name ? escapeAndTruncate(oneLine(incident.job.name), JOB_MAX) : copy.unnamedJob;
  const league = escapeAndTruncate(leagueDisplayName(incident.league), LEAGUE_MAX);
  const { latest } = incident;
  const lines = [
    copy.incidentTitle(statusShortcode(latest.status), job, league, channelMention(incident.channelId)),
    stateText(view),
    copy.lastFailure(
      latest.kind,
      escapeAndTruncate(oneLine(latest.status), STATUS_MAX),
      latest.instance.id ? code(latest.instance.id) : '',
      slackDate(latest.instance.endTime ?? latest.observedAt, DATE_FORMAT),
    ) + `  ·  ${copy.failuresSince(incident.events, slackDate(incident.openedAt, DATE_FORMAT))}`,
  ];
  const elements: types.ActionsBlockElement[] = [];
  const url = incident.parentTs === undefined ? undefined : input.permalinks.get(permalinkKey(incident.channelId, incident.parentTs));
  if (url && url.length <= SLACK_LIMITS.url) elements.push({ type: 'button', action_id: HOME_ACTIONS.openThread, text: plain(copy.button.thread), url, style: 'primary' });
  else if (incident.parentTs === undefined) lines.push(`_${copy.noThread}_`);
  const history = historyButton(leagueName(incident.league), incident.job.name || undefined, copy.button.jobHistory);
  if (history) elements.push(history);
  if (snooze) elements.push({ type: 'button', action_id: HOME_ACTIONS.unsnooze, text: plain(copy.button.unsnooze), value: encodeIncidentRef({ slot: incident.slot, seq: incident.seq }) });
  const section: types.SectionBlock = { type: 'section', text: mrkdwn(truncate(lines.join('\n'), SLACK_LIMITS.sectionText)) };
  // A refresh that finds the same incidents keeps the same ids; unique per incident within the view.
  return elements.length ? [section, { type: 'actions', block_id: blockId(incident.slot, incident.seq), elements }] : [section];
}

function blockId(slot: string, seq: number): string {
  const id = `home_incident:${seq}:${slot}`;
  return id.length <= SLACK_LIMITS.id ? id : `home_incident:${seq}:${slot.slice(0, 100)}:${slot.length}`;
}

function stateText(view: IncidentView): string {
  const { ack, snooze } = view;
  const acked = ack ? copy.state.alsoAcked(userText(ack.userId)) : '';
  if (snooze) {
    const by = userText(snooze.by);
    const base = snooze.untilSuccess || snooze.until === undefined ? copy.state.snoozedUntilSuccess(by) : copy.state.snoozedUntil(slackDate(snooze.until, DATE_FORMAT), by);
    return base + acked;
  }
  if (ack) return copy.state.acknowledged(userText(ack.userId), slackDate(ack.at, DATE_FORMAT));
  return copy.state.open;
}

function alertsText(alerts: readonly LeagueAlertCount[]): string {
  if (alerts.length === 0) return copy.noAlerts;
  const lines = alerts
    .slice(0, ALERT_LEAGUES_SHOWN)
    .map((a) => copy.alertLine(escapeAndTruncate(leagueDisplayName(a.league), LEAGUE_MAX), copy.alertCount(a.count, a.atLeast)));
  if (alerts.length > ALERT_LEAGUES_SHOWN) lines.push(copy.moreLeagues(alerts.length - ALERT_LEAGUES_SHOWN));
  return truncate(lines.join('\n'), SLACK_LIMITS.sectionText);
}

/** The first page of the league's (or job's) history; falls back to the league's, or none, when the value would not survive the trip. */
function historyButton(league: string, jobName: string | undefined, label: string): types.Button | undefined {
  const base: HistoryCursor = { v: 1, league, limit: HISTORY_PAGE, offset: 0 };
  const candidates = jobName === undefined ? [base] : [{ ...base, jobName }, base];
  for (const cursor of candidates) {
    const value = encodeCursor(cursor);
    if (value.length > MAX_BUTTON_VALUE || !decodeCursor(value).ok) continue;
    const text = cursor.jobName === undefined && jobName !== undefined ? copy.button.leagueHistory : label;
    return { type: 'button', action_id: HOME_ACTIONS.history, text: plain(text), value };
  }
  return undefined;
}

function channelMention(channelId: string): string {
  return CHANNEL_ID.test(channelId) ? `<#${channelId}>` : `channel ${code(channelId)}`;
}

function userText(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : code(userId);
}

function code(value: string): string {
  return `\`${escapeAndTruncate(value.replace(/`/g, 'ˋ'), ID_MAX)}\``;
}

function header(text: string): types.HeaderBlock {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: false } };
}

function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text };
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text, emoji: false };
}
