/**
 * The skeleton every state-carrying button shares (history, `/tics leagues`): ack, count the click
 * by outcome, decode the button's value (a stale or forged one gets an ephemeral explanation), then
 * `answer` with what it carried.
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import type { Logger } from '../../log.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import type { DecodeResult } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import type { Requester } from '../history-service.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral } from '../respond.js';
import { staleButtonError } from '../views/errors.js';

export interface Click {
  body: BlockAction<ButtonAction>;
  respond: RespondFn;
  log: Logger;
  requester: Requester;
}

export function onButton<T>(app: App, deps: SlackDeps, actionId: string, decode: (value: string | undefined) => DecodeResult<T>, answer: (value: T, click: Click) => Promise<InteractionOutcome>): void {
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
