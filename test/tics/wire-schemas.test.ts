import { describe, expect, it } from 'vitest';
import { parseFlJobPage, parseSqlJobPage, toWireFlJob } from '../../src/tics/jobs-schema.js';
import { parseLeagueDetail, parseLeaguePage, toWireLeague } from '../../src/tics/leagues-schema.js';
import { parseInstanceDag, parseInstanceReport, toWireDag } from '../../src/tics/report-schema.js';

describe('league schemas', () => {
  it('read nulls as absent, drop unknown fields, keep unknown enum values, default missing total', () => {
    const parsed = parseLeaguePage({ lists: [{ id: 'L1', name: null, league_status: 'SLEEPING', type: 'OBSERVER', partners: 3, create_date: 'not a date', future_field: 1 }] });
    expect(parsed).toEqual({ ok: true, value: { total: 1, leagues: [{ id: 'L1', name: '', leagueStatus: 'SLEEPING', type: 'OBSERVER', partners: 3 }] } });
    expect(parseLeaguePage({})).toEqual({ ok: true, value: { total: 0, leagues: [] } });
  });

  it('reject a wrongly shaped body', () => {
    expect(parseLeaguePage({ total: 'many', lists: 'x' }).ok).toBe(false);
    expect(parseLeagueDetail({ partners: 'three' }).ok).toBe(false);
  });

  it('round-trip through the simulator wire form', () => {
    const league = { id: 'L1', name: 'n', leagueStatus: 'NORMAL', createDate: Date.parse('2024-01-01T00:00:00Z'), bcsChannelName: 'ch', description: 'd', dpEnabled: false };
    expect(toWireLeague(league, false)).toEqual({ id: 'L1', name: 'n', league_status: 'NORMAL', create_date: '2024-01-01T00:00:00.000+00:00', bcs_channel_name: 'ch' });
    const detail = parseLeagueDetail(toWireLeague(league, true));
    expect(detail).toEqual({ ok: true, value: league });
  });
});

describe('job schemas', () => {
  it('parse both id spellings and ISO times to epoch ms', () => {
    const fl = parseFlJobPage({ total: 9, lists: [{ job_id: 'j1', job_name: 'train', create_time: '2024-01-01T00:00:00+08:00', job_type: 'QUANTUM', is_single_predict: null }] });
    expect(fl).toEqual({ ok: true, value: { total: 9, jobs: [{ jobId: 'j1', jobName: 'train', createTime: Date.parse('2023-12-31T16:00:00Z'), jobType: 'QUANTUM' }] } });
    const sql = parseSqlJobPage({ total: 1, lists: [{ id: 's1', name: 'count', deleted: false, league_id: 'L1' }] });
    expect(sql).toEqual({ ok: true, value: { total: 1, jobs: [{ id: 's1', name: 'count', deleted: false, leagueId: 'L1' }] } });
    expect(toWireFlJob({ jobId: 'j1', jobName: 'x', hflPlatformType: 'LOCAL' })).toEqual({ job_id: 'j1', job_name: 'x', hfl_platform_type: 'LOCAL' });
  });
});

describe('report and DAG schemas', () => {
  const deploy = {
    node_id: 'n1',
    node_name: 'agentBank01',
    node_partner_alias: 'bank',
    node_type: 'AGENT',
    stages: [{ id: 1, stage_name: 'load', processors: [{ id: 'p1', task_name: 't', task_status: 'FAILED', task_show_info: { row_count: 3, 'Chinese 键': 'v' } }] }],
  };

  it('accept the DAG as an array or an array of arrays, keeping task_show_info keys as sent', () => {
    const flat = parseInstanceDag([deploy]);
    const nested = parseInstanceDag([[deploy], [deploy]]);
    expect(flat.ok && flat.value[0]!.stages![0]!.processors![0]!.taskShowInfo).toEqual({ row_count: 3, 'Chinese 键': 'v' });
    expect(nested.ok && nested.value).toHaveLength(2);
    expect(flat.ok && toWireDag(flat.value)).toEqual([deploy]);
    expect(parseInstanceDag({ body: [] }).ok).toBe(false);
  });

  it('read a partial report, dropping a task_show_info that is not an object', () => {
    const report = parseInstanceReport({
      job_report_base_info: { job_name: 'j', status: 'FAILED', exe_time: '2024-01-01T00:00:00Z' },
      round_deploys: [{ round_id: 2, deploys: [{ ...deploy, stages: [{ id: 1, processors: [{ id: 'p', task_name: 't', task_show_info: 'text' }] }] }] }],
    });
    expect(report.ok && report.value).toEqual({
      jobReportBaseInfo: { jobName: 'j', status: 'FAILED', exeTime: Date.parse('2024-01-01T00:00:00Z') },
      roundDeploys: [{ roundId: 2, deploys: [{ nodeId: 'n1', nodeName: 'agentBank01', nodePartnerAlias: 'bank', nodeType: 'AGENT', stages: [{ id: 1, processors: [{ id: 'p', taskName: 't' }] }] }] }],
    });
    expect(parseInstanceReport({ job_report_partners: 'none' }).ok).toBe(false);
  });
});
