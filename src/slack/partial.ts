/**
 * Extra TICS calls that decorate a message (the job list beside a history page, the report beside
 * Details): each runs against a time budget and never fails the message. What went wrong is kept
 * as a reason a view can put into words, never the raw error (which may hold HTML or ids).
 */
import { isTicsError } from '../tics/errors.js';

export type MissingReason = 'timeout' | 'throttled' | 'refused' | 'unavailable' | 'unreadable' | 'unsupported' | 'error';

export interface Missing {
  reason: MissingReason;
  /** For `refused`: the HTTP status TICS answered with. */
  httpStatus?: number;
}

export type Fetched<T> = { ok: true; value: T } | { ok: false; missing: Missing };

/**
 * Runs `call` with a signal that aborts after `budgetMs`, and stops waiting then even if the call
 * ignores the signal (a fake, a stuck socket): the message goes out on time either way.
 */
export async function withinBudget<T>(budgetMs: number, call: (signal: AbortSignal) => Promise<T>): Promise<Fetched<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('expired');
    }, budgetMs);
    timer.unref();
  });
  try {
    const settled = await Promise.race([call(controller.signal).then((value) => ({ value })), expired]);
    if (settled === 'expired') return { ok: false, missing: { reason: 'timeout' } };
    return { ok: true, value: settled.value };
  } catch (error) {
    return { ok: false, missing: controller.signal.aborted ? { reason: 'timeout' } : missingOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

export function missingOf(error: unknown): Missing {
  if (!isTicsError(error)) return { reason: 'error' };
  switch (error.kind) {
    case 'throttled':
      return { reason: 'throttled' };
    case 'upstream':
      return { reason: 'unavailable' };
    case 'response':
      return { reason: 'unreadable' };
    case 'request':
    case 'auth':
      return error.httpStatus === undefined ? { reason: 'refused' } : { reason: 'refused', httpStatus: error.httpStatus };
    default:
      return { reason: 'error' };
  }
}
