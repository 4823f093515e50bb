/**
 * The history page's job and status menus. A choice redraws the same message (`replace_original`)
 * from the first page, with the filters the menus' block carried and the one just chosen.
 */
import type { App, BlockAction, RespondFn, StaticSelectAction } from '@slack/bolt';
import { z } from 'zod';
import { parseStatuses } from '../../history/query.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import { decodeFilterBlockId, type DecodeResult, type HistoryCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderHistory } from '../history-service.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { staleButtonError } from '../views/errors.js';
import { ALL_OPTION, HISTORY_FILTER_ACTIONS } from '../views/history-filters.js';

const jobIdSchema = z.string().regex(/^[A-Za-z0-9]{1,32}$/);

/** The page's filters with the chosen job: a job id replaces both the job and the job-name filter. */
export function withJob(base: HistoryCursor, value: string): DecodeResult<HistoryCursor> {
  const { jobId: _id, jobName: _name, back: _back, ...rest } = base;
  if (value === ALL_OPTION) return { ok: true, value: { ...rest, offset: 0 } };
  if (!jobIdSchema.safeParse(value).success) return { ok: false, reason: 'the job menu sent a job id tics-bot did not offer' };
  return { ok: true, value: { ...rest, offset: 0, jobId: value } };
}

export function withStatuses(base: HistoryCursor, value: string): DecodeResult<HistoryCursor> {
  const { statuses: _statuses, back: _back, ...rest } = base;
  if (value === ALL_OPTION) return { ok: true, value: { ...rest, offset: 0 } };
  const parsed = parseStatuses(value, 'status');
  if (!parsed.ok) return { ok: false, reason: `the status menu sent ${parsed.problem}` };
  return { ok: true, value: { ...rest, offset: 0, statuses: parsed.value } };
}

export function registerHistoryFilterActions(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  const menus = [
    [HISTORY_FILTER_ACTIONS.job, withJob],
    [HISTORY_FILTER_ACTIONS.status, withStatuses],
  ] as const;
  for (const [actionId, choose] of menus) {
    app.action<BlockAction<StaticSelectAction>>(actionId, async ({ ack, action, body, respond: slackRespond, context }) => {
      await ack();
      await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(actionId, outcome), async (respond: RespondFn): Promise<InteractionOutcome> => {
        const log = deps.logger.child({ action: actionId, user: body.user.id });
        const base = decodeFilterBlockId(action.block_id);
        const chosen = base.ok ? choose(base.value, action.selected_option.value) : base;
        if (!chosen.ok) {
          log.info({ reason: chosen.reason }, 'rejected a filter choice');
          await replyEphemeral(respond, staleButtonError(chosen.reason), log);
          return 'stale_button';
        }
        const { message, outcome } = await renderHistory(deps, chosen.value, { channelId: body.channel?.id, userId: body.user.id });
        await safeRespond(respond, { response_type: 'ephemeral', replace_original: true, ...message }, log);
        return outcome;
      });
    });
  }
}
