import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLeagueAliases, resolveLeague } from '../../src/tics/leagues.js';
import { parseAccessPolicy, type AccessPolicy } from '../../src/watch/access.js';
import type { LeagueResolver } from '../../src/watch/declared.js';

const CREDIT = 'a'.repeat(32);
const FRAUD = 'b'.repeat(32);
const MARKETING = 'c'.repeat(32);
const OTHER = 'd'.repeat(32);
const parsedAliases = parseLeagueAliases(`credit-risk=${CREDIT},fraud=${FRAUD},marketing=${MARKETING}`);
if (!parsedAliases.ok) throw new Error(parsedAliases.problems.join('; '));
const aliases = parsedAliases.value;
const resolve: LeagueResolver = (league) => resolveLeague(league, aliases);

function policy(raw: string | undefined): AccessPolicy {
  const r = parseAccessPolicy(raw, resolve);
  if (!r.ok) throw new Error(r.problems.join(' | '));
  return r.value;
}

function problemsOf(raw: string): string[] {
  const r = parseAccessPolicy(raw, resolve);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('parseAccessPolicy', () => {
  it('allows everything when unset or empty', () => {
    for (const raw of [undefined, '', '  ', ';\n# no restriction yet\n']) {
      const p = policy(raw);
      expect(p.restricted).toBe(false);
      expect(p.allows('C0123ABCD', CREDIT)).toBe(true);
      expect(p.describe('C0123ABCD')).toBe('all leagues');
    }
  });

  it('applies the documented example: own leagues, a channel with all, and the * entry for everyone', () => {
    const p = policy('C0123ABCD:credit-risk,fraud;C0456EFGH:*;*:marketing');
    expect(p.restricted).toBe(true);
    expect([CREDIT, FRAUD, MARKETING, OTHER].map((l) => p.allows('C0123ABCD', l))).toEqual([true, true, true, false]);
    expect([CREDIT, FRAUD, MARKETING, OTHER].map((l) => p.allows('C0456EFGH', l))).toEqual([true, true, true, true]);
    expect([CREDIT, FRAUD, MARKETING, OTHER].map((l) => p.allows('C0999ZZZZ', l))).toEqual([false, false, true, false]);
    expect(p.describe('C0123ABCD')).toBe('credit-risk, fraud, marketing');
    expect(p.describe('C0456EFGH')).toBe('all leagues');
    expect(p.describe('C0999ZZZZ')).toBe('marketing');
  });

  it('denies unlisted channels when there is no * entry, and compares leagues by id', () => {
    const p = policy(`C0123ABCD:${FRAUD}, credit-risk`);
    expect(p.allows('C0123ABCD', FRAUD)).toBe(true);
    expect(p.allows('C0123ABCD', CREDIT)).toBe(true);
    // The alias is not an id: callers resolve first.
    expect(p.allows('C0123ABCD', 'credit-risk')).toBe(false);
    expect(p.allows('C0456EFGH', FRAUD)).toBe(false);
    expect(p.describe('C0456EFGH')).toBe('no leagues');
    // Unaliased ids are shown as ids.
    expect(policy(`C0123ABCD:${OTHER}`).describe('C0123ABCD')).toBe(OTHER);
  });

  it('merges a channel listed twice', () => {
    const p = policy('C0123ABCD:credit-risk\nC0123ABCD:fraud');
    expect(p.allows('C0123ABCD', CREDIT)).toBe(true);
    expect(p.allows('C0123ABCD', FRAUD)).toBe(true);
    expect(p.allows('C0123ABCD', MARKETING)).toBe(false);
  });

  it('reports every problem with its entry', () => {
    const problems = problemsOf('C0123ABCD;general:fraud;C0123ABCD:nosuch!;C0456EFGH:;C0456EFGH:fraud:x');
    expect(problems).toHaveLength(5);
    expect(problems[0]).toContain('"C0123ABCD"');
    expect(problems[1]).toContain('"general:fraud"');
    expect(problems[2]).toContain('"C0123ABCD:nosuch!"');
    expect(problems[2]).toContain('neither a known league alias');
    expect(problems[3]).toContain('no leagues given');
    expect(problems[4]).toContain('"C0456EFGH:fraud:x"');
  });

  it('never throws on arbitrary input', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom('C0123ABCD', '*', ':', ';', ',', '\n', 'fraud', 'credit-risk', '#', ' ', 'é', 'x'.repeat(40)), { maxLength: 30 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(anyText, fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), (raw, channel, league) => {
        const r = parseAccessPolicy(raw, resolve);
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          return;
        }
        expect(typeof r.value.allows(channel, league)).toBe('boolean');
        expect(typeof r.value.describe(channel)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a straightforward model of the rules', () => {
    const channels = ['C0123ABCD', 'C0456EFGH', 'G0789IJKLM'];
    const leagueNames = ['credit-risk', 'fraud', 'marketing', OTHER, '*'];
    const ids: Record<string, string> = { 'credit-risk': CREDIT, fraud: FRAUD, marketing: MARKETING, [OTHER]: OTHER };
    const entry = fc.record({
      channel: fc.constantFrom(...channels, '*'),
      leagues: fc.uniqueArray(fc.constantFrom(...leagueNames), { minLength: 1, maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 6 }), (entries) => {
        const p = policy(entries.map((e) => `${e.channel}:${e.leagues.join(',')}`).join(';'));
        for (const channel of [...channels, 'C0000UNLISTED']) {
          for (const league of [CREDIT, FRAUD, MARKETING, OTHER]) {
            const expected = entries.some(
              (e) => (e.channel === channel || e.channel === '*') && e.leagues.some((l) => l === '*' || ids[l] === league),
            );
            expect(p.allows(channel, league)).toBe(expected);
          }
        }
      }),
    );
  });
});
