/**
 * Channel alerts: one message per transition, or one digest when a delivery holds a burst. Pure:
 * the delivery decides single vs digest (its `digestThreshold` option) and posts; this only lays out.
 *
 * The top-level `text` is what phones and lock screens show, raw: plain words, no mrkdwn tokens
 * (no `<!date…>`, no `*bold*` of ours), only `& < >` escaped as Slack requires.
 */
import type { types } from '@slack/bolt';
import { isTerminalStatus } from '../../tics/schema.js';
import type { AlertItem } from '../../watch/types.js';
import { decodeCursor, encodeCursor, MAX_BUTTON_VALUE, type HistoryCursor } from '../cursor.js';
import { describeTiming, plural, predictionLabel, typeLabel } from '../../format/instance.js';
import { statusEmoji, statusShortcode } from '../../format/status.js';
import {
  escapeAndTruncate,
  escapeMrkdwn,
  isJsonContainer,
  leagueDisplayName,
  leagueFieldText,
  leagueName,
  mrkdwnContext,
  oneLine,
  prettyJson,
  slackDate,
  truncate,
  type SlackMessage,
} from './format.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';

export const ALERT_ACTIONS = { jobHistory: 'alert_job_history' } as const;

export interface AlertContext {
  now: number;
  simulated?: boolean;
}

/** Page size of the history a "Job history" button opens. */
const HISTORY_PAGE = 10;

const SHORT_NAME_MAX = 80; // digest lines
const STATUS_MAX = 32;
const TYPE_MAX = 60;
const LEAGUE_MAX = 64;
const ID_MAX = 64;
const PARTNER_MAX = 200;
/** An excerpt, not the record: the "Job history" → Details view shows the rest. */
const RESULT_MAX = 1200;
const TEXT_MAX = 400;
const HEADER_MAX = SLACK_LIMITS.headerText;
const DETECTED_DATE = '{date_short_pretty} at {time}';

const copy = {
  header: (emoji: string, status: string, name: string) => `${emoji} ${status} · ${name}`,
  text: (emoji: string, status: string, name: string, type: string, league: string, timing: string, simulated: boolean) =>
    `${emoji} ${status}: ${name} (${type}) in ${league} — ${timing}${simulated ? sharedCopy.simulatedSuffix : ''}`,
  unnamedJob: sharedCopy.unnamedJob,
  neverStarted: 'never started',
  notStartedYet: 'not started yet',
  notReported: 'not reported',
  stillRunning: 'still in progress',
  label: {
    league: 'League',
    type: 'Type',
    started: 'Started',
    ended: 'Ended',
    duration: 'Duration',
    previous: 'Previous status',
    instance: 'Instance',
    rounds: 'Rounds',
    partner: 'Partner',
    prediction: 'Prediction',
  },
  was: (status: string) => `was ${status}`,
  firstSeen: (status: string) => `first seen already ${status}\n_it ended between polls or while tics-bot was down_`,
  resultHeading: '*Result* (`result_ext`)\n',
  detected: (when: string, league: string) => `:mag: detected ${when}  ·  stop these alerts: ${sharedCopy.command(`unwatch ${league}`)}`,
  simulated: sharedCopy.simulatedNote(),
  button: { job: 'Job history', league: 'League history', history: 'History' },
  digest: {
    header: (alerts: number, where: string) => `🚨 ${plural(alerts, 'job alert')}${where}`,
    inLeague: (league: string) => ` in ${league}`,
    inLeagues: (count: number) => ` in ${count} leagues`,
    hiddenLeagues: (leagues: number, alerts: number) => `…and ${plural(leagues, 'more league')} with ${plural(alerts, 'alert')}.`,
    statusCount: (shortcode: string, count: number, status: string) => `${shortcode} *${count.toLocaleString('en-US')}* ${status}`,
    otherStatuses: (count: number) => `${count.toLocaleString('en-US')} with other statuses`,
    firstSeen: (unseen: number, all: boolean) =>
      `\n_${all ? 'All' : `${unseen.toLocaleString('en-US')} of them`} first seen already finished: they ended between polls or while tics-bot was down._`,
    leagueLine: (name: string, alerts: number, counts: string) => `${name} — ${plural(alerts, 'alert')}: ${counts}`,
    statusCountPlain: (count: number, status: string) => `${count.toLocaleString('en-US')} ${status}`,
    unnamedJob: `_${sharedCopy.unnamedJob}_`,
    ended: (when: string) => `ended ${when}`,
    firstSeenFinished: '_first seen finished_',
    historyCommand: (league: string, filter: string) => sharedCopy.command(`history ${league}${filter}`),
    moreLeagues: (count: number) => ` (and ${plural(count, 'more league')})`,
    more: (count: number, commands: string[], rest: string) =>
      `…and ${count.toLocaleString('en-US')} more not listed here. See them with ${commands.join(' or ')}${rest}.`,
    watches: `${sharedCopy.command('watches')} lists what this channel watches`,
    detected: (first: string, last: string | undefined) => (last === undefined ? `detected ${first}` : `detected ${first} – ${last}`),
    detectedLine: (when: string, watches: string) => `:mag: ${when}  ·  ${watches}`,
    text: (alerts: number, where: string, counts: string, jobs: string) =>
      `🚨 ${plural(alerts, 'job alert')}${where ? ` in ${where}` : ''}: ${counts} — ${jobs}`,
    whereMany: (shown: string[], more: number) => `${shown.join(', ')} and ${plural(more, 'more league')}`,
    whereFew: (shown: string[]) => shown.join(' and '),
    jobs: (names: string[], more: number) => names.join(', ') + (more > 0 ? ` and ${more.toLocaleString('en-US')} more` : ''),
  },
} as const;

