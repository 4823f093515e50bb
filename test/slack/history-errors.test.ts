/**
 * Every way TICS can fail, injected into the simulator, seen from Slack: a message that says what
 * happened and what to do, with the error code and request id support needs, and the right number
 * of attempts on the wire (auth failures are never retried; 5xx/429 are, within bounds).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../src/simulator/server.js';
import { allText, fillLeague, forEachMode, shownInstanceIds, startHarness, type Harness, type SlackBody } from '../helpers/bot-harness.js';

const LEAGUE = 'leagueErrors01';

forEachMode((mode) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      mode,
      simulator: { seed: false },
      leagues: { errs: LEAGUE },
      world: (world, now) => void fillLeague(world, LEAGUE, 12, now),
    });
  });

  afterEach(() => {
    h.sim.clearFaults();
    h.assertInvariants();
  });
  afterAll(async () => h?.close());

  /** Runs `/tics <text>` with `fault` injected for the league; returns the reply and the requests TICS saw. */
  async function withFault(fault: Fault, times: number, text = 'history errs') {
    h.sim.injectFault(fault, { leagueId: LEAGUE, times });
    const since = h.sim.requests.length;
    const { reply } = await h.ask(text);
    // ListInstanceHistory calls only: the job menu's list calls are not what the fault targets.
    const seen = h.sim.requests.slice(since).filter((r) => r.leagueId === LEAGUE && r.path.endsWith('/job-instances'));
    return { reply, text: allText(reply), seen };
  }

  const attemptsAllowed = () => h.config.tics.maxRetries + 1;

  function expectNoPage(reply: SlackBody): void {
    expect(shownInstanceIds(reply)).toEqual([]);
    expect(reply.response_type).toBe('ephemeral');
  }

  describe('TICS rejects the credentials (401)', () => {
    it('says to check the Huawei credentials, with error code and request id, and does not retry', async () => {
      const { reply, text, seen } = await withFault({ kind: 'auth' }, 5);
      expectNoPage(reply);
      expect(seen).toHaveLength(1);
      expect(seen[0]!.status).toBe(401);
      expect(text).toContain("check the bot's Huawei credentials");
      expect(text).toContain('error code `APIGW.0301`');
      expect(text).toContain(`request id \`${seen[0]!.requestId}\``);
      expect(text).toContain('retrying will not help');
      // The AK is not secret, but nothing credential-shaped belongs in a chat message.
      const auth = h.config.tics.auth;
      if (auth.kind !== 'aksk') throw new Error('the harness signs with AK/SK');
      expect(JSON.stringify(reply)).not.toContain(auth.ak);
    });

    it('points at the server clock for APIGW.0303 (request date out of range)', async () => {
      const { text, seen } = await withFault({ kind: 'auth', errorCode: 'APIGW.0303' }, 5);
      expect(seen).toHaveLength(1);
      expect(text).toContain("check the bot server's clock");
      expect(text).toContain('error code `APIGW.0303`');
    });

    it('logs a warning with the request id, never an error', async () => {
      const { seen } = await withFault({ kind: 'auth' }, 1);
      const line = await h.waitForLog((l) => l.requestId === seen[0]!.requestId);
      expect(line.level).toBe(40);
      expect(line.errorCode).toBe('APIGW.0301');
    });
  });

  describe('TICS unavailable (5xx, network)', () => {
    it('retries a persisting 503, then says TICS is unavailable with the last request id', async () => {
      const { reply, text, seen } = await withFault({ kind: 'status', status: 503 }, attemptsAllowed());
      expectNoPage(reply);
      expect(seen.map((r) => r.status)).toEqual(Array.from({ length: attemptsAllowed() }, () => 503));
      expect(text).toContain(`TICS is unavailable right now (tried ${attemptsAllowed()} times)`);
      expect(text).toContain(`request id \`${seen.at(-1)!.requestId}\``);
      expect(text).toContain('HTTP 503');
    });

    it('recovers from a single 503 by retrying, and shows the page', async () => {
      const { reply, seen } = await withFault({ kind: 'status', status: 503 }, 1);
      expect(seen.map((r) => r.status)).toEqual([503, 200]);
      expect(shownInstanceIds(reply)).toEqual(h.sim.world.instances(LEAGUE).slice(0, 10).map((i) => i.id));
    });

    it('turns a gateway HTML error page into the same plain message', async () => {
      const { text, seen } = await withFault({ kind: 'html', status: 502 }, attemptsAllowed());
      expect(seen).toHaveLength(attemptsAllowed());
      expect(text).toContain('TICS is unavailable right now');
      expect(text).toContain(`request id \`${seen.at(-1)!.requestId}\``);
      expect(text).not.toMatch(/nginx|<html|<center/i);
    });

    it('treats dropped connections as unavailable, after retrying', async () => {
      const { text, seen } = await withFault({ kind: 'reset' }, attemptsAllowed());
      expect(seen).toHaveLength(attemptsAllowed());
      expect(text).toContain('TICS is unavailable right now');
    });
  });

  describe('TICS throttles (429)', () => {
    it('retries, then asks the user to try again later, with the gateway’s code and request id', async () => {
      const { reply, text, seen } = await withFault({ kind: 'throttle', retryAfterSeconds: 0 }, attemptsAllowed());
      expectNoPage(reply);
      expect(seen.map((r) => r.status)).toEqual(Array.from({ length: attemptsAllowed() }, () => 429));
      expect(text).toContain('TICS is busy and asked the bot to slow down');
      expect(text).toContain('error code `APIGW.0308`');
      expect(text).toContain(`request id \`${seen.at(-1)!.requestId}\``);
    });
  });

  describe('TICS answers with something unreadable', () => {
    // A body that is not JSON is a transport fault and asked again like a 5xx; a wrongly shaped one
    // is TICS's answer, and asking again would get the same.
    it.each([['malformed' as const, (): number => attemptsAllowed()], ['schema' as const, (): number => 1]])('%s body → a plain message with the request id', async (kind, attempts) => {
      const { reply, text, seen } = await withFault({ kind }, 5);
      expectNoPage(reply);
      expect(seen).toHaveLength(attempts());
      expect(text).toContain('TICS answered with something the bot could not read');
      expect(text).toContain(`request id \`${seen.at(-1)!.requestId}\``);
      // The raw body never reaches the channel.
      expect(text).not.toContain('f9533bfefca7467e88feca4f592c3b04');
      expect(text).not.toContain('not-an-array');
    });
  });

  describe('TICS refuses the request', () => {
    it('an unknown league id (404) is named, with TICS’s words, code and request id', async () => {
      const since = h.sim.requests.length;
      const { reply } = await h.ask('history nosuchleague1');
      const seen = h.sim.requests.slice(since).filter((r) => r.path.endsWith('/job-instances'));
      expect(seen.map((r) => [r.leagueId, r.status])).toEqual([['nosuchleague1', 404]]);
      const text = allText(reply);
      expect(text).toContain('TICS does not know league *nosuchleague1*');
      expect(text).toContain('League nosuchleague1 does not exist');
      expect(text).toContain('error code `TICS.0404`');
      expect(text).toContain(`request id \`${seen[0]!.requestId}\``);
      expect(text).toContain('Check the league id or alias');
    });

    it('403 says the account may not read the league', async () => {
      const { text, seen } = await withFault({ kind: 'status', status: 403, errorCode: 'TICS.0403', errorMsg: 'No permission for league' }, 1);
      expect(seen).toHaveLength(1);
      expect(text).toContain("The bot's Huawei account may not read league *errs*");
      expect(text).toContain('error code `TICS.0403`');
    });

    it('never quotes a credential-like run that TICS echoes back', async () => {
      const echoed = `token ${'Zm9vYmFyYmF6'.repeat(8)} is invalid`;
      const { text } = await withFault({ kind: 'status', status: 400, errorCode: 'TICS.0400', errorMsg: echoed }, 1);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain('Zm9vYmFyYmF6'.repeat(8));
    });
  });

  describe('failures behind a button', () => {
    it('a Next click during an outage replaces the page with the unavailable message', async () => {
      const page = (await h.ask('history errs')).reply;
      h.sim.injectFault({ kind: 'status', status: 500 }, { leagueId: LEAGUE, times: attemptsAllowed() });
      const { reply } = await h.pressAndWait(page, 'history_next');
      expect(reply.replace_original).toBe(true);
      expect(allText(reply)).toContain('TICS is unavailable right now');
    });

    it('Details during an auth failure adds the credentials message and leaves the page alone', async () => {
      const page = (await h.ask('history errs')).reply;
      h.sim.injectFault({ kind: 'auth' }, { leagueId: LEAGUE, times: 5 });
      const { reply } = await h.pressAndWait(page, 'history_details');
      expect(reply.replace_original).toBe(false);
      expect(allText(reply)).toContain("check the bot's Huawei credentials");
    });
  });
});
