import { describe, expect, it } from 'vitest';
import { decodeCursor } from '../../../src/slack/cursor.js';
import { decodeIncidentRef } from '../../../src/slack/views/incident-ref.js';
import { buildHomeView, HOME_ACTIONS, HOME_MAX_BLOCKS, HOME_MAX_INCIDENTS, type HomeInput, type HomeView } from '../../../src/slack/views/home.js';
import { assertViewWithinLimits } from '../../helpers/block-kit-limits.js';
import { HOUR, NOW } from './fixtures.js';
import { homeExampleInput, watchRow } from './home-fixtures.js';
import { incident, SLOT } from './incident-fixtures.js';

function checked(view: HomeView): HomeView {
  assertViewWithinLimits(view, 'home');
  return view;
}

const texts = (view: HomeView) =>
  view.blocks.map((b) => {
    const block = b as unknown as { text?: { text: string }; elements?: Array<{ text?: string | { text: string } }> };
    return block.text?.text ?? block.elements?.map((e) => (typeof e.text === 'string' ? e.text : (e.text?.text ?? ''))).join(' ') ?? '';
  });
const all = (view: HomeView) => texts(view).join('\n');
const buttons = (view: HomeView) =>
  view.blocks.flatMap((b) => {
    const block = b as unknown as { accessory?: unknown; elements?: unknown[] };
    return [block.accessory, ...(block.elements ?? [])].filter(
      (e): e is { type: 'button'; action_id: string; value?: string; url?: string; text: { text: string } } => (e as { type?: string } | undefined)?.type === 'button',
    );
  });

/** A watch row's title line: `league → #channel  ·  on FAILED, TERMINATED`. */
const isWatchRow = (text: string) => /→ <#C\w+> {2}· {2}on /.test(text);

const build = (overrides: Partial<HomeInput> = {}) => checked(buildHomeView({ ...homeExampleInput(), ...overrides }));

/** `count` watches in distinct leagues, and `open` open incidents. */
function crowded(count: number, open: number): HomeInput {
  const rows = Array.from({ length: count }, (_, i) => watchRow({ leagueId: `league${String(i).padStart(27, '0')}`, leagueAlias: `team-${i}`, channelId: `C0CH${String(i).padStart(6, '0')}` }));
  const incidents = Array.from({ length: open }, (_, i) =>
    incident({ slot: `${SLOT}${i}`, seq: 1, job: { key: `k${i}`, name: `job-${i}`, type: 'VFL_TRAIN' }, parentTs: `1764235800.${String(i).padStart(6, '0')}` }),
  );
  return { ...homeExampleInput(), rows, open: incidents.map((i) => ({ incident: i })), snoozes: [], permalinks: new Map() };
}

