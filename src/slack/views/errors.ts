/**
 * Error replies that say what happened and what to do next. They show what support needs (error
 * code, request id) and never a stack trace, raw upstream HTML or anything credential-like.
 */
import type { types } from '@slack/bolt';
import { TicsThrottledError, type TicsError } from '../../tics/errors.js';
import { formatDurationMs } from '../../format/instance.js';
import { sharedCopy } from './copy.js';
import { escapeAndTruncate, mrkdwnContext, oneLine, type SlackMessage } from './format.js';

const MESSAGE_MAX = 500;
const UPSTREAM_SAYS_MAX = 300;

// Tokens (IAM tokens run to thousands of base64 characters), secret keys and signatures all look
// like long unbroken runs of base64/hex (an SK is 40). League and instance ids are 32, so they stay.
const CREDENTIAL_LIKE = /[A-Za-z0-9+/=_-]{40,}/g;

const copy = {
  usage: {
    fallback: (problem: string) => `Command problem: ${problem}`,
    headline: (problem: string) => `:warning: ${problem}`,
    hint: (usage: string) => `Usage: \`${usage}\`  ·  ${sharedCopy.command('help')} lists every command.`,
  },
  generic: {
    fallback: (text: string) => `tics-bot error: ${text}`,
    headline: (text: string) => `:warning: ${text}`,
    whenEmpty: 'Something went wrong.',
    hint: 'If it keeps happening, tell whoever runs tics-bot; the logs have the details.',
  },
  internal: 'Something went wrong inside tics-bot while answering. It has been logged; please try again.',
  accessDenied: (what: string, league: string, allowed: string) =>
    `:no_entry: This channel is not allowed to ${what} league *${league}*. ${allowed} Ask an admin to change TICS_ACCESS if this channel should have access.`,
  instanceGone: (instanceId: string, scanned: number, league: string, typed: string) =>
    `Instance \`${instanceId}\` is no longer among the ${scanned} most recent records of league ${league}. Run ${sharedCopy.command(`history ${typed}`)} again.`,
  staleButton: {
    fallback: (why: string) => `That button no longer works: ${why}`,
    headline: (why: string) => `:hourglass: That button no longer works — ${why}.`,
    hint: `Run the command again (for example ${sharedCopy.command('history &lt;league&gt;')}) to get fresh buttons.`,
  },
  ticsSaid: (said: string) => ` TICS said: “${said}”`,
  credentials: {
    headline: (said: string, clock: string) =>
      `:lock: TICS rejected the bot's credentials — check the bot's Huawei credentials (AK/SK or token).${said}${clock}`,
    clock: " If the credentials are right, check the bot server's clock.",
    advice: 'Whoever runs tics-bot needs to fix its configuration; retrying will not help (repeated failures lock the access key for 5 minutes).',
  },
  throttled: {
    headline: (wait: string) => `:snail: TICS is busy and asked the bot to slow down. Try again ${wait}.`,
    soon: 'in a few seconds',
    after: (duration: string) => `in ${duration}`,
  },
  upstream: {
    headline: (attempts: number) => `:cloud: TICS is unavailable right now${attempts > 1 ? ` (tried ${attempts} times)` : ''}.`,
    advice: 'Try again in a minute; if it persists, give Huawei support the request id.',
  },
  response: {
    headline: ':jigsaw: TICS answered with something the bot could not read.',
    advice: 'This is usually temporary; if it persists, report it with the request id.',
  },
  input: (message: string) => `:warning: ${message}`,
  unknown: ':warning: The call to TICS failed.',
  notFound: {
    headline: (league: string, quote: string) => `:mag: TICS does not know league ${league}.${quote}`,
    advice: `Check the league id or alias (${sharedCopy.command('help')}).`,
  },
  forbidden: {
    headline: (league: string, quote: string) => `:no_entry: The bot's Huawei account may not read league ${league}.${quote}`,
    advice: 'Ask a league owner to grant the bot access.',
  },
  refused: (league: string, quote: string) => `:no_entry: TICS refused the request for league ${league}.${quote}`,
  refs: {
    errorCode: (code: string) => `error code \`${code}\``,
    httpStatus: (status: number) => `HTTP ${status}`,
    requestId: (id: string) => `request id \`${id}\``,
  },
  redacted: '[redacted]',
} as const;

export function usageError(problem: string, usage: string): SlackMessage {
  const problemText = escapeAndTruncate(oneLine(problem), MESSAGE_MAX);
  return {
    text: copy.usage.fallback(problemText),
    blocks: [section(copy.usage.headline(problemText)), mrkdwnContext(copy.usage.hint(escapeAndTruncate(oneLine(usage), MESSAGE_MAX)))],
  };
}

export function genericError(message: string): SlackMessage {
  const text = escapeAndTruncate(oneLine(message), MESSAGE_MAX) || copy.generic.whenEmpty;
  return { text: copy.generic.fallback(text), blocks: [section(copy.generic.headline(text)), mrkdwnContext(copy.generic.hint)] };
}

