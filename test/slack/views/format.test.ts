import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KNOWN_INSTANCE_TYPES, KNOWN_STATUSES } from '../../../src/tics/schema.js';
import { describeTiming, formatDurationMs, typeLabel } from '../../../src/format/instance.js';
import { statusEmoji, statusLabel, statusShortcode } from '../../../src/format/status.js';
import { ELLIPSIS, escapeAndTruncate, escapeMrkdwn, prettyJson, slackDate, truncate } from '../../../src/slack/views/format.js';
import { DAY, HOUR, MINUTE, NOW } from './fixtures.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
// Characters that make truncation interesting: entities, astral emoji, combining marks, CJK, spaces.
const tricky = fc.string({
  unit: fc.constantFrom('&', '<', '>', 'a', ' ', '😀', '👩‍👩‍👧', 'e\u0301', '中', '🇨🇳', ';'),
  maxLength: 60,
});
const anyText = fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

describe('escapeMrkdwn', () => {
  it('escapes the three characters Slack parses, and nothing else', () => {
    expect(escapeMrkdwn('a & <b> *c* `d`')).toBe('a &amp; &lt;b&gt; *c* `d`');
  });
  it('neutralises mentions and links', () => {
    expect(escapeMrkdwn('<!channel> <https://evil|click>')).not.toMatch(/[<>]/);
  });
});

describe('truncate', () => {
  it('leaves text that fits untouched', () => {
    expect(truncate('hello', 5)).toBe('hello');
  });
  it('cuts with an ellipsis inside the limit', () => {
    expect(truncate('hello world', 8)).toBe('hello w…');
  });
  it('does not leave a space before the ellipsis', () => {
    expect(truncate('hello world', 7)).toBe('hello…');
  });
  it('never splits a surrogate pair', () => {
    // 😀 is two UTF-16 units: a third one would overflow the 4-unit budget minus the ellipsis.
    expect(truncate('😀😀😀', 4)).toBe('😀…');
  });
  it('keeps emoji ZWJ sequences whole', () => {
    const family = '👩‍👩‍👧';
    expect(truncate(`${family}${family}`, family.length + 1)).toBe(`${family}…`);
  });
  it('handles tiny limits', () => {
    expect(truncate('hello', 0)).toBe('');
    expect(truncate('hello', 1)).toBe(ELLIPSIS);
  });

  it('property: never exceeds max, is a prefix of the input, and never splits a surrogate pair', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 70 }), (text, max) => {
        const out = truncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        if (out === text) return;
        const kept = out.endsWith(ELLIPSIS) ? out.slice(0, -1) : out;
        expect(text.startsWith(kept)).toBe(true);
        expect(LONE_SURROGATE.test(kept)).toBe(false);
      }),
    );
  });
});

describe('escapeAndTruncate', () => {
  it('fits the escaped text, not the raw text', () => {
    // 4 × "&amp;" = 20 > 12, so two entities and the ellipsis (11) are all that fit.
    expect(escapeAndTruncate('&&&&', 12)).toBe('&amp;&amp;…');
  });
  it('returns the escaped text unchanged when it fits', () => {
    expect(escapeAndTruncate('<a&b>', 15)).toBe('&lt;a&amp;b&gt;');
    expect(escapeAndTruncate('<a&b>', 14)).toBe('&lt;a&amp;b…');
  });
  it('never leaves half an entity', () => {
    expect(escapeAndTruncate('a<b', 6)).toBe('a&lt;b');
    expect(escapeAndTruncate('a<b', 5)).toBe('a…');
  });

  it('property: ≤ max, whole entities only, a prefix of the escaped input, no split surrogates', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 90 }), (text, max) => {
        const out = escapeAndTruncate(text, max);
        expect(out.length).toBeLessThanOrEqual(max);
        const kept = out.endsWith(ELLIPSIS) && out !== escapeMrkdwn(text) ? out.slice(0, -1) : out;
        // every & starts a complete entity (the input's own & were escaped too)
        expect(kept.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
        expect(text.startsWith(unescape(kept))).toBe(true);
        expect(LONE_SURROGATE.test(kept)).toBe(false);
      }),
    );
  });
});

