/**
 * `<league>` by name (issue 9) through the real bot over signed HTTP and Socket Mode: history,
 * watch, unwatch and unsnooze take a league's exact name besides aliases and ids; an ambiguous name
 * answers with a menu of the matches; TICS_ACCESS hides a league's name from channels that may not query it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { actionIds, allText, fillLeague, forEachMode, selects, startHarness, type Harness } from '../helpers/bot-harness.js';

const TWIN_A = 'leagueTwinA001';
const TWIN_B = 'leagueTwinB001';
const NAMED = 'leagueNamed001';
const HIDDEN = 'leagueHidden01';
const HERE = 'C0NAMESHERE1';
const LONG_NAME = `Federated ${'very '.repeat(20)}long league name`;

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      leagues: { named: NAMED },
      env: { TICS_ACCESS: `${HERE}:*;*:named,${TWIN_A},${TWIN_B},leagueLong0001` },
      world(world, now) {
        world.addLeague(NAMED, { name: 'Joint Marketing Lab', type: 'PARTNER', partners: 3 });
        fillLeague(world, NAMED, 4, now, () => ({ jobName: 'nightly scoring' }));
        world.addLeague(TWIN_A, { name: 'Twin', type: 'OWNER' });
        world.addLeague(TWIN_B, { name: 'twin', type: 'PARTNER', partners: 5 });
        world.addLeague(HIDDEN, { name: 'Secret Lab' });
        world.addLeague('leagueLong0001', { name: LONG_NAME, type: 'PARTNER' });
        fillLeague(world, 'leagueLong0001', 1, now, () => ({ jobName: 'long-job' }));
        fillLeague(world, HIDDEN, 2, now);
      },
    });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  const historyCalls = (league: string) => h.sim.requests.filter((r) => r.leagueId === league && r.path.endsWith('/job-instances'));

  it('history takes a quoted name (any case); the page buttons carry the alias', async () => {
    const before = historyCalls(NAMED).length;
    const { reply } = await h.ask('history "joint marketing LAB" limit:2');
    expect(historyCalls(NAMED).length).toBeGreaterThan(before);
    expect(allText(reply)).toContain('nightly scoring');
    expect(actionIds(reply)).toContain('history_next');
    expect(JSON.stringify(reply)).toContain('\\"league\\":\\"named\\"');
  });

  it('history takes smart quotes and a one-word name that looks like an id', async () => {
    const { reply } = await h.ask('history “Joint Marketing Lab”');
    expect(allText(reply)).toContain('nightly scoring');
    // Ambiguous: a menu of the matches (test/slack/league-picker.test.ts picks from it).
    const twin = await h.ask('history twin');
    expect(allText(twin.reply)).toContain('2 leagues are named “twin”. Which one?');
    expect(selects(twin.reply).flatMap((s) => s.options)).toEqual(
      expect.arrayContaining([
        { value: TWIN_A, text: `Twin (${TWIN_A}, OWNER)` },
        { value: TWIN_B, text: `twin (${TWIN_B}, PARTNER)` },
      ]),
    );
  });

  it('an unknown name says where names are looked up, and reads no history', async () => {
    const before = h.sim.requests.filter((r) => r.path.endsWith('/job-instances')).length;
    const { reply } = await h.ask('history "No Such League"');
    expect(allText(reply)).toContain('is neither a known league alias nor a league id');
    expect(allText(reply)).toContain('Names are looked up in the leagues your credentials can see');
    expect(h.sim.requests.filter((r) => r.path.endsWith('/job-instances')).length).toBe(before);
  });

  it('a league TICS_ACCESS keeps from the channel cannot be named there', async () => {
    const elsewhere = await h.ask('history "Secret Lab"', { channelId: 'C0ELSEWHERE1' });
    expect(allText(elsewhere.reply)).toContain('nor the name of a league');
    expect(historyCalls(HIDDEN)).toHaveLength(0);
    const here = await h.ask('history "Secret Lab"', { channelId: HERE });
    expect(allText(here.reply)).not.toContain('nor the name of a league');
    expect(historyCalls(HIDDEN).length).toBeGreaterThan(0);
  });

  it('watch, unsnooze and unwatch take the name too', async () => {
    const watched = await h.ask('watch "Joint Marketing Lab"', { channelId: HERE });
    expect(watched.reply.text).toMatch(/^Watching named: alerts on FAILED, TERMINATED/);
    // The confirmation names the league; the command it suggests uses the alias.
    expect(allText(watched.reply)).toContain(`*Joint Marketing Lab* (named) \`${NAMED}\``);
    expect(allText(watched.reply)).toContain('`/tics unwatch named`');
    const snooze = await h.ask('unsnooze "Joint Marketing Lab" nightly scoring', { channelId: HERE });
    expect(allText(snooze.reply)).toContain('nightly scoring');
    const ambiguous = await h.ask('unwatch Twin', { channelId: HERE });
    expect(allText(ambiguous.reply)).toContain('Which one?');
    const unwatched = await h.ask('unwatch "joint marketing lab"', { channelId: HERE });
    expect(allText(unwatched.reply)).toMatch(/[Ss]topped|no longer|not watch/);
    const list = await h.ask('watches', { channelId: HERE });
    expect(list.reply.text).toBe('No watches in this channel yet.');
  });

  it('the history header shows the real name once the league list is known, with no request for it', async () => {
    await h.ask('leagues', { channelId: HERE });
    const before = h.sim.requests.filter((r) => !r.path.endsWith('/job-instances') && !/-jobs$/.test(r.path)).length;
    const { reply } = await h.ask('history named limit:1');
    expect(JSON.stringify(reply)).toContain('League Joint Marketing Lab · job history');
    expect(allText(reply)).toContain(`league id \`${NAMED}\``);
    expect(h.sim.requests.filter((r) => !r.path.endsWith('/job-instances') && !/-jobs$/.test(r.path)).length).toBe(before);
  });

  it('/tics watches shows the real name beside the alias and id', async () => {
    await h.ask('leagues', { channelId: HERE });
    await h.ask('watch named', { channelId: HERE });
    const { reply } = await h.ask('watches', { channelId: HERE });
    expect(allText(reply)).toContain(`*Joint Marketing Lab* (named) \`${NAMED}\``);
    await h.ask('unwatch named', { channelId: HERE });
  });

  it('takes a name up to the 128 characters TICS allows', async () => {
    expect(LONG_NAME.length).toBeGreaterThan(120);
    expect(LONG_NAME.length).toBeLessThanOrEqual(128);
    const { reply } = await h.ask(`history "${LONG_NAME.toUpperCase()}"`);
    expect(allText(reply)).toContain('long-job');
  });
});
