/**
 * The `/tics history` page: one compact row per instance, paging buttons at the bottom. Pure: the
 * command/action layer fetches, filters and computes cursors; this only lays them out, and keeps
 * any data length inside Slack's limits.
 */
import type { types } from '@slack/bolt';
import type { JobInstance } from '../../tics/schema.js';
import { encodeCursor, encodeDetailsRef, type HistoryCursor } from '../cursor.js';
import { describeTiming, plural, predictionLabel, typeLabel } from '../../format/instance.js';
import { statusShortcode, statusLabel } from '../../format/status.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';
import { filterBlocks, HISTORY_FILTER_ACTIONS, textOf, type HistoryFilters } from './history-filters.js';
import { escapeAndTruncate, leagueName, mrkdwnContext, oneLine, slackDate, truncate, type SlackMessage } from './format.js';

export type { SlackMessage } from './format.js';

export interface HistoryViewModel {
  /** `name`: the league's real name when known; shown before the alias and the id. */
  league: { id: string; alias?: string; name?: string };
  /** This page, already filtered; rendered in the given order. */
  instances: JobInstance[];
  /** Records matching on the server (before the client-side status filter). */
  total: number;
  /** The page shown (used for Refresh and Share). */
  cursor: HistoryCursor;
  /** Omitted at the ends → no button. */
  prev?: HistoryCursor;
  next?: HistoryCursor;
  pageNumber: number;
  /** Unknown for status-filtered scans. */
  pageCount?: number;
  /** Status filter: records scanned; `cutShort` → the scan stopped before filling the page. */
  scan?: { scanned: number; cutShort: boolean };
  /** Epoch ms. */
  fetchedAt: number;
  /** For "running for …". */
  now: number;
  /** Data comes from the built-in simulator, not from Huawei Cloud. */
  simulated?: boolean;
  /** The job and status menus; absent → none. */
  filters?: HistoryFilters;
}

/**
 * What `limit:` is capped to. A worst-case row (128 `&`-laden CJK name, unknown 32-char status and
 * type, long partner) is ≈ 470 characters of block text; 20 of them plus the chrome stays under
 * the 12k budget, and 20 rows + dividers stay under 50 blocks. Checked by the worst-case test.
 */
export const MAX_ROWS_PER_MESSAGE = 20;

// Per-field caps, in escaped characters, so that one long value cannot crowd out the page.
const NAME_MAX = 130; // TICS allows 128-character names: show them whole unless escaping grows them
const STATUS_MAX = 32;
const TYPE_MAX = 40;
const PARTNER_MAX = 60;
const FILTER_MAX = 40;
const LEAGUE_MAX = 64;
const ROW_DATE = '{date_short_pretty} at {time}';

const copy = {
  header: (league: string) => `League ${league} · job history`,
  simulated: sharedCopy.simulatedNote('these instances'),
  clipped: (shown: number, of: number) =>
    `:scissors: Showing the first ${shown} of ${of} instances on this page — a Slack message holds no more. Use \`limit:${MAX_ROWS_PER_MESSAGE}\` or less.`,
  unnamedJob: `_${sharedCopy.unnamedJob}_`,
  started: (when: string) => `started ${when}`,
  rounds: (count: number) => plural(count, 'round'),
  partner: (partner: string) => `partner ${partner}`,
  instances: (count: number) => plural(count, 'instance'),
  inTotal: (instances: string) => `*${instances}* in total`,
  count: (instances: string) => `*${instances}*`,
  page: (page: number, of: number | undefined) => `page ${page}${of === undefined ? '' : ` of ${of}`}`,
  scanned: (instances: string) => `${instances} scanned`,
  filteredBy: (filters: string) => `filtered by ${filters}`,
  leagueId: (id: string) => `league id \`${id}\``,
  fetched: (when: string) => `fetched ${when}`,
  filter: {
    job: (id: string) => `job \`${id}\``,
    namedJob: (name: string, id: string) => `job *${name}* \`${id}\``,
    jobName: (name: string) => `job name *${name}*`,
    status: (statuses: string[]) => `status ${statuses.join(' or ')}`,
    and: ' and ',
  },
  cutShort: {
    manyInstances: 'many instances',
    next: 'press *Next* to keep scanning',
    narrow: 'narrow it with `job:&lt;job_id&gt;`',
    note: (scanned: string) => `:warning: The scan stopped after ${scanned} to answer quickly, so this page may hold fewer matches than asked for.`,
    seeMore: (ways: string[]) => ` To see more, ${ways.join(' or ')}.`,
  },
  empty: {
    filtered: (filters: string | undefined, scanned: string | undefined, more: boolean) =>
      `:mag: No instances with ${filters ?? 'these filters'} on this page${scanned === undefined ? '' : ` among the ${scanned} checked`}.` +
      (more ? ' Press *Next* to look further back.' : ''),
    noSuchJob: (league: string, jobId: string) =>
      `:mag: ${league} has no instances of job \`${jobId}\`. Check the job id, or leave out \`job:\` to see every job.`,
    noInstances: (league: string) => `:seedling: No job instances in ${league} yet. Once a job runs, its instances show up here.`,
    pageGone: ':mag: Nothing on this page — the history may have changed since the previous page. Press *Refresh*, or go back with *Previous*.',
  },
  fallback: {
    job: (id: string) => `job ${id}`,
    jobName: (name: string) => `job name ${name}`,
    status: (statuses: string[]) => `status ${statuses.join('/')}`,
    text: (league: string, filters: string[], instances: string, page: string, simulated: boolean) =>
      `History of ${league}${filters.length ? ` (${filters.join(', ')})` : ''}: ${instances}, ${page}${simulated ? sharedCopy.simulatedSuffix : ''}`,
  },
  sharedBy: (userId: string) => `Shared by <@${userId}> · run ${sharedCopy.command('history')} for a live view`,
  button: {
    details: 'Details',
    prev: '◀ Previous',
    next: 'Next ▶',
    refresh: ':arrows_counterclockwise: Refresh',
    share: ':mega: Share in channel',
  },
} as const;

