/**
 * `/tics leagues` buttons: Previous/Next redraw the list, History answers with the league's first
 * history page, Watch here subscribes the channel the list was shown in (both as new ephemeral
 * messages, leaving the list in place).
 */
import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { DEFAULT_LIMIT } from '../../history/query.js';
import type { Logger } from '../../log.js';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import { renderLeagues } from '../commands/leagues.js';
import { runWatchCommand } from '../commands/watch.js';
import { CURSOR_VERSION, type DecodeResult } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderHistory, type Requester } from '../history-service.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { genericError, staleButtonError } from '../views/errors.js';
import { LEAGUES_ACTIONS } from '../views/leagues.js';
import { decodeLeagueButton, decodeLeaguesPage } from '../views/leagues-state.js';

interface Click {
  body: BlockAction<ButtonAction>;
  respond: RespondFn;
  log: Logger;
  requester: Requester;
}

function onButton<T>(app: App, deps: SlackDeps, actionId: string, decode: (value: string | undefined) => DecodeResult<T>, answer: (value: T, click: Click) => Promise<InteractionOutcome>): void {
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

export function registerLeaguesActions(app: App, deps: SlackDeps): void {
  for (const actionId of [LEAGUES_ACTIONS.prev, LEAGUES_ACTIONS.next]) {
    onButton(app, deps, actionId, decodeLeaguesPage, async (state, { respond, log, requester }) => {
      const { message, outcome } = await renderLeagues(deps, state, requester);
      await safeRespond(respond, { response_type: 'ephemeral', replace_original: true, ...message }, log);
      return outcome;
    });
  }
  onButton(app, deps, LEAGUES_ACTIONS.history, decodeLeagueButton, async ({ league }, { respond, log, requester }) => {
    const { message, outcome } = await renderHistory(deps, { v: CURSOR_VERSION, league, limit: DEFAULT_LIMIT, offset: 0 }, requester);
    await replyEphemeral(respond, message, log);
    return outcome;
  });
  onButton(app, deps, LEAGUES_ACTIONS.watch, decodeLeagueButton, async ({ league }, { body, respond, log }) => {
    const channelId = body.channel?.id;
    if (!channelId) {
      await replyEphemeral(respond, genericError('Watch here needs a channel: use it from `/tics leagues` in the channel to alert.'), log);
      return 'refused';
    }
    const asNew: RespondFn = (message) => respond(typeof message === 'string' ? { text: message, replace_original: false } : { replace_original: false, ...message });
    return runWatchCommand(deps, { kind: 'watch', args: { league } }, { channel_id: channelId, user_id: body.user.id, channel_name: '' }, asNew, log);
  });
}
