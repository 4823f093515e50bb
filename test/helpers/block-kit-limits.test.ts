import { describe, expect, it } from 'vitest';
import { assertWithinSlackLimits, blockTextLength } from './block-kit-limits.js';

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const plain = (text: string) => ({ type: 'plain_text', text });
const section = (text: string) => ({ type: 'section', text: mrkdwn(text) });
const button = (over: Record<string, unknown> = {}) => ({ type: 'button', action_id: 'a', text: plain('Go'), value: 'v', ...over });

/** A message touching every block kind the views use, each at its limit: it must pass. */
function atTheLimits(): { text: string; blocks: unknown[] } {
  return {
    text: 'fallback',
    blocks: [
      { type: 'header', text: plain('h'.repeat(150)) },
      { type: 'context', elements: Array.from({ length: 10 }, (_, i) => mrkdwn(`c${i}`)) },
      { type: 'section', text: mrkdwn('s'.repeat(3000)), accessory: button({ value: 'v'.repeat(2000), url: 'u'.repeat(3000) }) },
      { type: 'section', fields: Array.from({ length: 10 }, () => mrkdwn('f'.repeat(200))) },
      { type: 'divider', block_id: 'b'.repeat(255) },
      {
        type: 'actions',
        block_id: 'paging',
        elements: Array.from({ length: 25 }, (_, i) => button({ action_id: `${i}`.padEnd(255, 'x'), text: plain('t'.repeat(75)) })),
      },
    ],
  };
}

function withBlock(block: unknown): { text: string; blocks: unknown[] } {
  const message = atTheLimits();
  message.blocks.splice(3, 0, block);
  return message;
}

describe('assertWithinSlackLimits', () => {
  it('accepts a message with every limit reached but none exceeded', () => {
    expect(() => assertWithinSlackLimits(atTheLimits())).not.toThrow();
  });

  it('counts the text of every text object', () => {
    expect(blockTextLength({ blocks: [section('abc'), { type: 'context', elements: [mrkdwn('de')] }, { type: 'actions', elements: [button()] }] })).toBe(3 + 2 + 2);
  });

  const violations: Array<[string, { text?: string; blocks?: unknown[] }, RegExp]> = [
    ['missing fallback text', { blocks: [section('x')] }, /^text: the top-level fallback text/m],
    ['blank fallback text', { text: '  ', blocks: [section('x')] }, /^text: /m],
    ['51 blocks', { text: 't', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, /^blocks: 51 > 50$/m],
    ['section text over 3000', withBlock(section('x'.repeat(3001))), /^blocks\[3\]\.text\.text: 3001 > 3000$/m],
    ['empty section text', withBlock(section('')), /^blocks\[3\]\.text\.text: must not be empty$/m],
    ['section without text or fields', withBlock({ type: 'section' }), /^blocks\[3\]: a section needs text or fields$/m],
    ['11 fields', withBlock({ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }), /^blocks\[3\]\.fields: 11 > 10$/m],
    ['a field over 2000', withBlock({ type: 'section', fields: [mrkdwn('f'), mrkdwn('f'.repeat(2001))] }), /^blocks\[3\]\.fields\[1\]\.text: 2001 > 2000$/m],
    ['header over 150', withBlock({ type: 'header', text: plain('h'.repeat(151)) }), /^blocks\[3\]\.text\.text: 151 > 150$/m],
    ['mrkdwn header', withBlock({ type: 'header', text: mrkdwn('h') }), /^blocks\[3\]\.text\.type: must be plain_text, got mrkdwn$/m],
    ['button text over 75', withBlock({ ...section('s'), accessory: button({ text: plain('t'.repeat(76)) }) }), /^blocks\[3\]\.accessory\.text\.text: 76 > 75$/m],
    ['mrkdwn button text', withBlock({ ...section('s'), accessory: button({ text: mrkdwn('t') }) }), /^blocks\[3\]\.accessory\.text\.type: must be plain_text/m],
    ['button value over 2000', withBlock({ ...section('s'), accessory: button({ value: 'v'.repeat(2101) }) }), /^blocks\[3\]\.accessory\.value: 2101 > 2000$/m],
    ['button url over 3000', withBlock({ ...section('s'), accessory: button({ url: 'u'.repeat(3001) }) }), /^blocks\[3\]\.accessory\.url: 3001 > 3000$/m],
    ['bad button style', withBlock({ ...section('s'), accessory: button({ style: 'green' }) }), /^blocks\[3\]\.accessory\.style/m],
    ['action_id over 255', withBlock({ ...section('s'), accessory: button({ action_id: 'a'.repeat(256) }) }), /^blocks\[3\]\.accessory\.action_id: 256 > 255$/m],
    ['block_id over 255', withBlock({ type: 'divider', block_id: 'b'.repeat(256) }), /^blocks\[3\]\.block_id: 256 > 255$/m],
    ['duplicate block_id', withBlock({ type: 'divider', block_id: 'paging' }), /^blocks\[6\]\.block_id: duplicate "paging"$/m],
    ['duplicate action_id in a block', withBlock({ type: 'actions', elements: [button({ action_id: 'x' }), button({ action_id: 'x' })] }), /^blocks\[3\]\.elements\[1\]\.action_id: duplicate "x" in this block$/m],
    ['26 actions', withBlock({ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button({ action_id: `a${i}` })) }), /^blocks\[3\]\.elements: 26 > 25$/m],
    ['empty actions', withBlock({ type: 'actions', elements: [] }), /^blocks\[3\]\.elements: needs 1 to 25/m],
    ['11 context elements', withBlock({ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }), /^blocks\[3\]\.elements: 11 > 10$/m],
    ['invalid text type', withBlock({ type: 'section', text: { type: 'markdown', text: 'x' } }), /^blocks\[3\]\.text\.type: invalid text type "markdown"$/m],
    ['emoji on mrkdwn', withBlock({ type: 'section', text: { type: 'mrkdwn', text: 'x', emoji: true } }), /^blocks\[3\]\.text\.emoji/m],
    ['unknown block type', withBlock({ type: 'sektion', text: mrkdwn('x') }), /^blocks\[3\]\.type: "sektion"/m],
    ['total block text over 12000', { text: 't', blocks: Array.from({ length: 5 }, () => section('x'.repeat(2500))) }, /^blocks \(total text\): 12500 > 12000$/m],
  ];

  it.each(violations)('rejects %s with a precise path', (_name, message, expected) => {
    expect(() => assertWithinSlackLimits(message)).toThrow(expected);
  });

  it('reports every violation, not only the first', () => {
    const message = { blocks: [section('x'.repeat(3001)), { type: 'header', text: plain('h'.repeat(151)) }] };
    expect(() => assertWithinSlackLimits(message)).toThrow(/text: the top-level[\s\S]*blocks\[0\]\.text\.text: 3001[\s\S]*blocks\[1\]\.text\.text: 151/);
  });
});
