import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLeagueAliases, resolveLeague, type LeagueAliases } from '../../src/tics/leagues.js';
import { KNOWN_STATUSES } from '../../src/tics/schema.js';
import { CHANNEL_ID, parseWatchDeclarations, type LeagueResolver, type WatchDeclaration } from '../../src/watch/declared.js';

const CREDIT = 'a'.repeat(32);
const FRAUD = 'b'.repeat(32);
const parsedAliases = parseLeagueAliases(`credit-risk=${CREDIT},fraud=${FRAUD}`);
if (!parsedAliases.ok) throw new Error(parsedAliases.problems.join('; '));
const aliases: LeagueAliases = parsedAliases.value;
const resolve: LeagueResolver = (league) => resolveLeague(league, aliases);

function leagueIdOf(league: string): string {
  const r = resolve(league);
  if (!r.ok) throw new Error(r.problem);
  return r.league.id;
}

function parseOk(raw: string): WatchDeclaration[] {
  const r = parseWatchDeclarations(raw, resolve);
  if (!r.ok) throw new Error(`expected ok, got: ${r.problems.join(' | ')}`);
  return r.value;
}

function problemsOf(raw: string): string[] {
  const r = parseWatchDeclarations(raw, resolve);
  if (r.ok) throw new Error(`expected problems, got ${JSON.stringify(r.value)}`);
  return r.problems;
}

