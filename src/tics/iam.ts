/**
 * IAM password → project-scoped token (POST /v3/auth/tokens). The token is cached in the shared
 * store so replicas and restarts reuse it, refreshed well before `expires_at`, and re-issued once
 * when TICS says it expired.
 */
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import type { Store } from '../store.js';
import type { TicsAuth } from './auth.js';
import { TicsAuthError, TicsResponseError, TicsUpstreamError } from './errors.js';
import { createHash } from 'node:crypto';

export interface IamOptions {
  endpoint: string;
  user: string;
  password: string;
  domain: string;
  projectId: string;
  store: Store;
  dispatcher?: Dispatcher;
  now?: () => number;
  /** Refresh when less than this remains (default 1 h of the usual 24 h). */
  refreshMarginMs?: number;
  timeoutMs?: number;
}

const cachedTokenSchema = z.object({ token: z.string().min(1), expiresAt: z.number() });
type CachedToken = z.infer<typeof cachedTokenSchema>;

const issuedSchema = z.object({ token: z.object({ expires_at: z.string() }) });

/** Codes after which a fresh token may help; a wrong signature or password will not. */
const REFRESHABLE = new Set(['APIGW.0307', 'APIGW.0301']);

export function iamAuth(options: IamOptions): TicsAuth {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60 * 60_000;
  // Keyed by who and where, hashed so the user name does not sit in the store in clear.
  const cacheKey = `iam-token:${createHash('sha256').update(`${options.endpoint}|${options.domain}|${options.user}|${options.projectId}`).digest('hex').slice(0, 32)}`;
  let inFlight: Promise<CachedToken> | undefined;

  async function issue(): Promise<CachedToken> {
    const body = {
      auth: {
        identity: { methods: ['password'], password: { user: { name: options.user, password: options.password, domain: { name: options.domain } } } },
        scope: { project: { id: options.projectId } },
      },
    };
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${options.endpoint}/v3/auth/tokens?nocatalog=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json;charset=utf8' },
        body: JSON.stringify(body),
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        headersTimeout: options.timeoutMs ?? 15_000,
        bodyTimeout: options.timeoutMs ?? 15_000,
      });
    } catch (cause) {
      throw new TicsUpstreamError(`IAM token endpoint unreachable (${options.endpoint})`, { cause, attempts: 1 });
    }
    const requestId = headerValue(res.headers['x-request-id']);
    const text = await res.body.text();
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw new TicsAuthError(`IAM rejected the password login for user "${options.user}" in account "${options.domain}"`, {
        httpStatus: res.statusCode,
        errorMsg: iamMessage(text),
        requestId,
        attempts: 1,
      });
    }
    if (res.statusCode >= 500) throw new TicsUpstreamError(`IAM token endpoint answered HTTP ${res.statusCode}`, { httpStatus: res.statusCode, requestId, attempts: 1 });
    const token = headerValue(res.headers['x-subject-token']);
    const parsed = issuedSchema.safeParse(safeJson(text));
    const expiresAt = parsed.success ? Date.parse(parsed.data.token.expires_at) : NaN;
    if (res.statusCode !== 201 || !token || Number.isNaN(expiresAt)) {
      throw new TicsResponseError(`IAM token endpoint answered HTTP ${res.statusCode} without a usable token`, {
        httpStatus: res.statusCode,
        requestId,
        excerpt: text.slice(0, 200),
      });
    }
    const cached = { token, expiresAt };
    await options.store.set(cacheKey, cached, Math.max(1, expiresAt - now()));
    return cached;
  }

  async function current(forceNew: boolean): Promise<CachedToken> {
    if (!forceNew) {
      const stored = cachedTokenSchema.safeParse(await options.store.get(cacheKey));
      if (stored.success && stored.data.expiresAt - now() > margin) return stored.data;
    }
    // Concurrent requests share one login instead of each issuing a token.
    inFlight ??= issue().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    kind: 'iam',
    description: `IAM password login (user "${options.user}", account "${options.domain}", via ${options.endpoint})`,
    async headers() {
      return { 'X-Auth-Token': (await current(false)).token };
    },
    async refreshAfterRejection(errorCode) {
      if (errorCode !== undefined && !REFRESHABLE.has(errorCode)) return false;
      await options.store.delete(cacheKey);
      await current(true);
      return true;
    },
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function iamMessage(text: string): string | undefined {
  const parsed = z.object({ error: z.object({ message: z.string() }) }).safeParse(safeJson(text));
  return parsed.success ? parsed.data.error.message.slice(0, 200) : undefined;
}