// ---------------------------------------------------------------------------------------------
// One alert
// ---------------------------------------------------------------------------------------------

export function buildAlertMessage(item: AlertItem, ctx: AlertContext): SlackMessage {
  const { instance } = item;
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      // Unicode rather than a shortcode because `text` reaches notifications unrendered and the header
      // shows the same glyph; emoji:false so a job named ":tada:" does not turn into a party popper.
      text: { type: 'plain_text', text: truncate(copy.header(statusEmoji(item.to), item.to, jobNameOr(instance.jobName)), HEADER_MAX), emoji: false },
    },
    { type: 'section', fields: alertFields(item, ctx.now) },
  ];
  const result = resultSection(instance.resultExt);
  if (result) blocks.push(result);
  blocks.push(alertContext(item, ctx));
  const history = historyButton(item);
  if (history) blocks.push({ type: 'actions', elements: [history] });
  return { text: alertText(item, ctx), blocks };
}

/**
 * The history a "Job history" button opens: this job's instances (matched by exact name, which is
 * all an instance carries) in its league, newest first. With no name it is the whole league.
 */
export function jobHistoryCursor(item: AlertItem): HistoryCursor {
  return {
    v: 1,
    league: leagueName(item.league),
    ...(item.instance.jobName ? { jobName: item.instance.jobName } : {}),
    limit: HISTORY_PAGE,
    offset: 0,
  };
}

/** "❌ FAILED: credit-score-xgb-train (Vertical FL training) in credit-risk — failed after 13 minutes" */
function alertText(item: AlertItem, ctx: AlertContext): string {
  const { instance } = item;
  const name = jobNameOr(instance.jobName);
  const type = oneLine(typeLabel(instance.type));
  const timing = plainTiming(item, ctx.now);
  return escapeAndTruncate(copy.text(statusEmoji(item.to), item.to, name, type, leagueDisplayName(item.league), timing, ctx.simulated === true), TEXT_MAX);
}

function plainTiming(item: AlertItem, now: number): string {
  // describeTiming's "not started" reads oddly after "FAILED:"; say what happened instead.
  if (item.instance.startTime === undefined) return isTerminalStatus(item.to) ? copy.neverStarted : copy.notStartedYet;
  return describeTiming(item.instance, now);
}

