import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeIncidentRef, encodeIncidentRef } from '../../src/slack/incident-ref.js';
import { SLACK_LIMITS } from '../../src/slack/limits.js';

const SLOT = '9ab0c1d2e3f4a5b6c7d8e9f0a1b2c3d4:C0ALERTS|q2Vb8kN0xJ4mT7rW1yZ3aA';

/** Slots as the schema accepts them: 1–300 characters with a `|` somewhere. */
const slots = fc
  .tuple(fc.string({ maxLength: 150, unit: 'binary' }), fc.string({ maxLength: 149, unit: 'binary' }))
  .map(([a, b]) => `${a}|${b}`)
  .filter((slot) => slot.length <= 300);
const seqs = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

describe('incident refs', () => {
  it('encodes compactly and decodes back', () => {
    const value = encodeIncidentRef({ slot: SLOT, seq: 3 });
    expect(value).toBe(`{"v":1,"slot":"${SLOT}","seq":3}`);
    expect(decodeIncidentRef(value)).toEqual({ ok: true, ref: { slot: SLOT, seq: 3 } });
  });

  it('round-trips any valid ref within a button value', () => {
    fc.assert(
      fc.property(slots, seqs, (slot, seq) => {
        const value = encodeIncidentRef({ slot, seq });
        expect(value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
        expect(decodeIncidentRef(value)).toEqual({ ok: true, ref: { slot, seq } });
      }),
    );
    // The worst case: 300 control characters, each escaped to six.
    const worst = `|${'\u0001'.repeat(299)}`;
    expect(encodeIncidentRef({ slot: worst, seq: Number.MAX_SAFE_INTEGER }).length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
  });

  it('never throws, and refuses what tics-bot did not write', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json(), fc.constant(undefined)), (value) => {
        const result = decodeIncidentRef(value);
        if (!result.ok) expect(result.reason).toEqual(expect.any(String));
      }),
    );
    const refused = [
      undefined,
      '',
      'not json',
      'null',
      '[]',
      '{"v":1,"slot":"no-bar","seq":1}',
      `{"v":1,"slot":"${SLOT}","seq":0}`,
      `{"v":1,"slot":"${SLOT}","seq":1.5}`,
      `{"v":1,"slot":"${SLOT}","seq":"1"}`,
      `{"v":1,"slot":"|${'x'.repeat(300)}","seq":1}`,
      `{"v":1,"slot":"${SLOT}","seq":1,"extra":true}`,
      `{"slot":"${SLOT}","seq":1}`,
      `{"v":2,"slot":"${SLOT}","seq":1}`,
      'x'.repeat(SLACK_LIMITS.buttonValue + 1),
    ];
    for (const value of refused) expect(decodeIncidentRef(value)).toMatchObject({ ok: false });
    expect(decodeIncidentRef(`{"v":2,"slot":"${SLOT}","seq":1}`)).toEqual({ ok: false, reason: 'the button comes from another version of tics-bot' });
  });
});
