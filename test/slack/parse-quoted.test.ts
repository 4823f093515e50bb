import { describe, expect, it } from 'vitest';
import { joinQuoted, LEAGUES_FILTER_MAX, parseCommand } from '../../src/slack/commands/parse.js';

describe('quoted league names', () => {
  it('join into one token, straight or smart quotes; an unclosed quote runs to the end', () => {
    expect(joinQuoted(['"Joint', 'Marketing"', 'limit:2'])).toEqual(['"Joint Marketing"', 'limit:2']);
    expect(joinQuoted(['“Credit', 'Risk', 'Alliance”'])).toEqual(['“Credit Risk Alliance”']);
    expect(joinQuoted(['"one"', 'x'])).toEqual(['"one"', 'x']);
    expect(joinQuoted(['"open', 'ended'])).toEqual(['"open ended']);
  });

  it('reach the commands as the league', () => {
    expect(parseCommand('history "Joint Marketing" status:failed')).toMatchObject({ ok: true, command: { kind: 'history', args: { league: '"Joint Marketing"', statuses: ['FAILED'] } } });
    expect(parseCommand('watch "Joint Marketing" <#C0123ABCD|x>')).toMatchObject({ ok: true, command: { kind: 'watch', args: { league: '"Joint Marketing"', channelId: 'C0123ABCD' } } });
    expect(parseCommand('unsnooze "Joint Marketing" nightly scoring')).toMatchObject({ ok: true, command: { kind: 'unsnooze', args: { league: '"Joint Marketing"', jobName: 'nightly scoring' } } });
  });
});

describe('leagues', () => {
  it('takes optional text, quotes and Slack escapes removed', () => {
    expect(parseCommand('leagues')).toEqual({ ok: true, command: { kind: 'leagues' } });
    expect(parseCommand('LEAGUES credit  risk')).toEqual({ ok: true, command: { kind: 'leagues', filter: 'credit risk' } });
    expect(parseCommand('leagues "R&amp;D"')).toEqual({ ok: true, command: { kind: 'leagues', filter: 'R&D' } });
    const long = parseCommand(`leagues ${'x'.repeat(LEAGUES_FILTER_MAX + 1)}`);
    expect(long).toMatchObject({ ok: false, usage: '/tics leagues [text]' });
  });
});
