/**
 * Errors a caller can act on. Every one carries what Huawei support asks for (`requestId`) and the
 * gateway's `error_code`/`error_msg` when there was an answer; none carries a credential.
 */
export type TicsErrorKind = 'input' | 'auth' | 'throttled' | 'upstream' | 'response' | 'request';

export interface TicsErrorDetails {
  // An input bag, filled from headers and bodies that may lack any of these: undefined is allowed.
  httpStatus?: number | undefined;
  errorCode?: string | undefined;
  errorMsg?: string | undefined;
  requestId?: string | undefined;
  /** Requests made, retries included. */
  attempts?: number | undefined;
  cause?: unknown;
}

export abstract class TicsError extends Error {
  abstract readonly kind: TicsErrorKind;
  readonly httpStatus: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly attempts: number | undefined;

  constructor(message: string, details: TicsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.httpStatus = details.httpStatus;
    this.errorCode = details.errorCode;
    this.errorMsg = details.errorMsg;
    this.requestId = details.requestId;
    this.attempts = details.attempts;
  }
}

/** A bad argument caught before any request was made. */
export class TicsInputError extends TicsError {
  readonly kind = 'input';
}

/** 401: wrong AK/SK, bad or expired token, clock skew. Never retried blindly: five failures lock the AK. */
export class TicsAuthError extends TicsError {
  readonly kind = 'auth';
}

/** 429 still throttled after the bounded retries. */
export class TicsThrottledError extends TicsError {
  readonly kind = 'throttled';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details: TicsErrorDetails & { retryAfterMs?: number | undefined } = {}) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 5xx, network failure or timeout, after the bounded retries. */
export class TicsUpstreamError extends TicsError {
  readonly kind = 'upstream';
}

/** A 2xx whose body is not JSON or not the documented shape. `excerpt` is short and secret-free. */
export class TicsResponseError extends TicsError {
  readonly kind = 'response';
  readonly excerpt: string;
  constructor(message: string, details: TicsErrorDetails & { excerpt: string }) {
    super(message, details);
    this.excerpt = details.excerpt;
  }
}

/** Any other 4xx: the request itself was refused (bad parameter, unknown league, forbidden). */
export class TicsRequestError extends TicsError {
  readonly kind = 'request';
}

export function isTicsError(error: unknown): error is TicsError {
  return error instanceof TicsError;
}
