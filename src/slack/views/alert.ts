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
  leagueName,
  mrkdwnContext,
  oneLine,
  prettyJson,
  slackDate,
  truncate,
  type SlackMessage,
} from './format.js';

export const ALERT_ACTIONS = { jobHistory: 'alert_job_history' } as const;

export interface AlertContext {
  now: number;
  simulated?: boolean;
}

/** Page size of the history a "Job history" button opens. */
const HISTORY_PAGE = 10;
const COMMAND = '/tics';

const SHORT_NAME_MAX = 80; // digest lines
const STATUS_MAX = 32;
const TYPE_MAX = 60;
const LEAGUE_MAX = 64;
const ID_MAX = 64;
const PARTNER_MAX = 200;
/** An excerpt, not the record: the "Job history" → Details view shows the rest. */
const RESULT_MAX = 1200;
const TEXT_MAX = 400;
const HEADER_MAX = 150;

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
      text: { type: 'plain_text', text: truncate(`${statusEmoji(item.to)} ${item.to} · ${jobNameOr(instance.jobName)}`, HEADER_MAX), emoji: false },
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
  const simulated = ctx.simulated ? ' [simulated]' : '';
  return escapeAndTruncate(`${statusEmoji(item.to)} ${item.to}: ${name} (${type}) in ${leagueName(item.league)} — ${timing}${simulated}`, TEXT_MAX);
}

function plainTiming(item: AlertItem, now: number): string {
  // describeTiming's "not started" reads oddly after "FAILED:"; say what happened instead.
  if (item.instance.startTime === undefined) return isTerminalStatus(item.to) ? 'never started' : 'not started yet';
  return describeTiming(item.instance, now);
}

function alertFields(item: AlertItem, now: number): types.MrkdwnElement[] {
  const { instance, league } = item;
  const field = (label: string, value: string): types.MrkdwnElement => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  const dash = '—';
  const leagueText = league.alias ? `${escapeAndTruncate(league.alias, LEAGUE_MAX)} ${code(league.id)}` : code(league.id);
  const ended =
    instance.endTime !== undefined ? slackDate(instance.endTime) : isTerminalStatus(instance.status) ? 'not reported' : 'still in progress';

  // At most ten: Slack's cap on fields per section. Optional facts are left out rather than dashed,
  // so an SQL job's alert is not half empty.
  const fields = [
    field('League', leagueText),
    field('Type', escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX) || dash),
    field('Started', instance.startTime === undefined ? 'never started' : slackDate(instance.startTime)),
    field('Ended', ended),
    field('Duration', capitalize(plainTiming(item, now))),
    field('Previous status', previousStatus(item)),
    field('Instance', instance.id ? code(instance.id) : dash),
  ];
  if (instance.roundId !== undefined) fields.push(field('Rounds', instance.roundId.toLocaleString('en-US')));
  const partner = instance.jobPartner === undefined ? '' : oneLine(instance.jobPartner);
  if (partner) fields.push(field('Partner', escapeAndTruncate(partner, PARTNER_MAX)));
  if (instance.type === 'VFL_PREDICT' && instance.isSinglePredict !== undefined) {
    fields.push(field('Prediction', capitalize(predictionLabel(instance.isSinglePredict))));
  }
  return fields;
}

/**
 * "was RUNNING", or — when the bot never saw it unfinished — say so: it ended while the bot was
 * down or between two polls, which is why no earlier state is known.
 */
function previousStatus(item: AlertItem): string {
  if (item.from !== undefined) return `was ${code(item.from, STATUS_MAX)}`;
  return `first seen already ${code(item.to, STATUS_MAX)}\n_it ended between polls or while tics-bot was down_`;
}

