/**
 * Acknowledge, Snooze (1 h / 8 h / 24 h, or until it succeeds) and Unsnooze on an incident's
 * parent. The click only records what was done (atomically, in the store) and the thread line and
 * parent update that follow; the watcher's delivery posts them, on whichever replica, at once
 * (deliverNow). So the parent everyone sees changes in place; only a click on an incident that is
 * over, or a broken control, answers the clicker alone.
 */
import type { App, BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { noopMetrics, type InteractionOutcome } from '../../metrics.js';
import type { SnoozeLength } from '../../watch/incidents/actions.js';
import type { SlackDeps } from '../deps.js';
import { incidentRefFromBlockId } from '../incident-ref.js';
import { measureInteraction } from '../interaction-metrics.js';
import { replyEphemeral } from '../respond.js';
import { staleButtonError } from '../views/errors.js';
import { INCIDENT_ACTIONS, SNOOZE_OPTIONS } from '../views/incident.js';
import { genericError } from '../views/errors.js';

const copy = {
  disabled: 'Incident actions are not enabled in this deployment of tics-bot.',
  over: {
    resolved: 'This incident is already resolved: the job succeeded since. Nothing to do here any more.',
    superseded: 'This incident was continued in a newer alert for the same job: use the buttons there.',
    gone: 'tics-bot no longer knows this incident (it is more than 30 days old).',
  },
  notSnoozed: "This job's alerts are not snoozed any more in this channel.",
  badLength: 'That snooze length is not one tics-bot offers; pick 1 hour, 8 hours or 24 hours.',
} as const;

type IncidentAction = BlockAction<ButtonAction | StaticSelectAction>;

export function registerIncidentActions(app: App, deps: SlackDeps): void {
  const metrics = deps.metrics ?? noopMetrics;
  const handle = (actionId: string, run: (body: IncidentAction, userId: string) => Promise<{ outcome: InteractionOutcome; note?: string }>) => {
    app.action<IncidentAction>(actionId, async ({ ack, body, respond: slackRespond, context }) => {
      await ack();
      await measureInteraction(metrics, 'action', context, slackRespond, (outcome) => metrics.buttonClick(actionId, outcome), async (respond) => {
        const log = deps.logger.child({ action: actionId, user: body.user.id });
        const { outcome, note } = await run(body, body.user.id);
        if (note !== undefined) {
          await replyEphemeral(respond, outcome === 'stale_button' ? staleButtonError(note) : genericError(note), log);
        }
        return outcome;
      });
    });
  };

  const refOf = (body: IncidentAction) => incidentRefFromBlockId(body.actions[0]?.block_id, body.message?.blocks as unknown[] | undefined);

  const onIncident = (actionId: string, act: (ref: { slot: string; seq: number }, userId: string, body: IncidentAction) => Promise<{ outcome: InteractionOutcome; note?: string }>) =>
    handle(actionId, async (body, userId) => {
      if (!deps.incidents) return { outcome: 'refused', note: copy.disabled };
      const ref = refOf(body);
      if (!ref.ok) return { outcome: 'stale_button', note: ref.reason };
      return act(ref.ref, userId, body);
    });

  const stale = (reason: 'gone' | 'resolved' | 'superseded') => ({ outcome: 'stale_button' as const, note: copy.over[reason] });

  onIncident(INCIDENT_ACTIONS.acknowledge, async (ref, userId) => {
    const result = await deps.incidents!.acknowledge(ref, userId);
    return result.ok ? { outcome: 'ok' } : stale(result.reason);
  });

  onIncident(INCIDENT_ACTIONS.snooze, async (ref, userId, body) => {
    const action = body.actions[0];
    const value = action?.type === 'static_select' ? action.selected_option.value : undefined;
    const length = SNOOZE_OPTIONS.find((option) => option === value);
    if (!length) return { outcome: 'usage_error', note: copy.badLength };
    const result = await deps.incidents!.snooze(ref, userId, length satisfies SnoozeLength);
    return result.ok ? { outcome: 'ok' } : stale(result.reason);
  });

  onIncident(INCIDENT_ACTIONS.snoozeUntilSuccess, async (ref, userId) => {
    const result = await deps.incidents!.snooze(ref, userId, 'success');
    return result.ok ? { outcome: 'ok' } : stale(result.reason);
  });

  onIncident(INCIDENT_ACTIONS.unsnooze, async (ref, userId) => {
    const result = await deps.incidents!.unsnooze(ref.slot, userId);
    return result.ok ? { outcome: 'ok' } : { outcome: 'stale_button', note: copy.notSnoozed };
  });
}
