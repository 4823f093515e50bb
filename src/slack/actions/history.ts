/**
 * History buttons. Paging and Refresh redraw the same message (`replace_original`), Details adds
 * an ephemeral message, Share reposts the page in the channel without its buttons.
 */
import type { App, BlockAction, ButtonAction, RespondFn, types } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import { decodeCursor, decodeDetailsRef, type HistoryCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction } from '../interaction-metrics.js';
import { renderDetails, renderHistory, type Requester } from '../history-service.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { staleButtonError } from '../views/errors.js';
import { HISTORY_ACTIONS, HISTORY_PAGING_BLOCK_ID, sharedByContext, type SlackMessage } from '../views/history.js';
import { isFilterBlock } from '../views/history-filters.js';
import { registerHistoryFilterActions } from './history-filters.js';

const PAGING = [HISTORY_ACTIONS.prev, HISTORY_ACTIONS.next, HISTORY_ACTIONS.refresh] as const;

type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

interface Click {
  body: BlockAction<ButtonAction>;
  respond: RespondFn;
  log: Logger;
  requester: Requester;
}

/**
 * The skeleton every history button shares: ack, count the click by outcome, decode the button's
 * value (a stale or forged one gets an ephemeral explanation), then `answer` with what it carried.
 */
function onButton<T>(app: App, deps: SlackDeps, actionId: string, decode: (value: string | undefined) => Decoded<T>, answer: (value: T, click: Click) => Promise<InteractionOutcome>): void {
  const metrics = deps.metrics ?? noopMetrics;
  app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, action, body, respond: slackRespond, context }) => {
    await ack();
    await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(actionId, outcome), async (respond) => {
      const log = deps.logger.child({ action: actionId, user: body.user.id });
      const decoded = decode(action.value);
      if (!decoded.ok) {
        log.info({ reason: decoded.reason }, 'rejected a button value');
        await replyEphemeral(respond, staleButtonError(decoded.reason), log);
        return 'stale_button';
      }
      return answer(decoded.value, { body, respond, log, requester: { channelId: body.channel?.id, userId: body.user.id } });
    });
  });
}

const cursorOf = (value: string | undefined): Decoded<HistoryCursor> => {
  const decoded = decodeCursor(value);
  return decoded.ok ? { ok: true, value: decoded.cursor } : decoded;
};

export function registerHistoryActions(app: App, deps: SlackDeps): void {
  for (const actionId of PAGING) {
    onButton(app, deps, actionId, cursorOf, async (cursor, { respond, log, requester }) => {
      const { message, outcome } = await renderHistory(deps, cursor, requester);
      await safeRespond(respond, { response_type: 'ephemeral', replace_original: true, ...message }, log);
      return outcome;
    });
  }
  onButton(app, deps, HISTORY_ACTIONS.details, decodeDetailsRef, async (ref, { respond, log, requester }) => {
    const { message, outcome } = await renderDetails(deps, ref, requester);
    await replyEphemeral(respond, message, log);
    return outcome;
  });
  onButton(app, deps, HISTORY_ACTIONS.share, cursorOf, async (cursor, { body, respond, log, requester }) => {
    const { message, outcome } = await renderHistory(deps, cursor, requester);
    await safeRespond(respond, { response_type: 'in_channel', replace_original: false, ...asShared(message, body.user.id) }, log);
    return outcome;
  });
  registerHistoryFilterActions(app, deps);
}

/** The channel copy is a snapshot: buttons or menus there would page everyone's view at once. */
export function asShared(message: SlackMessage, userId: string): SlackMessage {
  const blocks = message.blocks.filter((b: types.KnownBlock) => !('block_id' in b && b.block_id === HISTORY_PAGING_BLOCK_ID) && !isFilterBlock(b));
  blocks.push(sharedByContext(userId));
  return { text: message.text, blocks };
}