describe('slackDate', () => {
  const at = Date.UTC(2022, 9, 28, 3, 34, 28);
  it('renders a date token with a UTC fallback', () => {
    expect(slackDate(at)).toBe('<!date^1666928068^{date_short_pretty} {time}|2022-10-28 03:34 UTC>');
  });
  it('accepts another token format', () => {
    expect(slackDate(at, '{date_long} {time_secs}')).toBe('<!date^1666928068^{date_long} {time_secs}|2022-10-28 03:34 UTC>');
  });
  it('floors milliseconds to whole seconds', () => {
    expect(slackDate(at + 999)).toContain('^1666928068^');
  });
  it('does not produce a broken token for a bad number', () => {
    expect(slackDate(Number.NaN)).not.toContain('<!date');
  });

  describe('in a server far from UTC', () => {
    let previous: string | undefined;
    beforeEach(() => {
      previous = process.env.TZ;
      process.env.TZ = 'Asia/Shanghai';
    });
    afterEach(() => {
      if (previous === undefined) delete process.env.TZ;
      else process.env.TZ = previous;
    });
    it('keeps the fallback in UTC', () => {
      expect(new Date(at).getHours()).toBe(11); // the zone change really took effect
      expect(slackDate(at)).toContain('|2022-10-28 03:34 UTC>');
    });
  });
});

describe('status and type wording', () => {
  it('gives the outcomes distinct emoji', () => {
    const outcomes = ['SUCCEEDED', 'FAILED', 'TERMINATED', 'RUNNING'].map(statusShortcode);
    expect(new Set(outcomes).size).toBe(4);
    expect(statusShortcode('SUCCEEDED')).toBe(':white_check_mark:');
    expect(statusShortcode('FAILED')).toBe(':x:');
    expect(statusShortcode('TERMINATED')).toBe(':octagonal_sign:');
  });
  it('groups the waiting statuses under one emoji', () => {
    expect(new Set(['SUBMITING', 'ACCEPTED', 'DEPLOYING', 'PENDING'].map(statusShortcode))).toEqual(new Set([':hourglass_flowing_sand:']));
    expect(new Set(['SUBMITING', 'ACCEPTED', 'DEPLOYING', 'PENDING'].map(statusEmoji))).toEqual(new Set(['⏳']));
  });
  it('marks unknown statuses neutrally and known ones never so', () => {
    expect(statusShortcode('EXPLODED')).toBe(':grey_question:');
    expect(statusEmoji('EXPLODED')).toBe('❔');
    for (const status of KNOWN_STATUSES) {
      expect(statusShortcode(status)).not.toBe(':grey_question:');
      expect(statusEmoji(status)).not.toBe('❔');
    }
  });
  it('names the same emoji in both columns, so a notification matches the channel', () => {
    const sameEmoji: Record<string, string> = {
      ':white_check_mark:': '✅',
      ':x:': '❌',
      ':octagonal_sign:': '🛑',
      ':double_vertical_bar:': '⏸️',
      ':large_blue_circle:': '🔵',
      ':new:': '🆕',
      ':hourglass_flowing_sand:': '⏳',
      ':grey_question:': '❔',
    };
    for (const status of [...KNOWN_STATUSES, 'EXPLODED']) expect(statusEmoji(status)).toBe(sameEmoji[statusShortcode(status)]);
  });
  it('reads only its own entries, not what every object inherits', () => {
    expect(statusLabel('constructor')).toBe('constructor');
    expect(statusShortcode('toString')).toBe(':grey_question:');
  });
  it('labels statuses, fixing the TICS spelling and passing unknown ones through', () => {
    expect(statusLabel('SUBMITING')).toBe('Submitting');
    expect(statusLabel('FAILED')).toBe('Failed');
    expect(statusLabel('EXPLODED')).toBe('EXPLODED');
    for (const status of KNOWN_STATUSES) expect(statusLabel(status)).not.toBe(status);
  });
  it('labels every known type and passes unknown ones through', () => {
    expect(KNOWN_INSTANCE_TYPES.map(typeLabel)).toEqual([
      'Horizontal FL',
      'Federated SQL',
      'Vertical FL evaluation',
      'Feature selection',
      'ID truncation',
      'Vertical FL prediction',
      'Sample alignment',
      'Vertical FL training',
    ]);
    expect(typeLabel('QUANTUM_FL')).toBe('QUANTUM_FL');
  });
});

