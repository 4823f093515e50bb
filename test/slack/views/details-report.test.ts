import { describe, expect, it } from 'vitest';
import { buildDetailsMessage, type DetailsInput } from '../../../src/slack/views/details.js';
import type { DetailsExtras } from '../../../src/slack/views/details-report.js';
import type { SlackMessage } from '../../../src/slack/views/history.js';
import type { Deploy, InstanceReport } from '../../../src/tics/report-schema.js';
import { assertWithinSlackLimits, blockTextLength, LIMITS } from '../../helpers/block-kit-limits.js';
import { instance, LEAGUE, MINUTE, NOW } from './fixtures.js';

const START = NOW - 78 * MINUTE;
const STAGES = ['load_data', 'feature_transform', 'train', 'save_model'];

function deploy(node: string, alias: string, statuses: string[], nodeType = 'AGENT'): Deploy {
  return {
    nodeId: node,
    nodeName: node,
    nodePartnerAlias: alias,
    nodeType,
    stages: STAGES.map((name, i) => ({
      id: i + 1,
      stageName: name,
      ...(i > 0 ? { lastStepStageId: [i] } : {}),
      processors: [
        {
          id: `${node}r14s${i + 1}`,
          taskName: `${name}@${node}`,
          taskStatus: statuses[i]!,
          ...(statuses[i] === 'NEW' ? {} : { startTime: START + i * 10 * MINUTE, endTime: START + (i + 1) * 10 * MINUTE, execDurationNano: 10 * MINUTE * 1_000_000, taskInRecordCnt: 45_000 }),
          ...(statuses[i] === 'FAILED' ? { taskShowInfo: { error: 'partner bank-b dropped at round 14', retries: 3 } } : {}),
        },
      ],
    })),
  };
}

