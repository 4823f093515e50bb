/**
 * The gateway's per-API limit: a fixed one-second window on the injected clock. Refused calls still
 * count, as they do at a real gateway, so hammering never gets through sooner.
 */
export class RateWindow {
  private windowStart = Number.NEGATIVE_INFINITY;
  private readonly counts = new Map<string, number>();

  constructor(private readonly limitPerSecond: number) {}

  /** `undefined` when allowed, else the seconds to put in Retry-After. */
  hit(api: string, nowMs: number): number | undefined {
    const windowStart = Math.floor(nowMs / 1000) * 1000;
    if (windowStart !== this.windowStart) {
      this.windowStart = windowStart;
      this.counts.clear();
    }
    const count = (this.counts.get(api) ?? 0) + 1;
    this.counts.set(api, count);
    if (count <= this.limitPerSecond) return undefined;
    return Math.max(1, Math.ceil((windowStart + 1000 - nowMs) / 1000));
  }
}
