/**
 * The options a watch takes after its league, channel and triggers — `notify:`, `stuck:` and
 * `recovery:` — as `/tics watch` and TICS_WATCH both write them. Here (not in the Slack layer) so
 * the configuration parser can share them.
 */
import { millisecondsInDay, millisecondsInHour, millisecondsInMinute } from 'date-fns/constants';

export type OptionResult<T> = { ok: true; value: T } | { ok: false; problem: string };

/** The watch options (besides `on:`), as their problems list them. */
export const WATCH_OPTION_KEYS = ['notify', 'stuck', 'recovery'] as const;
export type WatchOptionKey = (typeof WATCH_OPTION_KEYS)[number];

export function isWatchOptionKey(key: string): key is WatchOptionKey {
  return (WATCH_OPTION_KEYS as readonly string[]).includes(key);
}

/** Owners named at most per watch: a parent that pings a crowd is noise, not routing. */
export const MAX_NOTIFY = 10;
export const STUCK_MIN_MS = 5 * millisecondsInMinute;
export const STUCK_MAX_MS = 7 * millisecondsInDay;

/**
 * The only two forms a stored owner may take. Anything that builds a message from `notify`
 * checks each token against this again, so nothing else (a mass mention least of all) can reach
 * a message text even from a tampered store.
 */
export const NOTIFY_TOKEN = /^(?:<@[UW][A-Z0-9]{2,20}>|<!subteam\^S[A-Z0-9]{2,20}>)$/;

/**
 * Whitespace-separated tokens, except that `<…>` (and its escaped `&lt;…&gt;`) is never split:
 * Slack writes a picked user as `<@U123|Bob Smith>`, display name spaces included.
 */
export function tokenize(text: string): string[] {
  return text.match(/(?:<[^<>]*>|&lt;(?:(?!&gt;)[^<>])*&gt;|<|&|[^\s<&]+)+/g) ?? [];
}

/** `&lt;@U1&gt;` → `<@U1>`: what Slack sends when the `<` was typed rather than picked. */
function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Comma-separated items, where commas inside `<…>` (a display name) do not separate. */
function splitItems(text: string): string[] {
  return (text.match(/(?:<[^<>]*>?|[^,<]+)+/g) ?? []).map((item) => item.trim()).filter(Boolean);
}

const USER = /^<@([UW][A-Z0-9]{2,20})(?:\|[^<>]*)?>$/;
const GROUP = /^<!subteam\^(S[A-Z0-9]{2,20})(?:\|[^<>]*)?>$/;
const MASS = /^(?:<!(channel|here|everyone)(?:\|[^<>]*)?>|@(channel|here|everyone))$/i;
const MASS_PROBLEM = (which: string) =>
  `\`notify:\` never mentions @${which.toLowerCase()}: name the people or user groups who own the league's jobs (e.g. \`notify:@alice,@data-oncall\`)`;

/** One owner as typed, normalised to `<@U…>` / `<!subteam^S…>`, or why it cannot be one. */
export function parseMention(raw: string): OptionResult<string> {
  const item = unescapeSlack(raw.trim());
  const shown = `\`${item.slice(0, 60).replace(/`/g, 'ˋ')}\``;
  const mass = MASS.exec(item);
  if (mass) return { ok: false, problem: MASS_PROBLEM(mass[1] ?? mass[2] ?? 'channel') };
  const user = USER.exec(item);
  if (user?.[1]) return { ok: true, value: `<@${user[1]}>` };
  const group = GROUP.exec(item);
  if (group?.[1]) return { ok: true, value: `<!subteam^${group[1]}>` };
  if (item.startsWith('<#')) return { ok: false, problem: `${shown} is a channel: \`notify:\` takes people and user groups` };
  if (item.startsWith('@')) {
    return { ok: false, problem: `${shown} is plain text, not a mention: pick the person or group from Slack's @-autocomplete so it becomes a mention` };
  }
  return { ok: false, problem: `${shown} is not a mention: \`notify:\` takes @people and @groups picked from Slack's autocomplete, separated by commas` };
}

/**
 * `notify:` → the owners, normalised, without repeats; `none`/`off` clears them (an empty list).
 * The first problem found is the one reported.
 */