function resultSection(resultExt: string | undefined): types.SectionBlock | undefined {
  if (resultExt === undefined || resultExt.trim() === '') return undefined;
  const heading = '*Result* (`result_ext`)\n';
  const body = isJsonContainer(resultExt)
    ? // A ``` inside the data would close the fence early; a zero-width space keeps it literal.
      '```' + escapeAndTruncate(prettyJson(resultExt).replace(/```/g, '``\u200b`'), RESULT_MAX) + '```'
    : escapeAndTruncate(resultExt.trim(), RESULT_MAX);
  return { type: 'section', text: { type: 'mrkdwn', text: heading + body } };
}

function alertContext(item: AlertItem, ctx: AlertContext): types.ContextBlock {
  const league = escapeAndTruncate(leagueName(item.league), LEAGUE_MAX);
  const elements: types.MrkdwnElement[] = [
    {
      type: 'mrkdwn',
      text: `:mag: detected ${slackDate(item.observedAt, '{date_short_pretty} at {time}')}  ·  stop these alerts: \`${COMMAND} unwatch ${league}\``,
    },
  ];
  if (ctx.simulated) {
    elements.push({ type: 'mrkdwn', text: ':test_tube: *Simulated data* — from tics-bot’s built-in simulator, not from Huawei Cloud TICS.' });
  }
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
      text: { type: 'plain_text', text: cursor.jobName === undefined ? 'League history' : 'Job history', emoji: false },
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
/** Section text is capped at 3000. */
const SECTION_MAX = 2900;
/** League sections (each with a history button) shown at most. */
const DIGEST_MAX_LEAGUES = 5;
/** Distinct statuses named in the summary at most. */
const DIGEST_MAX_STATUSES = 8;
/** `status:` values the history command and cursor accept. */
const COMMAND_STATUS = /^[A-Z_]{1,32}$/;

interface LeagueGroup {
  league: { id: string; alias?: string };
  items: AlertItem[];
}

export function buildDigestMessage(items: readonly AlertItem[], ctx: AlertContext): SlackMessage {
  const leagues = groupByLeague(items);
  const single = leagues.length === 1 ? leagues[0] : undefined;
  const where = single ? ` in ${leagueName(single.league)}` : leagues.length > 1 ? ` in ${leagues.length} leagues` : '';
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`🚨 ${plural(items.length, 'job alert')}${where}`, HEADER_MAX), emoji: false },
    },
  ];
  if (ctx.simulated) {
    blocks.push(mrkdwnContext(':test_tube: *Simulated data* — from tics-bot’s built-in simulator, not from Huawei Cloud TICS.'));
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: statusSummary(items) } });

  const shownLeagues = leagues.slice(0, DIGEST_MAX_LEAGUES);
  for (const group of shownLeagues) blocks.push(leagueSection(group));
  const hiddenLeagues = leagues.slice(DIGEST_MAX_LEAGUES);
  if (hiddenLeagues.length) {
    const hiddenAlerts = hiddenLeagues.reduce((sum, g) => sum + g.items.length, 0);
    blocks.push(mrkdwnContext(`…and ${plural(hiddenLeagues.length, 'more league')} with ${plural(hiddenAlerts, 'alert')}.`));
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
    .map(([status, count]) => `${statusShortcode(status)} *${count.toLocaleString('en-US')}* ${escapeAndTruncate(status, STATUS_MAX)}`);
  const others = counts.slice(DIGEST_MAX_STATUSES).reduce((sum, [, count]) => sum + count, 0);
  if (others) shown.push(`${others.toLocaleString('en-US')} with other statuses`);
  let text = shown.join('  ·  ');
  const unseen = items.filter((item) => item.from === undefined).length;
  if (unseen) {
    text += `\n_${unseen === items.length ? 'All' : `${unseen.toLocaleString('en-US')} of them`} first seen already finished: they ended between polls or while tics-bot was down._`;
  }
  return text;
}

function statusCountsText(items: readonly AlertItem[], escape: (s: string) => string): string {
  return countStatuses(items)
    .slice(0, DIGEST_MAX_STATUSES)
    .map(([status, count]) => `${count.toLocaleString('en-US')} ${escape(truncate(status, STATUS_MAX))}`)
    .join(', ');
}

