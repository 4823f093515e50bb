import { describe, expect, it } from 'vitest';
import { EMPTY_ALIASES, leagueLabel, parseLeagueAliases, resolveLeague } from '../../src/tics/leagues.js';

const aliases = (() => {
  const parsed = parseLeagueAliases('credit=abc123,fraud=def456,Fraud2=def456');
  if (!parsed.ok) throw new Error(parsed.problems.join());
  return parsed.value;
})();

describe('league aliases', () => {
  it('resolves aliases case-insensitively and keeps the first alias for display', () => {
    expect(resolveLeague('CREDIT', aliases)).toEqual({ ok: true, league: { id: 'abc123', alias: 'credit' } });
    expect(resolveLeague('fraud2', aliases)).toEqual({ ok: true, league: { id: 'def456', alias: 'fraud' } });
  });

  it('accepts a raw id and labels it with its alias when one exists', () => {
    expect(resolveLeague('def456', aliases)).toEqual({ ok: true, league: { id: 'def456', alias: 'fraud' } });
    expect(resolveLeague('zzz999', aliases)).toEqual({ ok: true, league: { id: 'zzz999' } });
    expect(leagueLabel({ id: 'zzz999' })).toBe('zzz999');
  });

  it('explains an unknown name and lists the known aliases', () => {
    const result = resolveLeague('no-such-league', aliases);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toContain('"no-such-league"');
      expect(result.problem).toContain('credit, fraud, fraud2');
    }
    expect(resolveLeague('a'.repeat(33), EMPTY_ALIASES).ok).toBe(false);
  });

  it('accepts an empty definition', () => {
    expect(parseLeagueAliases(' , ')).toEqual({ ok: true, value: { byAlias: new Map(), byId: new Map() } });
  });
});