const FAILED_DAG: Deploy[] = [
  deploy('agentBank01', '城商银行数据节点', ['SUCCEEDED', 'SUCCEEDED', 'TERMINATED', 'NEW']),
  deploy('agentBankB02', 'bank-b', ['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'NEW']),
  deploy('aggServer01', '城商银行数据节点', ['SUCCEEDED', 'SUCCEEDED', 'TERMINATED', 'NEW'], 'AGG'),
];

function report(overrides: Partial<InstanceReport> = {}): InstanceReport {
  return {
    jobReportBaseInfo: { jobName: '联邦训练-信用评分', jobType: 'HFL', status: 'FAILED', hflType: 'TRAIN', executor: 'zhang.wei', exeTime: START },
    jobReportEnv: { leagueId: LEAGUE.id, leagueName: 'Credit risk (city banks)', projectId: 'p1', regionId: 'cn-north-4', aggName: 'aggServer01' },
    jobReportPartners: [
      { partnerDomainName: 'citybank', partnerDomainAlias: '城商银行数据节点', agentName: 'agentBank01', datasetName: 'ds_customers', dataOutputCnt: 120_000 },
      { partnerDomainName: 'bankb', partnerDomainAlias: 'bank-b', agentName: 'agentBankB02', datasetName: 'ds_loans' },
    ],
    roundDeploys: [{ roundId: 14, deploys: FAILED_DAG }],
    ...overrides,
  };
}

function build(extras: DetailsExtras, input: Partial<DetailsInput> = {}): SlackMessage {
  const message = buildDetailsMessage({
    league: LEAGUE,
    instance: instance({
      id: 'a41c9e0f52b74c1e9d0a3f6e21b8c7d5',
      jobName: '联邦训练-信用评分',
      type: 'HFL',
      status: 'FAILED',
      startTime: START,
      endTime: NOW - 3 * MINUTE,
      roundId: 14,
      jobPartner: 'agentBank01(城商银行数据节点),agentBankB02(bank-b)',
      ext: '{"learning_rate":0.01}',
    }),
    now: NOW,
    extras,
    ...input,
  });
  assertWithinSlackLimits(message);
  return message;
}

const texts = (message: SlackMessage) =>
  message.blocks.flatMap((b) => {
    const block = b as unknown as { text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text?: string }> };
    return [block.text?.text, ...(block.fields ?? []).map((f) => f.text), ...(block.elements ?? []).map((e) => e.text)].filter((t): t is string => typeof t === 'string');
  });
const all = (message: SlackMessage) => texts(message).join('\n');
const factsFields = (message: SlackMessage) => (message.blocks[1] as unknown as { fields: unknown[] }).fields;

describe('Details with the report and the execution graph', () => {
  it('a failed instance: where it failed first, then the run, its partners and roles, its stages', () => {
    const message = build({ report: { ok: true, value: report() }, dag: { ok: true, value: FAILED_DAG }, dagRound: 14 });
    expect(message).toMatchSnapshot();
    const text = all(message);
    expect(text).toContain('*Where it failed* (round 14)\n:x: Stage *train* (3 of 4) on node *agentBankB02* (bank-b · compute node)\ntask `train@agentBankB02` · ran 10 minutes · 45,000 records in');
    expect(text).toContain('Task info: `{"error":"partner bank-b dropped at round 14","retries":3}`');
    expect(text).toContain('*Run by*\nzhang.wei');
    expect(text).toContain('*League name*\nCredit risk (city banks)');
    expect(text).toContain('*Aggregator*\naggServer01');
    expect(text).toContain('*Partners* (2)\n• *城商银行数据节点* — compute node, aggregator\n    account `citybank` · node `agentBank01` · dataset `ds_customers` · 120,000 records out');
    expect(text).toContain('• *bank-b* — compute node\n    account `bankb` · node `agentBankB02` · dataset `ds_loans`');
    expect(text).toContain('*Stages* (round 14)\n:white_check_mark: load_data → :white_check_mark: feature_transform → :x: train _Failed_ → :new: save_model _New_');
    expect(text).not.toContain('could not be loaded');
  });

  it('a succeeded instance: no graph asked, stages from the report, who keeps the result, result info cut with a note', () => {
    const ok = FAILED_DAG.map((d) => deploy(d.nodeName, d.nodePartnerAlias, ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'], d.nodeType));
    const ext = JSON.stringify({ auc: 0.9123, ks: 0.41, features: Array.from({ length: 200 }, (_, i) => `feature_${i}`) });
    const value = report({
      jobReportBaseInfo: { jobName: 'x', status: 'SUCCEEDED', executor: 'zhang.wei' },
      roundDeploys: [{ roundId: 14, deploys: ok }],
      jobReportOutput: { resultStorageAgentName: 'agentBank01', resultStorageDomainAlias: '城商银行数据节点', ext },
    });
    const message = build({ report: { ok: true, value } }, { instance: instance({ id: 'i1', status: 'SUCCEEDED', startTime: START, endTime: NOW, roundId: 14 }) });
    const text = all(message);
    expect(text).not.toContain('Where it failed');
    expect(text).toContain('*Result kept by*\n`agentBank01` · 城商银行数据节点');
    expect(text).toContain('• *城商银行数据节点* — compute node, aggregator, keeps the result');
    expect(text).toContain(':white_check_mark: save_model');
    const info = texts(message).find((t) => t.startsWith('*Result info*'))!;
    expect(info).toMatch(/^\*Result info\* \(`job_report_output.ext`\)\n```\{\n {2}"auc": 0.9123,/);
    expect(info).toMatch(/```… _cut, [\d,]+ more characters_$/);
    // A short excerpt, not the whole wall.
    expect(info.length).toBeLessThan(600);
  });

  it('a failed report call and a failed graph call leave the rest of Details intact and say what is missing', () => {
    const message = build({ report: { ok: false, missing: { reason: 'timeout' } }, dag: { ok: false, missing: { reason: 'refused', httpStatus: 403 } }, dagRound: 14 });
    expect(message).toMatchSnapshot();
    expect(factsFields(message)).toHaveLength(10);
    const text = all(message);
    expect(text).toContain('*Parameters* (`ext`)');
    expect(text).toContain(':warning: The report could not be loaded: TICS did not answer in time. The rest of Details is as TICS listed it.');
    expect(text).toContain(':warning: The execution graph could not be loaded: TICS refused the request (HTTP 403), so the failed stage is not known.');
    expect(text).not.toContain('Where it failed');
  });

  it('falls back to the report’s graph when the graph call failed, and says when the graph shows no failure', () => {
    const fromReport = all(build({ report: { ok: true, value: report() }, dag: { ok: false, missing: { reason: 'unavailable' } }, dagRound: 14 }));
    expect(fromReport).toContain(':x: Stage *train* (3 of 4) on node *agentBankB02*');
    expect(fromReport).toContain('The execution graph could not be loaded: TICS is not answering');

    const clean = all(build({ dag: { ok: true, value: [deploy('agentBank01', 'a', ['SUCCEEDED', 'SUCCEEDED', 'TERMINATED', 'NEW'])] }, dagRound: 2 }));
    expect(clean).toContain('*Where it failed* (round 2)\nThe execution graph of round 2 shows no failed stage.');
  });

  it('an empty report says so; no extras asked → Details as before', () => {
    expect(all(build({ report: { ok: true, value: {} } }))).toContain('*Report* — what TICS recorded for this run\nTICS’s report for this instance is empty.');
    const plain = build({});
    expect(plain.blocks.some((b) => b.type === 'context' && JSON.stringify(b).includes('could not be loaded'))).toBe(false);
    expect(all(plain)).not.toContain('*Report*');
  });

  it('cuts long lists and long task info with a note', () => {
    const partners = Array.from({ length: 20 }, (_, i) => ({ partnerDomainAlias: `bank-${i}`, agentName: `agent${i}` }));
    const noisy = FAILED_DAG.map((d) => ({
      ...d,
      stages: d.stages!.map((s) => ({ ...s, processors: s.processors!.map((p) => (p.taskStatus === 'FAILED' ? { ...p, taskShowInfo: { log: 'x'.repeat(5_000) } } : p)) })),
    }));
    const text = all(build({ report: { ok: true, value: report({ jobReportPartners: partners }) }, dag: { ok: true, value: noisy }, dagRound: 14 }));
    expect(text).toContain('…and 14 more partners.');
    expect(text).toMatch(/Task info: `\{"log":"x+`… _cut, 4,850 more characters_/);
  });

  it('fits Slack’s limits with every value at its worst', () => {
    const evil = '&<>联'.repeat(300);
    const stages = Array.from({ length: 40 }, (_, i) => ({
      id: i,
      stageName: evil,
      processors: Array.from({ length: 3 }, (_, j) => ({ id: `p${i}${j}`, taskName: evil, taskStatus: 'FAILED', taskInRecordCnt: 2 ** 53, execDurationNano: 2 ** 60, taskShowInfo: { evil } })),
    }));
    const deploys: Deploy[] = Array.from({ length: 30 }, (_, i) => ({ nodeId: `n${i}`, nodeName: evil, nodePartnerAlias: evil, nodeType: 'X'.repeat(300), stages }));
    const worst: InstanceReport = {
      jobReportBaseInfo: { jobName: evil, jobType: evil, status: evil, hflType: evil, executor: evil, exeTime: NOW },
      jobReportEnv: { leagueId: evil, leagueName: evil, projectId: evil, regionId: evil, aggName: evil },
      jobReportOutput: { resultStorageAgentName: evil, resultStorageDomainAlias: evil, ext: evil },
      jobReportPartners: Array.from({ length: 50 }, () => ({ partnerDomainName: evil, partnerDomainAlias: evil, agentName: evil, datasetName: evil, dataOutputCnt: 2 ** 53 })),
      roundDeploys: [{ roundId: 2 ** 31 - 1, deploys }],
    };
    const message = build(
      { report: { ok: true, value: worst }, dag: { ok: true, value: deploys }, dagRound: 2 ** 31 - 1 },
      {
        simulated: true,
        instance: instance({ id: 'f'.repeat(32), jobName: evil, type: evil, status: 'FAILED', startTime: START, endTime: NOW, roundId: 2 ** 31 - 1, jobPartner: evil, ext: `{"a":"${evil}"}`, resultExt: evil }),
      },
    );
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(blockTextLength(message)).toBeLessThanOrEqual(LIMITS.totalBlockText);
  });
});
