/**
 * Subscriptions declared in configuration (ops-as-code), merged with those made in Slack:
 * `TICS_WATCH="credit-risk:C0123ABCD:FAILED,TERMINATED notify:<@U0123ABCD> stuck:2h;fraud:C0456EFGH"`.
 * Entries are separated by `;` or newlines (lines starting with `#` are comments), fields by `:`;
 * triggers are optional (FAILED,TERMINATED). The watch options (`notify:`, `stuck:`, `recovery:`)
 * follow, space-separated, as `/tics watch` takes them. Every problem is reported with its entry,
 * all at once.
 */
import { KNOWN_STATUSES, isKnownStatus } from '../tics/schema.js';
import { DEFAULT_TRIGGER_STATUSES } from './detect.js';
import { applyWatchOption, isWatchOptionKey, tokenize, WATCH_OPTION_KEYS, type WatchOptions } from './watch-options.js';

export type LeagueResolver = (league: string) => { ok: true; league: { id: string; alias?: string } } | { ok: false; problem: string };

export interface WatchDeclaration {
  leagueId: string;
  leagueAlias?: string;
  channelId: string;
  triggers: string[];
  notify?: string[];
  stuckMs?: number;
  recovery?: boolean;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Public channels start with C, private ones (older workspaces) with G. */
export const CHANNEL_ID = /^[CG][A-Z0-9]{8,12}$/;

/** Entries of a `;`/newline separated variable, trimmed, without blanks and `#` comment lines. */
export function splitEntries(raw: string): string[] {
  return raw
    .split(/[;\r\n]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
}

/** The entry as quoted in a problem: whole when short, so the operator can find it. */
export function quoteEntry(entry: string): string {
  const shown = entry.length > 80 ? `${entry.slice(0, 77)}…` : entry;
  return JSON.stringify(shown);
}

export function channelProblem(channel: string): string | undefined {
  if (CHANNEL_ID.test(channel)) return undefined;
  return `channel ${quoteEntry(channel)} is not a Slack channel id (C or G followed by 8–12 capital letters or digits, e.g. C0123ABCD; in Slack: channel details → About)`;
}

export function parseWatchDeclarations(raw: string, resolve: LeagueResolver): ParseResult<WatchDeclaration[]> {
  const problems: string[] = [];
  const value: WatchDeclaration[] = [];
  const seen = new Map<string, string>();
  for (const entry of splitEntries(raw)) {
    const at = `entry ${quoteEntry(entry)}`;
    // Options start at the first space followed by `word:` (or a stray mention); a channel or status never looks like that.
    const optionsAt = entry.search(/\s+(?:[A-Za-z]+:|<|&lt;)/);
    const head = optionsAt < 0 ? entry : entry.slice(0, optionsAt);
    const options = parseOptions(optionsAt < 0 ? '' : entry.slice(optionsAt));
    if (!options.ok) problems.push(...options.problems.map((p) => `${at}: ${p}`));
    const fields = head.split(':').map((f) => f.trim());
    if (fields.length < 2 || fields.length > 3) {
      problems.push(`${at} must look like league:channel or league:channel:STATUS,STATUS`);
      continue;
    }
    const [leagueText = '', channel = '', triggerText = ''] = fields;
    const before = problems.length;

    const league = leagueText ? resolve(leagueText) : ({ ok: false, problem: 'the league is missing' } as const);
    if (!league.ok) problems.push(`${at}: ${league.problem}`);
    const badChannel = channelProblem(channel);
    if (badChannel) problems.push(`${at}: ${badChannel}`);

    const requested = triggerText.split(',').map((t) => t.trim().toUpperCase()).filter(Boolean);
    const unknown = requested.filter((t) => !isKnownStatus(t));
    if (unknown.length) problems.push(`${at}: unknown status ${unknown.map((u) => quoteEntry(u)).join(', ')} (known: ${KNOWN_STATUSES.join(', ')})`);
    const triggers = requested.length ? [...new Set(requested)] : [...DEFAULT_TRIGGER_STATUSES];

    if (problems.length > before || !league.ok || !options.ok) continue;
    const id = `${league.league.id}:${channel}`;
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`${at} watches the same league and channel as entry ${quoteEntry(first)}; merge them into one entry`);
      continue;
    }
    seen.set(id, entry);
    const declaration: WatchDeclaration = { leagueId: league.league.id, channelId: channel, triggers };
    if (league.league.alias !== undefined) declaration.leagueAlias = league.league.alias;
    const { notify, stuckMs, recovery } = options.value;
    if (notify?.length) declaration.notify = notify;
    if (typeof stuckMs === 'number') declaration.stuckMs = stuckMs;
    if (recovery === false) declaration.recovery = false;
    value.push(declaration);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value };
}

/** The options after an entry's `league:channel[:triggers]`; every problem, not just the first. */
function parseOptions(text: string): ParseResult<WatchOptions> {
  const options: WatchOptions = {};
  const problems: string[] = [];
  for (const token of tokenize(text)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    if (!isWatchOptionKey(key)) {
      const known = WATCH_OPTION_KEYS.map((k) => `${k}:`).join(', ');
      problems.push(key ? `unknown option ${quoteEntry(`${key}:`)} (after the triggers: ${known})` : `unexpected ${quoteEntry(token)} (after the triggers: ${known})`);
      continue;
    }
    const applied = applyWatchOption(options, key, token.slice(colon + 1));
    if (!applied.ok) problems.push(applied.problem);
  }
  return problems.length ? { ok: false, problems } : { ok: true, value: options };
}
