/**
 * The gateway's door: AK/SK signatures (with Huawei's lockout after repeated failures) and
 * X-Auth-Token, both pre-issued and IAM-issued. Clock injected, so skew, expiry and lockout are
 * testable without waiting.
 */
import { randomBytes } from 'node:crypto';
import { parseAuthorization, verify, type SignableRequest } from '../tics/sign.js';

export type AuthErrorCode = 'APIGW.0301' | 'APIGW.0303' | 'APIGW.0307';

export type AuthOutcome =
  | { ok: true; kind: 'aksk' | 'token'; projectId: string }
  | { ok: false; kind: 'aksk' | 'token' | 'none'; code: AuthErrorCode; message: string };

/** Huawei: more than 5 consecutive AK/SK failures lock the AK for 5 minutes. */
export const LOCKOUT_TOLERATED_FAILURES = 5;
export const LOCKOUT_MS = 5 * 60_000;
export const MAX_SKEW_MS = 15 * 60_000;

interface IssuedToken {
  projectId: string;
  expiresAt: number;
}

interface KeyState {
  failures: number;
  lockedUntil: number;
}

export interface GatekeeperOptions {
  projectId: string;
  credentials: ReadonlyArray<{ ak: string; sk: string }>;
  tokens: readonly string[];
  now: () => number;
}

const IAM_FAILURE = 'Incorrect IAM authentication information: verify aksk signature fail';

export class Gatekeeper {
  private readonly secrets: ReadonlyMap<string, string>;
  private readonly preIssued: ReadonlySet<string>;
  private readonly issued = new Map<string, IssuedToken>();
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly options: GatekeeperOptions) {
    this.secrets = new Map(options.credentials.map((c) => [c.ak, c.sk]));
    this.preIssued = new Set(options.tokens);
  }

  /** A fresh IAM token for `projectId`, valid `ttlMs` from now. */
  issueToken(projectId: string, ttlMs: number): { token: string; issuedAt: number; expiresAt: number } {
    // Real IAM tokens are long opaque base64 blobs starting "MII"; length matters for header limits.
    const token = `MII${randomBytes(96).toString('base64url')}`;
    const issuedAt = this.options.now();
    const expiresAt = issuedAt + ttlMs;
    this.issued.set(token, { projectId, expiresAt });
    return { token, issuedAt, expiresAt };
  }

  check(req: SignableRequest): AuthOutcome {
    const headers = lowerCaseHeaders(req.headers);
    if (headers.has('authorization')) return this.checkSignature(req, headers);
    const token = headers.get('x-auth-token');
    if (token !== undefined) return this.checkToken(token);
    return { ok: false, kind: 'none', code: 'APIGW.0301', message: 'Incorrect IAM authentication information: Authorization not found in header' };
  }

  private checkToken(token: string): AuthOutcome {
    if (this.preIssued.has(token)) return { ok: true, kind: 'token', projectId: this.options.projectId };
    const issued = this.issued.get(token);
    if (!issued) return { ok: false, kind: 'token', code: 'APIGW.0301', message: 'Incorrect IAM authentication information: decrypt token fail' };
    if (this.options.now() >= issued.expiresAt) {
      return { ok: false, kind: 'token', code: 'APIGW.0307', message: 'The token must be updated: token expired' };
    }
    return { ok: true, kind: 'token', projectId: issued.projectId };
  }

  private checkSignature(req: SignableRequest, headers: ReadonlyMap<string, string>): AuthOutcome {
    const fail = (code: AuthErrorCode, message: string): AuthOutcome => ({ ok: false, kind: 'aksk', code, message });
    const parsed = parseAuthorization(headers.get('authorization'));
    if (!parsed) return fail('APIGW.0301', `${IAM_FAILURE}: malformed Authorization header`);
    const now = this.options.now();
    const state = this.keys.get(parsed.access);
    if (state && state.lockedUntil > now) {
      return fail('APIGW.0301', `${IAM_FAILURE}: access key locked for ${LOCKOUT_MS / 60_000} minutes after repeated authentication failures`);
    }
    const result = verify(req, { secrets: this.secrets, now: new Date(now), maxSkewMs: MAX_SKEW_MS, requiredSignedHeaders: ['host', 'x-sdk-date'] });
    if (!result.ok) {
      if (result.reason !== 'unknown_key' && result.access !== undefined) this.recordFailure(result.access, now);
      if (result.reason === 'clock_skew') return fail('APIGW.0303', 'Incorrect app authentication information: X-Sdk-Date is more than 15 minutes off');
      return fail('APIGW.0301', `${IAM_FAILURE}: ${describe(result.reason)}`);
    }
    this.keys.delete(result.access);
    const projectHeader = headers.get('x-project-id');
    if (projectHeader !== this.options.projectId) {
      return fail('APIGW.0301', `${IAM_FAILURE}: X-Project-Id ${projectHeader === undefined ? 'is missing' : 'does not match a project of this account'}`);
    }
    return { ok: true, kind: 'aksk', projectId: this.options.projectId };
  }

  private recordFailure(access: string, now: number): void {
    const state = this.keys.get(access) ?? { failures: 0, lockedUntil: 0 };
    state.failures += 1;
    if (state.failures > LOCKOUT_TOLERATED_FAILURES) {
      state.failures = 0;
      state.lockedUntil = now + LOCKOUT_MS;
    }
    this.keys.set(access, state);
  }
}

function describe(reason: string): string {
  switch (reason) {
    case 'unknown_key':
      return 'access key not found';
    case 'unsigned_required_header':
      return 'host and x-sdk-date must be signed';
    case 'missing_date':
      return 'X-Sdk-Date missing or malformed';
    case 'malformed':
      return 'malformed Authorization header';
    default:
      return 'signature does not match';
  }
}

function lowerCaseHeaders(headers: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
}
