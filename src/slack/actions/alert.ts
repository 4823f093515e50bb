/**
 * "Job history" on an alert: the clicker (only) gets that job's history as an ephemeral message;
 * the alert itself stays as it is for everyone else in the channel.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { noopMetrics } from '../../metrics.js';
import { decodeCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction } from '../interaction-metrics.js';
import { renderHistory } from '../history-service.js';
import { replyEphemeral } from '../respond.js';
import { ALERT_ACTIONS } from '../views/alert.js';
import { staleButtonError } from '../views/errors.js';

export function registerAlertActions(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  app.action<BlockAction<ButtonAction>>(ALERT_ACTIONS.jobHistory, async ({ ack, action, body, respond: slackRespond, context }) => {
    await ack();
    await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(ALERT_ACTIONS.jobHistory, outcome), async (respond) => {
      const log = deps.logger.child({ action: ALERT_ACTIONS.jobHistory, user: body.user.id });
      const decoded = decodeCursor(action.value);
      const { message, outcome } = decoded.ok
        ? await renderHistory(deps, decoded.cursor, { channelId: body.channel?.id, userId: body.user.id })
        : { message: staleButtonError(decoded.reason), outcome: 'stale_button' as const };
      await replyEphemeral(respond, message, log);
      return outcome;
    });
  });
}
