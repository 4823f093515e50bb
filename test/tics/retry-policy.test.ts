import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HedgeBudget, retryDelay, type AttemptError } from '../../src/tics/client.js';

const policy = { maxRetries: 3, minRetryDelayMs: 500, maxRetryDelayMs: 10_000 };
const statusError = (statusCode: number, headers: Record<string, string> = {}): AttemptError => Object.assign(new Error('Request failed'), { statusCode, code: 'UND_ERR_REQ_RETRY', headers });
const networkError = (code: string): AttemptError => Object.assign(new Error(code), { code });

describe('retryDelay: the one retry decision', () => {
  it('backs off exponentially for 429/5xx and transient network errors, up to maxRetries', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(statusError(503), n, policy))).toEqual([500, 1_000, 2_000, undefined]);
    expect(retryDelay(statusError(429), 1, policy)).toBe(500);
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(retryDelay(networkError(code), 1, policy), code).toBe(500);
    }
  });

  it('never retries 4xx other than 429, an abort, or an unknown error', () => {
    for (const s of [400, 401, 403, 404, 409]) expect(retryDelay(statusError(s), 1, policy), String(s)).toBeUndefined();
    expect(retryDelay(networkError('UND_ERR_ABORTED'), 1, policy)).toBeUndefined();
    expect(retryDelay(new Error('boom'), 1, policy)).toBeUndefined();
  });

  it('Retry-After (seconds or a date) wins over the backoff, capped at maxRetryDelayMs', () => {
    expect(retryDelay(statusError(429, { 'retry-after': '2' }), 1, policy)).toBe(2_000);
    expect(retryDelay(statusError(429, { 'retry-after': '0' }), 3, policy)).toBe(0);
    expect(retryDelay(statusError(503, { 'retry-after': '3600' }), 1, policy)).toBe(10_000);
    const inFive = new Date(Date.now() + 5_000).toUTCString();
    expect(retryDelay(statusError(429, { 'retry-after': inFive }), 1, policy)).toBeGreaterThan(3_000);
  });

  it('any policy: a delay is within [0, max] and given only up to maxRetries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 60_000 }), fc.integer({ min: 1, max: 12 }), (maxRetries, min, max, n) => {
        const d = retryDelay(statusError(502), n, { maxRetries, minRetryDelayMs: min, maxRetryDelayMs: max });
        if (n > maxRetries) return d === undefined;
        return d !== undefined && d >= 0 && d <= max;
      }),
    );
  });
});

describe('HedgeBudget', () => {
  it('allows a burst, then about one hedge per ten requests', () => {
    const budget = new HedgeBudget(0.1, 5);
    let granted = 0;
    for (let i = 0; i < 5; i++) if (budget.take()) granted++;
    expect(granted).toBe(5);
    expect(budget.take()).toBe(false);
    for (let i = 0; i < 100; i++) {
      budget.deposit();
      if (budget.take()) granted++;
    }
    expect(granted).toBeGreaterThanOrEqual(14);
    expect(granted).toBeLessThanOrEqual(15);
  });
});
