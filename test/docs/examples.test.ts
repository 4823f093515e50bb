/**
 * The example messages the README links to are exactly what the views produce: this test fails
 * when they drift. Regenerate with `UPDATE_EXAMPLES=1 npx vitest run test/docs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAlertMessage } from '../../src/slack/views/alert.js';
import { buildHistoryMessage } from '../../src/slack/views/history.js';
import { assertWithinSlackLimits } from '../helpers/block-kit-limits.js';
import { historyModel, LEAGUE, mockupInstances, NOW } from '../slack/views/fixtures.js';

const examples = {
  'history.json': buildHistoryMessage(historyModel()),
  'alert.json': buildAlertMessage(
    {
      key: `${LEAGUE.id}:C0123ABCD|c63e1a2b74d96e3a1f2c5b8a43d0e9f7:FAILED:1`,
      subscriptionId: `${LEAGUE.id}:C0123ABCD`,
      channelId: 'C0123ABCD',
      league: LEAGUE,
      instance: { ...mockupInstances()[2]!, resultExt: '{"error":"partner bank-b disconnected","stage":"aggregation"}' },
      from: 'RUNNING',
      to: 'FAILED',
      observedAt: NOW,
    },
    { now: NOW },
  ),
};

/** Block Kit Builder opens a message from its URL fragment. */
export function builderUrl(message: { blocks: unknown[] }): string {
  return `https://app.slack.com/block-kit-builder/#${encodeURIComponent(JSON.stringify({ blocks: message.blocks }))}`;
}

describe('README example messages', () => {
  for (const [file, message] of Object.entries(examples)) {
    it(`docs/examples/${file} is what the view builds today`, () => {
      assertWithinSlackLimits(message);
      const path = fileURLToPath(new URL(`../../docs/examples/${file}`, import.meta.url));
      const rendered = `${JSON.stringify(message, null, 2)}\n`;
      if (process.env.UPDATE_EXAMPLES) writeFileSync(path, rendered);
      expect(readFileSync(path, 'utf8')).toBe(rendered);
    });
  }
});
