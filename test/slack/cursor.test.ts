import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CURSOR_VERSION,
  MAX_BACK,
  MAX_BUTTON_VALUE,
  decodeCursor,
  decodeDetailsRef,
  encodeCursor,
  encodeDetailsRef,
  type HistoryCursor,
} from '../../src/slack/cursor.js';

const alnum = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'abcXYZ0189'.split('')), minLength: min, maxLength: max });
const validCursor: fc.Arbitrary<HistoryCursor> = fc.record(
  {
    v: fc.constant(1 as const),
    league: fc.oneof(alnum(1, 32), fc.tuple(alnum(1, 1), fc.string({ unit: fc.constantFrom('a', 'Z', '7', '-', '_'), maxLength: 63 })).map(([a, b]) => a + b)),
    jobId: alnum(1, 32),
    statuses: fc.array(fc.string({ unit: fc.constantFrom('A', 'Z', '_'), minLength: 1, maxLength: 32 }), { maxLength: 10 }),
    limit: fc.integer({ min: 1, max: 100 }),
    offset: fc.integer({ min: 0, max: 2_147_483_647 }),
    back: fc.array(fc.integer({ min: 0, max: 2_147_483_647 }), { maxLength: MAX_BACK }),
  },
  { requiredKeys: ['v', 'league', 'limit', 'offset'] },
);

const base: HistoryCursor = { v: 1, league: 'fl-demo', limit: 10, offset: 20 };

describe('encodeCursor / decodeCursor', () => {
  it('round-trips a full cursor as compact JSON', () => {
    const cursor: HistoryCursor = { ...base, jobId: 'abc123', statuses: ['FAILED', 'TERMINATED'], back: [0, 7] };
    const encoded = encodeCursor(cursor);
    expect(encoded).not.toMatch(/\s/);
    expect(decodeCursor(encoded)).toEqual({ ok: true, cursor });
  });

  it('property: any valid cursor round-trips and fits a button value', () => {
    fc.assert(
      fc.property(validCursor, (cursor) => {
        const encoded = encodeCursor(cursor);
        expect(encoded.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
        expect(decodeCursor(encoded)).toEqual({ ok: true, cursor });
      }),
    );
  });

  it('keeps only the most recent back offsets', () => {
    const back = Array.from({ length: MAX_BACK + 20 }, (_, i) => i * 10);
    const decoded = decodeCursor(encodeCursor({ ...base, back }));
    expect(decoded.ok && decoded.cursor.back).toEqual(back.slice(-MAX_BACK));
  });

  it('drops the oldest back offsets when the value would not fit a button', () => {
    // Not a valid league, but it makes the value long enough to force the trimming.
    const back = Array.from({ length: MAX_BACK }, (_, i) => 1_000_000_000 + i);
    const encoded = encodeCursor({ ...base, league: 'x'.repeat(1700), back });
    expect(encoded.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
    const kept = (JSON.parse(encoded) as HistoryCursor).back ?? [];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(MAX_BACK);
    expect(kept).toEqual(back.slice(-kept.length));
  });

  it('does not mutate the cursor it encodes', () => {
    const back = Array.from({ length: MAX_BACK + 5 }, (_, i) => i);
    const cursor = { ...base, back: [...back] };
    encodeCursor(cursor);
    expect(cursor.back).toEqual(back);
  });

  it.each<[string, string | undefined, RegExp]>([
    ['a missing value', undefined, /no state/],
    ['an empty value', '', /no state/],
    ['non-JSON', 'page=2', /not something tics-bot wrote/],
    ['an older version', JSON.stringify({ ...base, v: 0 }), /another version/],
    ['a future version', JSON.stringify({ ...base, v: CURSOR_VERSION + 1 }), /another version/],
    ['a limit over 100', JSON.stringify({ ...base, limit: 500 }), /damaged.*limit/],
    ['a zero limit', JSON.stringify({ ...base, limit: 0 }), /damaged.*limit/],
    ['a negative offset', JSON.stringify({ ...base, offset: -10 }), /damaged.*offset/],
    ['a fractional offset', JSON.stringify({ ...base, offset: 1.5 }), /damaged.*offset/],
    ['a league with spaces', JSON.stringify({ ...base, league: 'fl demo' }), /damaged.*league/],
    ['a league alias over 64', JSON.stringify({ ...base, league: 'a'.repeat(65) }), /damaged.*league/],
    ['a job id over 32', JSON.stringify({ ...base, jobId: 'a'.repeat(33) }), /damaged.*jobId/],
    ['a job id with punctuation', JSON.stringify({ ...base, jobId: 'ab-c' }), /damaged.*jobId/],
    ['a lower-case status', JSON.stringify({ ...base, statuses: ['failed'] }), /damaged.*statuses/],
    ['eleven statuses', JSON.stringify({ ...base, statuses: Array.from({ length: 11 }, () => 'FAILED') }), /damaged.*statuses/],
    ['too many back offsets', JSON.stringify({ ...base, back: Array.from({ length: MAX_BACK + 1 }, () => 0) }), /damaged.*back/],
    ['an unknown key', JSON.stringify({ ...base, admin: true }), /damaged/],
    ['an array', '[1,2,3]', /damaged/],
    ['null', 'null', /damaged/],
    ['an over-long value', JSON.stringify({ ...base, pad: 'x'.repeat(3000) }), /too long/],
  ])('rejects %s with a human reason', (_name, value, reason) => {
    const result = decodeCursor(value);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('property: never throws on arbitrary strings or JSON', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), validCursor.map((c) => encodeCursor(c).slice(0, -1))), (value) => {
        const result = decodeCursor(value);
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('property: a valid cursor with one field tampered is rejected, not half-accepted', () => {
    fc.assert(
      fc.property(
        validCursor,
        fc.constantFrom<[string, unknown]>(['limit', 101], ['offset', -1], ['league', '../x'], ['v', 2], ['statuses', 'FAILED']),
        (cursor, [key, bad]) => {
          expect(decodeCursor(JSON.stringify({ ...cursor, [key]: bad })).ok).toBe(false);
        },
      ),
    );
  });
});

describe('encodeDetailsRef / decodeDetailsRef', () => {
  it('round-trips', () => {
    const ref = { v: 1 as const, league: 'fl-demo', instanceId: 'f9533bfefca7467e88feca4f592c3b04', jobId: 'job1' };
    const encoded = encodeDetailsRef(ref);
    expect(encoded).toBeDefined();
    expect(decodeDetailsRef(encoded)).toEqual({ ok: true, value: ref });
  });

  it('refuses to encode a ref that could not be decoded', () => {
    expect(encodeDetailsRef({ v: 1, league: 'fl-demo', instanceId: '' })).toBeUndefined();
    expect(encodeDetailsRef({ v: 1, league: 'fl-demo', instanceId: 'a b' })).toBeUndefined();
  });

  it.each([
    ['non-JSON', 'x'],
    ['a history cursor', JSON.stringify(base)],
    ['an older version', JSON.stringify({ v: 0, league: 'l', instanceId: 'i' })],
    ['a tampered id', JSON.stringify({ v: 1, league: 'l', instanceId: '<script>' })],
  ])('rejects %s', (_name, value) => {
    expect(decodeDetailsRef(value).ok).toBe(false);
  });

  it('property: never throws', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.json()), (value) => void decodeDetailsRef(value)));
  });
});
