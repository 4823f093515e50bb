/**
 * What a watch carries besides its triggers — owners, `stuck:`, `recovery:off` — and its jobs'
 * snoozes, as `/tics watch`, `/tics watches` and `/tics unsnooze` show them; and the replies to
 * `/tics unsnooze`. Pure.
 */
import type { types } from '@slack/bolt';
import type { SnoozeRow } from '../../watch/service.js';
import type { Snooze } from '../../watch/incidents/types.js';
import type { Subscription } from '../../watch/types.js';
import { formatStuck, NOTIFY_TOKEN } from '../../watch/watch-options.js';
import { sharedCopy } from './copy.js';
import { escapeAndTruncate, leagueName, mrkdwnContext, oneLine, slackDate, type SlackMessage } from './format.js';

const JOB_MAX = 80;
const LEAGUE_MAX = 64;
const DATE_FORMAT = '{date_short_pretty} at {time}';
/** Snoozes listed per watch in `/tics watches`, and per channel in an unsnooze reply. */
export const SNOOZES_SHOWN = 5;

const copy = {
  owners: (list: string) => `:bust_in_silhouette: owners ${list}`,
  noOwners: ':bust_in_silhouette: no owners',
  ownersUnchanged: ' (unchanged)',
  stuck: (duration: string) => `:hourglass: stuck after ${duration}`,
  stuckOff: ':hourglass: no stuck alerts',
  recoveryOff: ':no_entry_sign: recovery: off (a success does not resolve the alert)',
  recoveryOn: ':white_check_mark: recovery: on',
  snoozeUntil: (job: string, until: string, by: string) => `:zzz: *${job}* snoozed until ${until} by ${by}`,
  snoozeUntilSuccess: (job: string, by: string) => `:zzz: *${job}* snoozed until it succeeds, by ${by}`,
  moreSnoozes: (count: number) => `:zzz: …and ${count} more snoozed`,
  unnamed: `_${sharedCopy.unnamedJob}_`,
  unsnoozed: (job: string, channel: string) => `:alarm_clock: Unsnoozed *${job}* in ${channel}: a summary goes into its thread.`,
  unsnoozedText: (job: string) => `Unsnoozed ${job}: a summary goes into its thread.`,
  notSnoozed: (job: string, league: string, channel: string) => `:shrug: *${job}* of ${league} is not snoozed in ${channel} — nothing changed.`,
  notSnoozedText: (job: string) => `${job} is not snoozed there; nothing changed.`,
  snoozedHere: (list: string) => `Snoozed there now:\n${list}`,
  noneSnoozed: 'No job of that watch is snoozed there. Snooze one from its alert.',
  notWatched: (league: string, channel: string) => `${channel} does not watch ${league}, so none of its jobs can be snoozed there. ${sharedCopy.command('watches')} lists a channel’s watches.`,
  nameHint: `Give the job name exactly as ${sharedCopy.command('watches')} lists it.`,
} as const;

/** Owners as mentions (they are config the channel set), each re-checked: never anything else. */
export function ownersMrkdwn(notify: readonly string[] | undefined): string | undefined {
  const owners = (notify ?? []).filter((t) => NOTIFY_TOKEN.test(t));
  return owners.length ? owners.join(', ') : undefined;
}

/**
 * The options line of a watch. `given` says which the last command set; the owners it did not
 * touch are marked unchanged, so nobody wonders whether `watch … on:FAILED` dropped them.
 */
export function optionsLine(sub: Subscription, given?: { notify: boolean; stuck: boolean; recovery: boolean }): string | undefined {
  const parts: string[] = [];
  const owners = ownersMrkdwn(sub.notify);
  if (owners) parts.push(copy.owners(owners) + (given && !given.notify ? copy.ownersUnchanged : ''));
  else if (given?.notify) parts.push(copy.noOwners);
  if (sub.stuckMs !== undefined) parts.push(copy.stuck(formatStuck(sub.stuckMs)));
  else if (given?.stuck) parts.push(copy.stuckOff);
  if (sub.recovery === false) parts.push(copy.recoveryOff);
  else if (given?.recovery) parts.push(copy.recoveryOn);
  return parts.length ? parts.join('  ·  ') : undefined;
}

/** Plain text for the notification fallback: counts, never mentions. */
export function optionsText(sub: Subscription): string {
  const parts: string[] = [];
  if (sub.notify?.length) parts.push(`${sub.notify.length} owner${sub.notify.length === 1 ? '' : 's'}`);
  if (sub.stuckMs !== undefined) parts.push(`stuck after ${formatStuck(sub.stuckMs)}`);
  if (sub.recovery === false) parts.push('recovery off');
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function jobMrkdwn(snooze: Snooze): string {
  return snooze.jobName === '' ? copy.unnamed : escapeAndTruncate(oneLine(snooze.jobName), JOB_MAX);
}

function byMention(userId: string): string {
  return /^[UW][A-Z0-9]{1,20}$/.test(userId) ? `<@${userId}>` : `\`${escapeAndTruncate(userId, 40)}\``;
}

export function snoozeLine(snooze: Snooze): string {
  const job = jobMrkdwn(snooze);
  const by = byMention(snooze.by);
  if (snooze.untilSuccess || snooze.until === undefined) return copy.snoozeUntilSuccess(job, by);
  return copy.snoozeUntil(job, slackDate(snooze.until, DATE_FORMAT), by);
}

/** Up to SNOOZES_SHOWN lines, then how many more. */
export function snoozeLines(rows: readonly { snooze: Snooze }[]): string[] {
  const lines = rows.slice(0, SNOOZES_SHOWN).map((r) => snoozeLine(r.snooze));
  if (rows.length > SNOOZES_SHOWN) lines.push(copy.moreSnoozes(rows.length - SNOOZES_SHOWN));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// /tics unsnooze
// ---------------------------------------------------------------------------------------------

function channelMention(channelId: string): string {
  return /^[CGD][A-Z0-9]{1,20}$/.test(channelId) ? `<#${channelId}>` : `channel \`${escapeAndTruncate(channelId, 40)}\``;
}

export function buildUnsnoozed(input: { snooze: Snooze; channelId: string }): SlackMessage {
  const job = jobMrkdwn(input.snooze);
  return {
    text: escapeAndTruncate(copy.unsnoozedText(input.snooze.jobName || sharedCopy.unnamedJob), 500),
    blocks: [section(copy.unsnoozed(job, channelMention(input.channelId)))],
  };
}

/** The job was not snoozed: what is snoozed in that watch instead, so a misspelt name is obvious. */
export function buildNotSnoozed(input: {
  jobName: string;
  league: { id: string; alias?: string };
  channelId: string;
  snoozed: readonly SnoozeRow[];
  /** False: the channel does not watch the league at all (a typo in the league, or the wrong channel). */
  watched?: boolean;
}): SlackMessage {
  const job = escapeAndTruncate(oneLine(input.jobName), JOB_MAX);
  const league = `*${escapeAndTruncate(leagueName(input.league), LEAGUE_MAX)}*`;
  const channel = channelMention(input.channelId);
  const blocks: types.KnownBlock[] = [section(copy.notSnoozed(job, league, channel))];
  if (input.watched === false) blocks.push(section(copy.notWatched(league, channel)));
  else blocks.push(section(input.snoozed.length ? copy.snoozedHere(snoozeLines(input.snoozed).join('\n')) : copy.noneSnoozed));
  if (input.snoozed.length) blocks.push(mrkdwnContext(copy.nameHint));
  return { text: escapeAndTruncate(copy.notSnoozedText(input.jobName), 500), blocks };
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
