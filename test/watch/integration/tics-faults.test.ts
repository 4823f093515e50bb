/**
 * TICS misbehaving for one league: that league backs off (1, 2, 4… intervals, no request in
 * between), `/tics watches` says why and until when, the other leagues keep alerting in the same
 * cycles, and a failure that happened during the outage is alerted exactly once after recovery.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { allText, forEachMode } from '../../helpers/bot-harness.js';
import { alertTriples, expectNoErrorLogs, putInstance, startWatchHarness, triple, type WatchHarness } from './watch-harness.js';

const CHAN = 'C0TICSFAULT1';
const BAD = 'leagueBadOne0001';
const GOOD = 'leagueGoodOne002';

forEachMode((mode) => {
  let h: WatchHarness;
  // Polls only: a new incident's parent also asks for the run's report and graph (its failure summary).
  const requestsTo = (league: string) => h.sim.requests.filter((r) => r.leagueId === league && r.path.endsWith('/job-instances')).length;

  beforeAll(async () => {
    // A short TICS timeout so the hung-league case below costs a second, not fifteen.
    h = await startWatchHarness({ mode, leagues: { bad: BAD, good: GOOD }, env: { TICS_TIMEOUT_MS: '700' } });
    for (let i = 0; i < 4; i++) putInstance(h, BAD, `bad-${i}`, { status: 'RUNNING' }, 2 - i / 10);
    for (let i = 0; i < 6; i++) putInstance(h, GOOD, `good-${i}`, { status: 'RUNNING' }, 2 - i / 10);
    await h.ask('watch bad', { channelId: CHAN });
    await h.ask('watch good', { channelId: CHAN });
  });
  afterEach(() => h.assertInvariants());
  afterAll(async () => {
    expectNoErrorLogs(h);
    await h?.close();
  });
  const job = (league: string, name: string) => h.sim.world.instances(league).find((x) => x.jobName === name)!;

  describe('a failing league backs off alone', () => {
    it('backs off 1, 2, 4 intervals with no request in between, while the good league alerts every time', async () => {
      h.sim.injectFault({ kind: 'status', status: 503 }, { leagueId: BAD, times: 100 });
      // Per cycle: did BAD get a request? The good league fails one job per cycle and must alert each time.
      const polledBad: boolean[] = [];
      for (let i = 0; i < 8; i++) {
        const before = requestsTo(BAD);
        const goodBefore = requestsTo(GOOD);
        const since = h.posts().length;
        if (i < 6) h.sim.world.setStatus(GOOD, job(GOOD, `good-${i}`).id, 'FAILED');
        await h.cycle();
        polledBad.push(requestsTo(BAD) > before);
        expect(requestsTo(GOOD) - goodBefore, `cycle ${i}: the good league is polled`).toBe(1);
        if (i < 6) expect(alertTriples(h.alertsSince(since)), `cycle ${i}`).toEqual([triple(CHAN, job(GOOD, `good-${i}`), 'FAILED')]);
      }
      // Failure 1 → wait 1 interval, 2 → 2, 3 → 4: polled at cycles 0, 1, 3, 7.
      expect(polledBad).toEqual([true, true, false, true, false, false, false, true]);
      expect(requestsTo(BAD)).toBe(1 /* baseline */ + 4);
    });

    it('/tics watches shows the failing poll with its error, count, backoff and request id, problems first', async () => {
      const { reply } = await h.ask('watches', { channelId: CHAN });
      const text = allText(reply);
      expect(reply.text).toBe('2 watches in this channel, 1 with problems.');
      expect(text).toMatch(/:warning: polling failing: `upstream` TICS is unavailable \(HTTP 503\) \(4 failures in a row, last success <!date\^\d+\^[^)]*, last try <!date\^\d+\^[^)]*, retrying <!date\^\d+\^[^)]*, request id `[0-9a-f]{32}`\)/);
      // Problems first: the bad league's row precedes the good one's.
      expect(text.indexOf('leagueBadOne0001')).toBeLessThan(text.indexOf('leagueGoodOne002'));
      expect(text).toMatch(/:white_check_mark: last poll <!date\^/);
      // The same in `watches all`.
      const all = await h.ask('watches all', { channelId: 'C0ELSEWHERE1' });
      expect(allText(all.reply)).toContain('polling failing: `upstream`');
    });

    it('after TICS recovers, what failed during the outage is alerted exactly once', async () => {
      h.sim.world.setStatus(BAD, job(BAD, 'bad-0').id, 'FAILED');
      h.sim.world.setStatus(BAD, job(BAD, 'bad-1').id, 'TERMINATED');
      // Still failing: nothing can be known yet.
      const since = h.posts().length;
      for (let i = 0; i < 3; i++) await h.cycle();
      expect(h.posts()).toHaveLength(since);
      h.sim.clearFaults();
      // The backoff (8 intervals after the 4th failure) has to run out first.
      let cycles = 0;
      while (h.posts().length === since && cycles < 12) {
        await h.cycle();
        cycles++;
      }
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN, job(BAD, 'bad-0'), 'FAILED'), triple(CHAN, job(BAD, 'bad-1'), 'TERMINATED')].sort());
      for (let i = 0; i < 3; i++) await h.cycle();
      expect(h.posts()).toHaveLength(since + 2);
      const { reply } = await h.ask('watches', { channelId: CHAN });
      expect(reply.text).toBe('2 watches in this channel.');
      expect(allText(reply)).not.toContain('polling failing');
    });
  });

  describe('other TICS faults', () => {
    /**
     * Precondition for each: BAD is healthy and due (the previous test ends with a recovery poll).
     * GOOD has a job failing in the very cycle BAD's poll goes wrong.
     */
    async function faultCycle(name: string, arm: () => void) {
      const since = h.posts().length;
      const flip = putInstance(h, GOOD, name, { status: 'RUNNING' }, 0.1);
      await h.cycle();
      arm();
      h.sim.world.setStatus(GOOD, flip.id, 'FAILED');
      const started = performance.now();
      const report = await h.cycle();
      const ms = performance.now() - started;
      expect(alertTriples(h.alertsSince(since))).toEqual([triple(CHAN, flip, 'FAILED')]);
      expect(h.posts()).toHaveLength(since + 1);
      return { report, ms };
    }

    async function expectRecovered() {
      await h.cycle();
      const { reply } = await h.ask('watches', { channelId: CHAN });
      expect(allText(reply)).not.toContain('polling failing');
    }

    it.each([
      ['throttled (429)', { kind: 'throttle', retryAfterSeconds: 0 } as const, '`throttled`'],
      ['auth refused (401)', { kind: 'auth' } as const, '`auth`'],
      ['a 502 HTML page', { kind: 'html', status: 502 } as const, '`upstream`'],
      ['a body cut short', { kind: 'malformed' } as const, '`response`'],
      ['a wrongly shaped body', { kind: 'schema' } as const, '`response`'],
      ['a dropped connection', { kind: 'reset' } as const, '`upstream`'],
    ])('%s: a failed poll of that league alone, shown with its kind; the next poll recovers', async (_name, fault, kind) => {
      const { report } = await faultCycle(`good-flip-${fault.kind}`, () => h.sim.injectFault(fault, { leagueId: BAD }));
      expect(report).toMatchObject({ polled: 1, failed: 1 });
      const { reply } = await h.ask('watches', { channelId: CHAN });
      expect(allText(reply)).toContain(`polling failing: ${kind}`);
      await expectRecovered();
    });

    it('a league whose TICS calls hang is cut off by the timeout and does not hold up the others', async () => {
      const { report, ms } = await faultCycle('good-while-hung', () => h.sim.injectFault({ kind: 'latency', ms: 5_000 }, { leagueId: BAD }));
      expect(report).toMatchObject({ polled: 1, failed: 1 });
      // Generous bound: the 700 ms TICS timeout, not the 5 s hang.
      expect(ms).toBeLessThan(4_000);
      const { reply } = await h.ask('watches', { channelId: CHAN });
      expect(allText(reply)).toContain('polling failing: `upstream`');
      await expectRecovered();
    });

    it('a league that does not exist (404) fails on its own; the others alert as usual', async () => {
      const { reply: confirm } = await h.ask('watch leagueGhost00009', { channelId: CHAN });
      // No baseline could be taken: the confirmation says so instead of pretending.
      expect(allText(confirm)).toContain('TICS could not be read just now');
      const { report } = await faultCycle('good-with-ghost', () => undefined);
      // The ghost failed (or is backing off after failing): either way it is no poll that succeeded.
      expect(report).toMatchObject({ leagues: 3, polled: 2 });
      expect(report.failed + report.skipped).toBe(1);
      const { reply } = await h.ask('watches', { channelId: CHAN });
      expect(allText(reply)).toMatch(/polling failing: `request` .*HTTP 404/);
      expect(reply.text).toBe('3 watches in this channel, 1 with problems.');
    });
  });
});
