import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { summarizeFailure } from '../../src/tics/failure-summary.js';
import type { Deploy, InstanceReport } from '../../src/tics/report-schema.js';

const failedGraph: Deploy[] = [
  { nodeId: 'n1', nodeName: 'agentBank01', nodePartnerAlias: 'bank', stages: [{ id: 1, stageName: 'load_data', processors: [{ id: 'p1', taskName: 'load', taskStatus: 'SUCCEEDED' }] }] },
  {
    nodeId: 'n2',
    nodeName: '',
    nodePartnerAlias: '',
    stages: [{ id: 2, processors: [{ id: 'p2', taskName: 'train_task', taskStatus: 'FAILED', taskShowInfo: { error: 'OOM\n  in worker 3' } }] }],
  },
];

describe('summarizeFailure', () => {
  it('names the first failed stage of the graph, with the node (id when unnamed) and an info excerpt', () => {
    expect(summarizeFailure(undefined, failedGraph)).toEqual({
      failedStage: { stage: '#2', node: 'n2', task: 'train_task', info: '{"error":"OOM\\n in worker 3"}' },
    });
  });

  it("falls back to the report's last round when there is no separate graph, and lists partners once", () => {
    const report: InstanceReport = {
      jobReportPartners: [{ partnerDomainAlias: 'bank' }, { partnerDomainName: 'insurer.example' }, { partnerDomainAlias: 'bank' }, {}],
      jobReportOutput: { ext: `  ${'x'.repeat(400)}  ` },
      roundDeploys: [{ roundId: 1, deploys: [] }, { roundId: 2, deploys: failedGraph }],
    };
    const summary = summarizeFailure(report, undefined)!;
    expect(summary.failedStage?.task).toBe('train_task');
    expect(summary.partners).toEqual(['bank', 'insurer.example']);
    expect(summary.resultInfo).toHaveLength(300);
    expect(summary.resultInfo!.endsWith('…')).toBe(true);
  });

  it('is undefined when nothing in the report says anything', () => {
    expect(summarizeFailure(undefined, undefined)).toBeUndefined();
    expect(summarizeFailure({ jobReportPartners: [] }, [])).toBeUndefined();
  });

  it('never throws and always round-trips through the store as JSON', () => {
    const processor = fc.record({ id: fc.string(), taskName: fc.string(), taskStatus: fc.option(fc.constantFrom('FAILED', 'SUCCEEDED', 'RUNNING'), { nil: undefined }) });
    const deploy = fc.record({
      nodeId: fc.string(),
      nodeName: fc.string(),
      nodePartnerAlias: fc.string(),
      stages: fc.array(fc.record({ id: fc.integer(), stageName: fc.option(fc.string(), { nil: undefined }), processors: fc.array(processor) })),
    });
    fc.assert(
      fc.property(fc.array(deploy), fc.array(fc.record({ partnerDomainAlias: fc.string() })), (graph, partners) => {
        const summary = summarizeFailure({ jobReportPartners: partners }, graph as Deploy[]);
        expect(JSON.parse(JSON.stringify(summary ?? null)) ?? undefined).toEqual(summary);
      }),
    );
  });
});
