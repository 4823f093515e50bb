/**
 * The "why did it fail" part of Details: what ShowInstanceReport and ShowJobInstanceDag say about a
 * finished instance, laid out for reading — the failed stage first, then the run's facts, its
 * partners and their roles, its stages and result info. Free text (TICS's `ext`, a task's display
 * info) is shown as a short excerpt that says how much was cut; a call that failed is named, and the
 * rest of Details stands without it.
 */
import type { types } from '@slack/bolt';
import { formatDurationMs, plural } from '../../format/instance.js';
import { statusLabel, statusShortcode } from '../../format/status.js';
import type { Deploy, InstanceReport, Processor } from '../../tics/report-schema.js';
import type { Fetched } from '../partial.js';
import { escapeAndTruncate, escapeMrkdwn, isJsonContainer, mrkdwnContext, oneLine, prettyJson, slackDate } from './format.js';
import { describeMissing } from './missing.js';

export interface DetailsExtras {
  /** Absent: not asked (the instance has not finished, or the TICS API at hand has no report call). */
  report?: Fetched<InstanceReport>;
  /** Absent: not asked (only FAILED instances get their execution graph read). */
  dag?: Fetched<Deploy[]>;
  /** The round the graph was asked for. */
  dagRound?: number;
}

// Caps in characters. Together with Details' own parts they keep the message inside Slack's text
// budget with every value at its worst (checked by the worst-case test).
const VALUE_MAX = 100;
const NAME_MAX = 60;
const PARTNERS_SHOWN = 6;
const STAGES_SHOWN = 12;
const FAILED_SHOWN = 2;
const INFO_EXCERPT = 160;
const EXT_EXCERPT = 400;
const DATE_FORMAT = '{date_short_pretty} at {time}';

const NODE_ROLE: Readonly<Record<string, string>> = {
  AGENT: 'compute node',
  AGG: 'aggregator',
  AGG_MANAGER: 'aggregator manager',
  SERVER: 'control node',
};

const copy = {
  failedHeading: (round: number | undefined) => `*Where it failed*${round === undefined ? '' : ` (round ${round})`}`,
  failedStage: (stage: string, position: string, node: string, party: string) => `:x: Stage *${stage}*${position} on node *${node}*${party}`,
  stageOf: (index: number, count: number) => ` (${index} of ${count})`,
  task: (name: string) => `task ${name}`,
  ran: (duration: string) => `ran ${duration}`,
  recordsIn: (count: string) => `${count} records in`,
  info: (excerpt: string) => `Task info: ${excerpt}`,
  moreFailed: (count: number) => `…and ${plural(count, 'more failed task')}.`,
  noFailedStage: (round: number | undefined) => `The execution graph${round === undefined ? '' : ` of round ${round}`} shows no failed stage.`,
  reportHeading: '*Report* — what TICS recorded for this run',
  reportEmpty: 'TICS’s report for this instance is empty.',
  label: {
    executor: 'Run by',
    ranAt: 'Run at',
    leagueName: 'League name',
    region: 'Region',
    aggregator: 'Aggregator',
    resultKeeper: 'Result kept by',
  },
  partnersHeading: (count: number) => `*Partners* (${count})`,
  partner: (alias: string, details: string[], roles: string[]) => `• *${alias}*${roles.length ? ` — ${roles.join(', ')}` : ''}${details.length ? `\n    ${details.join(' · ')}` : ''}`,
  account: (name: string) => `account ${name}`,
  node: (name: string) => `node ${name}`,
  dataset: (name: string) => `dataset ${name}`,
  recordsOut: (count: string) => `${count} records out`,
  keepsResult: 'keeps the result',
  morePartners: (count: number) => `…and ${plural(count, 'more partner')}.`,
  stagesHeading: (round: number | undefined) => `*Stages*${round === undefined ? '' : ` (round ${round})`}`,
  moreStages: (count: number) => ` → …${plural(count, 'more stage')}`,
  resultInfo: '*Result info* (`job_report_output.ext`)',
  cut: (count: number) => `… _cut, ${plural(count, 'more character')}_`,
  missing: {
    report: (why: string) => `:warning: The report could not be loaded: ${why}. The rest of Details is as TICS listed it.`,
    dag: (why: string) => `:warning: The execution graph could not be loaded: ${why}, so the failed stage is not known.`,
  },
} as const;

