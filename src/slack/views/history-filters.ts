/**
 * The history page's filter menus: the league's jobs and the statuses. Choosing one redraws the
 * page from its first page with that filter. The menus' block carries the page's filters in its
 * `block_id` (cursor.ts), each option only what it changes.
 */
import type { types } from '@slack/bolt';
import type { LeagueJobs } from '../../history/league-jobs.js';
import { statusLabel } from '../../format/status.js';
import { KNOWN_STATUSES } from '../../tics/schema.js';
import { encodeFilterBlockId, FILTER_BLOCK_PREFIX, type HistoryCursor } from '../cursor.js';
import type { Fetched } from '../partial.js';
import { escapeAndTruncate, mrkdwnContext, oneLine, truncate } from './format.js';
import { describeMissing } from './missing.js';

export interface HistoryFilters {
  /** The league's jobs; absent when the TICS API at hand cannot list jobs (no menu, no note). */
  jobs?: Fetched<LeagueJobs>;
}

export const HISTORY_FILTER_ACTIONS = { job: 'history_filter_job', status: 'history_filter_status' } as const;
/** The option meaning "no filter" in either menu. */
export const ALL_OPTION = '*';
export const FILTER_NOTE_BLOCK_ID = 'history_filters_note';
export { FILTER_BLOCK_PREFIX };

/**
 * Slack's static_select limits (Block Kit reference): 100 options, option text 75 and value 150
 * characters, placeholder 150. The menu shows far less than 75 before cutting, so names are cut
 * shorter, which also keeps a hundred of them from eating the message's text budget.
 */
export const SELECT_LIMITS = { options: 100, optionText: 75, optionValue: 150, placeholder: 150 } as const;
const JOB_TEXT_MAX = 40;
const ID_TAIL = 8;

/** Shown as one option each, in this order, after "All statuses". */
const STATUS_CHOICES: readonly (readonly string[])[] = [
  ['FAILED'],
  ['FAILED', 'TERMINATED'],
  ['TERMINATED'],
  ['RUNNING'],
  ['SUCCEEDED'],
  ['PENDING'],
  ['NEW'],
  ['SUBMITING'],
  ['ACCEPTED'],
  ['DEPLOYING'],
  ['TERMINATING'],
];

const copy = {
  allJobs: 'All jobs',
  allStatuses: 'All statuses',
  jobPlaceholder: 'Filter by job',
  statusPlaceholder: 'Filter by status',
  or: ' or ',
  jobsMissing: (why: string) => `:warning: No job menu: the league’s job list could not be loaded (${why}). \`job:<job_id>\` in the command still filters by job.`,
  jobsCut: (shown: number, total: number) =>
    `:scissors: The job menu lists ${shown} of ${total} jobs (the newest; a menu holds no more). For another, use \`job:<job_id>\` in the command.`,
  tooLong: ':scissors: No filter menus: this view’s filters are too long to carry in the message. Use `job:` and `status:` in the command.',
} as const;

type Option = types.PlainTextOption;

const option = (text: string, value: string): Option => ({
  text: { type: 'plain_text', text: truncate(text, SELECT_LIMITS.optionText), emoji: false },
  value,
});

/**
 * The menus and, when something is missing or cut, a note. `textBudget` is what the rest of the
 * message leaves of Slack's block-text budget: the job names spend it, so fewer of them are listed
 * when the page itself is long.
 */
export function filterBlocks(cursor: HistoryCursor, filters: HistoryFilters, textBudget: number): types.KnownBlock[] {
  const blockId = encodeFilterBlockId(cursor);
  if (blockId === undefined) return [{ ...mrkdwnContext(copy.tooLong), block_id: FILTER_NOTE_BLOCK_ID }];
  const notes: string[] = [];
  const elements: types.StaticSelect[] = [];
  const statusMenu = statusSelect(cursor);
  let budget = textBudget - textOf(statusMenu);
  if (filters.jobs?.ok === false) {
    notes.push(copy.jobsMissing(escapeAndTruncate(describeMissing(filters.jobs.missing), 200)));
  } else if (filters.jobs?.ok) {
    budget -= 300; // the cut note, should it be needed
    const { select, shown } = jobSelect(cursor, filters.jobs.value, budget);
    elements.push(select);
    const total = Math.max(filters.jobs.value.total, filters.jobs.value.jobs.length);
    if (shown < total) notes.push(copy.jobsCut(shown, total));
  }
  elements.push(statusMenu);
  const blocks: types.KnownBlock[] = [{ type: 'actions', block_id: blockId, elements }];
  if (notes.length) blocks.push({ ...mrkdwnContext(notes.join('\n')), block_id: FILTER_NOTE_BLOCK_ID });
  return blocks;
}

