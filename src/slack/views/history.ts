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
import { escapeAndTruncate, leagueName, mrkdwnContext, oneLine, slackDate, truncate, type SlackMessage } from './format.js';

export type { SlackMessage } from './format.js';

export interface HistoryViewModel {
  league: { id: string; alias?: string };
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

export const HISTORY_ACTIONS = {
  details: 'history_details',
  prev: 'history_prev',
  next: 'history_next',
  refresh: 'history_refresh',
  share: 'history_share',
} as const;
export const HISTORY_PAGING_BLOCK_ID = 'history_paging';

export function buildHistoryMessage(model: HistoryViewModel): SlackMessage {
  const name = leagueName(model.league);
  const rows = model.instances.slice(0, MAX_ROWS_PER_MESSAGE);
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`League ${name} · job history`, 150), emoji: false } },
  ];
  if (model.simulated) blocks.push(simulatedNote());
  blocks.push(mrkdwnContext(summaryLine(model)));
  if (model.scan?.cutShort) blocks.push(mrkdwnContext(cutShortNote(model)));
  if (rows.length < model.instances.length) {
    blocks.push(
      mrkdwnContext(
        `:scissors: Showing the first ${rows.length} of ${model.instances.length} instances on this page — ` +
          `a Slack message holds no more. Use \`limit:${MAX_ROWS_PER_MESSAGE}\` or less.`,
      ),
    );
  }
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
  return { text: fallbackText(model), blocks };
}

/** The two-line row, exported so other views (alerts, digests) can show an instance the same way. */
export function instanceRowText(instance: JobInstance, now: number): string {
  const status = escapeAndTruncate(statusLabel(instance.status), STATUS_MAX);
  const jobName = oneLine(instance.jobName);
  const title = jobName ? `*${escapeAndTruncate(jobName, NAME_MAX)}*` : '_unnamed job_';
  const facts = [escapeAndTruncate(oneLine(typeLabel(instance.type)), TYPE_MAX)];
  if (instance.startTime !== undefined) facts.push(`started ${slackDate(instance.startTime, '{date_short_pretty} at {time}')}`);
  facts.push(describeTiming(instance, now));
  if (instance.roundId !== undefined) facts.push(plural(instance.roundId, 'round'));
  const partner = instance.jobPartner === undefined ? '' : oneLine(instance.jobPartner);
  if (partner) facts.push(`partner ${escapeAndTruncate(partner, PARTNER_MAX)}`);
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
      text: { type: 'plain_text', text: 'Details', emoji: false },
      value,
    };
  }
  return section;
}

function summaryLine(model: HistoryViewModel): string {
  const parts: string[] = [];
  if (isScanned(model.cursor)) {
    parts.push(`*${plural(model.total, 'instance')}* in total`);
    parts.push(`page ${model.pageNumber}${model.pageCount === undefined ? '' : ` of ${model.pageCount}`}`);
    if (model.scan) parts.push(`${plural(model.scan.scanned, 'instance')} scanned`);
  } else {
    parts.push(`*${plural(model.total, 'instance')}*`);
    parts.push(`page ${model.pageNumber}${model.pageCount === undefined ? '' : ` of ${model.pageCount}`}`);
  }
  const filters = describeFilters(model.cursor);
  if (filters) parts.push(`filtered by ${filters}`);
  if (model.league.alias) parts.push(`league id \`${escapeAndTruncate(model.league.id, LEAGUE_MAX)}\``);
  parts.push(`fetched ${slackDate(model.fetchedAt, '{date_short_pretty} at {time}')}`);
  return parts.join('  ·  ');
}

/** "job `abc` and status `FAILED` or `TERMINATED`", or undefined when nothing is filtered. */
export function describeFilters(cursor: Pick<HistoryCursor, 'jobId' | 'jobName' | 'statuses'>): string | undefined {
  const parts: string[] = [];
  // Cursors are zod-checked to short safe words, but a view must not trust that: cap each piece.
  if (cursor.jobId) parts.push(`job \`${escapeAndTruncate(cursor.jobId, FILTER_MAX)}\``);
  if (cursor.jobName !== undefined) parts.push(`job name *${escapeAndTruncate(oneLine(cursor.jobName), NAME_MAX)}*`);
  if (cursor.statuses?.length) {
    const statuses = cursor.statuses.slice(0, 10).map((s) => `\`${escapeAndTruncate(s, STATUS_MAX)}\``);
    parts.push(`status ${statuses.join(' or ')}`);
  }
  return parts.length ? parts.join(' and ') : undefined;
}