/** The blocks to append to Details; none when nothing was asked. */
export function reportBlocks(extras: DetailsExtras): types.KnownBlock[] {
  const blocks: types.KnownBlock[] = [];
  const notes: string[] = [];
  const report = extras.report?.ok ? extras.report.value : undefined;
  if (extras.report?.ok === false) notes.push(copy.missing.report(describeMissing(extras.report.missing)));

  // The graph asked for a failed instance; failing that, the one the report carries.
  const lastRound = report?.roundDeploys?.at(-1);
  const graph = extras.dag?.ok ? { deploys: extras.dag.value, round: extras.dagRound } : lastRound?.deploys ? { deploys: lastRound.deploys, round: lastRound.roundId } : undefined;
  if (extras.dag?.ok === false) notes.push(copy.missing.dag(describeMissing(extras.dag.missing)));
  if (extras.dag !== undefined && graph) blocks.push(section(failedText(graph.deploys, graph.round)));

  if (report) {
    const fields = reportFields(report);
    blocks.push(fields.length ? { type: 'section', text: mrkdwn(copy.reportHeading), fields } : section(`${copy.reportHeading}\n${copy.reportEmpty}`));
    const partners = partnersText(report, graph?.deploys ?? []);
    if (partners) blocks.push(section(partners));
    const stages = graph ? stagesText(graph.deploys, graph.round) : undefined;
    if (stages) blocks.push(section(stages));
    const ext = report.jobReportOutput?.ext;
    if (ext !== undefined && ext.trim() !== '') blocks.push(section(`${copy.resultInfo}\n${excerptBlock(ext, EXT_EXCERPT)}`));
  }
  if (notes.length) blocks.push(mrkdwnContext(notes.join('\n')));
  return blocks.length ? [{ type: 'divider' }, ...blocks] : [];
}

function failedText(deploys: Deploy[], round: number | undefined): string {
  const failures: Array<{ deploy: Deploy; index: number; count: number; stage: string; processor: Processor }> = [];
  for (const deploy of deploys) {
    const stages = deploy.stages ?? [];
    stages.forEach((stage, i) => {
      for (const processor of stage.processors ?? []) {
        if (processor.taskStatus === 'FAILED') failures.push({ deploy, index: i + 1, count: stages.length, stage: stage.stageName ?? `#${stage.id}`, processor });
      }
    });
  }
  if (failures.length === 0) return `${copy.failedHeading(round)}\n${copy.noFailedStage(round)}`;
  const lines = failures.slice(0, FAILED_SHOWN).map(({ deploy, index, count, stage, processor }) => {
    const role = deploy.nodeType ? NODE_ROLE[deploy.nodeType] : undefined;
    const party = [deploy.nodePartnerAlias && text(deploy.nodePartnerAlias, NAME_MAX), role].filter(Boolean).join(' · ');
    const head = copy.failedStage(text(stage, NAME_MAX), copy.stageOf(index, count), text(deploy.nodeName || deploy.nodeId, NAME_MAX), party ? ` (${party})` : '');
    const facts = [copy.task(code(processor.taskName, NAME_MAX))];
    const ms = durationMs(processor);
    if (ms !== undefined) facts.push(copy.ran(formatDurationMs(ms)));
    if (processor.taskInRecordCnt !== undefined) facts.push(copy.recordsIn(count_(processor.taskInRecordCnt)));
    const info = processor.taskShowInfo && Object.keys(processor.taskShowInfo).length ? `\n${copy.info(inlineExcerpt(JSON.stringify(processor.taskShowInfo), INFO_EXCERPT))}` : '';
    return `${head}\n${facts.join(' · ')}${info}`;
  });
  if (failures.length > FAILED_SHOWN) lines.push(copy.moreFailed(failures.length - FAILED_SHOWN));
  return `${copy.failedHeading(round)}\n${lines.join('\n')}`;
}

function durationMs(processor: Processor): number | undefined {
  if (processor.execDurationNano !== undefined) return processor.execDurationNano / 1_000_000;
  // Start and end times are of undocumented unit; the simulator's are epoch ms, as are TICS's other times.
  if (processor.startTime !== undefined && processor.endTime !== undefined) return processor.endTime - processor.startTime;
  return undefined;
}

function reportFields(report: InstanceReport): types.MrkdwnElement[] {
  const fields: types.MrkdwnElement[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value) fields.push(mrkdwn(`*${label}*\n${value}`));
  };
  const base = report.jobReportBaseInfo;
  const env = report.jobReportEnv;
  const output = report.jobReportOutput;
  add(copy.label.executor, base?.executor && text(base.executor, VALUE_MAX));
  add(copy.label.ranAt, base?.exeTime === undefined ? undefined : slackDate(base.exeTime, DATE_FORMAT));
  add(copy.label.leagueName, env?.leagueName && text(env.leagueName, VALUE_MAX));
  add(copy.label.region, env?.regionId && code(env.regionId, VALUE_MAX));
  add(copy.label.aggregator, env?.aggName && text(env.aggName, VALUE_MAX));
  const keeper = [output?.resultStorageAgentName && code(output.resultStorageAgentName, NAME_MAX), output?.resultStorageDomainAlias && text(output.resultStorageDomainAlias, NAME_MAX)].filter(Boolean);
  add(copy.label.resultKeeper, keeper.join(' · '));
  return fields;
}

