/**
 * State carried in button `value`s. Slack hands it back verbatim, but anyone can craft a
 * `block_actions` payload, and old messages outlive deployments: so every value is versioned and
 * zod-checked on the way back in, and a bad one becomes a human reason, never an exception.
 */
import { z } from 'zod';
import { MAX_BACK } from '../history/fetch-page.js';
import { SLACK_LIMITS } from './limits.js';

export const CURSOR_VERSION = 1;
export const MAX_BUTTON_VALUE = SLACK_LIMITS.buttonValue;
// The cursor carries the history page's `back` offsets, so it bounds them with the page's own cap.
export { MAX_BACK };

export interface HistoryCursor {
  v: 1;
  /** What the user typed: an alias or a raw league id. */
  league: string;
  jobId?: string;
  /** Client-side filter on the exact job name (TICS instances carry a name, not a job id). */
  jobName?: string;
  statuses?: string[];
  limit: number;
  /** Raw API offset where this page starts. */
  offset: number;
  /** Status-filtered views: start offsets of the previous pages, most recent last. */
  back?: number[];
}

/** Which instance a "Details" button points at. */
export interface DetailsRef {
  v: 1;
  league: string;
  instanceId: string;
  /** The job filter of the page the button was on: lets the handler narrow its lookup. */
  jobId?: string;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

// An alias (leagues.ts: 1–64 of [A-Za-z0-9_-], starting alphanumeric) or a raw id (≤ 32
// alphanumerics), which the alias pattern already covers.
const leagueSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/);
const ticsId = z.string().regex(/^[A-Za-z0-9]{1,32}$/);
const offsetSchema = z.number().int().min(0).max(2_147_483_647);

const cursorSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  league: leagueSchema,
  jobId: ticsId.exactOptional(),
  jobName: z.string().min(1).max(128).exactOptional(),
  statuses: z.array(z.string().regex(/^[A-Z_]{1,32}$/)).max(10).exactOptional(),
  limit: z.number().int().min(1).max(100),
  offset: offsetSchema,
  back: z.array(offsetSchema).max(MAX_BACK).exactOptional(),
});

const detailsRefSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  league: leagueSchema,
  instanceId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  jobId: ticsId.exactOptional(),
});

/**
 * The job and status selects cannot carry a cursor in their options (an option's value holds 150
 * characters), so their block's `block_id` (255) carries the page's filters: a cursor at offset 0.
 * `undefined` when the filters are too long to fit; the view then leaves the selects out.
 */
export const FILTER_BLOCK_PREFIX = 'history_filters:';

export function encodeFilterBlockId(cursor: HistoryCursor): string | undefined {
  const { back: _dropped, ...rest } = cursor;
  const id = FILTER_BLOCK_PREFIX + JSON.stringify({ ...rest, offset: 0 });
  return id.length <= SLACK_LIMITS.id ? id : undefined;
}

export function decodeFilterBlockId(blockId: string | undefined): DecodeResult<HistoryCursor> {
  if (blockId === undefined || !blockId.startsWith(FILTER_BLOCK_PREFIX)) return { ok: false, reason: 'the filter menu carried no state' };
  return decode(blockId.slice(FILTER_BLOCK_PREFIX.length), cursorSchema, 'filter');
}

/** Compact JSON; `back` loses its oldest entries first if the value would not fit a button. */
export function encodeCursor(cursor: HistoryCursor): string {
  const back = cursor.back?.slice(-MAX_BACK);
  let encoded = JSON.stringify(back ? { ...cursor, back } : cursor);
  while (encoded.length > MAX_BUTTON_VALUE && back && back.length > 0) {
    back.shift();
    encoded = JSON.stringify({ ...cursor, back });
  }
  return encoded;
}

export function decodeCursor(value: string | undefined): { ok: true; cursor: HistoryCursor } | { ok: false; reason: string } {
  const decoded = decode(value, cursorSchema, 'paging');
  return decoded.ok ? { ok: true, cursor: decoded.value } : decoded;
}

/** `undefined` when the ref would not survive decoding (e.g. TICS sent an instance without a usable id). */
export function encodeDetailsRef(ref: DetailsRef): string | undefined {
  const parsed = detailsRefSchema.safeParse(ref);
  return parsed.success ? JSON.stringify(parsed.data) : undefined;
}

export function decodeDetailsRef(value: string | undefined): DecodeResult<DetailsRef> {
  return decode(value, detailsRefSchema, 'details');
}

function decode<T>(value: string | undefined, schema: z.ZodType<T>, what: string): DecodeResult<T> {
  if (value === undefined || value === '') return { ok: false, reason: `the ${what} button carried no state` };
  if (value.length > MAX_BUTTON_VALUE) return { ok: false, reason: `the ${what} button state is too long to be ours` };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false, reason: `the ${what} button state is not something tics-bot wrote` };
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== CURSOR_VERSION) {
    return { ok: false, reason: `the ${what} button comes from another version of tics-bot` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `the ${what} button state is damaged (${summarize(parsed.error)})` };
  return { ok: true, value: parsed.data };
}

function summarize(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid';
  const path = first.path.map(String).join('.') || 'value';
  const more = error.issues.length > 1 ? ` and ${error.issues.length - 1} more` : '';
  return `${path}: ${first.message}${more}`.slice(0, 200);
}
