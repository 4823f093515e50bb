/**
 * The example messages the README links to are exactly what the views produce: this test fails
 * when they drift. Regenerate with `UPDATE_EXAMPLES=1 npx vitest run test/docs`, which rewrites
 * the files and the README's Block Kit Builder links (`[bkb-<file>]: <url>` definitions).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAlertMessage } from '../../src/slack/views/alert.js';
import { buildHistoryMessage } from '../../src/slack/views/history.js';
import { buildHomeView, type HomeView } from '../../src/slack/views/home.js';
import { buildIncidentParent, buildThreadLine } from '../../src/slack/views/incident.js';
import { assertViewWithinLimits, assertWithinSlackLimits } from '../helpers/block-kit-limits.js';
import { HOUR, historyModel, LEAGUE, MINUTE, mockupInstances, NOW } from '../slack/views/fixtures.js';
import { homeExampleInput } from '../slack/views/home-fixtures.js';
import { failureEvent, incident, resolvedIncident, snooze } from '../slack/views/incident-fixtures.js';

const owned = incident({ notify: ['<@U0OWNER01>', '<!subteam^S0DATAOPS>'] });
const resolved = resolvedIncident({ notify: owned.notify });

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
  'incident-open.json': buildIncidentParent({ incident: owned }, { now: NOW }),
  'incident-failure-line.json': buildThreadLine(owned, { kind: 'event', event: owned.latest, number: 4 }, { now: NOW }),
  'incident-recovery-line.json': buildThreadLine(resolved, { kind: 'recovery', incident: resolved, snoozedCount: 2 }, { now: NOW }),
  'incident-resolved.json': buildIncidentParent({ incident: resolved }, { now: NOW }),
  'incident-snooze-end-line.json': buildThreadLine(
    owned,
    {
      kind: 'snooze-end',
      snooze: snooze({ at: NOW - 8 * HOUR, until: NOW }),
      reason: 'expired',
      at: NOW,
      count: 4,
      last: failureEvent('e85a3c4d96f18a5c3b4e7d0c65f2a1b9', 25 * MINUTE, { status: 'TERMINATED' }),
    },
    { now: NOW },
  ),
  // A Home tab is a view, not a message: no fallback text, 100 blocks, and the builder opens it as one.
  'home.json': buildHomeView(homeExampleInput()),
};

const isView = (example: object): example is HomeView => 'type' in example && example.type === 'home';

/** What Block Kit Builder is given: a message's blocks, or the view with its type. */
function builderPayload(example: { blocks: unknown[] }): Record<string, unknown> {
  return isView(example) ? { type: example.type, blocks: example.blocks } : { blocks: example.blocks };
}

/**
 * Block Kit Builder opens a message from its URL fragment. Parentheses are encoded too: left bare,
 * an unbalanced one would end the Markdown link early. The fragment decodes the same either way.
 */
export function builderUrl(message: { blocks: unknown[] }): string {
  const fragment = encodeURIComponent(JSON.stringify(builderPayload(message))).replace(/[()]/g, (ch) => (ch === '(' ? '%28' : '%29'));
  return `https://app.slack.com/block-kit-builder/#${fragment}`;
}

const BUILDER = 'https://app.slack.com/block-kit-builder/#';
const README = fileURLToPath(new URL('../../README.md', import.meta.url));
/** `[bkb-alert.json]: https://app.slack.com/block-kit-builder/#…` (a Markdown link definition). */
const definition = (file: string) => new RegExp(`^\\[bkb-${file.replace(/\./g, '\\.')}\\]: (\\S+)$`, 'm');

describe('README example messages', () => {
  for (const [file, message] of Object.entries(examples)) {
    it(`docs/examples/${file} is what the view builds today`, () => {
      if (isView(message)) assertViewWithinLimits(message, 'home');
      else assertWithinSlackLimits(message);
      const path = fileURLToPath(new URL(`../../docs/examples/${file}`, import.meta.url));
      const rendered = `${JSON.stringify(message, null, 2)}\n`;
      if (process.env.UPDATE_EXAMPLES) writeFileSync(path, rendered);
      expect(readFileSync(path, 'utf8')).toBe(rendered);
    });

    it(`the README links ${file} to Block Kit Builder with the same blocks`, () => {
      if (process.env.UPDATE_EXAMPLES) {
        const readme = readFileSync(README, 'utf8');
        writeFileSync(README, readme.replace(definition(file), () => `[bkb-${file}]: ${builderUrl(message)}`));
      }
      const readme = readFileSync(README, 'utf8');
      expect(readme).toContain(`[open in Block Kit Builder][bkb-${file}]`);
      const url = definition(file).exec(readme)?.[1];
      expect(url, `README has no [bkb-${file}]: definition`).toBeDefined();
      expect(url!.startsWith(BUILDER)).toBe(true);
      expect(url).not.toMatch(/[()\s<>]/);
      expect(JSON.parse(decodeURIComponent(url!.slice(BUILDER.length)))).toEqual(builderPayload(message));
    });
  }
});
