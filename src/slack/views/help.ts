/**
 * `/tics help`. The command layer passes the list it parses, so help cannot drift from the parser.
 */
import type { types } from '@slack/bolt';
import { statusShortcode } from '../../format/status.js';
import { SLACK_LIMITS } from '../limits.js';
import { escapeAndTruncate, mrkdwnContext, oneLine, type SlackMessage } from './format.js';

export interface HelpEntry {
  usage: string;
  description: string;
  examples?: string[];
}

const USAGE_MAX = 200;
const DESCRIPTION_MAX = 600;
const EXAMPLE_MAX = 150;
const EXAMPLES_PER_COMMAND = 5;
// Several commands share a section; leave a margin under Slack's cap.
const SECTION_MAX = SLACK_LIMITS.sectionText - 100;
// Keeps the message well inside the block cap and the text budget whatever the list holds.
const MAX_SECTIONS = 3;

const copy = {
  header: 'tics-bot commands',
  noCommands: 'No commands are available.',
  omitted: (count: number) => `…and ${count} more not shown.`,
  footer: 'Times show in your own time zone. Replies to commands are visible only to you until you share them.',
  examples: (list: string) => `_e.g._ ${list}`,
  fallback: (names: string) => `tics-bot help: ${names || 'no commands'}`,
  legend: [
    ['SUCCEEDED', 'succeeded'],
    ['FAILED', 'failed'],
    ['TERMINATED', 'terminated'],
    ['RUNNING', 'running'],
    ['PENDING', 'waiting to run'],
    ['NEW', 'new'],
    ['TERMINATING', 'stopping'],
    ['SOMETHING_NEW', 'a status tics-bot does not know yet'],
  ],
} as const;

export function buildHelpMessage(commands: HelpEntry[]): SlackMessage {
  const entries = commands.map(entryText);
  const sections: string[] = [];
  let omitted = 0;
  for (const entry of entries) {
    const last = sections.length - 1;
    const current = sections[last];
    if (current !== undefined && current.length + 2 + entry.length <= SECTION_MAX) sections[last] = `${current}\n\n${entry}`;
    else if (sections.length < MAX_SECTIONS) sections.push(entry);
    else omitted++;
  }

  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: copy.header, emoji: false } }];
  if (sections.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: copy.noCommands } });
  for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  if (omitted > 0) blocks.push(mrkdwnContext(copy.omitted(omitted)));
  blocks.push(mrkdwnContext(legend()));
  blocks.push(mrkdwnContext(copy.footer));

  const names = commands.map((c) => oneLine(c.usage).split(' ').slice(0, 2).join(' ')).filter(Boolean);
  return { text: escapeAndTruncate(copy.fallback(names.join(', ')), 500), blocks };
}

function entryText(entry: HelpEntry): string {
  const lines = [
    `\`${escapeAndTruncate(oneLine(entry.usage), USAGE_MAX)}\``,
    escapeAndTruncate(oneLine(entry.description), DESCRIPTION_MAX),
  ];
  const examples = (entry.examples ?? []).slice(0, EXAMPLES_PER_COMMAND).map((e) => `\`${escapeAndTruncate(oneLine(e), EXAMPLE_MAX)}\``);
  if (examples.length) lines.push(copy.examples(examples.join('  ·  ')));
  return lines.filter(Boolean).join('\n');
}

function legend(): string {
  return copy.legend.map(([status, meaning]) => `${statusShortcode(status)} ${meaning}`).join('  ·  ');
}
