/**
 * Fixture overrides under exactOptionalPropertyTypes: a test writes `{ endTime: undefined }` to take
 * a default away, and `fixture()` leaves that property out, so the object a view or store receives
 * is the shape production code builds (no key holding undefined).
 */
export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

export function fixture<T extends object>(value: Overrides<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = v;
  return out as T;
}
