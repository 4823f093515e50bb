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
import { SLACK_LIMITS } from '../limits.js';
import { sharedCopy } from './copy.js';
import { reportBlocks, type DetailsExtras } from './details-report.js';

export interface DetailsInput {
  league: { id: string; alias?: string };
  instance: JobInstance;
  now: number;
  simulated?: boolean;
  /** The report and execution graph of a finished instance, or why they are missing. */
  extras?: DetailsExtras;
}

// A field may hold far more; these keep the grid readable and the whole message far from the
// text budget even when every value is at its worst.
const FIELD_VALUE_MAX = 300;
const ID_MAX = 64;
// Leave room in the section for the heading and the code fence.
const EXTRA_TEXT_MAX = SLACK_LIMITS.sectionText - 200;
// With the report below them, `ext` and `result_ext` give up room so the whole stays in budget.
const EXTRA_TEXT_WITH_REPORT_MAX = 1200;
const DATE_FORMAT = '{date_short_pretty} at {time_secs}';

const copy = {
  header: (status: string, name: string) => `${status} · ${name || sharedCopy.unnamedJob}`,
  noExtras: 'TICS sent no extra parameters (`ext`) or result info (`result_ext`) for this instance.',
  parameters: 'Parameters',
  result: 'Result',
  extraHeading: (title: string, wireName: string) => `*${title}* (\`${wireName}\`)\n`,
  label: {
    status: 'Status',
    type: 'Type',
    job: 'Job',
    league: 'League',
    instance: 'Instance',
    rounds: 'Rounds',
    started: 'Started',
    ended: 'Ended',
    duration: 'Duration',
    partner: 'Partner',
  },
  unnamedJob: `_${sharedCopy.unnamedJob}_`,
  notStarted: 'not started',
  stillRunning: 'still in progress',
  fallback: (status: string, name: string, type: string, league: string) =>
    `${status}: ${name || sharedCopy.unnamedJob} (${type}) in league ${league}`,
} as const;

export function buildDetailsMessage(input: DetailsInput): SlackMessage {
  const { instance } = input;
  const name = oneLine(instance.jobName);
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(copy.header(statusLabel(instance.status), name), SLACK_LIMITS.headerText), emoji: false },
    },
  ];
  if (input.simulated) {
    blocks.push(mrkdwnContext(sharedCopy.simulatedNote()));
  }
  blocks.push({ type: 'section', fields: facts(input) });

  const report = input.extras ? reportBlocks(input.extras) : [];
  const max = report.length ? EXTRA_TEXT_WITH_REPORT_MAX : EXTRA_TEXT_MAX;
  const extras = [
    extraSection(copy.parameters, 'ext', instance.ext, max),
    extraSection(copy.result, 'result_ext', instance.resultExt, max),
  ].filter((block): block is types.SectionBlock => block !== undefined);
  if (extras.length) blocks.push({ type: 'divider' }, ...extras);
  else blocks.push(mrkdwnContext(copy.noExtras));
  blocks.push(...report);

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
        ? copy.stillRunning
        : dash;
  const partner = instance.jobPartner === undefined ? '' : instance.jobPartner.trim();

  const label = copy.label;
  // Exactly SLACK_LIMITS.sectionFields (ten).
  return [
    field(label.status, status),
    field(label.type, type),
    field(label.job, name ? escapeAndTruncate(name, FIELD_VALUE_MAX) : copy.unnamedJob),
    field(label.league, leagueText),
    field(label.instance, instance.id ? code(instance.id) : dash),
    field(label.rounds, instance.roundId === undefined ? dash : instance.roundId.toLocaleString('en-US')),
    field(label.started, instance.startTime === undefined ? copy.notStarted : slackDate(instance.startTime, DATE_FORMAT)),
    field(label.ended, ended),
    field(label.duration, instance.startTime === undefined ? dash : capitalize(describeTiming(instance, now))),
    field(label.partner, partner ? escapeAndTruncate(partner, FIELD_VALUE_MAX) : dash),
  ];
}

function extraSection(title: string, wireName: string, value: string | undefined, max: number): types.SectionBlock | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const heading = copy.extraHeading(title, wireName);
  const body = isJsonContainer(value)
    ? // A ``` inside the data would close the fence early; a zero-width space keeps it literal.
      '```' + escapeAndTruncate(prettyJson(value).replace(/```/g, '``\u200b`'), max) + '```'
    : escapeAndTruncate(value.trim(), max);
  return { type: 'section', text: { type: 'mrkdwn', text: heading + body } };
}

function fallbackText({ instance, league }: DetailsInput): string {
  const text = copy.fallback(statusLabel(instance.status), oneLine(instance.jobName), typeLabel(instance.type), leagueName(league));
  return escapeAndTruncate(text, 500);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
