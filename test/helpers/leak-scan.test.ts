import { describe, expect, it } from 'vitest';
import { encodingsOf, LeakScanner, type Secret } from './leak-scan.js';

const password: Secret = { kind: 'IAM password', value: 'Pw/9x+&"=%ü ~!secret>?', source: 'test' };
const sk: Secret = { kind: 'SK', value: '5f2b9c0d4e8a7b6c1d3e5f7a9b0c2d4e6f8a1b3c', source: 'test' };

describe('LeakScanner', () => {
  it('finds a secret plain, URL- and form-encoded, JSON-escaped, in hex of either case', () => {
    const scanner = new LeakScanner([password, sk]);
    const found = (text: string) => scanner.scan(text).map((l) => `${l.kind}:${l.encoding}`);
    expect(found(`{"msg":"x","sk":"${sk.value}"}`)).toEqual(['SK:plain']);
    expect(found(`url=https://h/?p=${encodeURIComponent(password.value)}&z=1`)).toContain('IAM password:URL-encoded');
    expect(found(`body: a=1&p=${new URLSearchParams({ p: password.value }).toString().slice(2)}`)).toContain('IAM password:form-encoded');
    expect(found(JSON.stringify({ p: password.value }))).toContain('IAM password:JSON-escaped');
    expect(found(`dump ${Buffer.from(sk.value).toString('hex').toUpperCase()} end`)).toEqual(['SK:hex']);
  });

  it('finds base64 and base64url at every byte alignment, as inside Basic user:secret', () => {
    const scanner = new LeakScanner([password]);
    for (const prefix of ['', 'u:', 'us:', 'use:']) {
      const bytes = Buffer.from(`${prefix}${password.value}!`);
      // Where base64url and base64 spell the same, the needle is reported once, as base64.
      expect(scanner.scan(`Authorization: Basic ${bytes.toString('base64')}`).map((l) => l.encoding), prefix).toEqual(['base64']);
      expect(scanner.scan(`t=${bytes.toString('base64url')}`).map((l) => l.encoding), prefix).toEqual([expect.stringMatching(/^base64/)]);
    }
  });

  it('does not report text without the secret, nor a near miss, and masks what it reports', () => {
    const scanner = new LeakScanner([sk]);
    expect(scanner.scan(`sk=${sk.value.slice(0, -1)}X and ${Buffer.from('unrelated').toString('base64')}`)).toEqual([]);
    const [leak] = scanner.scan(`line one\nsecret ${sk.value} here\nline three`);
    expect(leak?.line).toBe('secret «5f2…» here');
  });

  it('has a distinct needle per encoding of a secret that encodings change', () => {
    const kinds = new Set(encodingsOf(password.value).map((e) => e.encoding));
    expect([...kinds].sort()).toEqual(['JSON-escaped', 'URL-encoded', 'base64', 'base64url', 'form-encoded', 'hex', 'plain']);
  });
});
