/**
 * The layering rules in eslint.config.js, run through ESLint's own API: each forbidden import must
 * be reported with its layer's message, each allowed one must pass, and the tree must obey them. A
 * config edit that silently disables a rule (a typo in `files:`, a later block overriding it, a
 * regex that matches nothing) fails here instead of letting the dependency creep back.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const LAYERING_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // Only the layering rules, and without type information: imports need no types, and building
    // the TypeScript program for every snippet would take seconds each.
    ruleFilter: ({ ruleId }) => LAYERING_RULES.has(ruleId),
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
  });
});

/** Layering messages ESLint reports for `code` as if it were the file at `filePath`. */
async function layeringMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return (result?.messages ?? []).filter((m) => m.ruleId !== null && LAYERING_RULES.has(m.ruleId)).map((m) => m.message);
}

const TICS = 'src/tics is the TICS client';
const WATCH = 'src/watch must not know Slack';
const VIEWS = 'Slack views are pure';

describe('layering rules', () => {
  it.each([
    ['src/tics/probe.ts', "import { buildAlertMessage } from '../slack/views/alert.js';", TICS],
    ['src/tics/probe.ts', "import { deliverDue } from '../watch/deliver.js';", TICS],
    ['src/tics/probe.ts', "import type { AlertItem } from '../watch/types.js';", TICS],
    ['src/tics/probe.ts', "import { App } from '@slack/bolt';", TICS],
    ['src/watch/probe.ts', "import { buildDigestMessage } from '../slack/views/alert.js';", WATCH],
    ['src/watch/probe.ts', "import { SLASH_COMMAND } from '../slack/command-name.js';", WATCH],
    ['src/watch/probe.ts', "import type { types } from '@slack/bolt';", WATCH],
    ['src/slack/views/probe.ts', "import { readFileSync } from 'node:fs';", VIEWS],
    ['src/slack/views/probe.ts', "import { request } from 'undici';", VIEWS],
    ['src/slack/views/probe.ts', "import Keyv from 'keyv';", VIEWS],
    ['src/slack/views/probe.ts', "import { createStore } from '../../store.js';", VIEWS],
    ['src/slack/views/probe.ts', "import { createTicsClient } from '../../tics/client.js';", VIEWS],
    ['src/slack/views/probe.ts', "import { Outbox } from '../../watch/outbox.js';", VIEWS],
    ['src/slack/views/probe.ts', "import { safeRespond } from '../respond.js';", VIEWS],
    ['src/slack/views/probe.ts', "import { App } from '@slack/bolt';", VIEWS],
    ['src/slack/views/probe.ts', "export { createStore } from '../../store.js';", VIEWS],
    ['src/slack/views/probe.ts', "export const load = () => import('../../store.js');", VIEWS],
  ])('%s: refuses %s', async (filePath, code, message) => {
    const messages = await layeringMessages(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(message);
  });

  it.each([
    ['src/tics/probe.ts', "import { isTerminalStatus } from './schema.js';"],
    ['src/watch/probe.ts', "import { isTerminalStatus } from '../tics/schema.js';"],
    ['src/slack/views/probe.ts', "import { z } from 'zod';"],
    ['src/slack/views/probe.ts', "import { format } from 'date-fns';"],
    ['src/slack/views/probe.ts', "import { UTCDate } from '@date-fns/utc';"],
    ['src/slack/views/probe.ts', "import { truncate } from './format.js';"],
    ['src/slack/views/probe.ts', "import { encodeCursor } from '../cursor.js';"],
    ['src/slack/views/probe.ts', "import { SLACK_LIMITS } from '../limits.js';"],
    ['src/slack/views/probe.ts', "import { statusLabel } from '../../format/status.js';"],
    ['src/slack/views/probe.ts', "import { isTerminalStatus } from '../../tics/schema.js';"],
    // Type-only imports are erased: they load nothing at run time.
    ['src/slack/views/probe.ts', "import type { types } from '@slack/bolt';"],
    ['src/slack/views/probe.ts', "import type { WatchListRow } from '../../watch/service.js';"],
  ])('%s: allows %s', async (filePath, code) => {
    expect(await layeringMessages(filePath, code)).toEqual([]);
  });

  it('holds for the tree as it is', async () => {
    const results = await eslint.lintFiles(['src/tics', 'src/watch', 'src/slack/views']);
    const broken = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.message}`));
    expect(results.length).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });
});