function partnersText(report: InstanceReport, deploys: Deploy[]): string | undefined {
  const partners = report.jobReportPartners ?? [];
  if (partners.length === 0) return undefined;
  const output = report.jobReportOutput;
  const lines = partners.slice(0, PARTNERS_SHOWN).map((p) => {
    const alias = p.partnerDomainAlias || p.partnerDomainName || p.agentName || '?';
    const roles = new Set<string>();
    for (const d of deploys) {
      if ((d.nodeName === p.agentName || d.nodePartnerAlias === p.partnerDomainAlias) && d.nodeType && NODE_ROLE[d.nodeType]) roles.add(NODE_ROLE[d.nodeType]!);
    }
    if (output && ((p.agentName && output.resultStorageAgentName === p.agentName) || (p.partnerDomainAlias && output.resultStorageDomainAlias === p.partnerDomainAlias))) roles.add(copy.keepsResult);
    const details: string[] = [];
    if (p.partnerDomainName && p.partnerDomainName !== alias) details.push(copy.account(code(p.partnerDomainName, NAME_MAX)));
    if (p.agentName) details.push(copy.node(code(p.agentName, NAME_MAX)));
    if (p.datasetName) details.push(copy.dataset(code(p.datasetName, NAME_MAX)));
    if (p.dataOutputCnt !== undefined) details.push(copy.recordsOut(count_(p.dataOutputCnt)));
    return copy.partner(text(alias, NAME_MAX), details, [...roles]);
  });
  if (partners.length > PARTNERS_SHOWN) lines.push(copy.morePartners(partners.length - PARTNERS_SHOWN));
  return `${copy.partnersHeading(partners.length)}\n${lines.join('\n')}`;
}

// Worst first: a stage is as bad as its worst task on any node.
const SEVERITY = ['FAILED', 'TERMINATED', 'TERMINATING', 'RUNNING', 'DEPLOYING', 'ACCEPTED', 'SUBMITING', 'PENDING', 'NEW', 'SUCCEEDED'];
const severity = (status: string | undefined) => {
  const at = SEVERITY.indexOf(status ?? '');
  return at === -1 ? SEVERITY.length : at;
};

function stagesText(deploys: Deploy[], round: number | undefined): string | undefined {
  const stages = new Map<number, { name: string; status: string | undefined }>();
  for (const deploy of deploys) {
    for (const stage of deploy.stages ?? []) {
      const seen = stages.get(stage.id) ?? { name: stage.stageName ?? `#${stage.id}`, status: undefined };
      for (const p of stage.processors ?? []) if (seen.status === undefined || severity(p.taskStatus) < severity(seen.status)) seen.status = p.taskStatus;
      stages.set(stage.id, seen);
    }
  }
  if (stages.size === 0) return undefined;
  const ordered = [...stages.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
  const shown = ordered.slice(0, STAGES_SHOWN).map((s) => `${s.status ? statusShortcode(s.status) : ':grey_question:'} ${text(s.name, 40)}${s.status && s.status !== 'SUCCEEDED' ? ` _${text(statusLabel(s.status), 20)}_` : ''}`);
  const more = ordered.length > STAGES_SHOWN ? copy.moreStages(ordered.length - STAGES_SHOWN) : '';
  return `${copy.stagesHeading(round)}\n${shown.join(' → ')}${more}`;
}

/** Up to `max` characters of free text, escaped; JSON laid out in a code block. Says what was cut. */
function excerptBlock(raw: string, max: number): string {
  const value = isJsonContainer(raw) ? prettyJson(raw) : oneLine(raw);
  const { kept, cut } = cutAt(value, max);
  const shown = escapeMrkdwn(kept);
  const body = isJsonContainer(raw) ? '```' + shown.replace(/```/g, '``\u200b`') + '```' : shown;
  return cut ? `${body}${copy.cut(cut)}` : body;
}

function inlineExcerpt(raw: string, max: number): string {
  const { kept, cut } = cutAt(oneLine(raw), max);
  // A backtick inside would end the code span early.
  const shown = `\`${escapeMrkdwn(kept).replace(/`/g, "'")}\``;
  return cut ? `${shown}${copy.cut(cut)}` : shown;
}

/** Cuts on code points, so a surrogate pair is never split; `cut` counts what was left out. */
function cutAt(value: string, max: number): { kept: string; cut: number } {
  const chars = Array.from(value);
  return chars.length <= max ? { kept: value, cut: 0 } : { kept: chars.slice(0, max).join(''), cut: chars.length - max };
}

const mrkdwn = (value: string): types.MrkdwnElement => ({ type: 'mrkdwn', text: value });
const section = (value: string): types.SectionBlock => ({ type: 'section', text: mrkdwn(value) });
const text = (value: string, max: number) => escapeAndTruncate(oneLine(value), max);
const code = (value: string, max: number) => `\`${escapeAndTruncate(oneLine(value).replace(/`/g, "'"), max)}\``;
const count_ = (value: number) => value.toLocaleString('en-US');
