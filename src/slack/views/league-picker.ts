/**
 * "Which league?": the answer to `/tics history|watch|unwatch` given without a league (a menu
 * Slack fills by asking the bot as the person types) or with a name several leagues share (a menu
 * of those leagues). The command's other words ride in the block_id, so a pick continues the
 * command as if the league had been typed. Pure.
 */
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { LeagueSummary } from '../../leagues/summary.js';
import { SLASH_COMMAND } from '../command-name.js';
import type { DecodeResult } from '../cursor.js';
import { SLACK_LIMITS } from '../limits.js';
import { escapeAndTruncate, escapeMrkdwn, mrkdwnContext, oneLine, truncate, type SlackMessage } from './format.js';

export const LEAGUE_PICKER_ACTIONS = {
  /** The external_select: options come from the bot's `app.options` listener. */
  search: 'league_pick',
  /** The static_select of the leagues an ambiguous name matched. */
  match: 'league_pick_match',
} as const;

export const PICK_VERBS = ['history', 'watch', 'unwatch'] as const;
export type PickVerb = (typeof PICK_VERBS)[number];

/** What the command still needs once the league is known: its verb and its other words, as typed. */
export interface PickState {
  v: 1;
  c: PickVerb;
  /** The command's words other than the verb and the league (filters, #channel, options). */
  a: string;
}

// Slack's caps on what a select may hold.
export const MENU_LIMITS = { options: 100, optionText: 75, optionValue: 150, placeholder: 150 } as const;

const BLOCK_PREFIX = 'league_pick:';
const LEAGUE_ID = /^[A-Za-z0-9]{1,32}$/;

const stateSchema = z.strictObject({
  v: z.literal(1),
  c: z.enum(PICK_VERBS),
  a: z.string().max(SLACK_LIMITS.id),
});

/** `undefined` when the words do not fit in a block_id: the view then asks for the league to be typed. */
export function encodePickBlockId(state: PickState): string | undefined {
  const id = BLOCK_PREFIX + JSON.stringify(state);
  return id.length <= SLACK_LIMITS.id ? id : undefined;
}

export function decodePickBlockId(blockId: string | undefined): DecodeResult<PickState> {
  if (blockId === undefined || !blockId.startsWith(BLOCK_PREFIX)) return { ok: false, reason: 'the league menu carried no command' };
  if (blockId.length > SLACK_LIMITS.id) return { ok: false, reason: 'the league menu state is too long to be ours' };
  let json: unknown;
  try {
    json = JSON.parse(blockId.slice(BLOCK_PREFIX.length));
  } catch {
    return { ok: false, reason: 'the league menu state is not something tics-bot wrote' };
  }
  const parsed = stateSchema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: 'the league menu state is damaged' };
}

/** A picked option's value: a league id, and nothing that could smuggle more words into the command. */
export function isPickedLeagueId(value: string | undefined): value is string {
  return value !== undefined && LEAGUE_ID.test(value);
}

/** The command a pick stands for, as if typed. */
export function commandTextFor(state: PickState, leagueId: string): string {
  return `${state.c} ${leagueId}${state.a ? ` ${state.a}` : ''}`;
}

const copy = {
  ask: {
    history: 'Which league? Pick one to see its job history.',
    watch: 'Which league? Pick one to watch.',
    unwatch: 'Which league? Pick one to stop watching.',
  } satisfies Record<PickVerb, string>,
  ambiguous: (n: number, name: string) => `${n} leagues are named “${name}”. Which one?`,
  placeholder: 'Type to search leagues…',
  matchPlaceholder: 'Pick a league…',
  with: (words: string) => `With \`${words}\``,
  type: (verb: PickVerb) => `Or type it: \`${SLASH_COMMAND} ${verb} ${escapeMrkdwn('<league>')} …\` (an alias, an id or a name in quotes).`,
  tooLong: (verb: PickVerb) => `The rest of the command is too long to carry through a menu: type the league in it, e.g. \`${SLASH_COMMAND} ${verb} ${escapeMrkdwn('<league>')} …\`.`,
  text: (verb: PickVerb) => `Which league? ${SLASH_COMMAND} ${verb} needs one.`,
} as const;

export interface LeaguePickerModel {
  state: PickState;
  /** A name several leagues share: pick among these instead of searching. */
  ambiguous?: { typed: string; matches: readonly LeagueSummary[] };
}

export function buildLeaguePicker(model: LeaguePickerModel): SlackMessage {
  const { state, ambiguous } = model;
  const blockId = encodePickBlockId(state);
  const prompt = ambiguous ? copy.ambiguous(ambiguous.matches.length, escapeAndTruncate(oneLine(ambiguous.typed), 128)) : copy.ask[state.c];
  const blocks: types.KnownBlock[] = [];
  if (blockId === undefined) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: prompt } }, mrkdwnContext(copy.tooLong(state.c)));
    return { text: copy.text(state.c), blocks };
  }
  const menu: types.StaticSelect | types.ExternalSelect = ambiguous
    ? {
        type: 'static_select',
        action_id: LEAGUE_PICKER_ACTIONS.match,
        placeholder: plain(copy.matchPlaceholder),
        options: ambiguous.matches.filter((l) => LEAGUE_ID.test(l.id)).slice(0, MENU_LIMITS.options).map(matchOption),
      }
    : { type: 'external_select', action_id: LEAGUE_PICKER_ACTIONS.search, placeholder: plain(copy.placeholder), min_query_length: 0 };
  blocks.push({ type: 'section', block_id: blockId, text: { type: 'mrkdwn', text: prompt }, accessory: menu });
  const words = oneLine(state.a);
  blocks.push(mrkdwnContext([words ? copy.with(escapeAndTruncate(words, 300)) : undefined, copy.type(state.c)].filter(Boolean).join('  ·  ')));
  return { text: copy.text(state.c), blocks };
}

/** The menu's options for what was typed: name, alias or id containing it (case-insensitive), at most 100. */
export function searchOptions(leagues: readonly LeagueSummary[], typed: string): types.PlainTextOption[] {
  const wanted = oneLine(typed).trim().toLowerCase();
  const hits = leagues.filter((l) => LEAGUE_ID.test(l.id) && (wanted === '' || [l.name, l.alias ?? '', l.id].some((f) => oneLine(f).toLowerCase().includes(wanted))));
  return hits.slice(0, MENU_LIMITS.options).map(searchOption);
}

function searchOption(league: LeagueSummary): types.PlainTextOption {
  const name = oneLine(league.name) || league.id;
  const tag = league.alias ?? league.id;
  return option(name, tag === name ? undefined : tag, league.id);
}

/** Same-named leagues differ by id and role: both are shown. */
function matchOption(league: LeagueSummary): types.PlainTextOption {
  const facts = [league.id, league.type, league.alias].filter((f): f is string => f !== undefined && f !== '').join(', ');
  return option(oneLine(league.name) || league.id, facts, league.id);
}

/** `name (facts)` within Slack's 75 characters: the name gives way before the facts do. */
function option(name: string, facts: string | undefined, value: string): types.PlainTextOption {
  const suffix = facts ? ` (${truncate(facts, 40)})` : '';
  return { text: plain(truncate(name, MENU_LIMITS.optionText - suffix.length) + suffix), value };
}

function plain(text: string): types.PlainTextElement {
  return { type: 'plain_text', text: truncate(text, MENU_LIMITS.placeholder), emoji: false };
}