describe('formatDurationMs', () => {
  it.each([
    [0, '0 seconds'],
    [999, '0 seconds'],
    [7_000, '7 seconds'],
    [59_999, '59 seconds'],
    [MINUTE, '1 minute'],
    [3 * MINUTE + 40_000, '3 minutes'],
    [HOUR + 5 * MINUTE + 30_000, '1 hour 5 minutes'],
    [3 * HOUR + 30_000, '3 hours'],
    [26 * HOUR, '1 day 2 hours'],
    [2 * DAY + 5 * MINUTE, '2 days'],
    [-5_000, '0 seconds'],
  ])('%d ms → %s', (ms, expected) => {
    expect(formatDurationMs(ms)).toBe(expected);
  });
});

describe('describeTiming', () => {
  const start = NOW - 3 * MINUTE - 10_000;
  it.each([
    [{ status: 'SUCCEEDED', startTime: start, endTime: start + 7_000 }, 'took 7 seconds'],
    [{ status: 'FAILED', startTime: start, endTime: start + 2 * HOUR }, 'failed after 2 hours'],
    [{ status: 'TERMINATED', startTime: start, endTime: start + 90_000 }, 'stopped after 1 minute'],
    [{ status: 'WEIRD', startTime: start, endTime: start + 7_000 }, 'ran 7 seconds'],
    [{ status: 'RUNNING', startTime: start }, 'running for 3 minutes'],
    [{ status: 'DEPLOYING', startTime: start }, 'in progress for 3 minutes'],
    [{ status: 'FAILED', startTime: start }, 'end time unknown'],
    [{ status: 'PENDING' }, 'not started'],
    [{ status: 'RUNNING', startTime: NOW + 5_000 }, 'running for 0 seconds'],
  ])('%o → %s', (instance, expected) => {
    expect(describeTiming(instance, NOW)).toBe(expected);
  });
});

describe('prettyJson', () => {
  it('indents objects and arrays', () => {
    expect(prettyJson('{"a":1,"b":[true,{"c":null}],"d":{}}')).toBe(
      '{\n  "a": 1,\n  "b": [\n    true,\n    {\n      "c": null\n    }\n  ],\n  "d": {}\n}',
    );
  });
  it('keeps large integers exactly as sent', () => {
    expect(prettyJson('{"id":12345678901234567890}')).toContain('12345678901234567890');
  });
  it('keeps punctuation and escapes inside strings', () => {
    const text = '{"s":"a, {b}: [c] \\"q\\" \\\\"}';
    expect(JSON.parse(prettyJson(text))).toEqual(JSON.parse(text));
    expect(prettyJson(text)).toContain('"a, {b}: [c] \\"q\\" \\\\"');
  });
  it.each(['1', '"just a string"', 'not json', '{broken', '', 'null'])('leaves %j unchanged', (text) => {
    expect(prettyJson(text)).toBe(text);
  });
  it('property: matches JSON.stringify(…, null, 2) for any JSON object or array', () => {
    fc.assert(
      fc.property(fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.array(fc.jsonValue())), (value) => {
        const compact = JSON.stringify(value);
        expect(prettyJson(compact)).toBe(JSON.stringify(JSON.parse(compact), null, 2));
        expect(prettyJson(JSON.stringify(value, null, 4))).toBe(JSON.stringify(JSON.parse(compact), null, 2));
      }),
    );
  });
});
