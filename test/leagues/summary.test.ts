import { describe, expect, it } from 'vitest';
import { fetchAllLeagues } from '../../src/leagues/fetch-all.js';
import { cleanLeagueInput } from '../../src/leagues/resolve.js';
import { mergeById, normalizeName } from '../../src/leagues/summary.js';
import { EMPTY_ALIASES } from '../../src/tics/leagues.js';
import type { League } from '../../src/tics/leagues-schema.js';

describe('mergeById', () => {
  it('keeps one entry per id, the owned one when both kinds list it, in name order', () => {
    const merged = mergeById(
      [
        { kind: 'owned', leagues: [{ id: 'b1', name: 'Beta', type: 'OWNER' }] },
        { kind: 'participativenormal', leagues: [{ id: 'b1', name: 'Beta', type: 'PARTNER' }, { id: 'a1', name: 'alpha', type: 'PARTNER' }] },
      ],
      EMPTY_ALIASES,
    );
    expect(merged).toEqual([
      { id: 'a1', name: 'alpha', type: 'PARTNER' },
      { id: 'b1', name: 'Beta', type: 'OWNER' },
    ]);
  });
});

describe('fetchAllLeagues', () => {
  it('stops at the page bound and says the list was cut short', async () => {
    const all: League[] = Array.from({ length: 50 }, (_, i) => ({ id: `l${i}`, name: `L${i}` }));
    const calls: string[] = [];
    const fetched = await fetchAllLeagues(
      ({ type, offset, limit }) => {
        calls.push(`${type}@${offset}`);
        const leagues = type === 'owned' ? all.slice(offset, offset + limit) : [];
        return Promise.resolve({ total: type === 'owned' ? all.length : 0, leagues });
      },
      { pageSize: 10, maxPages: 3 },
    );
    expect(fetched.truncated).toBe(true);
    expect(fetched.lists[0]?.leagues).toHaveLength(30);
    expect(calls.sort()).toEqual(['owned@0', 'owned@10', 'owned@20', 'participativenormal@0']);
  });
});

describe('names as typed', () => {
  it('compare trimmed, case- and space-insensitively; quotes and Slack escapes come off', () => {
    expect(normalizeName('  Joint   Marketing ')).toBe(normalizeName('joint marketing'));
    expect(cleanLeagueInput('"R&amp;D league"')).toBe('R&D league');
    expect(cleanLeagueInput('“Credit Risk”')).toBe('Credit Risk');
    expect(cleanLeagueInput('credit-risk')).toBe('credit-risk');
  });
});
