/**
 * manifest.yml against Slack's manifest limits and against what the code really registers: the
 * slash commands and buttons the running bot wires up, the subcommands `/tics` parses, the Web API
 * methods it calls (and so the scopes it needs), and the endpoint HTTP mode serves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { startBot, type BotHandle } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { COMMANDS, SLASH_COMMAND } from '../../src/slack/commands/parse.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack-api.js';
import { postToApp, slashCommandBody } from '../helpers/slack-requests.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MANIFEST_TEXT = readFileSync(join(ROOT, 'manifest.yml'), 'utf8');

/** Listener kinds whose registration the manifest must match. */
const LISTENER_KINDS = ['command', 'action', 'shortcut', 'event', 'message', 'options'] as const;
type Kind = (typeof LISTENER_KINDS)[number];

/** Decided in manifest.yml's comments: the slash command, alerts, alerts to uninvited public channels. */
const ALLOWED_BOT_SCOPES = ['commands', 'chat:write', 'chat:write.public'];

// Limits from Slack's manifest reference (mirrored in @slack/web-api's manifest.d.ts). Strict
// objects so a misspelt key (`shouldEscape`, `socket_mode`) fails here instead of being silently
// ignored by Slack.
const httpsUrl = z.url({ protocol: /^https$/ });
const slashCommandSchema = z.strictObject({
  command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
  url: httpsUrl.optional(),
  // Slack allows 2000, but the command picker shows one short line.
  description: z.string().min(1).max(100),
  usage_hint: z.string().min(1).max(1000),
  should_escape: z.boolean(),
});
const manifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.number().int(), minor_version: z.number().int().nonnegative() }),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140),
    long_description: z.string().min(175).max(4000).optional(),
    background_color: z
      .string()
      .regex(/^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i)
      .optional(),
  }),
  features: z.strictObject({
    bot_user: z.strictObject({ display_name: z.string().regex(/^[a-z0-9._-]{1,80}$/), always_online: z.boolean().optional() }),
    slash_commands: z.array(slashCommandSchema).min(1).max(50),
    shortcuts: z.array(z.strictObject({ name: z.string(), type: z.string(), callback_id: z.string(), description: z.string() })).optional(),
    app_home: z.record(z.string(), z.boolean()).optional(),
  }),
  oauth_config: z.strictObject({ scopes: z.strictObject({ bot: z.array(z.string()).min(1) }) }),
  settings: z.strictObject({
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpsUrl.optional(), message_menu_options_url: httpsUrl.optional() }),
    event_subscriptions: z.strictObject({ request_url: httpsUrl.optional(), bot_events: z.array(z.string()).optional() }).optional(),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});
type Manifest = z.infer<typeof manifestSchema>;

function parseManifest(text: string): Manifest {
  return manifestSchema.parse(parse(text));
}

