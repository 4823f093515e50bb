/** `/tics leagues`: the visible leagues, a page at a time, each with History and Watch here. Pure. */
import type { types } from '@slack/bolt';
import type { LeagueSummary } from '../../leagues/summary.js';
import { encodeLeagueButton, encodeLeaguesPage, type LeaguesPage } from './leagues-state.js';
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';
import { escapeAndTruncate, mrkdwnContext, oneLine, slackDate, truncate, type SlackMessage } from './format.js';

export const LEAGUES_PAGE_SIZE = 10;
export const LEAGUES_ACTIONS = {
  prev: 'leagues_prev',
  next: 'leagues_next',
  history: 'leagues_history',
  watch: 'leagues_watch',
} as const;
export const LEAGUES_PAGING_BLOCK_ID = 'leagues_paging';

const NAME_MAX = 128;
const FACT_MAX = 64;

const copy = {
  header: (filter: string | undefined) => (filter ? `TICS leagues matching “${filter}”` : 'TICS leagues'),
  count: (n: number) => `*${n} ${n === 1 ? 'league' : 'leagues'}*`,
  page: (n: number, of: number) => `page ${n} of ${of}`,
  fetched: (at: string) => `listed ${at}`,
  members: (n: number) => `${n} ${n === 1 ? 'member' : 'members'}`,
  alias: (alias: string) => `alias \`${alias}\``,
  creator: (name: string) => `created by ${name}`,
  created: (at: string) => `created ${at}`,
  none: (filter: string | undefined) =>
    filter
      ? `:mag: No league you can see has “${filter}” in its name, alias or id. \`/tics leagues\` lists them all.`
      : ":seedling: The bot's credentials see no league (or none this channel may query).",
  hint: 'Any `<league>` can be given by its exact name: `/tics history "League name"`.',
  button: { prev: 'Previous', next: 'Next', history: 'History', watch: 'Watch here' },
  text: (count: string, page: string, simulated: boolean) => `${count} in TICS, ${page}${simulated ? sharedCopy.simulatedSuffix : ''}`,
} as const;

export interface LeaguesViewModel {
  /** Every league that matched, in display order; the view shows the page at `state.offset`. */
  leagues: readonly LeagueSummary[];
  state: LeaguesPage;
  fetchedAt: number;
  /** Watching is enabled: rows get Watch here. */
  canWatch: boolean;
  simulated?: boolean;
}

export function buildLeaguesMessage(model: LeaguesViewModel): SlackMessage {
  const total = model.leagues.length;
  const pageCount = Math.max(1, Math.ceil(total / LEAGUES_PAGE_SIZE));
  const offset = Math.min(model.state.offset - (model.state.offset % LEAGUES_PAGE_SIZE), (pageCount - 1) * LEAGUES_PAGE_SIZE);
  const pageNumber = offset / LEAGUES_PAGE_SIZE + 1;
  const rows = model.leagues.slice(offset, offset + LEAGUES_PAGE_SIZE);
  const filter = model.state.q === undefined ? undefined : oneLine(model.state.q);
  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(copy.header(filter), SLACK_LIMITS.headerText), emoji: false } }];
  if (model.simulated) blocks.push(mrkdwnContext(sharedCopy.simulatedNote('the leagues')));
  blocks.push(mrkdwnContext([copy.count(total), copy.page(pageNumber, pageCount), copy.fetched(slackDate(model.fetchedAt))].join('  ·  ')));
  blocks.push({ type: 'divider' });
  if (rows.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: copy.none(filter === undefined ? undefined : escapeAndTruncate(filter, NAME_MAX)) } });
  for (const league of rows) blocks.push(...leagueRow(league, model.canWatch));
  blocks.push({ type: 'divider' }, mrkdwnContext(copy.hint));
  const paging = pagingButtons(model.state, offset, total);
  if (paging.length) blocks.push({ type: 'actions', block_id: LEAGUES_PAGING_BLOCK_ID, elements: paging });
  return { text: truncate(copy.text(copy.count(total).replace(/\*/g, ''), copy.page(pageNumber, pageCount), model.simulated === true), 1000), blocks };
}

function rowText(league: LeagueSummary): string {
  const facts = [league.status, league.type].filter((f): f is string => f !== undefined && f !== '').map((f) => escapeAndTruncate(oneLine(f), FACT_MAX));
  if (league.partners !== undefined) facts.push(copy.members(league.partners));
  if (league.alias) facts.push(copy.alias(escapeAndTruncate(league.alias, FACT_MAX)));
  if (league.creatorName) facts.push(copy.creator(escapeAndTruncate(oneLine(league.creatorName), FACT_MAX)));
  if (league.createDate !== undefined) facts.push(copy.created(slackDate(league.createDate)));
  const name = escapeAndTruncate(oneLine(league.name), NAME_MAX) || escapeAndTruncate(league.id, NAME_MAX);
  return `*${name}*  \`${escapeAndTruncate(league.id, FACT_MAX)}\`${facts.length ? `\n${facts.join(' · ')}` : ''}`;
}

function leagueRow(league: LeagueSummary, canWatch: boolean): types.KnownBlock[] {
  const value = encodeLeagueButton({ v: 1, league: league.id });
  const buttons: types.Button[] = [button(copy.button.history, LEAGUES_ACTIONS.history, value)];
  if (canWatch) buttons.push(button(copy.button.watch, LEAGUES_ACTIONS.watch, value));
  // Ids that are not TICS-shaped could not come back through a button: list them without one.
  const clickable = /^[A-Za-z0-9]{1,32}$/.test(league.id);
  return [{ type: 'section', text: { type: 'mrkdwn', text: rowText(league) } }, ...(clickable ? [{ type: 'actions' as const, elements: buttons }] : [])];
}

function button(text: string, actionId: string, value: string): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text, emoji: false }, value };
}

function pagingButtons(state: LeaguesPage, offset: number, total: number): types.Button[] {
  const at = (to: number): string => encodeLeaguesPage({ v: 1, ...(state.q !== undefined ? { q: state.q } : {}), offset: to });
  const buttons: types.Button[] = [];
  if (offset > 0) buttons.push(button(copy.button.prev, LEAGUES_ACTIONS.prev, at(Math.max(0, offset - LEAGUES_PAGE_SIZE))));
  if (offset + LEAGUES_PAGE_SIZE < total) buttons.push(button(copy.button.next, LEAGUES_ACTIONS.next, at(offset + LEAGUES_PAGE_SIZE)));
  return buttons;
}
