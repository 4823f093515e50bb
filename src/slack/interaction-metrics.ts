/**
 * Ack and reply latency, and bounded labels for commands and clicks. Receipt is stamped where the
 * receiver hands an event to Bolt (the same point in HTTP and Socket Mode), so both latencies start
 * before Bolt's own work (authorize, middleware), which is what Slack's 3-second clock sees.
 */
import type { App, Context, ReceiverEvent, RespondFn } from '@slack/bolt';
import type { BotMetrics, InteractionKind, InteractionOutcome, Subcommand } from '../metrics.js';
import { COMMANDS, type ParsedCommand } from './commands/parse.js';

const RECEIVED_AT = 'ticsReceivedAt';

/**
 * Wraps `app.processEvent`, which both receivers call with each event: Bolt has no hook that sees
 * the ack of every listener, and the receivers' `customPropertiesExtractor` cannot see the ack.
 */
export function instrumentAcks(app: App, metrics: BotMetrics): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const receivedAt = performance.now();
    const kind = interactionKind(event.body);
    if (!kind) return processEvent(event);
    let acked = false;
    const ack = event.ack;
    return processEvent({
      ...event,
      ack: async (response?: unknown) => {
        try {
          await ack(response);
        } finally {
          if (!acked) {
            acked = true;
            metrics.ackSeconds(kind, (performance.now() - receivedAt) / 1000);
          }
        }
      },
      customProperties: { ...event.customProperties, [RECEIVED_AT]: receivedAt },
    });
  };
}

export function interactionKind(body: Record<string, unknown>): InteractionKind | undefined {
  if (typeof body.command === 'string') return 'command';
  if (body.type === 'block_actions') return 'action';
  return undefined;
}

/** `respond` that observes, once, how long after receipt its first post finished (and whether it was accepted). */
export function timeReplies(metrics: BotMetrics, kind: InteractionKind, context: Context, respond: RespondFn): RespondFn {
  const stamped: unknown = context[RECEIVED_AT];
  const receivedAt = typeof stamped === 'number' ? stamped : performance.now();
  let observed = false;
  return async (message) => {
    let result: 'ok' | 'failed' = 'failed';
    try {
      const response = await respond(message);
      result = 'ok';
      return response;
    } finally {
      if (!observed) {
        observed = true;
        metrics.replySeconds(kind, result, (performance.now() - receivedAt) / 1000);
      }
    }
  };
}

/** The subcommand a parse result is about; a failed parse is known by the usage it answers with. */
export function subcommandOf(parsed: ParsedCommand): Subcommand {
  if (parsed.ok) return parsed.command.kind;
  return COMMANDS.find((c) => c.usage === parsed.usage)?.name ?? 'unknown';
}

/**
 * Runs a listener's body (after its ack) with a timed `respond`, and counts how it ended through
 * `record`; a throw counts as `error`.
 */
export async function measureInteraction(
  metrics: BotMetrics,
  kind: InteractionKind,
  context: Context,
  respond: RespondFn,
  record: (outcome: InteractionOutcome) => void,
  handle: (respond: RespondFn) => Promise<InteractionOutcome>,
): Promise<void> {
  let outcome: InteractionOutcome = 'error';
  try {
    outcome = await handle(timeReplies(metrics, kind, context, respond));
  } finally {
    record(outcome);
  }
}
