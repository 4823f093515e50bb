import { describe, expect, it } from 'vitest';
import { buildHelpMessage, type HelpEntry } from '../../../src/slack/views/help.js';
import type { SlackMessage } from '../../../src/slack/views/history.js';
import { assertWithinSlackLimits } from '../../helpers/block-kit-limits.js';

const COMMANDS: HelpEntry[] = [
  {
    usage: '/tics history <league> [job:<job_id>] [status:FAILED,…] [limit:N]',
    description: 'Job-instance history of a league, newest page first, with paging buttons.',
    examples: ['/tics history fl-demo', '/tics history fl-demo status:FAILED limit:20'],
  },
  { usage: '/tics watch <league> [status:FAILED]', description: 'Post an alert in this channel when a job in the league fails.' },
  { usage: '/tics unwatch <league>', description: 'Stop alerts for the league in this channel.' },
  { usage: '/tics watches', description: "List this channel's watches." },
  { usage: '/tics help', description: 'This message.' },
];

function build(commands: HelpEntry[]): SlackMessage {
  const message = buildHelpMessage(commands);
  assertWithinSlackLimits(message);
  return message;
}
const sections = (m: SlackMessage) => m.blocks.filter((b) => b.type === 'section').map((b) => (b as unknown as { text: { text: string } }).text.text);

describe('buildHelpMessage', () => {
  it('lists every command it is given, usage escaped, with examples', () => {
    const message = build(COMMANDS);
    expect(message).toMatchSnapshot();
    const text = sections(message).join('\n');
    for (const c of COMMANDS) expect(text).toContain(c.usage.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    expect(text).toContain('`/tics history fl-demo status:FAILED limit:20`');
    expect(text).not.toMatch(/<league>/);
    expect(message.text).toBe('tics-bot help: /tics history, /tics watch, /tics unwatch, /tics watches, /tics help');
  });

  it('keeps the commands in the order given', () => {
    const text = sections(build(COMMANDS)).join('\n');
    const positions = COMMANDS.map((c) => text.indexOf(c.description));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('explains the status emoji the history uses', () => {
    expect(JSON.stringify(build(COMMANDS).blocks)).toMatch(/:x: failed.*:grey_question: a status tics-bot does not know yet/);
  });

  it('stays within limits however long the list is, and says when some are left out', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ usage: `/tics cmd${i} ${'<arg>'.repeat(60)}`, description: 'd&'.repeat(400), examples: Array(10).fill('e'.repeat(300)) }));
    const message = build(many);
    expect(JSON.stringify(message.blocks)).toMatch(/…and \d+ more not shown/);
  });

  it('handles an empty list', () => {
    expect(sections(build([]))).toEqual(['No commands are available.']);
  });
});
