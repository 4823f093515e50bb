/**
 * exactOptionalPropertyTypes is on: an optional property is absent, never present holding
 * undefined. Two sources still produce the loose shape — zod types an optional field as
 * `?: T | undefined`, and objects built from optional inputs — and this turns either into the
 * exact type, dropping keys that hold undefined (JSON would drop them anyway).
 */
export type Loose<T> = { [K in keyof T]: T[K] | undefined };

// A loop over keys, not Object.entries: this runs for every instance of every TICS page, and the
// entry arrays cost twice what zod's whole validation of the page does.
export function withoutUndefined<T extends object>(value: Loose<T>): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = v;
  }
  return out as T;
}
