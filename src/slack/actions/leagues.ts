/**
 * `/tics leagues` buttons: Previous/Next redraw the list, History answers with the league's first
 * history page, Watch here subscribes the channel the list was shown in (both as new ephemeral
 * messages, leaving the list in place).
 */
import type { App, RespondFn } from '@slack/bolt';
import { DEFAULT_LIMIT } from '../../history/query.js';
import { renderLeagues } from '../commands/leagues.js';
import { runWatchCommand } from '../commands/watch.js';
import { CURSOR_VERSION } from '../cursor.js';
import type { SlackDeps } from '../deps.js';
import { renderHistory } from '../history-service.js';
import { replyEphemeral, safeRespond } from '../respond.js';
import { genericError } from '../views/errors.js';
import { LEAGUES_ACTIONS } from '../views/leagues.js';
import { decodeLeagueButton, decodeLeaguesPage } from '../views/leagues-state.js';
import { onButton } from './on-button.js';

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