describe('parseWatchDeclarations', () => {
  it('parses the documented example, with default triggers', () => {
    expect(parseOk('credit-risk:C0123ABCD:FAILED,TERMINATED;fraud:C0456EFGH')).toEqual([
      { leagueId: CREDIT, leagueAlias: 'credit-risk', channelId: 'C0123ABCD', triggers: ['FAILED', 'TERMINATED'] },
      { leagueId: FRAUD, leagueAlias: 'fraud', channelId: 'C0456EFGH', triggers: ['FAILED', 'TERMINATED'] },
    ]);
  });

  it('takes newlines, comments, blanks, spacing, lower-case statuses and raw league ids', () => {
    const raw = `
      # credit team
      credit-risk : G0123ABCDEF : failed, succeeded, failed

      ${'c'.repeat(32)}:C0456EFGH:
      fraud:C0456EFGH;;`;
    expect(parseOk(raw)).toEqual([
      { leagueId: CREDIT, leagueAlias: 'credit-risk', channelId: 'G0123ABCDEF', triggers: ['FAILED', 'SUCCEEDED'] },
      { leagueId: 'c'.repeat(32), channelId: 'C0456EFGH', triggers: ['FAILED', 'TERMINATED'] },
      { leagueId: FRAUD, leagueAlias: 'fraud', channelId: 'C0456EFGH', triggers: ['FAILED', 'TERMINATED'] },
    ]);
    expect(parseOk('')).toEqual([]);
    expect(parseOk('  ;\n# nothing yet\n')).toEqual([]);
  });

  it('reports every problem at once, each naming its entry', () => {
    const problems = problemsOf(
      ['credit-risk:C0123ABCD', 'nosuch-league!:C0123ABCD', 'fraud:c0123abcd', 'fraud:C0123ABCD:FAILED,EXPLODED', 'fraud', 'a:b:c:d', 'credit-risk:C0123ABCD:TERMINATED'].join(';'),
    );
    expect(problems).toHaveLength(6);
    expect(problems[0]).toContain('"nosuch-league!:C0123ABCD"');
    expect(problems[0]).toContain('neither a known league alias');
    expect(problems[1]).toContain('"fraud:c0123abcd"');
    expect(problems[1]).toContain('channel "c0123abcd"');
    expect(problems[2]).toContain('"fraud:C0123ABCD:FAILED,EXPLODED"');
    expect(problems[2]).toContain('"EXPLODED"');
    expect(problems[2]).toContain('known: NEW');
    expect(problems[3]).toContain('"fraud"');
    expect(problems[4]).toContain('"a:b:c:d"');
    // The same league and channel twice is ambiguous (which triggers?), even via alias and id.
    expect(problems[5]).toContain('"credit-risk:C0123ABCD:TERMINATED"');
    expect(problems[5]).toContain('"credit-risk:C0123ABCD"');
    expect(problemsOf(`credit-risk:C0123ABCD;${CREDIT}:C0123ABCD`)).toHaveLength(1);
  });

  it('rejects channel ids that are not Slack channel ids', () => {
    for (const bad of ['C0123ABC', 'C0123ABCD12345', 'D0123ABCD', 'U0123ABCD', '#general', 'C0123-ABCD', '']) {
      expect(problemsOf(`fraud:${bad}`), bad).toHaveLength(1);
    }
    for (const good of ['C0123ABCD', 'G0123ABCD', 'C0123ABCD123']) expect(parseOk(`fraud:${good}`)[0]?.channelId).toBe(good);
  });

  it('never throws, and whatever it accepts is well formed', () => {
    const anyText = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(fc.constantFrom('credit-risk', 'fraud', ':', ';', ',', '\n', 'C0123ABCD', 'FAILED', 'failed', ' ', '#', '*', 'x'.repeat(40)), { maxLength: 30 }).map((p) => p.join('')),
    );
    fc.assert(
      fc.property(anyText, (raw) => {
        const r = parseWatchDeclarations(raw, resolve);
        if (!r.ok) {
          expect(r.problems.length).toBeGreaterThan(0);
          return;
        }
        const seen = new Set<string>();
        for (const d of r.value) {
          expect(d.channelId).toMatch(CHANNEL_ID);
          expect(d.triggers.length).toBeGreaterThan(0);
          for (const t of d.triggers) expect(KNOWN_STATUSES).toContain(t);
          expect(seen.has(`${d.leagueId}:${d.channelId}`)).toBe(false);
          seen.add(`${d.leagueId}:${d.channelId}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads back what an operator writes (round trip)', () => {
    const channel = fc.tuple(fc.constantFrom('C', 'G'), fc.stringMatching(/^[A-Z0-9]{8,12}$/)).map(([p, rest]) => p + rest);
    const decl = fc.record({
      league: fc.constantFrom('credit-risk', 'fraud', CREDIT, 'd'.repeat(20)),
      channel,
      triggers: fc.uniqueArray(fc.constantFrom(...KNOWN_STATUSES), { maxLength: 4 }),
      lower: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(decl, { maxLength: 6, selector: (d) => `${leagueIdOf(d.league)}:${d.channel}` }),
        fc.constantFrom(';', '\n', ' ; '),
        (decls, sep) => {
          const raw = decls
            .map((d) => [d.league, d.channel, ...(d.triggers.length ? [d.triggers.map((t) => (d.lower ? t.toLowerCase() : t)).join(',')] : [])].join(':'))
            .join(sep);
          const parsed = parseOk(raw);
          expect(parsed.map((p) => [p.channelId, p.triggers])).toEqual(
            decls.map((d) => [d.channel, d.triggers.length ? d.triggers : ['FAILED', 'TERMINATED']]),
          );
          expect(parsed.map((p) => p.leagueId)).toEqual(decls.map((d) => leagueIdOf(d.league)));
        },
      ),
    );
  });
});

describe('parseWatchDeclarations: notify:, stuck:, recovery:', () => {
  it('reads the options after the triggers, and without triggers', () => {
    expect(parseOk('credit-risk:C0123ABCD:FAILED,TERMINATED notify:<@U0123ABCD>,<!subteam^S0123ABCD|@oncall> stuck:2h recovery:off;fraud:C0456EFGH  notify:<@W0456EFGH|Bob Smith>')).toEqual([
      {
        leagueId: CREDIT,
        leagueAlias: 'credit-risk',
        channelId: 'C0123ABCD',
        triggers: ['FAILED', 'TERMINATED'],
        notify: ['<@U0123ABCD>', '<!subteam^S0123ABCD>'],
        stuckMs: 2 * 3_600_000,
        recovery: false,
      },
      { leagueId: FRAUD, leagueAlias: 'fraud', channelId: 'C0456EFGH', triggers: ['FAILED', 'TERMINATED'], notify: ['<@W0456EFGH>'] },
    ]);
    // Spacing around the fields still works, and `recovery:on`, `stuck:off`, `notify:none` are the defaults.
    expect(parseOk('credit-risk : C0123ABCD : failed, terminated stuck:45m\nfraud:C0456EFGH recovery:on stuck:off notify:none')).toEqual([
      { leagueId: CREDIT, leagueAlias: 'credit-risk', channelId: 'C0123ABCD', triggers: ['FAILED', 'TERMINATED'], stuckMs: 45 * 60_000 },
      { leagueId: FRAUD, leagueAlias: 'fraud', channelId: 'C0456EFGH', triggers: ['FAILED', 'TERMINATED'] },
    ]);
  });

  it('reports every option problem with its entry', () => {
    const problems = problemsOf(
      ['credit-risk:C0123ABCD notify:<!channel> stuck:1m', 'fraud:C0456EFGH owners:<@U0123ABCD>', 'fraud:C0123ABCD notify:@alice recovery:later', 'credit-risk:C0456EFGH <@U0123ABCD>'].join(';'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^entry "credit-risk:C0123ABCD notify:<!channel> stuck:1m": `notify:` never mentions @channel/),
      expect.stringMatching(/^entry "credit-risk:C0123ABCD notify:<!channel> stuck:1m": `stuck:1m` is out of range/),
      expect.stringMatching(/^entry "fraud:C0456EFGH owners:<@U0123ABCD>": unknown option "owners:" \(after the triggers: notify:, stuck:, recovery:\)$/),
      expect.stringMatching(/^entry "fraud:C0123ABCD notify:@alice recovery:later": `@alice` is plain text, not a mention/),
      expect.stringMatching(/^entry "fraud:C0123ABCD notify:@alice recovery:later": `recovery:` is `on`/),
      'entry "credit-risk:C0456EFGH <@U0123ABCD>": unexpected "<@U0123ABCD>" (after the triggers: notify:, stuck:, recovery:)',
    ]);
  });
});
