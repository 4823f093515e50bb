/**
 * History buttons. Paging and Refresh redraw the same message (`replace_original`), Details adds
 * an ephemeral message, Share reposts the page in the channel without its buttons.
 */
import type { App, types } from '@slack/bolt';
import { decodeCursor, decodeDetailsRef, type DecodeResult, type HistoryCursor } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderDetails, renderHistory } from '../history-service.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { HISTORY_ACTIONS, HISTORY_PAGING_BLOCK_ID, sharedByContext, type SlackMessage } from '../views/history.js';
import { isFilterBlock } from '../views/history-filters.js';
import { registerHistoryFilterActions } from './history-filters.js';
import { onButton } from './on-button.js';

const PAGING = [HISTORY_ACTIONS.prev, HISTORY_ACTIONS.next, HISTORY_ACTIONS.refresh] as const;

const cursorOf = (value: string | undefined): DecodeResult<HistoryCursor> => {
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
