/**
 * Fixture overrides under exactOptionalPropertyTypes: a test writes `{ endTime: undefined }` to take
 * a default away, and `fixture()` leaves that property out, so the object a view or store receives
 * is the shape production code builds (no key holding undefined).
 */
import { withoutUndefined, type Loose } from '../../src/exact.js';

export type Overrides<T> = { [K in keyof T]?: T[K] | undefined };

export function fixture<T extends object>(value: Overrides<T>): T {
  // A fixture may leave out any key (its overrides are partial); dropping undefined is the same.
  return withoutUndefined<T>(value as Loose<T>);
}
