/**
 * `respond()` can fail (response_url expired after 30 min or used 5 times; Slack down). A failed
 * reply must not become an unhandled rejection, and the person should still learn what happened.
 */
import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { SlackMessage } from './views/format.js';

export async function safeRespond(respond: RespondFn, message: RespondArguments, logger: Logger, context: Record<string, unknown> = {}): Promise<boolean> {
  try {
    await respond(message);
    return true;
  } catch (error) {
    logger.warn({ ...context, err: errorSummary(error) }, 'could not deliver the reply through response_url (expired or used up?)');
    return false;
  }
}

function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message.slice(0, 200) };
  return { name: 'unknown', message: String(error).slice(0, 200) };
}

/** A new ephemeral message for the person who clicked, leaving the message they clicked as it is. */
export function replyEphemeral(respond: RespondFn, message: SlackMessage, logger: Logger): Promise<boolean> {
  return safeRespond(respond, { response_type: 'ephemeral', replace_original: false, ...message }, logger);
}
