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

/** Longest league name TICS allows (128), plus the quotes around one with spaces; aliases are shorter. */
const LEAGUE_MAX = 130;
const ECHO_MAX = 40;

/**
 * What the user typed, cut short for quoting: a pasted paragraph must not push the explanation
 * past the length at which the reply is truncated.
 */
function echo(text: string): string {
  const chars = [...text];
  return chars.length > ECHO_MAX ? `${chars.slice(0, ECHO_MAX - 1).join('')}…` : text;
}

/**
 * A comma-separated list of statuses, case-insensitive, checked against the known ones. As a zod
 * schema so the slash command, the watch triggers and the CLI validate it the same way.
 */
export function statusListSchema(option: string) {
  return z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean)
        // "SUBMITTING" is what people type; TICS spells it with one T.
        .map((s) => (s === 'SUBMITTING' ? 'SUBMITING' : s)),
    )
    .pipe(
      z
        .array(z.enum(KNOWN_STATUSES, { error: (issue) => `unknown status \`${echo(String(issue.input))}\`` }))
        .min(1, `\`${option}:\` needs at least one status, e.g. \`${option}:FAILED\``),
    )
    .transform((statuses) => [...new Set(statuses)]);
}

/** zod issues → one sentence: the first few problems, then what is allowed. */
function explain(error: z.ZodError, token: string): string {
  const messages = [...new Set(error.issues.map((i) => i.message))];
  if (messages.every((m) => m.startsWith('unknown status'))) {
    const named = messages.slice(0, 5).map((m) => m.slice('unknown status '.length));
    if (messages.length > 5) named.push(`${messages.length - 5} more`);
    return `unknown status ${named.join(', ')}; known statuses: ${KNOWN_STATUSES.join(', ')}`;
  }
  const first = messages[0] ?? 'invalid value';
  return first.startsWith('`') ? first : `\`${echo(token)}\`: ${first}`;
}

export function parseStatuses(raw: string, option: string): ParseOutcome<string[]> {
  const parsed = statusListSchema(option).safeParse(raw);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problem: explain(parsed.error, `${option}:${raw}`) };
}

function historyOptionsSchema(maxLimit: number) {
  const limitProblem = `limit must be a whole number from 1 to ${maxLimit}`;
  return z.object({
    job: jobIdSchema.optional(),
    status: statusListSchema('status').optional(),
    limit: z
      .string()
      .regex(/^\d+$/, limitProblem)
      .transform(Number)
      .pipe(z.number().int().min(1, limitProblem).max(maxLimit, limitProblem))
      .optional(),
  });
}

const OPTIONS = ['job', 'status', 'limit'] as const;
type OptionName = (typeof OPTIONS)[number];

export function parseHistoryArgs(tokens: readonly string[], maxLimit: number): ParseOutcome<HistoryArgs> {
  // First the shape of the words (one league, known options, each once), then zod for the values.
  let league: string | undefined;
  const options: Partial<Record<OptionName, string>> = {};
  const typed: Partial<Record<OptionName, string>> = {};
  for (const token of tokens.map((t) => t.trim()).filter(Boolean)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : undefined;
    if (key !== undefined) {
      if (!(OPTIONS as readonly string[]).includes(key)) {
        return { ok: false, problem: `unknown option \`${echo(key)}:\` (options are \`job:\`, \`status:\`, \`limit:\`)` };
      }
      const name = key as OptionName;
      if (options[name] !== undefined) {
        return { ok: false, problem: name === 'status' ? '`status:` was given twice; list several as `status:FAILED,TERMINATED`' : `\`${name}:\` was given twice` };
      }
      options[name] = token.slice(colon + 1);
      typed[name] = token;
    } else if (league === undefined) {
      if ([...token].length > LEAGUE_MAX) {
        return { ok: false, problem: `\`${echo(token)}\` is too long for a league: give an alias (up to 64 characters), a league id (up to 32 letters or digits) or a league name (up to 128 characters)` };
      }
      league = token;
    } else {
      return { ok: false, problem: `unexpected \`${echo(token)}\`: give one league, then options like \`job:<id>\`` };
    }
  }
  // The options first: a bad one is named even when the league is missing too (that one a picker asks for).
  const parsed = historyOptionsSchema(maxLimit).safeParse(options);
  if (!parsed.success) {
    const name = parsed.error.issues[0]?.path[0] as OptionName | undefined;
    return { ok: false, problem: explain(parsed.error, (name && typed[name]) ?? '') };
  }
  if (league === undefined) return { ok: false, problem: 'which league? Give a league alias or id' };
  const { job, status, limit } = parsed.data;
  return {
    ok: true,
    value: { league, ...(job !== undefined ? { jobId: job } : {}), ...(status !== undefined ? { statuses: status } : {}), ...(limit !== undefined ? { limit } : {}) },
  };
}
