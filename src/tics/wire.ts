/**
 * The read operations beyond ListInstanceHistory speak snake_case with many optional fields. Their
 * zod schemas check values and strip unknown keys; these helpers then turn keys into the camelCase
 * the bot uses (and back, for the simulator), dropping nulls so optional means absent.
 */
import { z } from 'zod';
import type { ParseResult } from './schema.js';

/** Free-form display maps: their keys are data, not field names, and are left as TICS sent them. */
const FREE_FORM: ReadonlySet<string> = new Set(['task_show_info', 'taskShowInfo']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rekey(value: unknown, key: (k: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rekey(v, key));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[key(k)] = FREE_FORM.has(k) ? v : rekey(v, key);
  }
  return out;
}

export function camelize(value: unknown): unknown {
  return rekey(value, (k) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
}

export function snakeize(value: unknown): unknown {
  return rekey(value, (k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
}

/** Validates a 2xx body with a wire schema and hands back the camelCase value. */
export function parseWire<T>(schema: z.ZodType, body: unknown): ParseResult<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) return { ok: false, issues: z.prettifyError(parsed.error) };
  return { ok: true, value: camelize(parsed.data) as T };
}

/** Every list operation's envelope; a missing `lists` is empty, a missing `total` its length. */
export function parseWirePage<T>(item: z.ZodType, body: unknown): ParseResult<{ total: number; items: T[] }> {
  const page = z.object({ total: z.number().int().nonnegative().nullish(), lists: z.array(item).nullish() });
  const parsed = parseWire<{ total?: number; lists?: T[] }>(page, body);
  if (!parsed.ok) return parsed;
  const items = parsed.value.lists ?? [];
  return { ok: true, value: { total: parsed.value.total ?? items.length, items } };
}

/** Optional text; numbers and booleans a future TICS might send instead are kept as text. */
export const wireText = z
  .union([z.string(), z.number(), z.boolean()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

/** A required-in-the-model id or name: absent or null becomes '' rather than failing the page. */
export const wireKey = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

/** An ISO-8601 date-time as epoch ms (unreadable dates are dropped, not fatal). */
export const wireDate = z
  .string()
  .nullish()
  .transform((value) => {
    if (!value) return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  });

/** The simulator's side of `wireDate`: the offset form TICS uses. */
export function isoWire(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString().replace('Z', '+00:00');
}

export const wireNumber = z.number().nullish();
export const wireBool = z.boolean().nullish();