/** `shown`: how many of TICS's jobs made it into the menu (a filtered job TICS did not list is extra). */
function jobSelect(cursor: HistoryCursor, list: LeagueJobs, budget: number): { select: types.StaticSelect; shown: number } {
  const all = option(copy.allJobs, ALL_OPTION);
  const counts = new Map<string, number>();
  for (const job of list.jobs) counts.set(oneLine(job.name), (counts.get(oneLine(job.name)) ?? 0) + 1);
  const textFor = (job: { id: string; name: string }) => {
    const name = oneLine(job.name);
    if (!name) return job.id;
    // Two jobs of one name would read the same: the id's tail tells them apart.
    return (counts.get(name) ?? 0) > 1 ? `${truncate(name, JOB_TEXT_MAX - ID_TAIL - 3)} (${job.id.slice(-ID_TAIL)})` : truncate(name, JOB_TEXT_MAX);
  };
  const current = cursor.jobId === undefined ? undefined : (list.jobs.find((j) => j.id === cursor.jobId) ?? { id: cursor.jobId, name: '' });
  const picked: Option[] = [];
  if (current) picked.push(option(textFor(current), current.id));
  let spent = textOf(all) + picked.reduce((n, o) => n + o.text.text.length, 0);
  for (const job of list.jobs) {
    if (picked.length >= SELECT_LIMITS.options - 1) break;
    if (job.id === current?.id || job.id.length > SELECT_LIMITS.optionValue) continue;
    const candidate = option(textFor(job), job.id);
    if (spent + candidate.text.text.length > budget) break;
    spent += candidate.text.text.length;
    picked.push(candidate);
  }
  picked.sort((a, b) => a.text.text.localeCompare(b.text.text));
  const options = [all, ...picked];
  const initial = cursor.jobId === undefined ? (cursor.jobName === undefined ? all : undefined) : options.find((o) => o.value === cursor.jobId);
  const select: types.StaticSelect = {
    type: 'static_select',
    action_id: HISTORY_FILTER_ACTIONS.job,
    placeholder: { type: 'plain_text', text: copy.jobPlaceholder, emoji: false },
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
  const unlisted = current !== undefined && !list.jobs.some((j) => j.id === current.id);
  return { select, shown: unlisted ? picked.length - 1 : picked.length };
}

function statusSelect(cursor: HistoryCursor): types.StaticSelect {
  const all = option(copy.allStatuses, ALL_OPTION);
  const choices = [...STATUS_CHOICES];
  const wanted = cursor.statuses ?? [];
  const sameSet = (a: readonly string[]) => a.length === wanted.length && a.every((s) => wanted.includes(s));
  // A combination typed in the command (`status:FAILED,RUNNING`) gets its own option, so the menu shows it.
  const known = wanted.every((s) => (KNOWN_STATUSES as readonly string[]).includes(s));
  if (wanted.length && known && !choices.some(sameSet)) choices.unshift(wanted);
  const options = [all, ...choices.map((set) => option(set.map(statusLabel).join(copy.or), set.join(',')))];
  const initial = wanted.length === 0 ? all : options.find((o) => o.value !== undefined && o.value !== ALL_OPTION && sameSet(o.value.split(',')));
  return {
    type: 'static_select',
    action_id: HISTORY_FILTER_ACTIONS.status,
    placeholder: { type: 'plain_text', text: copy.statusPlaceholder, emoji: false },
    options,
    ...(initial ? { initial_option: initial } : {}),
  };
}

/** Characters of text objects in a block or element: what Slack's message-size cap counts. */
export function textOf(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + textOf(v), 0);
  if (typeof value !== 'object' || value === null) return 0;
  const record = value as Record<string, unknown>;
  if ((record.type === 'plain_text' || record.type === 'mrkdwn') && typeof record.text === 'string') return record.text.length;
  let n = 0;
  for (const [key, v] of Object.entries(record)) if (key !== 'initial_option') n += textOf(v);
  return n;
}

/** The filter menus and their note: left out of a page shared in the channel. */
export function isFilterBlock(block: types.KnownBlock): boolean {
  return 'block_id' in block && typeof block.block_id === 'string' && (block.block_id.startsWith(FILTER_BLOCK_PREFIX) || block.block_id === FILTER_NOTE_BLOCK_ID);
}
