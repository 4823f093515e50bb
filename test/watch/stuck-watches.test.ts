import { describe, expect, it } from 'vitest';
import { StuckMemo, stuckWatchLookup } from '../../src/watch/stuck-watches.js';
import type { Subscription } from '../../src/watch/types.js';

const sub = (leagueId: string, channelId: string, stuckMs?: number): Subscription => ({
  id: `${leagueId}:${channelId}`,
  leagueId,
  channelId,
  triggers: ['FAILED'],
  createdAt: 0,
  source: 'slack',
  ...(stuckMs === undefined ? {} : { stuckMs }),
});

describe('stuckWatchLookup', () => {
  it("lists each league's stuck: watches from one read of the subscriptions per refresh interval", async () => {
    let reads = 0;
    let subs = [sub('a', 'C1', 3_600_000), sub('a', 'C2'), sub('b', 'C1')];
    const lookup = stuckWatchLookup({ list: () => Promise.resolve((reads++, subs)) }, 60_000);
    expect((await lookup('a')).map((s) => s.channelId)).toEqual(['C1']);
    expect(await lookup('b')).toEqual([]);
    subs = [sub('b', 'C1', 60_000)];
    // Cached: a poll of every league costs one read per interval, not one per league.
    expect(await lookup('b')).toEqual([]);
    expect(reads).toBe(1);
  });

  it('reads again after the interval, and after a failed read', async () => {
    let reads = 0;
    const lookup = stuckWatchLookup(
      {
        list: () => {
          reads += 1;
          return reads === 1 ? Promise.reject(new Error('store down')) : Promise.resolve([sub('a', 'C1', 60_000)]);
        },
      },
      0,
    );
    await expect(lookup('a')).rejects.toThrow('store down');
    expect(await lookup('a')).toHaveLength(1);
    expect(reads).toBe(2);
  });
});

describe('StuckMemo', () => {
  it('remembers keys up to its bound, then starts over (forgetting only costs a store round trip)', () => {
    const memo = new StuckMemo(2);
    memo.add('x');
    memo.add('y');
    expect(memo.has('x') && memo.has('y')).toBe(true);
    memo.add('z');
    expect(memo.has('x')).toBe(false);
    expect(memo.has('z')).toBe(true);
  });
});