export const HISTORY_ACTIONS = {
  details: 'history_details',
  prev: 'history_prev',
  next: 'history_next',
  refresh: 'history_refresh',
  share: 'history_share',
  // Listed here so the catch-all for unknown actions (actions/unknown.ts) leaves the menus alone.
  filterJob: HISTORY_FILTER_ACTIONS.job,
  filterStatus: HISTORY_FILTER_ACTIONS.status,
} as const;
export const HISTORY_PAGING_BLOCK_ID = 'history_paging';

/** The footer of a page shared in the channel (a snapshot, without the paging buttons). */
export function sharedByContext(userId: string): types.ContextBlock {
  return mrkdwnContext(copy.sharedBy(userId));
}

/** The league's real name when known, else its alias, else its id. */
const shownLeague = (league: HistoryViewModel['league']): string => (league.name ? oneLine(league.name) : leagueName(league));

export function buildHistoryMessage(model: HistoryViewModel): SlackMessage {
  const name = shownLeague(model.league);
  const rows = model.instances.slice(0, MAX_ROWS_PER_MESSAGE);
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(copy.header(name), SLACK_LIMITS.headerText), emoji: false } },
  ];
  if (model.simulated) blocks.push(mrkdwnContext(copy.simulated));
  blocks.push(mrkdwnContext(summaryLine(model)));
  if (model.scan?.cutShort) blocks.push(mrkdwnContext(cutShortNote(model)));
  if (rows.length < model.instances.length) {
    blocks.push(mrkdwnContext(copy.clipped(rows.length, model.instances.length)));
  }
  const filtersAt = blocks.length;
  blocks.push({ type: 'divider' });
  if (rows.length === 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: emptyText(model) } });
  } else {
    rows.forEach((instance, index) => {
      if (index > 0) blocks.push({ type: 'divider' });
      blocks.push(instanceRow(instance, model));
    });
  }
  blocks.push({ type: 'divider' }, pagingActions(model));
  if (model.filters) {
    blocks.splice(filtersAt, 0, ...filterBlocks(model.cursor, model.filters, SLACK_LIMITS.totalBlockText - textOf(blocks)));
  }
  return { text: fallbackText(model), blocks };
}

/** The two-line row: status and name, then what is known about the run. */
function instanceRowText(instance: JobInstance, now: number): string {
  const status = escapeAndTruncate(statusLabel(instance.status), STATUS_MAX);
  const jobName = oneLine(instance.jobName);
  const title = jobName ? `*${escapeAndTruncate(jobName, NAME_MAX)}*` : copy.unnamedJob;
  const facts = [escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX)];
  if (instance.startTime !== undefined) facts.push(copy.started(slackDate(instance.startTime, ROW_DATE)));
  facts.push(describeTiming(instance, now));
  if (instance.roundId !== undefined) facts.push(copy.rounds(instance.roundId));
  const partner = instance.jobPartner === undefined ? '' : oneLine(instance.jobPartner);
  if (partner) facts.push(copy.partner(escapeAndTruncate(partner, PARTNER_MAX)));
  if (instance.type === 'VFL_PREDICT' && instance.isSinglePredict !== undefined) {
    facts.push(predictionLabel(instance.isSinglePredict));
  }
  return `${statusShortcode(instance.status)} *${status}*  ·  ${title}\n${facts.join(' · ')}`;
}

function instanceRow(instance: JobInstance, model: HistoryViewModel): types.SectionBlock {
  const section: types.SectionBlock = { type: 'section', text: { type: 'mrkdwn', text: instanceRowText(instance, model.now) } };
  const value = encodeDetailsRef({
    v: 1,
    league: model.cursor.league,
    instanceId: instance.id,
    ...(model.cursor.jobId ? { jobId: model.cursor.jobId } : {}),
  });
  // An instance TICS sent without a usable id cannot be looked up again: no button beats a broken one.
  if (value !== undefined) {
    section.accessory = {
      type: 'button',
      action_id: HISTORY_ACTIONS.details,
      text: { type: 'plain_text', text: copy.button.details, emoji: false },
      value,
    };
  }
  return section;
}

