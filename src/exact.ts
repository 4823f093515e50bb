/**
 * exactOptionalPropertyTypes is on: an optional property is absent, never present holding
 * undefined. Two sources still produce the loose shape — zod types an optional field as
 * `?: T | undefined`, and objects built from optional inputs — and this turns either into the
 * exact type, dropping keys that hold undefined (JSON would drop them anyway).
 */
export type Loose<T> = { [K in keyof T]: T[K] | undefined };

export function withoutUndefined<T extends object>(value: Loose<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}
