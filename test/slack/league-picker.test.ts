/**
 * The league picker (issue 9) through the real bot, over signed HTTP and Socket Mode: history,
 * watch and unwatch without a league answer with a menu; Slack asks the bot for its options
 * (block_suggestion, answered in the ack); a pick continues the command in the picker's place; an
 * ambiguous name gets a menu of its matches; TICS_ACCESS applies to the options and to the pick.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DEMO_LEAGUES } from '../../src/simulator/server.js';
import { FAKE_BOT, FAKE_TEAM } from '../fakes/slack-api.js';
import { allText, fillLeague, forEachMode, selects, startHarness, type Harness, type SlackBody } from '../helpers/bot-harness.js';
import { postToApp, slackTs } from '../helpers/slack-requests.js';

const HERE = 'C0PICKHERE01';
const LIMITED = 'C0PICKLIMIT1';
const TWIN_A = 'pickTwinA001';
const TWIN_B = 'pickTwinB001';
const BULK = 120;
const credit = DEMO_LEAGUES[0]!;
const marketing = DEMO_LEAGUES[1]!;

interface MenuOption {
  text: { type: string; text: string };
  value: string;
}

/** What Slack sends as the person types in an external_select, and the options the bot acked with. */
async function suggest(h: Harness, blockId: string, typed: string, channelId: string): Promise<MenuOption[]> {
  const payload = {
    type: 'block_suggestion',
    user: { id: 'U0PICKER001', username: 'someone', name: 'someone', team_id: FAKE_TEAM.id },
    container: { type: 'message', message_ts: slackTs(), channel_id: channelId, is_ephemeral: true },
    api_app_id: FAKE_BOT.appId,
    token: 'deprecated-verification-token',
    action_id: 'league_pick',
    block_id: blockId,
    value: typed,
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: 'picker' },
    action_ts: slackTs(),
  };
  let body: unknown;
  if (h.mode === 'socket') {
    const id = h.slack.socket.send('interactive', payload);
    body = (await h.slack.socket.waitForAck(id)).payload;
  } else {
    const result = await postToApp(h.eventsUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), { signingSecret: h.signingSecret });
    expect(result.status).toBe(200);
    body = JSON.parse(result.body);
  }
  const options = (body as { options?: MenuOption[] }).options;
  expect(Array.isArray(options)).toBe(true);
  for (const o of options!) {
    expect(o.text.type).toBe('plain_text');
    expect(o.text.text.length).toBeLessThanOrEqual(75);
    expect(o.value.length).toBeLessThanOrEqual(150);
  }
  expect(options!.length).toBeLessThanOrEqual(100);
  return options!;
}

/** The picker's block_id (the external_select's block). */
function pickerBlockId(message: SlackBody): string {
  const block = (message.blocks as Array<{ block_id?: string; accessory?: { type?: string } }>).find((b) => b.accessory?.type === 'external_select');
  if (!block?.block_id) throw new Error(`no league picker in ${JSON.stringify(message).slice(0, 300)}`);
  return block.block_id;
}

