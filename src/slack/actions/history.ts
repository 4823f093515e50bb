/**
 * History buttons. Paging and Refresh redraw the same message (`replace_original`), Details adds
 * an ephemeral message, Share reposts the page in the channel without its buttons.
 */
import type { App, BlockAction, ButtonAction, types } from '@slack/bolt';
import { noopMetrics } from '../../metrics.js';
import { decodeCursor, decodeDetailsRef } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction } from '../interaction-metrics.js';
import { renderDetails, renderHistory } from '../history-service.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { staleButtonError } from '../views/errors.js';
import { mrkdwnContext } from '../views/format.js';
import { HISTORY_ACTIONS, HISTORY_PAGING_BLOCK_ID, type SlackMessage } from '../views/history.js';

const PAGING = [HISTORY_ACTIONS.prev, HISTORY_ACTIONS.next, HISTORY_ACTIONS.refresh] as const;

export function registerHistoryActions(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  for (const actionId of PAGING) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond: slackRespond, context }) => {
      await ack();
      await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(actionId, outcome), async (respond) => {
        const log = deps.logger.child({ action: actionId, user: body.user.id });
        const decoded = decodeCursor(action.value);
        if (!decoded.ok) {
          log.info({ reason: decoded.reason }, 'rejected a button value');
          await replyEphemeral(respond, staleButtonError(decoded.reason), log);
          return 'stale_button';
        }
        const { message, outcome } = await renderHistory(deps, decoded.cursor, { channelId: body.channel?.id, userId: body.user.id });
        await safeRespond(respond, { response_type: 'ephemeral', replace_original: true, ...message }, log);
        return outcome;
      });
    });
  }

  app.action<BlockAction<ButtonAction>>(HISTORY_ACTIONS.details, async ({ ack, action, body, respond: slackRespond, context }) => {
    await ack();
    await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(HISTORY_ACTIONS.details, outcome), async (respond) => {
      const log = deps.logger.child({ action: HISTORY_ACTIONS.details, user: body.user.id });
      const decoded = decodeDetailsRef(action.value);
      if (!decoded.ok) {
        await replyEphemeral(respond, staleButtonError(decoded.reason), log);
        return 'stale_button';
      }
      const { message, outcome } = await renderDetails(deps, decoded.value, { channelId: body.channel?.id, userId: body.user.id });
      await replyEphemeral(respond, message, log);
      return outcome;
    });
  });

  app.action<BlockAction<ButtonAction>>(HISTORY_ACTIONS.share, async ({ ack, action, body, respond: slackRespond, context }) => {
    await ack();
    await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(HISTORY_ACTIONS.share, outcome), async (respond) => {
      const log = deps.logger.child({ action: HISTORY_ACTIONS.share, user: body.user.id });
      const decoded = decodeCursor(action.value);
      if (!decoded.ok) {
        await replyEphemeral(respond, staleButtonError(decoded.reason), log);
        return 'stale_button';
      }
      const { message, outcome } = await renderHistory(deps, decoded.cursor, { channelId: body.channel?.id, userId: body.user.id });
      await safeRespond(respond, { response_type: 'in_channel', replace_original: false, ...asShared(message, body.user.id) }, log);
      return outcome;
    });
  });
}

/** The channel copy is a snapshot: buttons there would page everyone's view at once. */
export function asShared(message: SlackMessage, userId: string): SlackMessage {
  const blocks = message.blocks.filter((b: types.KnownBlock) => !('block_id' in b && b.block_id === HISTORY_PAGING_BLOCK_ID));
  blocks.push(mrkdwnContext(`Shared by <@${userId}> · run \`/tics history\` for a live view`));
  return { text: message.text, blocks };
}
