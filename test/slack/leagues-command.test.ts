/**
 * `/tics leagues [text]` through the real bot, over signed HTTP and Socket Mode: the leagues the
 * credentials see (both ListLeagues kinds), filtered, paged, with History and Watch here working.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DEMO_LEAGUES } from '../../src/simulator/server.js';
import { actionIds, allText, fillLeague, forEachMode, startHarness, type Harness } from '../helpers/bot-harness.js';

const HERE = 'C0LEAGUES001';
const LIMITED = 'C0LIMITED001';
const EXTRA = 14;

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      env: { TICS_ACCESS: `${HERE}:*;${LIMITED}:marketing` },
      world(world, now) {
        for (let i = 0; i < EXTRA; i++) world.addLeague(`extraLeague${String(i).padStart(2, '0')}`, { name: `Zeta extra ${i}`, type: i % 2 ? 'PARTNER' : 'OWNER' });
        fillLeague(world, 'extraLeague00', 3, now, () => ({ jobName: 'zeta-job' }));
      },
    });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  const credit = DEMO_LEAGUES[0]!;
  const marketing = DEMO_LEAGUES[1]!;

  it('lists owned and joined leagues with their facts, a page at a time', async () => {
    const { reply } = await h.ask('leagues', { channelId: HERE });
    const text = allText(reply);
    expect(text).toContain(`*${DEMO_LEAGUES.length + EXTRA} leagues*`);
    expect(text).toContain('page 1 of 2');
    expect(text).toContain(`*Anti-Fraud Consortium*  \`demoAntiFraud04\``);
    expect(text).toMatch(/UPDATING · PARTNER · \d+ members · alias `anti-fraud`/);
    expect(actionIds(reply)).toEqual(expect.arrayContaining(['leagues_history', 'leagues_watch', 'leagues_next']));
    const page2 = (await h.pressAndWait(reply, 'leagues_next', { channelId: HERE })).reply;
    expect(allText(page2)).toContain('page 2 of 2');
    expect(allText(page2)).toContain('Zeta extra');
    expect(actionIds(page2)).toContain('leagues_prev');
  });

  it('filters by a piece of the name, alias or id', async () => {
    const { reply } = await h.ask('leagues credit', { channelId: HERE });
    expect(allText(reply)).toContain('*1 league*');
    expect(allText(reply)).toContain(credit.id);
    const none = await h.ask('leagues "no such thing"', { channelId: HERE });
    expect(allText(none.reply)).toContain('No league you can see has “no such thing”');
  });

  it('History answers with the league history; Watch here subscribes this channel', async () => {
    const { reply } = await h.ask('leagues zeta extra 0', { channelId: HERE });
    expect(allText(reply)).toContain('extraLeague00');
    const history = (await h.pressAndWait(reply, 'leagues_history', { channelId: HERE })).reply;
    expect(allText(history)).toContain('zeta-job');
    expect(actionIds(history)).toContain('history_refresh');
    const watched = (await h.pressAndWait(reply, 'leagues_watch', { channelId: HERE, userId: 'U0LEAGUES01' })).reply;
    expect(watched.text).toMatch(/^Watching extraLeague00: alerts on FAILED, TERMINATED/);
    const watches = await h.ask('watches', { channelId: HERE });
    expect(watches.reply.text).toBe('1 watch in this channel.');
  });

  it('shows a channel only the leagues TICS_ACCESS lets it query', async () => {
    const { reply } = await h.ask('leagues', { channelId: LIMITED });
    const text = allText(reply);
    expect(text).toContain('*1 league*');
    expect(text).toContain(marketing.id);
    expect(text).not.toContain(credit.id);
  });

  it('a forged paging value is refused without a TICS call', async () => {
    const before = h.sim.requests.length;
    const sent = await h.click('leagues_next', '{"v":1,"offset":"x"}', { channelId: HERE });
    const reply = await h.waitForReply(sent.responseId);
    expect(JSON.stringify(reply.body)).toContain('damaged');
    expect(h.sim.requests.length).toBe(before);
  });
});