export function parseNotify(value: string): OptionResult<string[]> {
  const text = value.trim();
  if (/^(?:none|off)$/i.test(text)) return { ok: true, value: [] };
  const items = splitItems(text);
  if (items.length === 0) return { ok: false, problem: '`notify:` needs at least one @person or @group (or `notify:none` to name nobody)' };
  const owners: string[] = [];
  for (const item of items) {
    const parsed = parseMention(item);
    if (!parsed.ok) return parsed;
    if (!owners.includes(parsed.value)) owners.push(parsed.value);
  }
  if (owners.length > MAX_NOTIFY) return { ok: false, problem: `\`notify:\` names at most ${MAX_NOTIFY} people or groups (${owners.length} given): use a user group for a larger team` };
  return { ok: true, value: owners };
}

/** `stuck:` → milliseconds, or null for `off`. `45m`, `2h`, `1h30m`, `1d`, any case. */
export function parseStuck(value: string): OptionResult<number | null> {
  const text = value.trim().toLowerCase();
  if (text === 'off' || text === 'none') return { ok: true, value: null };
  const match = /^(?:(\d{1,4})d)?(?:(\d{1,5})h)?(?:(\d{1,6})m)?$/.exec(text);
  if (!match || text === '') {
    return { ok: false, problem: `\`stuck:${value.slice(0, 40)}\` is not a duration: write it like \`stuck:45m\`, \`stuck:2h\`, \`stuck:1h30m\` or \`stuck:1d\` (or \`stuck:off\`)` };
  }
  const [, d = '0', h = '0', m = '0'] = match;
  const ms = Number(d) * millisecondsInDay + Number(h) * millisecondsInHour + Number(m) * millisecondsInMinute;
  if (ms < STUCK_MIN_MS || ms > STUCK_MAX_MS) {
    return { ok: false, problem: `\`stuck:${text}\` is out of range: give between 5 minutes (\`stuck:5m\`) and 7 days (\`stuck:7d\`)` };
  }
  return { ok: true, value: ms };
}

/** `recovery:on|off` → whether a later success resolves the job's incident. */
export function parseRecovery(value: string): OptionResult<boolean> {
  const text = value.trim().toLowerCase();
  if (text === 'on') return { ok: true, value: true };
  if (text === 'off') return { ok: true, value: false };
  return { ok: false, problem: `\`recovery:\` is \`on\` (the default: a success resolves the job's incident) or \`off\`, not \`${value.slice(0, 40)}\`` };
}

/** `5400000` → `1h30m`: the duration as `stuck:` takes it. */
export function formatStuck(ms: number): string {
  const days = Math.floor(ms / millisecondsInDay);
  const hours = Math.floor((ms % millisecondsInDay) / millisecondsInHour);
  const minutes = Math.floor((ms % millisecondsInHour) / millisecondsInMinute);
  const out = `${days ? `${days}d` : ''}${hours ? `${hours}h` : ''}${minutes ? `${minutes}m` : ''}`;
  return out || '0m';
}

/** What the options of one watch set; absent = not given (an update keeps the current value). */
export interface WatchOptions {
  /** Empty: clear the owners. */
  notify?: string[];
  /** null: `stuck:off`. */
  stuckMs?: number | null;
  recovery?: boolean;
}

/**
 * Applies one `key:value` option to `into`. Given twice is an error: the second would silently win.
 */
export function applyWatchOption(into: WatchOptions, key: WatchOptionKey, value: string): OptionResult<WatchOptions> {
  const field = key === 'stuck' ? 'stuckMs' : key;
  if (into[field] !== undefined) return { ok: false, problem: `\`${key}:\` was given twice; give it once${key === 'notify' ? ', listing everyone separated by commas' : ''}` };
  switch (key) {
    case 'notify': {
      const parsed = parseNotify(value);
      if (!parsed.ok) return parsed;
      into.notify = parsed.value;
      return { ok: true, value: into };
    }
    case 'stuck': {
      const parsed = parseStuck(value);
      if (!parsed.ok) return parsed;
      into.stuckMs = parsed.value;
      return { ok: true, value: into };
    }
    case 'recovery': {
      const parsed = parseRecovery(value);
      if (!parsed.ok) return parsed;
      into.recovery = parsed.value;
      return { ok: true, value: into };
    }
  }
}
