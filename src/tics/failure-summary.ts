/**
 * "Why did it fail", in a few facts that fit an alert: the failed stage (from the execution graph,
 * or the report's own graph), the parties, and an excerpt of the result info. Pure and JSON-safe:
 * an incident keeps it in the store, so its parent can be re-rendered without asking TICS again.
 */
import type { Deploy, InstanceReport } from './report-schema.js';

export interface FailureSummary {
  failedStage?: { stage: string; node: string; party?: string; task: string; info?: string };
  /** Partner aliases (or domain names), as the report lists them. */
  partners?: string[];
  resultInfo?: string;
}

const PARTNERS_KEPT = 6;
const INFO_MAX = 200;
const RESULT_MAX = 300;

function excerpt(value: string, max: number): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function failedStageOf(deploys: readonly Deploy[]): FailureSummary['failedStage'] {
  for (const deploy of deploys) {
    for (const stage of deploy.stages ?? []) {
      const processor = (stage.processors ?? []).find((p) => p.taskStatus === 'FAILED');
      if (!processor) continue;
      const info = processor.taskShowInfo && Object.keys(processor.taskShowInfo).length ? excerpt(JSON.stringify(processor.taskShowInfo), INFO_MAX) : undefined;
      return {
        stage: stage.stageName ?? `#${stage.id}`,
        node: deploy.nodeName || deploy.nodeId,
        ...(deploy.nodePartnerAlias ? { party: deploy.nodePartnerAlias } : {}),
        task: processor.taskName,
        ...(info ? { info } : {}),
      };
    }
  }
  return undefined;
}

export function summarizeFailure(report: InstanceReport | undefined, dag: readonly Deploy[] | undefined): FailureSummary | undefined {
  const rounds = report?.roundDeploys ?? [];
  const graph = dag ?? rounds.at(-1)?.deploys ?? [];
  const failedStage = failedStageOf(graph);
  const partners = [...new Set((report?.jobReportPartners ?? []).map((p) => p.partnerDomainAlias || p.partnerDomainName || '').filter(Boolean))].slice(0, PARTNERS_KEPT);
  const ext = report?.jobReportOutput?.ext?.trim();
  const summary: FailureSummary = {
    ...(failedStage ? { failedStage } : {}),
    ...(partners.length ? { partners } : {}),
    ...(ext ? { resultInfo: excerpt(ext, RESULT_MAX) } : {}),
  };
  return Object.keys(summary).length ? summary : undefined;
}
