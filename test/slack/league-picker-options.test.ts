/**
 * The picker's options must be in Slack's hands within 3 s: a slow or failing league list gives
 * way to the configured aliases after ~2 s, filtered by TICS_ACCESS like the list.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LeagueDirectory } from '../../src/leagues/directory.js';
import type { LeagueSummary } from '../../src/leagues/summary.js';
import { createLogger } from '../../src/log.js';
import { leaguesFor, OPTIONS_WAIT_MS } from '../../src/slack/actions/league-picker.js';
import type { SlackDeps } from '../../src/slack/deps.js';
import type { AccessPolicy } from '../../src/watch/access.js';

const LISTED: LeagueSummary[] = [{ id: 'listedLeague01', name: 'Listed' }];
const aliases = { byAlias: new Map([['credit-risk', 'demoCreditRisk01'], ['marketing', 'demoMarketing02']]), byId: new Map([['demoCreditRisk01', 'credit-risk'], ['demoMarketing02', 'marketing']]) };
const onlyMarketing: AccessPolicy = { restricted: true, allows: (_channel, leagueId) => leagueId === 'demoMarketing02', describe: () => 'marketing' };

function deps(list: () => Promise<LeagueSummary[]>, access?: AccessPolicy): SlackDeps {
  const directory = { list } as unknown as LeagueDirectory;
  return { leagues: aliases, logger: createLogger({ level: 'silent' }), now: Date.now, simulated: false, directory, ...(access ? { access } : {}) } as unknown as SlackDeps;
}

afterEach(() => vi.useRealTimers());

describe('leaguesFor (the picker options)', () => {
  it('answers with the directory list when it comes in time', async () => {
    expect(await leaguesFor(deps(() => Promise.resolve(LISTED)), 'C1')).toEqual(LISTED);
  });

  it('gives way to the aliases when the list is slower than the wait', async () => {
    vi.useFakeTimers();
    const pending = leaguesFor(deps(() => new Promise(() => undefined)), 'C1');
    await vi.advanceTimersByTimeAsync(OPTIONS_WAIT_MS);
    expect((await pending).map((l) => l.id)).toEqual(['demoCreditRisk01', 'demoMarketing02']);
    expect(OPTIONS_WAIT_MS).toBeLessThan(3_000);
  });

  it('gives way to the aliases when the list fails, and filters them by TICS_ACCESS', async () => {
    const leagues = await leaguesFor(deps(() => Promise.reject(new Error('TICS down')), onlyMarketing), 'C1');
    expect(leagues).toEqual([{ id: 'demoMarketing02', name: 'marketing', alias: 'marketing' }]);
  });
});
