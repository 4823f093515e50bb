/**
 * What the `/tics leagues` buttons carry: the page (filter text and offset) and the league a row's
 * button is about. Versioned and zod-checked like the history cursor: anyone can craft a click.
 */
import { z } from 'zod';
import { CURSOR_VERSION, MAX_BUTTON_VALUE, type DecodeResult } from '../cursor.js';

export interface LeaguesPage {
  v: 1;
  /** The text the leagues were filtered by. */
  q?: string;
  offset: number;
}

export interface LeagueButton {
  v: 1;
  league: string;
}

const pageSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  q: z.string().min(1).max(128).exactOptional(),
  offset: z.number().int().min(0).max(100_000),
});

const buttonSchema = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  league: z.string().regex(/^[A-Za-z0-9]{1,32}$/),
});

export const encodeLeaguesPage = (page: LeaguesPage): string => JSON.stringify(page);
export const encodeLeagueButton = (button: LeagueButton): string => JSON.stringify(button);

export const decodeLeaguesPage = (value: string | undefined): DecodeResult<LeaguesPage> => decode(value, pageSchema, 'leagues paging');
export const decodeLeagueButton = (value: string | undefined): DecodeResult<LeagueButton> => decode(value, buttonSchema, 'league');

function decode<T>(value: string | undefined, schema: z.ZodType<T>, what: string): DecodeResult<T> {
  if (value === undefined || value === '') return { ok: false, reason: `the ${what} button carried no state` };
  if (value.length > MAX_BUTTON_VALUE) return { ok: false, reason: `the ${what} button state is too long to be ours` };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false, reason: `the ${what} button state is not something tics-bot wrote` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: `the ${what} button state is damaged` };
}
