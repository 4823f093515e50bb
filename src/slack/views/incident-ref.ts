/**
 * Which incident a parent's controls stand for, carried in button values and the actions block's
 * id. Lives beside the views because they encode it and eslint.config.js lets a view load only
 * `./*` and a short list of pure modules; handlers import it from src/slack/incident-ref.ts.
 *
 * Like a history cursor, anyone can craft a `block_actions` payload and old messages outlive
 * deployments: a value is versioned and zod-checked on the way back in, and a bad one becomes a
 * human reason, never an exception.
 */
import { z } from 'zod';
import type { IncidentRef } from '../../watch/incidents/actions.js';
import { SLACK_LIMITS } from '../limits.js';

export type { IncidentRef };

export const INCIDENT_REF_VERSION = 1;
/** A slot is `${league}:${channel}|${jobKey}`, ≈ 70 characters; this is a generous ceiling. */
export const MAX_SLOT = 300;

const refSchema = z.strictObject({
  v: z.literal(INCIDENT_REF_VERSION),
  slot: z.string().min(1).max(MAX_SLOT).includes('|'),
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
});

export type IncidentRefResult = { ok: true; ref: IncidentRef } | { ok: false; reason: string };

/** Compact JSON; even a 300-character slot of control characters (6 each, escaped) fits a button. */
export function encodeIncidentRef(ref: IncidentRef): string {
  return JSON.stringify({ v: INCIDENT_REF_VERSION, slot: ref.slot, seq: ref.seq });
}

export function decodeIncidentRef(value: string | undefined): IncidentRefResult {
  if (value === undefined || value === '') return { ok: false, reason: 'the button carried no incident' };
  if (value.length > SLACK_LIMITS.buttonValue) return { ok: false, reason: 'the button state is too long to be ours' };
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'the button state is not something tics-bot wrote' };
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== INCIDENT_REF_VERSION) {
    return { ok: false, reason: 'the button comes from another version of tics-bot' };
  }
  const parsed = refSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'the button state is damaged' };
  return { ok: true, ref: { slot: parsed.data.slot, seq: parsed.data.seq } };
}
