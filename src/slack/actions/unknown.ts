/**
 * A button whose action_id no listener knows (a message drawn by an older or newer version of the
 * bot) would go un-acked: Slack shows the clicker an error after 3 s and Bolt logs one. Ack it and
 * say what happened instead.
 */
import type { App, BlockAction } from '@slack/bolt';
import { noopMetrics } from '../../metrics.js';
import type { SlackDeps } from '../deps.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral } from '../respond.js';
import { ALERT_ACTIONS } from '../views/alert.js';
import { staleButtonError } from '../views/errors.js';
import { HISTORY_ACTIONS } from '../views/history.js';
import { HOME_ACTIONS } from '../views/home.js';
import { LEAGUE_PICKER_ACTIONS } from '../views/league-picker.js';
import { LEAGUES_ACTIONS } from '../views/leagues.js';
import { INCIDENT_ACTIONS } from '../views/incident.js';

// Every id another listener handles: a known id matched here too would be acked twice (Bolt logs
// an error, and the clicker is told the button is from an old version while it works).
export const KNOWN_ACTION_IDS: readonly string[] = [...Object.values(HISTORY_ACTIONS), ...Object.values(ALERT_ACTIONS), ...Object.values(INCIDENT_ACTIONS), ...Object.values(HOME_ACTIONS), ...Object.values(LEAGUES_ACTIONS), ...Object.values(LEAGUE_PICKER_ACTIONS)];

const escape = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const UNKNOWN = new RegExp(`^(?!(?:${KNOWN_ACTION_IDS.map(escape).join('|')})$)`);

export function registerUnknownActions(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  app.action<BlockAction>({ type: 'block_actions', action_id: UNKNOWN }, async ({ ack, action, body, respond: slackRespond, context }) => {
    await ack();
    // The id itself comes from the payload: never a label value.
    await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick('unknown', outcome), async (respond) => {
      const log = deps.logger.child({ action: action.action_id.slice(0, 64), user: body.user.id });
      log.info('button with an unknown action_id');
      await replyEphemeral(respond, staleButtonError('this button belongs to a version of tics-bot that is no longer running'), log);
      return 'stale_button';
    });
  });
}
