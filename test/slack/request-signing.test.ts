/**
 * Only Slack may drive the bot: requests must carry a valid v0 signature over the exact body, made
 * with our signing secret, less than 5 minutes ago. Anything else is a 401 and no listener runs.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/slack/cursor.js';
import { fillLeague, shownInstanceIds, startHarness, type Harness, type RequestOptions, type Sent } from '../helpers/bot-harness.js';

const LEAGUE = 'leagueSigned01';
const nowSeconds = () => Math.floor(Date.now() / 1000);

let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    simulator: { seed: false },
    leagues: { signed: LEAGUE },
    world: (world, now) => void fillLeague(world, LEAGUE, 3, now),
  });
});

afterEach(() => h.assertInvariants());
afterAll(async () => h?.close());

const refreshValue = () => encodeCursor({ v: 1, league: 'signed', limit: 10, offset: 0 });

const forged: Array<[string, () => RequestOptions]> = [
  ['unsigned', () => ({ unsigned: true })],
  ['stale (signed 6 minutes ago)', () => ({ timestampSeconds: nowSeconds() - 6 * 60 })],
  ['tampered after signing', () => ({ tamper: true })],
  ['signed with another secret', () => ({ signingSecret: randomBytes(16).toString('hex') })],
];

/**
 * A correctly signed command answered end to end after the rejected one: a listener the rejected
 * request had started would have called TICS and posted to its response_url by then.
 */
async function barrier(): Promise<void> {
  const { reply } = await h.ask('history signed');
  expect(shownInstanceIds(reply)).toHaveLength(3);
}

// ListInstanceHistory calls: the job menu's list calls (once a minute per league) ride along with a page.
const historyCalls = () => h.sim.requests.filter((r) => r.path.endsWith('/job-instances')).length;

async function expectRejected(send: () => Promise<Sent>): Promise<void> {
  const before = historyCalls();
  const sent = await send();
  expect(sent.status).toBe(401);
  await barrier();
  expect(h.responses(sent.responseId)).toHaveLength(0);
  // Only the barrier's own request reached TICS.
  expect(historyCalls() - before).toBe(1);
}

describe('slash commands', () => {
  it.each(forged)('%s → 401, no listener ran', async (_name, opts) => {
    await expectRejected(() => h.command('history signed', opts()));
  });

  it('a correctly signed command from 4 minutes ago is still accepted (the stale case above fails for its age alone)', async () => {
    const sent = await h.command('history signed', { timestampSeconds: nowSeconds() - 4 * 60 });
    expect(sent.status).toBe(200);
    expect(shownInstanceIds((await h.waitForReply(sent.responseId)).body)).toHaveLength(3);
  });

  it('logs the rejection as a warning without the signing secret', async () => {
    await h.command('history signed', { signingSecret: 'not-the-real-secret-at-all' });
    const line = await h.waitForLog((l) => String(l.msg).includes('Failed to parse and verify the request data'));
    expect(line.level).toBe(40);
  });
});

describe('button clicks', () => {
  it.each(forged)('%s → 401, no listener ran', async (_name, opts) => {
    await expectRejected(() => h.click('history_refresh', refreshValue(), opts()));
  });

  it('the same click, correctly signed, is answered', async () => {
    const sent = await h.click('history_refresh', refreshValue());
    expect(sent.status).toBe(200);
    const reply = (await h.waitForReply(sent.responseId)).body;
    expect(reply.replace_original).toBe(true);
    expect(shownInstanceIds(reply)).toHaveLength(3);
  });
});