/** The manifest as the comments say to edit it for HTTP mode: request URLs uncommented, Socket Mode off. */
function httpModeVariant(text: string): string {
  const uncommented = text.replace(/^(\s*)#\s*(url|request_url|message_menu_options_url):\s*/gm, '$1$2: ');
  expect(uncommented, 'the HTTP-mode request URLs should sit commented out in manifest.yml').not.toBe(text);
  return uncommented.replace(/^(\s*)socket_mode_enabled:\s*true\s*$/m, '$1socket_mode_enabled: false');
}

/** `history <league> … | help` → [{ verb: 'history', text: 'history <league> …' }, { verb: 'help', text: 'help' }]. */
function hintAlternatives(hint: string): Array<{ verb: string; text: string }> {
  return hint.split('|').map((alt) => {
    const text = alt.trim();
    return { verb: text.split(/\s+/)[0] ?? '', text };
  });
}

const checked = manifestSchema.safeParse(parse(MANIFEST_TEXT));
// When the schema test fails, the others still run on the raw document, so one typo does not hide
// every other finding; their own failures then follow from the schema's.
const manifest = checked.success ? checked.data : (parse(MANIFEST_TEXT) as Manifest);
const tics = manifest.features.slash_commands.find((c) => c.command === SLASH_COMMAND);

describe('manifest.yml', () => {
  it('targets manifest schema 1 and stays within Slack limits', () => {
    expect(checked.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []).toEqual([]);
    expect(manifest._metadata.major_version).toBe(1);
    expect(manifest.display_information.name.length).toBeLessThanOrEqual(35);
    expect(manifest.features.bot_user.display_name).toBeTruthy();
  });

  it(`declares ${SLASH_COMMAND} with escaping on, so channels and users arrive as ids`, () => {
    expect(tics).toBeDefined();
    expect(tics?.should_escape).toBe(true);
  });

  it('has a usage hint that names every subcommand /tics parses, and nothing else', () => {
    const alternatives = hintAlternatives(tics?.usage_hint ?? '');
    expect(alternatives.map((a) => a.verb).sort()).toEqual(COMMANDS.map((c) => c.name).sort());
    // A `word:` option in the hint must be one the command's own usage accepts, or the hint is stale.
    for (const { verb, text } of alternatives) {
      const usage = COMMANDS.find((c) => c.name === verb)?.usage ?? '';
      for (const option of text.match(/\b[a-z_]+:/g) ?? []) expect(usage, `hint option ${option} of ${verb}`).toContain(option);
    }
  });

  it('requests exactly the agreed bot scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...ALLOWED_BOT_SCOPES].sort());
    expect(new Set(manifest.oauth_config.scopes.bot).size).toBe(manifest.oauth_config.scopes.bot.length);
  });

  it('runs in Socket Mode with interactivity on and no token rotation', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
  });

  it('turns into a complete HTTP-mode manifest by following its own comments', () => {
    const http = parseManifest(httpModeVariant(MANIFEST_TEXT));
    expect(http.settings.socket_mode_enabled).toBe(false);
    const urls = [...http.features.slash_commands.map((c) => c.url), http.settings.interactivity.request_url, http.settings.interactivity.message_menu_options_url, http.settings.event_subscriptions?.request_url];
    for (const url of urls) {
      expect(url, 'every request URL must be set when Socket Mode is off').toBeDefined();
      expect(new URL(url ?? 'https://missing/').pathname).toBe('/slack/events');
    }
  });
});

