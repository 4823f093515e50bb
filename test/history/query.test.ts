import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHistoryArgs } from '../../src/history/query.js';

describe('parseHistoryArgs', () => {
  it('parses a league and every option', () => {
    expect(parseHistoryArgs(['credit', 'job:abc123', 'status:failed,Terminated', 'limit:5'], 25)).toEqual({
      ok: true,
      value: { league: 'credit', jobId: 'abc123', statuses: ['FAILED', 'TERMINATED'], limit: 5 },
    });
  });

  it('accepts options in any order and the common SUBMITTING spelling', () => {
    expect(parseHistoryArgs(['status:submitting', 'credit'], 25)).toEqual({ ok: true, value: { league: 'credit', statuses: ['SUBMITING'] } });
  });

  it.each([
    [[], /which league/],
    // A bad option is named even without a league (the missing league a picker would ask for).
    [['status:bogus'], /unknown status `BOGUS`/],
    [['limit:2'], /which league/],
    [['a', 'b'], /unexpected `b`/],
    [['a', 'job:has-dash'], /job id must be 1–32 letters or digits/],
    [['a', 'status:EXPLODED'], /unknown status `EXPLODED`.*known statuses: NEW/],
    [['a', 'status:'], /needs at least one status/],
    [['a', 'limit:0'], /limit must be a whole number from 1 to 25/],
    [['a', 'limit:26'], /from 1 to 25/],
    [['a', 'limit:2.5'], /whole number/],
    [['a', 'sort:asc'], /unknown option `sort:`/],
    [['a', 'job:x', 'job:y'], /given twice/],
  ])('%j is rejected with a specific reason', (tokens, reason) => {
    const result = parseHistoryArgs(tokens, 25);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toMatch(reason);
  });

  it('never throws and either parses or explains, for arbitrary tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { maxLength: 6 }), (tokens) => {
        const result = parseHistoryArgs(tokens, 25);
        if (result.ok) {
          expect(result.value.league.length).toBeGreaterThan(0);
          if (result.value.limit !== undefined) expect(result.value.limit).toBeLessThanOrEqual(25);
        } else {
          expect(result.problem.length).toBeGreaterThan(0);
        }
      }),
    );
  });
});
