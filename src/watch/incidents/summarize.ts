/**
 * The failure summary a new incident's parent carries (issue #9, "why did it fail"): the run's
 * report and, for a FAILED run, its execution graph, fetched in parallel within a small budget of
 * the delivery's time. Whatever is not there in time, the alert goes out without it: a summary is
 * worth a second, never a held-back alert.
 */
import type { TicsApi } from '../../tics/client.js';
import { summarizeFailure, type FailureSummary } from '../../tics/failure-summary.js';
import type { AlertItem } from '../types.js';

/**
 * What one channel's delivery may spend on summaries, all its new parents together (deliver.ts
 * shares it out): a burst of new incidents waits this long at most, not this long each.
 */
export const SUMMARY_BUDGET_MS = 1_500;

/** `budgetMs`: how long this summary may take (both calls run in parallel inside it). */
export type Summarizer = (item: AlertItem, budgetMs: number) => Promise<FailureSummary | undefined>;

export function createSummarizer(tics: Pick<TicsApi, 'showInstanceReport' | 'showJobInstanceDag'>): Summarizer {
  return async (item, budgetMs) => {
    if (!item.instance.id || item.kind === 'stuck') return undefined;
    const signal = AbortSignal.timeout(Math.max(1, Math.floor(budgetMs)));
    const params = { leagueId: item.league.id, instanceId: item.instance.id };
    // The last round's graph, as Details reads it (whether rounds count from 0 or 1 is undocumented).
    const round = Math.max(item.instance.roundId ?? 0, 1);
    const [report, dag] = await Promise.allSettled([
      tics.showInstanceReport?.(params, { signal }),
      item.to === 'FAILED' ? tics.showJobInstanceDag?.({ ...params, roundId: round }, { signal }) : undefined,
    ]);
    return summarizeFailure(report.status === 'fulfilled' ? report.value : undefined, dag.status === 'fulfilled' ? dag.value : undefined);
  };
}