describe('buildHomeView', () => {
  it('lays out watches, incidents and the last day’s alerts (snapshot)', () => {
    expect(build()).toMatchSnapshot();
  });

  it('is a home view with a Refresh button on top', () => {
    const view = build();
    expect(view.type).toBe('home');
    expect(buttons(view)[0]).toMatchObject({ action_id: HOME_ACTIONS.refresh });
    expect(all(view)).toContain('You see *2 watches*: every watch in this workspace.');
  });

  it('says the list is filtered when TICS_ACCESS is set', () => {
    expect(all(build({ restricted: true }))).toContain('those whose channel may query its league under `TICS_ACCESS`');
  });

  it('shows each incident’s state: acknowledged, snoozed (with Unsnooze), open', () => {
    const view = build();
    const text = all(view);
    expect(text).toContain(':eyes: *acknowledged* by <@U0ALICE42>');
    expect(text).toContain(':zzz: *snoozed* until <!date^');
    const unsnooze = buttons(view).filter((b) => b.action_id === HOME_ACTIONS.unsnooze);
    expect(unsnooze).toHaveLength(1);
    expect(decodeIncidentRef(unsnooze[0]!.value)).toMatchObject({ ok: true, ref: { seq: 1 } });
    const plain = build({ open: [{ incident: incident() }] });
    expect(all(plain)).toContain(':rotating_light: *open*, not acknowledged');
    expect(buttons(plain).map((b) => b.action_id)).not.toContain(HOME_ACTIONS.unsnooze);
  });

  it('links each thread by its permalink, and says so when none is known yet', () => {
    const view = build();
    const links = buttons(view).filter((b) => b.action_id === HOME_ACTIONS.openThread);
    expect(links.map((b) => b.url)).toEqual(['https://example.slack.com/archives/C0ALERTS/p1764235800000100', 'https://example.slack.com/archives/C0FRAUD/p1764230000000200']);
    const unposted = build({ open: [{ incident: incident({ parentTs: undefined }) }], permalinks: new Map() });
    expect(buttons(unposted).map((b) => b.action_id)).not.toContain(HOME_ACTIONS.openThread);
    expect(all(unposted)).toContain('_thread not posted yet_');
  });

  it('gives History buttons the usual history cursor: the job’s for incidents, the league’s for watches', () => {
    const values = buttons(build())
      .filter((b) => b.action_id === HOME_ACTIONS.history)
      .map((b) => decodeCursor(b.value));
    expect(values.map((v) => (v.ok ? [v.cursor.league, v.cursor.jobName ?? '-'] : v.reason))).toEqual([
      ['credit-risk', 'credit-score-xgb-train'],
      ['fraud', 'fraud-graph-score'],
      // Watches: the one with problems first.
      ['fraud', '-'],
      ['credit-risk', '-'],
    ]);
  });

  it('counts the last day’s alerts per league, saying when a count is a lower bound', () => {
    const text = all(build());
    expect(text).toContain('• *credit-risk*: 4 alerts');
    expect(text).toContain('• *fraud*: at least 2 alerts');
    expect(text).toContain('Counts the failures and stuck jobs the watcher noticed');
    expect(all(build({ alerts: [] }))).toContain('No alerts in the last 24 hours.');
  });

  it("shows leagues under their real names when known, and keeps the alias in History's cursor", () => {
    const named = { id: 'leagueNamed0001', alias: 'credit-risk', name: '信用风险 Credit' };
    const view = build({ open: [{ incident: incident({ league: named }) }], alerts: [{ league: named, count: 3, atLeast: false }] });
    const text = all(view);
    expect(text).toContain('• *信用风险 Credit*: 3 alerts');
    expect(text).toContain('信用风险 Credit');
    const history = buttons(view).find((b) => b.action_id === HOME_ACTIONS.history)!;
    expect(decodeCursor(history.value)).toMatchObject({ ok: true, cursor: { league: 'credit-risk' } });
  });

  it('shows health as /tics watches does, problems first', () => {
    const text = all(build());
    expect(text).toContain(':warning: polling failing: `server_error` TICS answered 503 Service Unavailable');
    const watches = texts(build()).filter(isWatchRow);
    expect(watches[0]).toContain('fraud');
  });

  it('says what to do with no watches', () => {
    const view = build({ rows: [], open: [], alerts: [], snoozes: [] });
    expect(all(view)).toContain('No watch you can see yet');
    expect(all(view)).toContain(':white_check_mark: No open incidents');
  });

  it('escapes job and league names and never turns them into mentions', () => {
    const evil = incident({ job: { key: 'k', name: '<!channel> & <@U0EVIL>', type: 'VFL_TRAIN' }, league: { id: 'x', alias: '<!here>' } });
    const text = all(build({ open: [{ incident: evil }], alerts: [{ league: { id: 'x', alias: '<!here>' }, count: 1, atLeast: false }] }));
    expect(text).not.toMatch(/<!channel>|<!here>|<@U0EVIL>/);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U0EVIL&gt;');
  });

  it('stays within 100 blocks with many watches and incidents, summarising the rest', () => {
    const view = checked(buildHomeView(crowded(120, 40)));
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_MAX_BLOCKS);
    const text = all(view);
    expect(text).toContain(`…and ${40 - HOME_MAX_INCIDENTS} more open incidents`);
    const shownWatches = texts(view).filter(isWatchRow).length;
    expect(shownWatches).toBeGreaterThan(20);
    expect(text).toContain(`…and ${120 - shownWatches} more watches: \`/tics watches all\``);
    expect(view.blocks).toHaveLength(HOME_MAX_BLOCKS);
  });

  it('lists every watch without a summary line when they just fit', () => {
    const base = buildHomeView(crowded(0, 0));
    // The empty-watches line is replaced by the rows themselves.
    const room = HOME_MAX_BLOCKS - (base.blocks.length - 1);
    const view = checked(buildHomeView(crowded(room, 0)));
    expect(view.blocks).toHaveLength(HOME_MAX_BLOCKS);
    expect(all(view)).not.toContain('more watches');
    const over = checked(buildHomeView(crowded(room + 1, 0)));
    expect(over.blocks).toHaveLength(HOME_MAX_BLOCKS);
    expect(all(over)).toContain('…and 2 more watches');
  });

  it('marks simulated data and shows a notice on top', () => {
    const view = build({ simulated: true, notice: ':alarm_clock: Unsnoozed *x*' });
    expect(all(view)).toContain('Simulated data');
    expect(texts(view).slice(0, 5).join('\n')).toContain(':alarm_clock: Unsnoozed *x*');
  });

  it('keeps one incident’s ids unique even for two generations of a slot', () => {
    const view = build({ open: [{ incident: incident({ seq: 1 }) }, { incident: incident({ seq: 2, latest: { ...incident().latest, observedAt: NOW - HOUR } }) }] });
    const ids = view.blocks.map((b) => ('block_id' in b ? b.block_id : undefined)).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
