/**
 * `/tics watch … notify: stuck: recovery:` and `/tics unsnooze` as Slack sends the text (mentions
 * escaped into `<@U…|name>` by should_escape), down to the options the watch stores.
 */
import fc from 'fast-check';
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute } from 'date-fns/constants';
import { describe, expect, it } from 'vitest';
import { COMMANDS, parseCommand, type ParsedCommand, type WatchArgs } from '../../src/slack/commands/parse.js';
import { NOTIFY_TOKEN, formatStuck, parseNotify, tokenize } from '../../src/watch/watch-options.js';

function watchArgs(text: string): WatchArgs {
  const parsed = parseCommand(text);
  if (!parsed.ok || parsed.command.kind !== 'watch') throw new Error(`expected a watch, got ${JSON.stringify(parsed)}`);
  return parsed.command.args;
}

function problem(text: string): string {
  const parsed: ParsedCommand = parseCommand(text);
  if (parsed.ok) throw new Error(`expected a usage error, got ${JSON.stringify(parsed.command)}`);
  return parsed.problem;
}

describe('/tics watch notify:', () => {
  it('accepts users and groups as Slack escapes them, normalised, repeats dropped, order kept', () => {
    const args = watchArgs('watch credit-risk notify:<@U0123ABCD|alice>,<!subteam^S0123ABCD|@data-oncall>,<@W0456EFGH>,<!subteam^S0999ZZZZ>,<@U0123ABCD>');
    expect(args).toEqual({ league: 'credit-risk', options: { notify: ['<@U0123ABCD>', '<!subteam^S0123ABCD>', '<@W0456EFGH>', '<!subteam^S0999ZZZZ>'] } });
  });

  it('keeps a display name with spaces (and commas) inside the brackets as one mention', () => {
    expect(watchArgs('watch credit-risk <#C0123ABCD|alerts> notify:<@U0123ABCD|Bob Smith>,<@U0456EFGH|Smith, Jo> on:failed')).toEqual({
      league: 'credit-risk',
      channelId: 'C0123ABCD',
      triggers: ['FAILED'],
      options: { notify: ['<@U0123ABCD>', '<@U0456EFGH>'] },
    });
  });

  it('accepts the escaped forms Slack sends when the brackets were typed', () => {
    expect(watchArgs('watch x notify:&lt;@U0123ABCD|bob smith&gt;,&lt;!subteam^S0123ABCD&gt;').options).toEqual({ notify: ['<@U0123ABCD>', '<!subteam^S0123ABCD>'] });
  });

  it('clears with notify:none', () => {
    expect(watchArgs('watch x notify:none').options).toEqual({ notify: [] });
  });

  it.each([
    ['<!channel>', '@channel'],
    ['<!here|here>', '@here'],
    ['<!everyone>', '@everyone'],
    ['@channel', '@channel'],
    ['@HERE', '@here'],
    ['&lt;!everyone&gt;', '@everyone'],
    ['<@U0123ABCD>,<!channel>', '@channel'],
  ])('refuses the mass mention %s, naming it', (typed, named) => {
    expect(problem(`watch x notify:${typed}`)).toContain(`never mentions ${named}`);
  });

  it('explains that a plain @name must be picked from the autocomplete', () => {
    expect(problem('watch x notify:@alice')).toBe("`@alice` is plain text, not a mention: pick the person or group from Slack's @-autocomplete so it becomes a mention");
  });

  it.each([
    ['<#C0123ABCD|general>', 'is a channel'],
    ['alice', 'is not a mention'],
    ['<@u0123abcd>', 'is not a mention'],
    ['<!subteam^U0123ABCD>', 'is not a mention'],
    ['<https://example.com|x>', 'is not a mention'],
    ['', 'needs at least one'],
    [',', 'needs at least one'],
  ])('refuses %s with a specific problem', (typed, expected) => {
    expect(problem(`watch x notify:${typed}`)).toContain(expected);
  });

  it('caps the owners at 10 and refuses notify: twice', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `<@U00000000${i.toString().padStart(2, '0')}>`).join(',');
    expect(problem(`watch x notify:${eleven}`)).toContain('at most 10');
    expect(watchArgs(`watch x notify:${eleven.split(',').slice(0, 10).join(',')}`).options?.notify).toHaveLength(10);
    expect(problem('watch x notify:<@U0123ABCD> notify:<@U0456EFGH>')).toContain('`notify:` was given twice');
  });

  it('property: whatever is typed, notify: yields only the two normalised forms, never a mass mention', () => {
    const id = (first: string) => fc.stringMatching(new RegExp(`^${first}[A-Z0-9]{2,12}$`));
    const name = fc.string({ maxLength: 12 }).map((s) => s.replace(/[<>]/g, ''));
    const mention = fc.oneof(
      fc.tuple(id('[UW]'), fc.option(name)).map(([u, n]) => (n === null ? `<@${u}>` : `<@${u}|${n}>`)),
      fc.tuple(id('S'), fc.option(name)).map(([s, n]) => (n === null ? `<!subteam^${s}>` : `<!subteam^${s}|@${n}>`)),
      fc.constantFrom('<!channel>', '<!here>', '<!everyone>', '@channel', '@here', '@everyone', '<!channel|channel>', '@alice'),
      fc.string({ maxLength: 30 }),
    );
    const escape = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    fc.assert(
      fc.property(fc.array(fc.tuple(mention, fc.boolean()), { maxLength: 12 }), (items) => {
        const typed = items.map(([m, escaped]) => (escaped ? escape(m) : m)).join(',');
        const direct = parseNotify(typed);
        const viaCommand = parseCommand(`watch x notify:${typed}`);
        for (const owners of [direct.ok ? direct.value : [], viaCommand.ok && viaCommand.command.kind === 'watch' ? (viaCommand.command.args.options?.notify ?? []) : []]) {
          for (const owner of owners) {
            expect(owner).toMatch(NOTIFY_TOKEN);
            expect(owner).not.toMatch(/<!(?:channel|here|everyone)/);
          }
          expect(owners.length).toBeLessThanOrEqual(10);
        }
        // A list holding a mass mention is refused as a whole, never passed through minus it.
        if (items.some(([m]) => /^(?:<!(?:channel|here|everyone)[|>]|@(?:channel|here|everyone)$)/i.test(m))) expect(direct.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('/tics watch stuck: and recovery:', () => {
  it.each([
    ['45m', 45 * millisecondsInMinute],
    ['2h', 2 * millisecondsInHour],
    ['1h30m', 90 * millisecondsInMinute],
    ['1D', millisecondsInDay],
    ['5m', 5 * millisecondsInMinute],
    ['7d', 7 * millisecondsInDay],
    ['6d23h59m', 7 * millisecondsInDay - millisecondsInMinute],
  ])('stuck:%s is %i ms', (typed, ms) => {
    expect(watchArgs(`watch x stuck:${typed}`).options).toEqual({ stuckMs: ms });
  });

  it('stuck:off clears', () => {
    expect(watchArgs('watch x STUCK:Off').options).toEqual({ stuckMs: null });
  });

  it.each(['4m', '0m', '7d1m', '8d', '169h'])('stuck:%s is out of range (5 minutes … 7 days)', (typed) => {
    expect(problem(`watch x stuck:${typed}`)).toContain('out of range: give between 5 minutes (`stuck:5m`) and 7 days (`stuck:7d`)');
  });

  it.each(['', '2', '2 h', 'h', '1.5h', '30s', '2h1d', 'soon'])('stuck:%s is not a duration', (typed) => {
    expect(problem(`watch x stuck:${typed}`)).toContain('is not a duration');
  });

  it('recovery:off / on, anything else refused', () => {
    expect(watchArgs('watch x recovery:off').options).toEqual({ recovery: false });
    expect(watchArgs('watch x recovery:ON').options).toEqual({ recovery: true });
    expect(problem('watch x recovery:maybe')).toContain('`recovery:` is `on`');
  });

  it('all options together, in any order, with on: and a channel', () => {
    expect(watchArgs('watch credit-risk recovery:off stuck:2h C0123ABCD on:failed notify:<@U0123ABCD|al>')).toEqual({
      league: 'credit-risk',
      channelId: 'C0123ABCD',
      triggers: ['FAILED'],
      options: { notify: ['<@U0123ABCD>'], stuckMs: 2 * millisecondsInHour, recovery: false },
    });
  });

  it('an unknown option lists every option', () => {
    expect(problem('watch x owners:<@U0123ABCD>')).toBe('unknown option `owners:` (the options are `on:`, `notify:`, `stuck:`, `recovery:`)');
  });

  it('unwatch takes none of them', () => {
    expect(problem('unwatch x notify:<@U0123ABCD>')).toContain('unexpected `notify:');
  });

  it('formats durations as stuck: takes them', () => {
    expect([45 * millisecondsInMinute, 2 * millisecondsInHour, 90 * millisecondsInMinute, millisecondsInDay + millisecondsInHour].map(formatStuck)).toEqual(['45m', '2h', '1h30m', '1d1h']);
  });
});

describe('tokenize', () => {
  it('never splits <…> or &lt;…&gt;, and splits everything else on whitespace', () => {
    expect(tokenize('watch  a <@U1|Bob Smith> x:<!subteam^S1|@a b>,<@U2> &lt;@U3|c d&gt; <unclosed x')).toEqual([
      'watch',
      'a',
      '<@U1|Bob Smith>',
      'x:<!subteam^S1|@a b>,<@U2>',
      '&lt;@U3|c d&gt;',
      '<unclosed',
      'x',
    ]);
  });
});

describe('/tics unsnooze', () => {
  const unsnooze = (text: string) => {
    const parsed = parseCommand(text);
    if (!parsed.ok || parsed.command.kind !== 'unsnooze') throw new Error(`expected unsnooze, got ${JSON.stringify(parsed)}`);
    return parsed.command.args;
  };

  it('takes everything between the league and a trailing channel as the job name', () => {
    expect(unsnooze('unsnooze credit-risk nightly scoring job')).toEqual({ league: 'credit-risk', jobName: 'nightly scoring job' });
    expect(unsnooze('unsnooze credit-risk nightly scoring <#C0123ABCD|alerts>')).toEqual({ league: 'credit-risk', jobName: 'nightly scoring', channelId: 'C0123ABCD' });
    expect(unsnooze('unsnooze credit-risk job C0123ABCD')).toEqual({ league: 'credit-risk', jobName: 'job', channelId: 'C0123ABCD' });
    expect(unsnooze('unsnooze credit-risk a &amp; b &lt;v2&gt;')).toEqual({ league: 'credit-risk', jobName: 'a & b <v2>' });
    // A job named like a channel id, alone, is a job.
    expect(unsnooze('unsnooze credit-risk C0123ABCD')).toEqual({ league: 'credit-risk', jobName: 'C0123ABCD' });
  });

  it('asks for the league and the job', () => {
    const usage = COMMANDS.find((c) => c.name === 'unsnooze')?.usage;
    expect(parseCommand('unsnooze')).toEqual({ ok: false, problem: 'which league? Give a league alias or id, then the job name', usage });
    expect(parseCommand('unsnooze credit-risk')).toEqual({ ok: false, problem: 'which job? Give its name after the league, as `watches` lists it', usage });
  });
});