function alertFields(item: AlertItem, now: number): types.MrkdwnElement[] {
  const { instance, league } = item;
  const field = (label: string, value: string): types.MrkdwnElement => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  const dash = '—';
  const leagueText = leagueFieldText(league, LEAGUE_MAX, (id) => code(id));
  const ended =
    instance.endTime !== undefined ? slackDate(instance.endTime) : isTerminalStatus(instance.status) ? copy.notReported : copy.stillRunning;

  const label = copy.label;
  // At most SLACK_LIMITS.sectionFields (ten). Optional facts are left out rather than dashed, so an
  // SQL job's alert is not half empty.
  const fields = [
    field(label.league, leagueText),
    field(label.type, escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX) || dash),
    field(label.started, instance.startTime === undefined ? copy.neverStarted : slackDate(instance.startTime)),
    field(label.ended, ended),
    field(label.duration, capitalize(plainTiming(item, now))),
    field(label.previous, previousStatus(item)),
    field(label.instance, instance.id ? code(instance.id) : dash),
  ];
  if (instance.roundId !== undefined) fields.push(field(label.rounds, instance.roundId.toLocaleString('en-US')));
  const partner = instance.jobPartner === undefined ? '' : oneLine(instance.jobPartner);
  if (partner) fields.push(field(label.partner, escapeAndTruncate(partner, PARTNER_MAX)));
  if (instance.type === 'VFL_PREDICT' && instance.isSinglePredict !== undefined) {
    fields.push(field(label.prediction, capitalize(predictionLabel(instance.isSinglePredict))));
  }
  return fields;
}

/**
 * "was RUNNING", or — when the bot never saw it unfinished — say so: it ended while the bot was
 * down or between two polls, which is why no earlier state is known.
 */
function previousStatus(item: AlertItem): string {
  if (item.from !== undefined) return copy.was(code(item.from, STATUS_MAX));
  return copy.firstSeen(code(item.to, STATUS_MAX));
}

