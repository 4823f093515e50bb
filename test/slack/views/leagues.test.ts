import { describe, expect, it } from 'vitest';
import type { LeagueSummary } from '../../../src/leagues/summary.js';
import type { SlackMessage } from '../../../src/slack/views/format.js';
import { decodeLeagueButton, decodeLeaguesPage } from '../../../src/slack/views/leagues-state.js';
import { buildLeaguesMessage, LEAGUES_ACTIONS, LEAGUES_PAGE_SIZE, type LeaguesViewModel } from '../../../src/slack/views/leagues.js';
import { assertWithinSlackLimits } from '../../helpers/block-kit-limits.js';

const AT = Date.UTC(2026, 10, 29, 12, 0, 0);
const LEAGUES: LeagueSummary[] = [
  { id: 'demoCreditRisk01', name: '信用风控联盟 Credit Risk Alliance', status: 'NORMAL', type: 'OWNER', partners: 3, creatorName: 'risk-admin', createDate: AT - 86_400_000, alias: 'credit-risk' },
  { id: 'demoAntiFraud04', name: 'Anti-Fraud <Consortium> & co', status: 'UPDATING', type: 'PARTNER', partners: 4 },
  { id: 'bareLeague01', name: 'x'.repeat(400) },
];

function build(model: Partial<LeaguesViewModel> = {}): SlackMessage {
  const message = buildLeaguesMessage({ leagues: LEAGUES, state: { v: 1, offset: 0 }, fetchedAt: AT, canWatch: true, ...model });
  assertWithinSlackLimits(message);
  return message;
}
const buttons = (m: SlackMessage) =>
  m.blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Array<{ action_id: string; value: string }>).map((e) => ({ id: e.action_id, value: e.value })) : []));
const many = (n: number): LeagueSummary[] => Array.from({ length: n }, (_, i) => ({ id: `league${String(i).padStart(3, '0')}`, name: `League ${i}`, status: 'NORMAL', type: 'OWNER', partners: 2 }));

describe('buildLeaguesMessage', () => {
  it('lays out each league with its facts and History / Watch here buttons', () => {
    const message = build({ simulated: true });
    expect(message).toMatchSnapshot();
    const text = JSON.stringify(message);
    expect(text).toContain('Anti-Fraud &lt;Consortium&gt; &amp; co');
    expect(text).toContain('alias `credit-risk`');
    const clicks = buttons(message);
    expect(clicks.filter((b) => b.id === LEAGUES_ACTIONS.history)).toHaveLength(3);
    expect(clicks.filter((b) => b.id === LEAGUES_ACTIONS.watch).map((b) => decodeLeagueButton(b.value))).toContainEqual({ ok: true, value: { v: 1, league: 'demoAntiFraud04' } });
    expect(clicks.some((b) => b.id === LEAGUES_ACTIONS.next || b.id === LEAGUES_ACTIONS.prev)).toBe(false);
  });

  it('leaves Watch here out when watching is not enabled', () => {
    expect(buttons(build({ canWatch: false })).map((b) => b.id)).not.toContain(LEAGUES_ACTIONS.watch);
  });

  it('pages: Previous and Next carry the filter and offset, a stale offset shows the last page', () => {
    const leagues = many(25);
    const middle = build({ leagues, state: { v: 1, q: 'league', offset: LEAGUES_PAGE_SIZE } });
    const paging = buttons(middle).filter((b) => b.id === LEAGUES_ACTIONS.prev || b.id === LEAGUES_ACTIONS.next);
    expect(paging.map((b) => [b.id, decodeLeaguesPage(b.value)])).toEqual([
      [LEAGUES_ACTIONS.prev, { ok: true, value: { v: 1, q: 'league', offset: 0 } }],
      [LEAGUES_ACTIONS.next, { ok: true, value: { v: 1, q: 'league', offset: 20 } }],
    ]);
    expect(JSON.stringify(middle)).toContain('page 2 of 3');
    const past = build({ leagues, state: { v: 1, offset: 999 } });
    expect(JSON.stringify(past)).toContain('page 3 of 3');
    expect(buttons(past).map((b) => b.id)).not.toContain(LEAGUES_ACTIONS.next);
  });

  it('a full page of long names stays within Block Kit limits', () => {
    build({ leagues: many(LEAGUES_PAGE_SIZE * 3).map((l) => ({ ...l, name: '名'.repeat(128), creatorName: 'c'.repeat(128), alias: 'a'.repeat(64) })) });
  });

  it('says so when nothing matches', () => {
    expect(JSON.stringify(build({ leagues: [], state: { v: 1, q: 'zzz', offset: 0 } }))).toContain('No league you can see has “zzz”');
    expect(JSON.stringify(build({ leagues: [] }))).toContain('see no league');
  });
});

describe('leagues button state', () => {
  it('refuses forged or damaged values', () => {
    expect(decodeLeagueButton('{"v":1,"league":"../x"}').ok).toBe(false);
    expect(decodeLeagueButton(undefined).ok).toBe(false);
    expect(decodeLeaguesPage('{"v":1,"offset":-1}').ok).toBe(false);
    expect(decodeLeaguesPage('{"v":1,"offset":0,"extra":1}').ok).toBe(false);
    expect(decodeLeaguesPage('not json').ok).toBe(false);
  });
});
