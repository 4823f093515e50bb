import { describe, expect, it } from 'vitest';
import type { types } from '@slack/bolt';
import type { LeagueSummary } from '../../../src/leagues/summary.js';
import type { SlackMessage } from '../../../src/slack/views/format.js';
import {
  buildLeaguePicker,
  commandTextFor,
  decodePickBlockId,
  encodePickBlockId,
  isPickedLeagueId,
  LEAGUE_PICKER_ACTIONS,
  MENU_LIMITS,
  searchOptions,
  type LeaguePickerModel,
} from '../../../src/slack/views/league-picker.js';
import { assertWithinSlackLimits } from '../../helpers/block-kit-limits.js';

const LEAGUES: LeagueSummary[] = [
  { id: 'demoCreditRisk01', name: '信用风控联盟 Credit Risk Alliance', status: 'NORMAL', type: 'OWNER', partners: 3, alias: 'credit-risk' },
  { id: 'demoAntiFraud04', name: 'Anti-Fraud <Consortium> & co', status: 'UPDATING', type: 'PARTNER', partners: 4 },
  { id: 'bareLeague01', name: 'x'.repeat(400) },
];
const many = (n: number): LeagueSummary[] => Array.from({ length: n }, (_, i) => ({ id: `league${String(i).padStart(3, '0')}`, name: `League ${i}` }));

type Accessory = { type: string; action_id: string; options?: types.PlainTextOption[]; min_query_length?: number; placeholder: { text: string } };

function build(model: LeaguePickerModel): SlackMessage {
  const message = buildLeaguePicker(model);
  assertWithinSlackLimits(message);
  for (const block of message.blocks) {
    const accessory = (block as { accessory?: Accessory }).accessory;
    if (!accessory) continue;
    expect(accessory.placeholder.text.length).toBeLessThanOrEqual(MENU_LIMITS.placeholder);
    checkOptions(accessory.options ?? []);
  }
  return message;
}
function checkOptions(options: readonly types.PlainTextOption[]): void {
  expect(options.length).toBeLessThanOrEqual(MENU_LIMITS.options);
  for (const o of options) {
    expect(o.text.text.length).toBeLessThanOrEqual(MENU_LIMITS.optionText);
    expect(o.text.type).toBe('plain_text');
    expect((o.value ?? '').length).toBeLessThanOrEqual(MENU_LIMITS.optionValue);
  }
}
const accessoryOf = (m: SlackMessage) => m.blocks.map((b) => ({ blockId: (b as { block_id?: string }).block_id, accessory: (b as { accessory?: Accessory }).accessory })).find((b) => b.accessory);

describe('buildLeaguePicker', () => {
  it.each(['history', 'watch', 'unwatch'] as const)('asks for the league of %s with a search menu carrying the command', (verb) => {
    const message = build({ state: { v: 1, c: verb, a: verb === 'history' ? 'status:FAILED limit:5' : '<#C0123ABCD|ml> stuck:2h' } });
    expect(message).toMatchSnapshot();
    const found = accessoryOf(message)!;
    if (!found.accessory) throw new Error("no menu");
    expect(found.accessory).toMatchObject({ type: 'external_select', action_id: LEAGUE_PICKER_ACTIONS.search, min_query_length: 0 });
    const state = decodePickBlockId(found.blockId);
    expect(state.ok && state.value.c).toBe(verb);
  });

  it('offers the leagues an ambiguous name matched, with ids and roles', () => {
    const twins: LeagueSummary[] = [
      { id: 'twinA', name: 'Joint Marketing', type: 'OWNER' },
      { id: 'twinB', name: 'Joint Marketing', type: 'PARTNER', alias: 'jm-b' },
    ];
    const message = build({ state: { v: 1, c: 'history', a: '' }, ambiguous: { typed: '"joint marketing"', matches: twins } });
    expect(message).toMatchSnapshot();
    const found = accessoryOf(message)!;
    if (!found.accessory) throw new Error("no menu");
    expect(found.accessory.type).toBe('static_select');
    expect(found.accessory.action_id).toBe(LEAGUE_PICKER_ACTIONS.match);
    expect(found.accessory.options!.map((o) => [o.value, o.text.text])).toEqual([
      ['twinA', 'Joint Marketing (twinA, OWNER)'],
      ['twinB', 'Joint Marketing (twinB, PARTNER, jm-b)'],
    ]);
  });

  it('caps an ambiguous menu at 100 options and cuts long names', () => {
    const message = build({ state: { v: 1, c: 'watch', a: '' }, ambiguous: { typed: 'League', matches: [...many(150), ...LEAGUES] } });
    expect(accessoryOf(message)?.accessory?.options).toHaveLength(100);
  });

  it('asks for the league to be typed when the rest of the command does not fit in a block_id', () => {
    const state = { v: 1 as const, c: 'watch' as const, a: `notify:${'<@U0123ABCD>,'.repeat(30)}` };
    expect(encodePickBlockId(state)).toBeUndefined();
    const message = build({ state });
    expect(accessoryOf(message)).toBeUndefined();
    expect(JSON.stringify(message)).toContain('type the league in it');
  });
});

describe('pick state', () => {
  it('round-trips, and refuses what tics-bot did not write', () => {
    const state = { v: 1 as const, c: 'unwatch' as const, a: '<#C0123ABCD|x>' };
    const id = encodePickBlockId(state)!;
    expect(id.length).toBeLessThanOrEqual(255);
    expect(decodePickBlockId(id)).toEqual({ ok: true, value: state });
    expect(commandTextFor(state, 'abc123')).toBe('unwatch abc123 <#C0123ABCD|x>');
    for (const bad of [undefined, 'xyz', 'league_pick:{', 'league_pick:{"v":1,"c":"unsnooze","a":""}', 'league_pick:{"v":1,"c":"history","a":"","x":1}']) {
      expect(decodePickBlockId(bad).ok).toBe(false);
    }
  });

  it('takes only an id-shaped pick', () => {
    expect(isPickedLeagueId('demoCreditRisk01')).toBe(true);
    for (const bad of [undefined, '', 'credit-risk', 'abc status:FAILED', 'a'.repeat(33)]) expect(isPickedLeagueId(bad)).toBe(false);
  });
});

describe('searchOptions', () => {
  it('filters by name, alias or id, case-insensitively, with the league id as value', () => {
    expect(searchOptions(LEAGUES, 'CREDIT').map((o) => o.value)).toEqual(['demoCreditRisk01']);
    expect(searchOptions(LEAGUES, 'dit-RI').map((o) => o.value)).toEqual(['demoCreditRisk01']);
    expect(searchOptions(LEAGUES, 'antifraud').map((o) => o.value)).toEqual(['demoAntiFraud04']);
    expect(searchOptions(LEAGUES, '').map((o) => o.value)).toEqual(LEAGUES.map((l) => l.id));
    expect(searchOptions(LEAGUES, 'nothing like it')).toEqual([]);
  });

  it('keeps to 100 options of at most 75 characters', () => {
    const options = searchOptions([...LEAGUES, ...many(200)], '');
    expect(options).toHaveLength(100);
    checkOptions(options);
    expect(options.map((o) => o.text.text)).toMatchSnapshot();
  });
});
