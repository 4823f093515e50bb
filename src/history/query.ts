/**
 * The words after `history`: `<league> [job:<id>] [status:A,B] [limit:n]`. Shared by the slash
 * command and the CLI so both accept exactly the same language.
 */
import { z } from 'zod';
import { KNOWN_STATUSES } from '../tics/schema.js';

export const DEFAULT_LIMIT = 10;

export interface HistoryArgs {
  league: string;
  jobId?: string;
  statuses?: string[];
  limit?: number;
}

export const HISTORY_USAGE = 'history <league> [job:<job_id>] [status:<STATUS>[,<STATUS>…]] [limit:<n>]';

const jobIdSchema = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'job id must be 1–32 letters or digits');

export type ParseOutcome<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Longest alias leagues.ts accepts; anything longer cannot name a league. */
const LEAGUE_MAX = 64;
const ECHO_MAX = 40;

/**
 * What the user typed, cut short for quoting: a pasted paragraph must not push the explanation
 * past the length at which the reply is truncated.
 */
function echo(text: string): string {
  const chars = [...text];
  return chars.length > ECHO_MAX ? `${chars.slice(0, ECHO_MAX - 1).join('')}…` : text;
}

/** Parses a comma-separated list of statuses, case-insensitively, against the known ones. */
export function parseStatuses(raw: string, option: string): ParseOutcome<string[]> {
  const wanted = raw
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (wanted.length === 0) return { ok: false, problem: `\`${option}:\` needs at least one status, e.g. \`${option}:FAILED\`` };
  const known = new Set<string>(KNOWN_STATUSES);
  // "SUBMITTING" is what people type; TICS spells it with one T.
  const normalised = wanted.map((s) => (s === 'SUBMITTING' ? 'SUBMITING' : s));
  const unknown = normalised.filter((s) => !known.has(s));
  if (unknown.length) {
    const named = unknown.slice(0, 5).map((s) => `\`${echo(s)}\``);
    if (unknown.length > 5) named.push(`${unknown.length - 5} more`);
    return { ok: false, problem: `unknown status ${named.join(', ')}; known statuses: ${KNOWN_STATUSES.join(', ')}` };
  }
  return { ok: true, value: [...new Set(normalised)] };
}

export function parseHistoryArgs(tokens: readonly string[], maxLimit: number): ParseOutcome<HistoryArgs> {
  let league: string | undefined;
  const args: Omit<HistoryArgs, 'league'> = {};
  for (const token of tokens.map((t) => t.trim()).filter(Boolean)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : undefined;
    const value = colon > 0 ? token.slice(colon + 1) : token;
    if (key === 'job') {
      if (args.jobId !== undefined) return { ok: false, problem: '`job:` was given twice' };
      const parsed = jobIdSchema.safeParse(value);
      if (!parsed.success) return { ok: false, problem: `\`${echo(token)}\`: ${parsed.error.issues[0]?.message ?? 'invalid job id'}` };
      args.jobId = parsed.data;
    } else if (key === 'status') {
      if (args.statuses !== undefined) return { ok: false, problem: '`status:` was given twice; list several as `status:FAILED,TERMINATED`' };
      const parsed = parseStatuses(value, 'status');
      if (!parsed.ok) return parsed;
      args.statuses = parsed.value;
    } else if (key === 'limit') {
      if (args.limit !== undefined) return { ok: false, problem: '`limit:` was given twice' };
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > maxLimit) {
        return { ok: false, problem: `\`${echo(token)}\`: limit must be a whole number from 1 to ${maxLimit}` };
      }
      args.limit = Number(value);
    } else if (key !== undefined) {
      return { ok: false, problem: `unknown option \`${echo(key)}:\` (options are \`job:\`, \`status:\`, \`limit:\`)` };
    } else if (league === undefined) {
      if ([...token].length > LEAGUE_MAX) {
        return { ok: false, problem: `\`${echo(token)}\` is too long for a league: give an alias (up to ${LEAGUE_MAX} characters) or a league id (up to 32 letters or digits)` };
      }
      league = token;
    } else {
      return { ok: false, problem: `unexpected \`${echo(token)}\`: give one league, then options like \`job:<id>\`` };
    }
  }
  if (league === undefined) return { ok: false, problem: 'which league? Give a league alias or id' };
  return { ok: true, value: { league, ...args } };
}