/** A failure inside tics-bot itself: the details are in the logs, not in Slack. */
export function internalError(): SlackMessage {
  return genericError(copy.internal);
}

/** TICS_ACCESS refuses this channel the league; `allowed` says what the channel may use. */
export function accessDeniedError(what: string, league: string, allowed: string): SlackMessage {
  return genericError(copy.accessDenied(what, league, allowed));
}

/** A Details button whose instance is no longer among the records it searches. */
export function instanceGoneError(input: { instanceId: string; scanned: number; league: string; typedLeague: string }): SlackMessage {
  return genericError(copy.instanceGone(input.instanceId, input.scanned, input.league, input.typedLeague));
}

/** A button whose state could not be read back (old message, newer bot version, tampering). */
export function staleButtonError(reason: string): SlackMessage {
  const why = escapeAndTruncate(oneLine(reason), MESSAGE_MAX);
  return {
    text: copy.staleButton.fallback(why),
    blocks: [section(copy.staleButton.headline(why)), mrkdwnContext(copy.staleButton.hint)],
  };
}

export function ticsErrorMessage(error: TicsError, context: { league: string }): SlackMessage {
  const league = `*${escapeAndTruncate(oneLine(context.league), 64)}*`;
  const { headline, advice } = describe(error, league);
  const refs = references(error);
  const blocks: types.KnownBlock[] = [section(headline)];
  const contextLine = [advice, refs].filter(Boolean).join('  ·  ');
  if (contextLine) blocks.push(mrkdwnContext(contextLine));
  return { text: fallback(headline, refs), blocks };
}

function describe(error: TicsError, league: string): { headline: string; advice?: string } {
  const attempts = error.attempts ?? 0;
  switch (error.kind) {
    case 'auth': {
      const said = error.errorMsg ? copy.ticsSaid(sanitizeUpstreamText(error.errorMsg)) : '';
      // APIGW.0303 is usually X-Sdk-Date more than 15 minutes off: the fix is the clock, not the keys.
      const clock = error.errorCode === 'APIGW.0303' ? copy.credentials.clock : '';
      return { headline: copy.credentials.headline(said, clock), advice: copy.credentials.advice };
    }
    case 'throttled': {
      const retryAfter = retryAfterMs(error);
      const wait = retryAfter === undefined ? copy.throttled.soon : copy.throttled.after(formatDurationMs(Math.max(retryAfter, 1000)));
      return { headline: copy.throttled.headline(wait) };
    }
    case 'upstream':
      return { headline: copy.upstream.headline(attempts), advice: copy.upstream.advice };
    case 'request':
      return requestRefused(error, league);
    case 'response':
      return { headline: copy.response.headline, advice: copy.response.advice };
    case 'input':
      return { headline: copy.input(escapeAndTruncate(oneLine(error.message.replace(CREDENTIAL_LIKE, copy.redacted)), MESSAGE_MAX)) };
    default:
      return { headline: copy.unknown };
  }
}

function requestRefused(error: TicsError, league: string): { headline: string; advice?: string } {
  const said = error.errorMsg ? sanitizeUpstreamText(error.errorMsg) : '';
  const quote = said ? copy.ticsSaid(said) : '';
  if (error.httpStatus === 404) return { headline: copy.notFound.headline(league, quote), advice: copy.notFound.advice };
  if (error.httpStatus === 403) return { headline: copy.forbidden.headline(league, quote), advice: copy.forbidden.advice };
  return { headline: copy.refused(league, quote) };
}

function retryAfterMs(error: TicsError): number | undefined {
  const value = error instanceof TicsThrottledError ? error.retryAfterMs : undefined;
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

/** Error code, HTTP status and request id: the three things Huawei support asks for. */
function references(error: TicsError): string {
  const parts: string[] = [];
  if (error.errorCode) parts.push(copy.refs.errorCode(escapeAndTruncate(oneLine(error.errorCode), 40)));
  if (error.httpStatus) parts.push(copy.refs.httpStatus(error.httpStatus));
  if (error.requestId) parts.push(copy.refs.requestId(escapeAndTruncate(oneLine(error.requestId), 80)));
  return parts.join('  ·  ');
}

function fallback(headline: string, refs: string): string {
  // Notification text: drop the leading emoji code, keep the references plain.
  const plainRefs = refs.replace(/`/g, '');
  return [headline.replace(/^:[a-z_]+: /, ''), plainRefs].filter(Boolean).join(' — ');
}

/**
 * Upstream error text made safe to show: gateways answer with HTML pages, and a message may echo a
 * credential. Tags and their script/style bodies go, entities are decoded, long credential-like
 * runs are redacted, and the rest is escaped and cut short.
 */
export function sanitizeUpstreamText(raw: string): string {
  const withoutTags = raw
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<\/?[A-Za-z!][^>]*>/g, ' ');
  const decoded = withoutTags
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&');
  const redacted = decoded.replace(CREDENTIAL_LIKE, copy.redacted);
  return escapeAndTruncate(oneLine(redacted), UPSTREAM_SAYS_MAX);
}

function section(text: string): types.SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}