function summaryLine(model: HistoryViewModel): string {
  const total = copy.instances(model.total);
  const parts = [isScanned(model.cursor) ? copy.inTotal(total) : copy.count(total), copy.page(model.pageNumber, model.pageCount)];
  if (isScanned(model.cursor) && model.scan) parts.push(copy.scanned(copy.instances(model.scan.scanned)));
  const filters = describeFilters(model.cursor, jobNameOf(model));
  if (filters) parts.push(copy.filteredBy(filters));
  if (model.league.alias !== undefined || model.league.name !== undefined) parts.push(copy.leagueId(escapeAndTruncate(model.league.id, LEAGUE_MAX)));
  parts.push(copy.fetched(slackDate(model.fetchedAt, ROW_DATE)));
  return parts.join('  ·  ');
}

/** The name of the filtered job, when the job list at hand knows it. */
function jobNameOf(model: HistoryViewModel): string | undefined {
  const jobs = model.filters?.jobs;
  if (!model.cursor.jobId || !jobs?.ok) return undefined;
  const name = oneLine(jobs.value.jobs.find((j) => j.id === model.cursor.jobId)?.name ?? '');
  return name || undefined;
}

/** "job `abc` and status `FAILED` or `TERMINATED`", or undefined when nothing is filtered. */
export function describeFilters(cursor: Pick<HistoryCursor, 'jobId' | 'jobName' | 'statuses'>, jobName?: string): string | undefined {
  const parts: string[] = [];
  // Cursors are zod-checked to short safe words, but a view must not trust that: cap each piece.
  if (cursor.jobId) {
    const id = escapeAndTruncate(cursor.jobId, FILTER_MAX);
    parts.push(jobName ? copy.filter.namedJob(escapeAndTruncate(jobName, NAME_MAX), id) : copy.filter.job(id));
  }
  if (cursor.jobName !== undefined) parts.push(copy.filter.jobName(escapeAndTruncate(oneLine(cursor.jobName), NAME_MAX)));
  if (cursor.statuses?.length) {
    parts.push(copy.filter.status(cursor.statuses.slice(0, 10).map((s) => `\`${escapeAndTruncate(s, STATUS_MAX)}\``)));
  }
  return parts.length ? parts.join(copy.filter.and) : undefined;
}

/** Filters TICS cannot apply: the page is the result of a bounded client-side scan. */
function isScanned(cursor: HistoryCursor): boolean {
  return Boolean(cursor.statuses?.length) || cursor.jobName !== undefined;
}

function cutShortNote(model: HistoryViewModel): string {
  const scanned = model.scan ? copy.instances(model.scan.scanned) : copy.cutShort.manyInstances;
  const ways = [...(model.next ? [copy.cutShort.next] : []), ...(model.cursor.jobId ? [] : [copy.cutShort.narrow])];
  return copy.cutShort.note(scanned) + (ways.length ? copy.cutShort.seeMore(ways) : '');
}

function emptyText(model: HistoryViewModel): string {
  const league = `*${escapeAndTruncate(shownLeague(model.league), LEAGUE_MAX)}*`;
  const filters = describeFilters(model.cursor);
  if (isScanned(model.cursor)) {
    return copy.empty.filtered(filters, model.scan ? copy.instances(model.scan.scanned) : undefined, model.next !== undefined);
  }
  if (model.total === 0) {
    if (model.cursor.jobId) return copy.empty.noSuchJob(league, escapeAndTruncate(model.cursor.jobId, FILTER_MAX));
    return copy.empty.noInstances(league);
  }
  return copy.empty.pageGone;
}

function fallbackText(model: HistoryViewModel): string {
  const filters: string[] = [];
  if (model.cursor.jobId) filters.push(copy.fallback.job(model.cursor.jobId));
  if (model.cursor.jobName !== undefined) filters.push(copy.fallback.jobName(oneLine(model.cursor.jobName)));
  if (model.cursor.statuses?.length) filters.push(copy.fallback.status(model.cursor.statuses));
  const page = copy.page(model.pageNumber, model.pageCount);
  return escapeAndTruncate(copy.fallback.text(shownLeague(model.league), filters, copy.instances(model.total), page, model.simulated === true), 1000);
}

function pagingActions(model: HistoryViewModel): types.ActionsBlock {
  const elements: types.Button[] = [];
  if (model.prev) elements.push(button(HISTORY_ACTIONS.prev, copy.button.prev, encodeCursor(model.prev)));
  if (model.next) elements.push(button(HISTORY_ACTIONS.next, copy.button.next, encodeCursor(model.next)));
  const current = encodeCursor(model.cursor);
  elements.push(button(HISTORY_ACTIONS.refresh, copy.button.refresh, current));
  elements.push(button(HISTORY_ACTIONS.share, copy.button.share, current));
  return { type: 'actions', block_id: HISTORY_PAGING_BLOCK_ID, elements };
}

function button(actionId: string, text: string, value: string): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value };
}
