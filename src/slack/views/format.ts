/**
 * Pure Slack formatting helpers shared by every view: mrkdwn escaping, length-safe truncation,
 * Slack date tokens, JSON layout. Wording that is not Slack's (durations, status and type labels)
 * lives in src/format, shared with the terminal.
 */
import { leagueLabel } from '../../tics/leagues.js';
import type { types } from '@slack/bolt';
// The mini class: the full UTCDate builds Intl formatters (ICU data, ~13 MB RSS) at import.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { format } from 'date-fns/format';

/** What every view returns: `text` is the notification / screen-reader fallback, so always set. */
export interface SlackMessage {
  text: string;
  blocks: types.KnownBlock[];
}

export const ELLIPSIS = '…';

/** A league as people type it: its alias when it has one, else its id (what commands take). */
export const leagueName = leagueLabel;

/** A league as people read it: its real name when the caller knew it, else its alias, else its id. */
export function leagueDisplayName(league: { id: string; alias?: string; name?: string }): string {
  return league.name ?? leagueLabel(league);
}

/** "Real name (alias) `id`", "alias `id`" or "`id`" for a League field, escaped and cut. */
export function leagueFieldText(league: { id: string; alias?: string; name?: string }, max: number, idCode: (id: string) => string): string {
  if (league.name) return `${escapeAndTruncate(oneLine(league.name), max)}${league.alias ? ` (${escapeAndTruncate(league.alias, max)})` : ''} ${idCode(league.id)}`;
  return league.alias ? `${escapeAndTruncate(league.alias, max)} ${idCode(league.id)}` : idCode(league.id);
}

export function mrkdwnContext(text: string): types.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

// ---------------------------------------------------------------------------------------------
// Escaping and truncation
// ---------------------------------------------------------------------------------------------

const MRKDWN_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Slack treats `<…>` as links/mentions and `&…;` as entities, so API text must be escaped. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (ch) => MRKDWN_ENTITIES[ch] ?? ch);
}

// Cut on user-perceived characters: never half a surrogate pair, nor an emoji without its
// modifier or a letter without its combining accent.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Keeps `text.length` (UTF-16 units, which is never less than Slack's character count) ≤ `maxChars`.
 * A cut text ends with `…` inside the limit; text that fits is returned unchanged.
 */
export function truncate(text: string, maxChars: number): string {
  return cutPieces(text, maxChars, (piece) => piece);
}

/**
 * Escapes for mrkdwn and then fits the *escaped* result in `maxChars`: escaping can grow a string
 * fivefold (`&` → `&amp;`), so truncating first and escaping after would overflow. Each character
 * is escaped as a whole, so an entity is never cut in half.
 */
export function escapeAndTruncate(text: string, maxChars: number): string {
  return cutPieces(text, maxChars, escapeMrkdwn);
}

function cutPieces(text: string, maxChars: number, transform: (piece: string) => string): string {
  const limit = Math.max(0, Math.floor(maxChars));
  const whole = transform(text);
  if (whole.length <= limit) return whole;
  if (limit < ELLIPSIS.length) return '';
  const budget = limit - ELLIPSIS.length;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    const piece = transform(segment);
    if (out.length + piece.length > budget) break;
    out += piece;
  }
  // "foo …" reads worse than "foo…"; trimming only ever shortens, so the limit still holds.
  return out.trimEnd() + ELLIPSIS;
}

/** Collapses whitespace runs (newlines included) so one API value cannot blow a row up into many lines. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

export const DEFAULT_DATE_TOKEN = '{date_short_pretty} {time}';

/** A readable UTC rendering for places Slack cannot localise (fallbacks, notifications). */
export function utcText(ms: number): string {
  return `${format(new UTCDate(ms), 'yyyy-MM-dd HH:mm')} UTC`;
}

/** `<!date^…>` renders in each reader's own time zone; the fallback is for clients that cannot. */
export function slackDate(ms: number, tokenFormat: string = DEFAULT_DATE_TOKEN): string {
  if (!Number.isFinite(ms)) return 'unknown time';
  return `<!date^${Math.floor(ms / 1000)}^${tokenFormat}|${utcText(ms)}>`;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/**
 * Pretty-prints a JSON object/array string; anything else comes back unchanged. Re-indents the
 * text itself instead of `JSON.stringify(JSON.parse(…))`, which would silently round large
 * integers (ids!) and rewrite escapes: what TICS sent is what the user sees, only laid out.
 */
export function prettyJson(text: string): string {
  return isJsonContainer(text) ? reindent(text.trim()) : text;
}

/** True for a string holding a JSON object or array (not a bare number or string). */
export function isJsonContainer(text: string): boolean {
  const trimmed = text.trim();
  if (!(trimmed.startsWith('{') || trimmed.startsWith('['))) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function reindent(json: string): string {
  const INDENT = '  ';
  let out = '';
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const ch = json.charAt(i);
    if (inString) {
      out += ch;
      if (ch === '\\') out += json.charAt(++i);
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      const next = nextSignificant(json, i + 1);
      if (json.charAt(next) === close) {
        out += ch + close; // keep {} and [] on one line
        i = next;
      } else {
        depth++;
        out += `${ch}\n${INDENT.repeat(depth)}`;
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      out += `\n${INDENT.repeat(depth)}${ch}`;
    } else if (ch === ',') {
      out += `,\n${INDENT.repeat(depth)}`;
    } else if (ch === ':') {
      out += ': ';
    } else {
      out += ch;
    }
  }
  return out;
}

function nextSignificant(text: string, from: number): number {
  let i = from;
  while (i < text.length && /\s/.test(text.charAt(i))) i++;
  return i;
}
