import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  percentEncode,
  sign,
  verify,
  type SignableRequest,
} from '../../src/tics/sign.js';

// Huawei's published API-signing example (tics-api.md).
const AK = 'QTWAOYTTINDUT2QVKYUC';
const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const example: SignableRequest = {
  method: 'GET',
  path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
  query: [
    ['marker', '13551d6b-755d-4757-b956-536f674975c0'],
    ['limit', '2'],
  ],
  headers: { 'Content-Type': 'application/json', Host: 'service.region.example.com', 'X-Sdk-Date': '20191115T033655Z' },
};

describe('SDK-HMAC-SHA256 signer', () => {
  it("reproduces Huawei's published example exactly", () => {
    const result = sign(example, { ak: AK, sk: SK }, ['content-type', 'host', 'x-sdk-date']);
    expect(result.stringToSign.split('\n')).toEqual(['SDK-HMAC-SHA256', '20191115T033655Z', 'b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a']);
    expect(result.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(result.authorization).toBe(
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe`,
    );
  });

  it('lays out the canonical request with the extra newline after the headers and the empty-body hash', () => {
    expect(canonicalRequest(example, ['x-sdk-date', 'host', 'content-type'])).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ].join('\n'),
    );
  });

  it('adds the trailing slash for signing only, and not twice', () => {
    expect(canonicalUri('/v1/p/leagues/l/job-instances')).toBe('/v1/p/leagues/l/job-instances/');
    expect(canonicalUri('/v1/p/')).toBe('/v1/p/');
    expect(canonicalUri('/')).toBe('/');
  });

  it('encodes path segments and query parts as upper-case UTF-8 percent escapes, keeping only unreserved characters', () => {
    expect(percentEncode("a b+c/d?e=f&g*h!i'j(k)l~m_n-o.p")).toBe('a%20b%2Bc%2Fd%3Fe%3Df%26g%2Ah%21i%27j%28k%29l~m_n-o.p');
    expect(percentEncode('联邦')).toBe('%E8%81%94%E9%82%A6');
    expect(canonicalUri('/v1/联邦 学习')).toBe('/v1/%E8%81%94%E9%82%A6%20%E5%AD%A6%E4%B9%A0/');
  });

  it('sorts query parameters by key in code-unit order (then by value) and keeps empty values as k=', () => {
    expect(
      canonicalQuery([
        ['b', '2'],
        ['a', ''],
        ['B', '1'],
        ['a', 'x y'],
      ]),
    ).toBe('B=1&a=&a=x%20y&b=2');
  });

  it('formats and parses X-Sdk-Date in UTC', () => {
    const date = new Date('2019-11-15T03:36:55.789Z');
    expect(formatSdkDate(date)).toBe('20191115T033655Z');
    expect(parseSdkDate('20191115T033655Z')?.toISOString()).toBe('2019-11-15T03:36:55.000Z');
    expect(parseSdkDate('2019-11-15T03:36:55Z')).toBeUndefined();
    expect(parseSdkDate('20191345T033655Z')).toBeUndefined();
  });

  it('parses its own Authorization header and rejects malformed ones', () => {
    const header = sign(example, { ak: AK, sk: SK }, ['host', 'x-sdk-date']).authorization;
    expect(parseAuthorization(header)).toMatchObject({ access: AK, signedHeaders: ['host', 'x-sdk-date'] });
    expect(parseAuthorization('Bearer abc')).toBeUndefined();
    expect(parseAuthorization('SDK-HMAC-SHA256 Access=a, SignedHeaders=host, Signature=nothex')).toBeUndefined();
    expect(parseAuthorization(undefined)).toBeUndefined();
  });
});

describe('verify (the server side)', () => {
  const secrets = new Map([[AK, SK]]);
  const now = new Date('2019-11-15T03:40:00Z');
  const signed = (req: SignableRequest) => ({
    ...req,
    headers: { ...req.headers, Authorization: sign(req, { ak: AK, sk: SK }, ['content-type', 'host', 'x-sdk-date']).authorization },
  });

  it('accepts a correctly signed request', () => {
    expect(verify(signed(example), { secrets, now })).toEqual({ ok: true, access: AK });
  });

  it('rejects a request altered after signing', () => {
    const req = signed(example);
    expect(verify({ ...req, query: [['limit', '3'], req.query[0]!] }, { secrets, now })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verify({ ...req, path: '/v1/other/vpcs' }, { secrets, now })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('rejects clock skew beyond 15 minutes either way, unknown keys and missing required headers', () => {
    const req = signed(example);
    expect(verify(req, { secrets, now: new Date('2019-11-15T03:52:00Z') })).toMatchObject({ ok: false, reason: 'clock_skew' });
    expect(verify(req, { secrets, now: new Date('2019-11-15T03:21:00Z') })).toMatchObject({ ok: false, reason: 'clock_skew' });
    expect(verify(req, { secrets: new Map(), now })).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(verify(req, { secrets, now, requiredSignedHeaders: ['x-project-id'] })).toMatchObject({ ok: false, reason: 'unsigned_required_header' });
  });

  it('round-trips for arbitrary paths, queries and header values (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 5 }),
        fc.string({ maxLength: 20 }),
        (segments, query, projectId) => {
          const req: SignableRequest = {
            method: 'GET',
            path: `/${segments.join('/')}`,
            query,
            headers: { host: 'h.example', 'x-sdk-date': '20191115T033655Z', 'x-project-id': projectId },
          };
          const auth = sign(req, { ak: AK, sk: SK }, ['host', 'x-sdk-date', 'x-project-id']).authorization;
          const withAuth = { ...req, headers: { ...req.headers, authorization: auth } };
          expect(verify(withAuth, { secrets, now })).toEqual({ ok: true, access: AK });
          const tampered = { ...withAuth, headers: { ...withAuth.headers, 'x-project-id': `${projectId}x` } };
          expect(verify(tampered, { secrets, now }).ok).toBe(false);
        },
      ),
    );
  });
});
