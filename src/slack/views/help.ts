/**
 * `/tics help`. The command layer passes the list it parses, so help cannot drift from the parser.
 */
import type { types } from '@slack/bolt';
import { statusShortcode } from '../../format/status.js';
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
// Several commands share a section; 3000 is Slack's cap on section text.
const SECTION_MAX = 2900;
// Keeps the message well inside 50 blocks and the 12k text budget whatever the list holds.
const MAX_SECTIONS = 3;

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

  const blocks: types.KnownBlock[] = [{ type: 'header', text: { type: 'plain_text', text: 'tics-bot commands', emoji: false } }];
  if (sections.length === 0) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No commands are available.' } });
  for (const text of sections) blocks.push({ type: 'section', text: { type: 'mrkdwn', text } });
  if (omitted > 0) blocks.push(mrkdwnContext(`…and ${omitted} more not shown.`));
  blocks.push(mrkdwnContext(legend()));
  blocks.push(
    mrkdwnContext('Times show in your own time zone. Replies to commands are visible only to you until you share them.'),
  );

  const names = commands.map((c) => oneLine(c.usage).split(' ').slice(0, 2).join(' ')).filter(Boolean);
  return { text: escapeAndTruncate(`tics-bot help: ${names.join(', ') || 'no commands'}`, 500), blocks };
}

function entryText(entry: HelpEntry): string {
  const lines = [
    `\`${escapeAndTruncate(oneLine(entry.usage), USAGE_MAX)}\``,
    escapeAndTruncate(oneLine(entry.description), DESCRIPTION_MAX),
  ];
  const examples = (entry.examples ?? []).slice(0, EXAMPLES_PER_COMMAND).map((e) => `\`${escapeAndTruncate(oneLine(e), EXAMPLE_MAX)}\``);
  if (examples.length) lines.push(`_e.g._ ${examples.join('  ·  ')}`);
  return lines.filter(Boolean).join('\n');
}

function legend(): string {
  const items: Array<[string, string]> = [
    ['SUCCEEDED', 'succeeded'],
    ['FAILED', 'failed'],
    ['TERMINATED', 'terminated'],
    ['RUNNING', 'running'],
    ['PENDING', 'waiting to run'],
    ['NEW', 'new'],
    ['TERMINATING', 'stopping'],
    ['SOMETHING_NEW', 'a status tics-bot does not know yet'],
  ];
  return items.map(([status, meaning]) => `${statusShortcode(status)} ${meaning}`).join('  ·  ');
}
