/**
 * Huawei Cloud APIG "SDK-HMAC-SHA256" request signing (the scheme the official SDKs use).
 * Pure: the clock is a parameter, so the same function serves the client, the simulator's
 * verifier and the published test vector.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
// The mini class: the full UTCDate builds Intl formatters (ICU data, ~13 MB RSS) at import.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { format } from 'date-fns/format';
import { parse } from 'date-fns/parse';
import { isValid } from 'date-fns/isValid';

const ALGORITHM = 'SDK-HMAC-SHA256';
const SDK_DATE_FORMAT = "yyyyMMdd'T'HHmmss'Z'";

export interface SignableRequest {
  method: string;
  /** Decoded path, e.g. `/v1/abc/leagues/def/job-instances`. */
  path: string;
  /** Query parameters in any order; repeated keys allowed. */
  query: ReadonlyArray<readonly [string, string]>;
  /** Header names in any case; only those listed in `signedHeaders` are signed. */
  headers: Readonly<Record<string, string>>;
  body?: string;
}

export interface Signature {
  authorization: string;
  signature: string;
  signedHeaders: string;
  canonicalRequest: string;
  stringToSign: string;
}

/** RFC 3986 unreserved characters stay; everything else becomes upper-case %XY of its UTF-8 bytes. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function formatSdkDate(date: Date): string {
  return format(new UTCDate(date.getTime()), SDK_DATE_FORMAT);
}

/** Parses `YYYYMMDDTHHMMSSZ` as UTC; `undefined` when malformed. */
export function parseSdkDate(value: string): Date | undefined {
  if (!/^\d{8}T\d{6}Z$/.test(value)) return undefined;
  const parsed = parse(value, SDK_DATE_FORMAT, new UTCDate(0));
  return isValid(parsed) ? new Date(parsed.getTime()) : undefined;
}

export function canonicalUri(path: string): string {
  const encoded = path
    .split('/')
    .map((segment) => percentEncode(segment))
    .join('/');
  // The signature always covers a trailing slash, whether or not the request path has one.
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort((a, b) => byCodeUnit(a[0], b[0]) || byCodeUnit(a[1], b[1]))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function headerLookup(headers: Readonly<Record<string, string>>): Map<string, string> {
  return new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
}

export function canonicalRequest(req: SignableRequest, signedHeaderNames: readonly string[]): string {
  const names = [...new Set(signedHeaderNames.map((n) => n.toLowerCase()))].sort(byCodeUnit);
  const lookup = headerLookup(req.headers);
  const headerLines = names.map((n) => `${n}:${lookup.get(n) ?? ''}\n`).join('');
  const payloadHash = sha256Hex(req.body ?? '');
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query), headerLines, names.join(';'), payloadHash].join('\n');
}

export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

/**
 * Signs `req`. The caller must already have put `X-Sdk-Date` (see {@link formatSdkDate}) and every
 * header named in `signedHeaderNames` into `req.headers`.
 */
export function sign(req: SignableRequest, credentials: { ak: string; sk: string }, signedHeaderNames: readonly string[]): Signature {
  const sdkDate = headerLookup(req.headers).get('x-sdk-date');
  if (!sdkDate) throw new Error('X-Sdk-Date header must be set before signing');
  const names = [...new Set(signedHeaderNames.map((n) => n.toLowerCase()))].sort(byCodeUnit);
  const canonical = canonicalRequest(req, names);
  const toSign = stringToSign(sdkDate, canonical);
  const signature = createHmac('sha256', credentials.sk).update(toSign, 'utf8').digest('hex');
  const signedHeaders = names.join(';');
  return {
    authorization: `${ALGORITHM} Access=${credentials.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    signedHeaders,
    canonicalRequest: canonical,
    stringToSign: toSign,
  };
}

interface ParsedAuthorization {
  access: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`; `undefined` when malformed. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | undefined {
  if (!header?.startsWith(`${ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const access = fields.get('Access');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!access || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  return { access, signedHeaders: signedHeaders.split(';'), signature };
}

type VerifyResult =
  | { ok: true; access: string }
  | { ok: false; reason: 'malformed' | 'unknown_key' | 'missing_date' | 'clock_skew' | 'bad_signature' | 'unsigned_required_header'; access?: string };

interface VerifyOptions {
  /** Secret keys by access key. */
  secrets: ReadonlyMap<string, string>;
  now: Date;
  maxSkewMs?: number;
  /** Headers a request must sign (lower case). */
  requiredSignedHeaders?: readonly string[];
}

/** Server side: recompute the signature from the request's own SignedHeaders and compare in constant time. */
export function verify(req: SignableRequest, options: VerifyOptions): VerifyResult {
  const lookup = headerLookup(req.headers);
  const auth = parseAuthorization(lookup.get('authorization'));
  if (!auth) return { ok: false, reason: 'malformed' };
  const sk = options.secrets.get(auth.access);
  if (sk === undefined) return { ok: false, reason: 'unknown_key', access: auth.access };
  for (const required of options.requiredSignedHeaders ?? ['host', 'x-sdk-date']) {
    if (!auth.signedHeaders.includes(required)) return { ok: false, reason: 'unsigned_required_header', access: auth.access };
  }
  const rawDate = lookup.get('x-sdk-date');
  const date = rawDate ? parseSdkDate(rawDate) : undefined;
  if (!date) return { ok: false, reason: 'missing_date', access: auth.access };
  if (Math.abs(options.now.getTime() - date.getTime()) > (options.maxSkewMs ?? 15 * 60_000)) {
    return { ok: false, reason: 'clock_skew', access: auth.access };
  }
  const expected = sign(req, { ak: auth.access, sk }, auth.signedHeaders).signature;
  const same = timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(auth.signature, 'hex'));
  return same ? { ok: true, access: auth.access } : { ok: false, reason: 'bad_signature', access: auth.access };
}