/** A pick in the external_select: Slack sends the option chosen. */
async function pick(h: Harness, blockId: string, leagueId: string, channelId: string): Promise<SlackBody> {
  const sent = await h.click('league_pick', undefined, { blockId, selectedOption: { value: leagueId, text: leagueId }, channelId });
  expect(sent.status).toBe(200);
  return (await h.waitForReply(sent.responseId)).body;
}

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      env: { TICS_ACCESS: `${HERE}:*;${LIMITED}:marketing` },
      world(world, now) {
        world.addLeague(TWIN_A, { name: 'Twin Picker', type: 'OWNER' });
        world.addLeague(TWIN_B, { name: 'twin picker', type: 'PARTNER', partners: 5 });
        fillLeague(world, TWIN_B, 2, now, () => ({ jobName: 'twin-b-job' }));
        fillLeague(world, credit.id, 3, now, () => ({ jobName: 'credit-job' }));
        for (let i = 0; i < BULK; i++) world.addLeague(`bulkLeague${String(i).padStart(3, '0')}`, { name: `Bulk league ${i}` });
      },
    });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => h?.close());

  it('history, watch and unwatch without a league answer with a picker; unsnooze keeps its usage error', async () => {
    for (const verb of ['history', 'watch', 'unwatch']) {
      const { reply } = await h.ask(verb, { channelId: HERE });
      expect(allText(reply)).toContain('Which league?');
      expect(pickerBlockId(reply)).toContain(`"c":"${verb}"`);
    }
    // Something else wrong too: the usage error, no picker.
    const bad = await h.ask('history status:bogus', { channelId: HERE });
    expect(allText(bad.reply)).toContain('Usage:');
    expect(JSON.stringify(bad.reply)).not.toContain('external_select');
    const unsnooze = await h.ask('unsnooze', { channelId: HERE });
    expect(allText(unsnooze.reply)).toContain('which league?');
  });

  it('offers the leagues the channel may query, filtered by what is typed, at most 100', async () => {
    const { reply } = await h.ask('history', { channelId: HERE });
    const blockId = pickerBlockId(reply);
    const all = await suggest(h, blockId, '', HERE);
    expect(all).toHaveLength(100);
    const credits = await suggest(h, blockId, 'CREDIT', HERE);
    expect(credits.map((o) => o.value)).toEqual([credit.id]);
    expect(credits[0]!.text.text).toContain('credit-risk');
    expect((await suggest(h, blockId, 'anti-fraud', HERE)).map((o) => o.value)).toEqual(['demoAntiFraud04']);
    expect((await suggest(h, blockId, 'bulkleague11', HERE)).map((o) => o.value)).toEqual(Array.from({ length: 10 }, (_, i) => `bulkLeague11${i}`));
    // The limited channel sees its one league only, whatever is typed.
    expect((await suggest(h, blockId, '', LIMITED)).map((o) => o.value)).toEqual([marketing.id]);
    expect(await suggest(h, blockId, 'credit', LIMITED)).toEqual([]);
    // A block_id tics-bot did not write gets no options.
    expect(await suggest(h, 'forged', '', HERE)).toEqual([]);
  });

  it('a pick continues history in the picker’s place, keeping the filters typed', async () => {
    const { reply } = await h.ask('history limit:2', { channelId: HERE });
    const page = await pick(h, pickerBlockId(reply), credit.id, HERE);
    expect(page.replace_original).toBe(true);
    expect(allText(page)).toContain('credit-job');
    expect(JSON.stringify(page)).toContain('\\"limit\\":2');
  });

  it('a pick continues watch (with its options) and unwatch with the usual confirmations', async () => {
    const watch = await h.ask('watch stuck:2h', { channelId: HERE });
    const watched = await pick(h, pickerBlockId(watch.reply), marketing.id, HERE);
    expect(watched.replace_original).toBe(true);
    expect(watched.text).toMatch(/^Watching marketing: alerts on FAILED, TERMINATED/);
    expect(allText(watched)).toContain('2h');
    const unwatch = await h.ask('unwatch', { channelId: HERE });
    const unwatched = await pick(h, pickerBlockId(unwatch.reply), marketing.id, HERE);
    expect(allText(unwatched)).toMatch(/[Ss]topped|no longer|not watch/);
    const list = await h.ask('watches', { channelId: HERE });
    expect(list.reply.text).toBe('No watches in this channel yet.');
  });

  it('an ambiguous name answers with a menu of its matches; a pick continues the command', async () => {
    const { reply } = await h.ask('history "twin picker" limit:1', { channelId: HERE });
    expect(allText(reply)).toContain('2 leagues are named');
    const menu = selects(reply)[0]!;
    expect(menu.options.map((o) => o.value).sort()).toEqual([TWIN_A, TWIN_B]);
    expect(menu.options.find((o) => o.value === TWIN_B)!.text).toBe(`twin picker (${TWIN_B}, PARTNER)`);
    const page = (await h.pressAndWait(reply, 'league_pick_match', { option: TWIN_B, channelId: HERE })).reply;
    expect(page.replace_original).toBe(true);
    expect(allText(page)).toContain('twin-b-job');
  });

  it('a forged pick of a league the channel may not query is refused, and reads nothing', async () => {
    const { reply } = await h.ask('history', { channelId: LIMITED });
    const before = h.sim.requests.filter((r) => r.leagueId === credit.id).length;
    const refused = await pick(h, pickerBlockId(reply), credit.id, LIMITED);
    expect(allText(refused)).toMatch(/not allowed|may not|TICS_ACCESS|only/i);
    const watch = await h.ask('watch', { channelId: LIMITED });
    const notWatched = await pick(h, pickerBlockId(watch.reply), credit.id, LIMITED);
    expect(allText(notWatched)).not.toContain('Watching');
    const unwatch = await h.ask(`unwatch <#${LIMITED}|x>`, { channelId: HERE });
    expect(allText(await pick(h, pickerBlockId(unwatch.reply), credit.id, HERE))).not.toMatch(/Stopped/);
    expect(h.sim.requests.filter((r) => r.leagueId === credit.id)).toHaveLength(before);
    // A value that is not a league id cannot smuggle words into the command.
    const sneaky = await pick(h, pickerBlockId(reply), `${marketing.id} status:FAILED`, LIMITED);
    expect(allText(sneaky)).toContain('the menu sent no league this bot offered');
  });
});