/** Filters TICS cannot apply: the page is the result of a bounded client-side scan. */
function isScanned(cursor: HistoryCursor): boolean {
  return Boolean(cursor.statuses?.length) || cursor.jobName !== undefined;
}

function cutShortNote(model: HistoryViewModel): string {
  const scanned = model.scan ? plural(model.scan.scanned, 'instance') : 'many instances';
  const ways = [
    ...(model.next ? ['press *Next* to keep scanning'] : []),
    ...(model.cursor.jobId ? [] : ['narrow it with `job:&lt;job_id&gt;`']),
  ];
  return (
    `:warning: The scan stopped after ${scanned} to answer quickly, so this page may hold fewer matches than asked for.` +
    (ways.length ? ` To see more, ${ways.join(' or ')}.` : '')
  );
}

function emptyText(model: HistoryViewModel): string {
  const league = `*${escapeAndTruncate(leagueName(model.league), LEAGUE_MAX)}*`;
  const filters = describeFilters(model.cursor);
  if (isScanned(model.cursor)) {
    const scanned = model.scan ? ` among the ${plural(model.scan.scanned, 'instance')} checked` : '';
    const more = model.next ? ' Press *Next* to look further back.' : '';
    return `:mag: No instances with ${filters ?? 'these filters'} on this page${scanned}.${more}`;
  }
  if (model.total === 0) {
    if (model.cursor.jobId) {
      return `:mag: ${league} has no instances of job \`${escapeAndTruncate(model.cursor.jobId, FILTER_MAX)}\`. Check the job id, or leave out \`job:\` to see every job.`;
    }
    return `:seedling: No job instances in ${league} yet. Once a job runs, its instances show up here.`;
  }
  return ':mag: Nothing on this page — the history may have changed since the previous page. Press *Refresh*, or go back with *Previous*.';
}

function fallbackText(model: HistoryViewModel): string {
  const page = `page ${model.pageNumber}${model.pageCount === undefined ? '' : ` of ${model.pageCount}`}`;
  const filters: string[] = [];
  if (model.cursor.jobId) filters.push(`job ${model.cursor.jobId}`);
  if (model.cursor.jobName !== undefined) filters.push(`job name ${oneLine(model.cursor.jobName)}`);
  if (model.cursor.statuses?.length) filters.push(`status ${model.cursor.statuses.join('/')}`);
  const filtered = filters.length ? ` (${filters.join(', ')})` : '';
  const simulated = model.simulated ? ' [simulated]' : '';
  return escapeAndTruncate(`History of ${leagueName(model.league)}${filtered}: ${plural(model.total, 'instance')}, ${page}${simulated}`, 1000);
}

function pagingActions(model: HistoryViewModel): types.ActionsBlock {
  const elements: types.Button[] = [];
  if (model.prev) elements.push(button(HISTORY_ACTIONS.prev, '◀ Previous', encodeCursor(model.prev)));
  if (model.next) elements.push(button(HISTORY_ACTIONS.next, 'Next ▶', encodeCursor(model.next)));
  const current = encodeCursor(model.cursor);
  elements.push(button(HISTORY_ACTIONS.refresh, ':arrows_counterclockwise: Refresh', current));
  elements.push(button(HISTORY_ACTIONS.share, ':mega: Share in channel', current));
  return { type: 'actions', block_id: HISTORY_PAGING_BLOCK_ID, elements };
}

function button(actionId: string, text: string, value: string): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: true }, value };
}

function simulatedNote(): types.ContextBlock {
  return mrkdwnContext(
    ':test_tube: *Simulated data* — these instances come from tics-bot’s built-in simulator, not from Huawei Cloud TICS.',
  );
}
