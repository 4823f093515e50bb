/**
 * Everything TICS says about one instance, for the "Details" button: the facts as a two-column grid,
 * then `ext` / `result_ext` laid out (JSON pretty-printed) and cut to fit.
 */
import type { types } from '@slack/bolt';
import { isTerminalStatus, type JobInstance } from '../../tics/schema.js';
import { describeTiming, predictionLabel, typeLabel } from '../../format/instance.js';
import { statusShortcode, statusLabel } from '../../format/status.js';
import {
  escapeAndTruncate,
  isJsonContainer,
  leagueName,
  mrkdwnContext,
  oneLine,
  prettyJson,
  slackDate,
  truncate,
  type SlackMessage,
} from './format.js';

export interface DetailsInput {
  league: { id: string; alias?: string };
  instance: JobInstance;
  now: number;
  simulated?: boolean;
}

// A field may hold 2000 characters; these keep the grid readable and the whole message far from
// the 12k budget even when every value is at its worst.
const FIELD_VALUE_MAX = 300;
const ID_MAX = 64;
// Section text is capped at 3000; leave room for the heading and the code fence.
const EXTRA_TEXT_MAX = 2800;
const DATE_FORMAT = '{date_short_pretty} at {time_secs}';

export function buildDetailsMessage(input: DetailsInput): SlackMessage {
  const { instance } = input;
  const name = oneLine(instance.jobName);
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${statusLabel(instance.status)} · ${name || 'unnamed job'}`, 150), emoji: false },
    },
  ];
  if (input.simulated) {
    blocks.push(mrkdwnContext(':test_tube: *Simulated data* — from tics-bot’s built-in simulator, not from Huawei Cloud TICS.'));
  }
  blocks.push({ type: 'section', fields: facts(input) });

  const extras = [
    extraSection('Parameters', 'ext', instance.ext),
    extraSection('Result', 'result_ext', instance.resultExt),
  ].filter((block): block is types.SectionBlock => block !== undefined);
  if (extras.length) blocks.push({ type: 'divider' }, ...extras);
  else blocks.push(mrkdwnContext('TICS sent no extra parameters (`ext`) or result info (`result_ext`) for this instance.'));

  return { text: fallbackText(input), blocks };
}

function facts({ instance, league, now }: DetailsInput): types.MrkdwnElement[] {
  const field = (label: string, value: string): types.MrkdwnElement => ({ type: 'mrkdwn', text: `*${label}*\n${value}` });
  const code = (value: string) => `\`${escapeAndTruncate(value, ID_MAX)}\``;
  const dash = '—';

  const status = `${statusShortcode(instance.status)} ${escapeAndTruncate(statusLabel(instance.status), 40)} ${code(instance.status)}`;
  let type = `${escapeAndTruncate(typeLabel(instance.type), 60)} ${code(instance.type)}`;
  if (instance.isSinglePredict !== undefined) type += `\n${predictionLabel(instance.isSinglePredict)}`;
  const leagueText = league.alias ? `${escapeAndTruncate(league.alias, ID_MAX)} ${code(league.id)}` : code(league.id);
  const name = oneLine(instance.jobName);
  const ended =
    instance.endTime !== undefined
      ? slackDate(instance.endTime, DATE_FORMAT)
      : instance.startTime !== undefined && !isTerminalStatus(instance.status)
        ? 'still in progress'
        : dash;
  const partner = instance.jobPartner === undefined ? '' : instance.jobPartner.trim();

  // Exactly ten: Slack's cap on fields per section.
  return [
    field('Status', status),
    field('Type', type),
    field('Job', name ? escapeAndTruncate(name, FIELD_VALUE_MAX) : '_unnamed job_'),
    field('League', leagueText),
    field('Instance', instance.id ? code(instance.id) : dash),
    field('Rounds', instance.roundId === undefined ? dash : instance.roundId.toLocaleString('en-US')),
    field('Started', instance.startTime === undefined ? 'not started' : slackDate(instance.startTime, DATE_FORMAT)),
    field('Ended', ended),
    field('Duration', instance.startTime === undefined ? dash : capitalize(describeTiming(instance, now))),
    field('Partner', partner ? escapeAndTruncate(partner, FIELD_VALUE_MAX) : dash),
  ];
}

function extraSection(title: string, wireName: string, value: string | undefined): types.SectionBlock | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const heading = `*${title}* (\`${wireName}\`)\n`;
  const body = isJsonContainer(value)
    ? // A ``` inside the data would close the fence early; a zero-width space keeps it literal.
      '```' + escapeAndTruncate(prettyJson(value).replace(/```/g, '``\u200b`'), EXTRA_TEXT_MAX) + '```'
    : escapeAndTruncate(value.trim(), EXTRA_TEXT_MAX);
  return { type: 'section', text: { type: 'mrkdwn', text: heading + body } };
}

function fallbackText({ instance, league }: DetailsInput): string {
  const name = oneLine(instance.jobName) || 'unnamed job';
  const text = `${statusLabel(instance.status)}: ${name} (${typeLabel(instance.type)}) in league ${leagueName(league)}`;
  return escapeAndTruncate(text, 500);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