describe('manifest.yml against the scopes the code needs', () => {
  // Web API method → bot scopes it needs. A method missing here fails the test: look up its scope
  // (https://docs.slack.dev/reference/methods), add it here and, if new, to manifest.yml.
  const METHOD_SCOPES: Record<string, readonly string[]> = {
    'auth.test': [],
    'chat.postMessage': ['chat:write'],
    'chat.update': ['chat:write'],
    'chat.delete': ['chat:write'],
    'chat.postEphemeral': ['chat:write'],
    'chat.getPermalink': [],
    // App Home: publishing a user's Home tab and opening a modal need no scope.
    'views.publish': [],
    'views.open': [],
  };
  const FAMILIES = 'chat|conversations|users|reactions|views|auth|team|files|pins|bookmarks|reminders|usergroups|apps|dnd|emoji|bots';

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => join(e.parentPath, e.name));
  }

  /** Web API methods called from files that talk to Slack (import @slack/…): `x.chat.postMessage(` or `apiCall('…')`. */
  function calledMethods(): Map<string, string> {
    const found = new Map<string, string>();
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      if (!/from '@slack\//.test(text)) continue;
      for (const m of text.matchAll(new RegExp(`\\.(${FAMILIES})\\.([a-z][A-Za-z]*)\\s*\\(`, 'g'))) found.set(`${m[1]}.${m[2]}`, file);
      for (const m of text.matchAll(/apiCall\(\s*['"]([a-z]+\.[A-Za-z.]+)['"]/g)) found.set(m[1]!, file);
      if (/\bsay\(/.test(text)) found.set('chat.postMessage', file);
    }
    return found;
  }

  it('finds the Web API call the code is known to make (the scanner works)', () => {
    expect(calledMethods().has('auth.test')).toBe(true);
  });

  it('covers the scopes of every Web API method the code calls', () => {
    for (const [method, file] of calledMethods()) {
      const scopes = METHOD_SCOPES[method];
      expect(scopes, `${method} (called in ${file}) has no entry in METHOD_SCOPES`).toBeDefined();
      for (const scope of scopes ?? []) expect(manifest.oauth_config.scopes.bot, `${method} needs ${scope}`).toContain(scope);
    }
  });
});

describe('manifest.yml against the running bot', () => {
  const SIGNING_SECRET = 'manifest-test-signing-secret';
  const registered: Record<Kind, string[]> = { command: [], action: [], shortcut: [], event: [], message: [], options: [] };
  let fake: FakeSlack;
  let bot: BotHandle;

  beforeAll(async () => {
    // Call-through spies on the prototype: the bot starts exactly as in production, and every
    // listener it registers (from app.ts or anything wired in later) is recorded.
    const proto = App.prototype as unknown as Record<Kind, (...args: unknown[]) => unknown>;
    for (const kind of LISTENER_KINDS) {
      const original = proto[kind];
      vi.spyOn(proto, kind).mockImplementation(function (this: App, ...args: unknown[]) {
        registered[kind].push(describeMatcher(args[0]));
        return original.apply(this, args);
      });
    }
    fake = await startFakeSlack();
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: fake.url,
      PORT: '0',
      TICS_PROJECT_ID: '0123456789abcdef0123456789abcdef',
      // Nothing listens there: these tests never reach TICS.
      TICS_ENDPOINT: 'http://127.0.0.1:9',
      TICS_AUTH_TOKEN: 'manifest-test-token',
      STORE_URL: 'memory://',
      LOG_LEVEL: 'silent',
    });
    bot = await startBot(config, { logger: createLogger({ level: 'silent' }) });
  });

  afterAll(async () => {
    await bot?.stop();
    await fake?.close();
    vi.restoreAllMocks();
  });

  it('declares exactly the slash commands the bot registers', () => {
    expect(registered.command.length).toBeGreaterThan(0);
    expect([...new Set(registered.command)].sort()).toEqual(manifest.features.slash_commands.map((c) => c.command).sort());
    expect(registered.command).toContain(SLASH_COMMAND);
  });

  it('enables interactivity because the bot registers button handlers', () => {
    expect(registered.action.length).toBeGreaterThan(0);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it('subscribes to exactly the events the bot listens for, and every shortcut', () => {
    const events = manifest.settings.event_subscriptions?.bot_events ?? [];
    for (const event of registered.event) expect(events, `app.event(${event}) needs settings.event_subscriptions.bot_events`).toContain(event);
    for (const event of events) expect(registered.event, `bot_events lists ${event}, which no app.event() handles`).toContain(event);
    expect(registered.message, 'app.message needs message.* events and history scopes').toEqual([]);
    const shortcuts = (manifest.features.shortcuts ?? []).map((s) => s.callback_id);
    for (const id of registered.shortcut) expect(shortcuts, `app.shortcut(${id}) needs features.shortcuts`).toContain(id);
    // Socket Mode delivers block_suggestion over the socket; HTTP mode needs the options URL (checked above).
    expect(registered.options.length).toBeGreaterThan(0);
    expect(MANIFEST_TEXT, 'app.options needs interactivity.message_menu_options_url').toMatch(/^\s*#?\s*message_menu_options_url: https:\/\//m);
  });

  it('enables the Home tab because the bot publishes one on app_home_opened', () => {
    expect(registered.event).toContain('app_home_opened');
    expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
  });

  it(`answers ${SLASH_COMMAND} on the path the HTTP-mode request URLs name`, async () => {
    const http = parseManifest(httpModeVariant(MANIFEST_TEXT));
    const path = new URL(http.features.slash_commands[0]?.url ?? 'https://missing/').pathname;
    const responseUrl = fake.responseUrl();
    const body = slashCommandBody({ text: 'help', responseUrl });
    const res = await postToApp(`http://127.0.0.1:${bot.port}${path}`, body, { signingSecret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    const [reply] = await fake.waitForResponses(1);
    expect(JSON.stringify(reply?.body)).toContain(COMMANDS[0]?.name ?? '');
  });
});

function describeMatcher(matcher: unknown): string {
  if (typeof matcher === 'string') return matcher;
  if (matcher instanceof RegExp) return matcher.toString();
  return typeof matcher === 'function' ? '(any)' : JSON.stringify(matcher);
}