function leagueSection(group: LeagueGroup): types.SectionBlock {
  const { league } = group;
  const name = `*${escapeAndTruncate(leagueName(league), LEAGUE_MAX)}*${league.alias ? ` ${code(league.id)}` : ''}`;
  const text = `${name} — ${plural(group.items.length, 'alert')}: ${statusCountsText(group.items, escapeMrkdwn)}`;
  const section: types.SectionBlock = { type: 'section', text: { type: 'mrkdwn', text } };
  const value = leagueHistoryValue(group);
  if (value !== undefined) {
    section.accessory = {
      type: 'button',
      // Each league section is its own block, so the action id stays unique within its block.
      action_id: ALERT_ACTIONS.jobHistory,
      text: { type: 'plain_text', text: 'History', emoji: false },
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
    name ? `*${escapeAndTruncate(name, SHORT_NAME_MAX)}*` : '_unnamed job_',
    escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX),
  ];
  if (showLeague) parts.push(escapeAndTruncate(leagueName(item.league), LEAGUE_MAX));
  parts.push(plainTiming(item, now));
  if (instance.endTime !== undefined) parts.push(`ended ${slackDate(instance.endTime)}`);
  if (item.from === undefined) parts.push('_first seen finished_');
  return parts.join(' · ');
}

/** "…and 470 more", with the command that lists them (per league, statuses as alerted). */
function moreNote(unlisted: readonly AlertItem[]): string {
  const groups = groupByLeague(unlisted);
  const commands = groups.slice(0, 3).map((group) => {
    const statuses = commandStatuses(group.items).map((s) => s.toLowerCase());
    const filter = statuses.length ? ` status:${statuses.join(',')}` : '';
    return `\`${COMMAND} history ${escapeAndTruncate(leagueName(group.league), LEAGUE_MAX)}${filter}\``;
  });
  const rest = groups.length > 3 ? ` (and ${plural(groups.length - 3, 'more league')})` : '';
  return `…and ${unlisted.length.toLocaleString('en-US')} more not listed here. See them with ${commands.join(' or ')}${rest}.`;
}

function detectedLine(items: readonly AlertItem[]): string {
  const times = items.map((item) => item.observedAt).filter(Number.isFinite);
  const stop = `\`${COMMAND} watches\` lists what this channel watches`;
  if (times.length === 0) return stop;
  const first = Math.min(...times);
  const last = Math.max(...times);
  const format = '{date_short_pretty} at {time}';
  const when = first === last ? `detected ${slackDate(first, format)}` : `detected ${slackDate(first, format)} – ${slackDate(last, format)}`;
  return `:mag: ${when}  ·  ${stop}`;
}

/** "🚨 6 job alerts in fl-demo: 4 FAILED, 2 TERMINATED — a, b, c and 3 more" */
function digestText(items: readonly AlertItem[], leagues: LeagueGroup[]): string {
  const nameOf = (item: AlertItem) => oneLine(item.instance.jobName) || 'unnamed job';
  const shownNames = [...new Set(items.map(nameOf))].slice(0, 3);
  const moreAlerts = items.filter((item) => !shownNames.includes(nameOf(item))).length;
  const leagueNames = leagues.slice(0, 2).map((g) => truncate(leagueName(g.league), 40));
  const where = leagues.length > 2 ? `${leagueNames.join(', ')} and ${plural(leagues.length - 2, 'more league')}` : leagueNames.join(' and ');
  const jobs = shownNames.map((name) => truncate(name, 40)).join(', ') + (moreAlerts > 0 ? ` and ${moreAlerts.toLocaleString('en-US')} more` : '');
  const text = `🚨 ${plural(items.length, 'job alert')}${where ? ` in ${where}` : ''}: ${statusCountsText(items, (s) => s)} — ${jobs}`;
  return escapeAndTruncate(text, TEXT_MAX);
}

// ---------------------------------------------------------------------------------------------

function jobNameOr(jobName: string): string {
  return oneLine(jobName) || 'unnamed job';
}

/** An inline code span; a backtick in the data would end it early, so it becomes a look-alike. */
function code(value: string, max = ID_MAX): string {
  return `\`${escapeAndTruncate(value.replace(/`/g, 'ˋ'), max)}\``;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