function resultSection(resultExt: string | undefined): types.SectionBlock | undefined {
  if (resultExt === undefined || resultExt.trim() === '') return undefined;
  const heading = copy.resultHeading;
  const body = isJsonContainer(resultExt)
    ? // A ``` inside the data would close the fence early; a zero-width space keeps it literal.
      '```' + escapeAndTruncate(prettyJson(resultExt).replace(/```/g, '``\u200b`'), RESULT_MAX) + '```'
    : escapeAndTruncate(resultExt.trim(), RESULT_MAX);
  return { type: 'section', text: { type: 'mrkdwn', text: heading + body } };
}

function alertContext(item: AlertItem, ctx: AlertContext): types.ContextBlock {
  const league = escapeAndTruncate(leagueName(item.league), LEAGUE_MAX);
  const elements: types.MrkdwnElement[] = [{ type: 'mrkdwn', text: copy.detected(slackDate(item.observedAt, DETECTED_DATE), league) }];
  if (ctx.simulated) elements.push({ type: 'mrkdwn', text: copy.simulated });
  return { type: 'context', elements };
}

/**
 * The job's history, or — when the job has no name, or its name would not survive the button
 * round trip (longer than the cursor accepts) — the whole league's, labelled as such. No button at
 * all only when even the league cursor would be refused: a dead button is worse than none.
 */
function historyButton(item: AlertItem): types.Button | undefined {
  const job = jobHistoryCursor(item);
  const { jobName: _dropped, ...league } = job;
  const candidates: HistoryCursor[] = job.jobName === undefined ? [league] : [job, league];
  for (const cursor of candidates) {
    const value = usableValue(cursor);
    if (value === undefined) continue;
    return {
      type: 'button',
      action_id: ALERT_ACTIONS.jobHistory,
      text: { type: 'plain_text', text: cursor.jobName === undefined ? copy.button.league : copy.button.job, emoji: false },
      style: 'primary',
      value,
    };
  }
  return undefined;
}

/** The encoded cursor, if the action handler will accept it back (same zod check it runs). */
function usableValue(cursor: HistoryCursor): string | undefined {
  const value = encodeCursor(cursor);
  return value.length <= MAX_BUTTON_VALUE && decodeCursor(value).ok ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Digest
// ---------------------------------------------------------------------------------------------

/** Lines listed at most: past this a list is no longer read, whatever room is left. */
export const DIGEST_MAX_LINES = 30;
/** Block text the listed lines may use; the rest of the digest is bounded separately (≈ 3k). */
const DIGEST_LINES_BUDGET = 7000;
/** A margin under Slack's cap on section text. */
const SECTION_MAX = SLACK_LIMITS.sectionText - 100;
/** League sections (each with a history button) shown at most. */
const DIGEST_MAX_LEAGUES = 5;
/** Distinct statuses named in the summary at most. */
const DIGEST_MAX_STATUSES = 8;
/** `status:` values the history command and cursor accept. */
const COMMAND_STATUS = /^[A-Z_]{1,32}$/;

interface LeagueGroup {
  league: { id: string; alias?: string; name?: string };
  items: AlertItem[];
}

export function buildDigestMessage(items: readonly AlertItem[], ctx: AlertContext): SlackMessage {
  const leagues = groupByLeague(items);
  const single = leagues.length === 1 ? leagues[0] : undefined;
  const where = single ? copy.digest.inLeague(leagueDisplayName(single.league)) : leagues.length > 1 ? copy.digest.inLeagues(leagues.length) : '';
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(copy.digest.header(items.length, where), HEADER_MAX), emoji: false },
    },
  ];
  if (ctx.simulated) blocks.push(mrkdwnContext(copy.simulated));
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: statusSummary(items) } });

  const shownLeagues = leagues.slice(0, DIGEST_MAX_LEAGUES);
  for (const group of shownLeagues) blocks.push(leagueSection(group));
  const hiddenLeagues = leagues.slice(DIGEST_MAX_LEAGUES);
  if (hiddenLeagues.length) {
    const hiddenAlerts = hiddenLeagues.reduce((sum, g) => sum + g.items.length, 0);
    blocks.push(mrkdwnContext(copy.digest.hiddenLeagues(hiddenLeagues.length, hiddenAlerts)));
  }

  const { sections, listed } = digestLines(items, ctx.now, leagues.length > 1);
  if (sections.length) blocks.push({ type: 'divider' });
  for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  const unlisted = items.slice(listed);
  if (unlisted.length) blocks.push(mrkdwnContext(moreNote(unlisted)));
  blocks.push(mrkdwnContext(detectedLine(items)));
  return { text: digestText(items, leagues), blocks };
}

/** Leagues by alert count, most first; ties keep first-seen order (Array.sort is stable). */
function groupByLeague(items: readonly AlertItem[]): LeagueGroup[] {
  const groups = new Map<string, LeagueGroup>();
  for (const item of items) {
    const group = groups.get(item.league.id);
    if (group) group.items.push(item);
    else groups.set(item.league.id, { league: item.league, items: [item] });
  }
  return [...groups.values()].sort((a, b) => b.items.length - a.items.length);
}

/** [status, count] by count, most first. */
function countStatuses(items: readonly AlertItem[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.to, (counts.get(item.to) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]);
}

function statusSummary(items: readonly AlertItem[]): string {
  const counts = countStatuses(items);
  const shown = counts
    .slice(0, DIGEST_MAX_STATUSES)
    .map(([status, count]) => copy.digest.statusCount(statusShortcode(status), count, escapeAndTruncate(status, STATUS_MAX)));
  const others = counts.slice(DIGEST_MAX_STATUSES).reduce((sum, [, count]) => sum + count, 0);
  if (others) shown.push(copy.digest.otherStatuses(others));
  const unseen = items.filter((item) => item.from === undefined).length;
  return shown.join('  ·  ') + (unseen ? copy.digest.firstSeen(unseen, unseen === items.length) : '');
}

function statusCountsText(items: readonly AlertItem[], escape: (s: string) => string): string {
  return countStatuses(items)
    .slice(0, DIGEST_MAX_STATUSES)
    .map(([status, count]) => copy.digest.statusCountPlain(count, escape(truncate(status, STATUS_MAX))))
    .join(', ');
}

function leagueSection(group: LeagueGroup): types.SectionBlock {
  const { league } = group;
  const name = `*${escapeAndTruncate(leagueDisplayName(league), LEAGUE_MAX)}*${league.alias || league.name ? ` ${code(league.id)}` : ''}`;
  const text = copy.digest.leagueLine(name, group.items.length, statusCountsText(group.items, escapeMrkdwn));
  const section: types.SectionBlock = { type: 'section', text: { type: 'mrkdwn', text } };
  const value = leagueHistoryValue(group);
  if (value !== undefined) {
    section.accessory = {
      type: 'button',
      // Each league section is its own block, so the action id stays unique within its block.
      action_id: ALERT_ACTIONS.jobHistory,
      text: { type: 'plain_text', text: copy.button.history, emoji: false },
      value,
    };
  }
  return section;
}

/** The league's history filtered to the statuses that alerted; unfiltered if those cannot be carried. */
function leagueHistoryValue(group: LeagueGroup): string | undefined {
  const statuses = commandStatuses(group.items);
  const base: HistoryCursor = { v: 1, league: leagueName(group.league), limit: HISTORY_PAGE, offset: 0 };
  return (statuses.length ? usableValue({ ...base, statuses }) : undefined) ?? usableValue(base);
}

/** Distinct alerted statuses a `status:` filter can express, most frequent first. */
function commandStatuses(items: readonly AlertItem[]): string[] {
  return countStatuses(items)
    .map(([status]) => status)
    .filter((status) => COMMAND_STATUS.test(status))
    .slice(0, 10);
}

/** Compact lines packed into as few sections as fit, stopping at the line cap or the text budget. */
function digestLines(items: readonly AlertItem[], now: number, showLeague: boolean): { sections: string[]; listed: number } {
  const sections: string[] = [];
  let used = 0;
  let listed = 0;
  for (const item of items.slice(0, DIGEST_MAX_LINES)) {
    const line = digestLine(item, now, showLeague);
    if (used + line.length + 1 > DIGEST_LINES_BUDGET) break;
    const last = sections.length - 1;
    const current = sections[last];
    if (current !== undefined && current.length + 1 + line.length <= SECTION_MAX) sections[last] = `${current}\n${line}`;
    else sections.push(line);
    used += line.length + 1;
    listed++;
  }
  return { sections, listed };
}

function digestLine(item: AlertItem, now: number, showLeague: boolean): string {
  const { instance } = item;
  const name = oneLine(instance.jobName);
  const parts = [
    `${statusShortcode(item.to)} *${escapeAndTruncate(item.to, STATUS_MAX)}*`,
    name ? `*${escapeAndTruncate(name, SHORT_NAME_MAX)}*` : copy.digest.unnamedJob,
    escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX),
  ];
  if (showLeague) parts.push(escapeAndTruncate(leagueDisplayName(item.league), LEAGUE_MAX));
  parts.push(plainTiming(item, now));
  if (instance.endTime !== undefined) parts.push(copy.digest.ended(slackDate(instance.endTime)));
  if (item.from === undefined) parts.push(copy.digest.firstSeenFinished);
  return parts.join(' · ');
}

/** "…and 470 more", with the command that lists them (per league, statuses as alerted). */
function moreNote(unlisted: readonly AlertItem[]): string {
  const groups = groupByLeague(unlisted);
  const commands = groups.slice(0, 3).map((group) => {
    const statuses = commandStatuses(group.items).map((s) => s.toLowerCase());
    const filter = statuses.length ? ` status:${statuses.join(',')}` : '';
    return copy.digest.historyCommand(escapeAndTruncate(leagueName(group.league), LEAGUE_MAX), filter);
  });
  const rest = groups.length > 3 ? copy.digest.moreLeagues(groups.length - 3) : '';
  return copy.digest.more(unlisted.length, commands, rest);
}

function detectedLine(items: readonly AlertItem[]): string {
  const times = items.map((item) => item.observedAt).filter(Number.isFinite);
  if (times.length === 0) return copy.digest.watches;
  const first = Math.min(...times);
  const last = Math.max(...times);
  const when = copy.digest.detected(slackDate(first, DETECTED_DATE), first === last ? undefined : slackDate(last, DETECTED_DATE));
  return copy.digest.detectedLine(when, copy.digest.watches);
}

/** "🚨 6 job alerts in fl-demo: 4 FAILED, 2 TERMINATED — a, b, c and 3 more" */
function digestText(items: readonly AlertItem[], leagues: LeagueGroup[]): string {
  const nameOf = (item: AlertItem) => oneLine(item.instance.jobName) || copy.unnamedJob;
  const shownNames = [...new Set(items.map(nameOf))].slice(0, 3);
  const moreAlerts = items.filter((item) => !shownNames.includes(nameOf(item))).length;
  const leagueNames = leagues.slice(0, 2).map((g) => truncate(leagueDisplayName(g.league), 40));
  const where = leagues.length > 2 ? copy.digest.whereMany(leagueNames, leagues.length - 2) : copy.digest.whereFew(leagueNames);
  const jobs = copy.digest.jobs(shownNames.map((name) => truncate(name, 40)), moreAlerts);
  const text = copy.digest.text(items.length, where, statusCountsText(items, (s) => s), jobs);
  return escapeAndTruncate(text, TEXT_MAX);
}

// ---------------------------------------------------------------------------------------------

function jobNameOr(jobName: string): string {
  return oneLine(jobName) || copy.unnamedJob;
}

/** An inline code span; a backtick in the data would end it early, so it becomes a look-alike. */
function code(value: string, max = ID_MAX): string {
  return `\`${escapeAndTruncate(value.replace(/`/g, 'ˋ'), max)}\``;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
