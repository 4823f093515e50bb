/**
 * `/tics <text>` → a typed command, or a usage error that says exactly what was wrong.
 * The command table here is also what `help` lists and what the manifest test checks.
 */
import { cleanLeagueInput } from '../../leagues/resolve.js';
import { HISTORY_USAGE, parseHistoryArgs, parseStatuses, type HistoryArgs } from '../../history/query.js';
import { CHANNEL_ID } from '../../watch/declared.js';
import { applyWatchOption, isWatchOptionKey, tokenize, WATCH_OPTION_KEYS, type WatchOptions } from '../../watch/watch-options.js';
import { SLASH_COMMAND } from '../command-name.js';
import { MAX_ROWS_PER_MESSAGE } from '../views/history.js';

export interface WatchArgs {
  league: string;
  /** Undefined = the channel the command was typed in. */
  channelId?: string;
  triggers?: string[];
  /** `notify:`, `stuck:`, `recovery:`; absent = keep what the watch has. */
  options?: WatchOptions;
}

export interface UnsnoozeArgs {
  league: string;
  /** Everything between the league and an optional trailing channel: names may hold spaces. */
  jobName: string;
  channelId?: string;
}

export type TicsCommand =
  | { kind: 'help' }
  | { kind: 'history'; args: HistoryArgs }
  | { kind: 'watch'; args: WatchArgs }
  | { kind: 'unwatch'; args: Omit<WatchArgs, 'triggers' | 'options'> }
  | { kind: 'unsnooze'; args: UnsnoozeArgs }
  | { kind: 'watches'; all: boolean }
  | { kind: 'leagues'; filter?: string };

export interface CommandSpec {
  name: TicsCommand['kind'];
  usage: string;
  description: string;
  examples: string[];
}

/** A league name is at most 128 characters; the filter is a piece of one. */
export const LEAGUES_FILTER_MAX = 128;

// Re-exported: the command table and its tests read the name together with the commands.
export { SLASH_COMMAND };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'history',
    usage: `${SLASH_COMMAND} ${HISTORY_USAGE}`,
    description: `A league's job-instance history, newest first, with paging. \`status:\` filters (e.g. FAILED), \`job:\` narrows to one job, \`limit:\` sets the page size (1–${MAX_ROWS_PER_MESSAGE}). Without a league, a menu asks for one.`,
    examples: [`${SLASH_COMMAND} history credit-risk`, `${SLASH_COMMAND} history credit-risk status:failed,terminated limit:5`],
  },
  {
    name: 'watch',
    usage: `${SLASH_COMMAND} watch <league> [#channel] [on:…] [notify:@user,@group] [stuck:2h] [recovery:off]`,
    description:
      'Post an alert in a channel (default: this one) when an instance of the league enters FAILED or TERMINATED — or the statuses given with `on:`. ' +
      "A job's later alerts go into its first alert's thread. `notify:` names the owners its first alert mentions, `stuck:` alerts on an instance still running that long, " +
      '`recovery:off` keeps a success from resolving the alert. Running it again changes what it gives and keeps the rest. Without a league, a menu asks for one.',
    examples: [
      `${SLASH_COMMAND} watch credit-risk`,
      `${SLASH_COMMAND} watch credit-risk #ml-alerts on:failed,terminated notify:@alice,@data-oncall stuck:2h`,
    ],
  },
  {
    name: 'unwatch',
    usage: `${SLASH_COMMAND} unwatch <league> [#channel]`,
    description: 'Stop the alerts for a league in a channel (default: this one). Without a league, a menu asks for one.',
    examples: [`${SLASH_COMMAND} unwatch credit-risk`],
  },
  {
    name: 'watches',
    usage: `${SLASH_COMMAND} watches [all]`,
    description: "This channel's watches (or every channel's with `all`), each with its owners and options, its health (last poll, last error, pending alerts) and its jobs' snoozes.",
    examples: [`${SLASH_COMMAND} watches`, `${SLASH_COMMAND} watches all`],
  },
  {
    name: 'unsnooze',
    usage: `${SLASH_COMMAND} unsnooze <league> <job name> [#channel]`,
    description: "End a job's snooze in a channel (default: this one) now: its alerts post again, and its thread says what happened meanwhile. `watches` lists the snoozes.",
    examples: [`${SLASH_COMMAND} unsnooze credit-risk nightly scoring`],
  },
  {
    name: 'leagues',
    usage: `${SLASH_COMMAND} leagues [text]`,
    description:
      "The leagues the bot's credentials can see (those this channel may query): name, id, status, role, members and alias, with *History* and *Watch here* buttons. " +
      'Text keeps the leagues whose name, alias or id contains it. Any `<league>` above may be given by its exact name (in quotes when it has spaces).',
    examples: [`${SLASH_COMMAND} leagues`, `${SLASH_COMMAND} leagues risk`, `${SLASH_COMMAND} history "Credit Risk Alliance"`],
  },
  {
    name: 'help',
    usage: `${SLASH_COMMAND} help`,
    description: 'This list.',
    examples: [],
  },
];

/** A command that lacks only its league: answered with a league picker that then continues it. */
export interface PickRequest {
  verb: 'history' | 'watch' | 'unwatch';
  /** The command's other words as typed (filters, #channel, options), already known to parse. */
  rest: string;
}

/**
 * `pick` on a failure: the league was the only thing missing, so the answer is a league picker
 * rather than the usage error (which stays the fallback, and what the metrics count it under).
 */
export type ParsedCommand = { ok: true; command: TicsCommand } | { ok: false; problem: string; usage: string; pick?: PickRequest };

// Stands in for the missing league when checking that nothing else is wrong: an id-shaped word.
const LEAGUE_PLACEHOLDER = 'x';

function usageOf(name: CommandSpec['name']): string {
  return COMMANDS.find((c) => c.name === name)?.usage ?? `${SLASH_COMMAND} help`;
}

export function allUsages(): string {
  return COMMANDS.map((c) => c.usage).join('\n');
}

/**
 * With `should_escape: true` Slack sends a picked channel as `<#C0123ABCD|name>` (name may be empty);
 * a bare id is accepted too. A plain `#name` cannot be resolved without extra scopes.
 */
export function parseChannel(token: string): { ok: true; channelId: string } | { ok: false; problem: string } {
  const escaped = /^<#([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(token);
  if (escaped?.[1] && CHANNEL_ID.test(escaped[1])) return { ok: true, channelId: escaped[1] };
  if (CHANNEL_ID.test(token)) return { ok: true, channelId: token };
  return { ok: false, problem: `\`${token.slice(0, 80)}\` is not a channel: pick it from Slack's #-autocomplete so it becomes a link` };
}

function parseWatchArgs(tokens: readonly string[], withTriggers: boolean): { ok: true; value: WatchArgs } | { ok: false; problem: string } {
  const args: Partial<WatchArgs> = {};
  const options: WatchOptions = {};
  for (const token of tokens) {
    const colon = token.indexOf(':');
    const key = colon > 0 && !token.startsWith('<') && !token.startsWith('&') ? token.slice(0, colon).toLowerCase() : undefined;
    if (key === 'on' && withTriggers) {
      if (args.triggers) return { ok: false, problem: '`on:` was given twice; list several as `on:FAILED,TERMINATED`' };
      const parsed = parseStatuses(token.slice(colon + 1), 'on');
      if (!parsed.ok) return parsed;
      args.triggers = parsed.value;
    } else if (key !== undefined && withTriggers && isWatchOptionKey(key)) {
      const parsed = applyWatchOption(options, key, token.slice(colon + 1));
      if (!parsed.ok) return parsed;
    } else if (key !== undefined) {
      return { ok: false, problem: withTriggers ? `unknown option \`${key.slice(0, 40)}:\` (the options are ${WATCH_OPTIONS_LIST})` : `unexpected \`${token.slice(0, 80)}\`` };
    } else if (token.startsWith('<#') || token.startsWith('#')) {
      if (args.channelId) return { ok: false, problem: 'give at most one channel' };
      const parsed = parseChannel(token);
      if (!parsed.ok) return parsed;
      args.channelId = parsed.channelId;
    } else if (args.league === undefined) {
      args.league = token;
    } else if (CHANNEL_ID.test(token) && !args.channelId) {
      args.channelId = token;
    } else {
      return { ok: false, problem: `unexpected \`${token.slice(0, 80)}\`: give one league, then optionally a #channel` };
    }
  }
  if (!args.league) return { ok: false, problem: 'which league? Give a league alias or id' };
  return {
    ok: true,
    value: {
      league: args.league,
      ...(args.channelId ? { channelId: args.channelId } : {}),
      ...(args.triggers ? { triggers: args.triggers } : {}),
      ...(Object.keys(options).length ? { options } : {}),
    },
  };
}

const WATCH_OPTIONS_LIST = ['on', ...WATCH_OPTION_KEYS].map((k) => `\`${k}:\``).join(', ');

/** `<league> <job name…> [#channel]`: the name is everything in between, spaces and all. */
function parseUnsnoozeArgs(tokens: readonly string[]): { ok: true; value: UnsnoozeArgs } | { ok: false; problem: string } {
  const [league, ...rest] = tokens;
  if (league === undefined) return { ok: false, problem: 'which league? Give a league alias or id, then the job name' };
  let channelId: string | undefined;
  const last = rest[rest.length - 1];
  if (last !== undefined && rest.length > 1 && (last.startsWith('<#') || CHANNEL_ID.test(last))) {
    const parsed = parseChannel(last);
    if (!parsed.ok) return parsed;
    channelId = parsed.channelId;
    rest.pop();
  }
  // Slack escapes these three in command text; job names are matched as TICS reports them.
  const jobName = rest.join(' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  if (jobName === '') return { ok: false, problem: 'which job? Give its name after the league, as `watches` lists it' };
  return { ok: true, value: { league, jobName, ...(channelId ? { channelId } : {}) } };
}

const OPENING = /^["“]/;
const CLOSING = /["”]$/;

/**
 * A league name with spaces, typed in quotes (`"Joint Marketing"` or Slack's smart “…”), becomes one
 * token; the directory takes the quotes off. An unclosed quote runs to the end of the text.
 */
export function joinQuoted(tokens: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    if (!OPENING.test(token) || (token.length > 1 && CLOSING.test(token))) {
      joined.push(token);
      continue;
    }
    const parts = [token];
    while (i + 1 < tokens.length && !CLOSING.test(parts[parts.length - 1] ?? '')) parts.push(tokens[++i] ?? '');
    joined.push(parts.join(' '));
  }
  return joined;
}

/** The words of `text` after the verb, without the league token (the first word equal to `league`). */
export function wordsBesidesLeague(text: string, league: string): string {
  const [, ...rest] = joinQuoted(tokenize(text.trim()));
  const at = rest.findIndex((token) => token.trim() === league);
  return (at >= 0 ? [...rest.slice(0, at), ...rest.slice(at + 1)] : rest).join(' ');
}

/** When the words parse once a league is put in front of them, only the league was missing. */
function pickFor(verb: PickRequest['verb'], rest: readonly string[], parses: (tokens: readonly string[]) => boolean): { pick?: PickRequest } {
  return parses([LEAGUE_PLACEHOLDER, ...rest]) ? { pick: { verb, rest: rest.join(' ') } } : {};
}

export function parseCommand(text: string): ParsedCommand {
  const tokens = joinQuoted(tokenize(text.trim()));
  const [verb, ...rest] = tokens;
  switch (verb?.toLowerCase()) {
    case undefined:
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'history': {
      const parsed = parseHistoryArgs(rest, MAX_ROWS_PER_MESSAGE);
      if (parsed.ok) return { ok: true, command: { kind: 'history', args: parsed.value } };
      return { ok: false, problem: parsed.problem, usage: usageOf('history'), ...pickFor('history', rest, (t) => parseHistoryArgs(t, MAX_ROWS_PER_MESSAGE).ok) };
    }
    case 'watch':
    case 'subscribe': {
      const parsed = parseWatchArgs(rest, true);
      if (parsed.ok) return { ok: true, command: { kind: 'watch', args: parsed.value } };
      return { ok: false, problem: parsed.problem, usage: usageOf('watch'), ...pickFor('watch', rest, (t) => parseWatchArgs(t, true).ok) };
    }
    case 'unwatch':
    case 'unsubscribe': {
      const parsed = parseWatchArgs(rest, false);
      if (!parsed.ok) return { ok: false, problem: parsed.problem, usage: usageOf('unwatch'), ...pickFor('unwatch', rest, (t) => parseWatchArgs(t, false).ok) };
      const { triggers: _none, options: _neither, ...args } = parsed.value;
      return { ok: true, command: { kind: 'unwatch', args } };
    }
    case 'unsnooze': {
      const parsed = parseUnsnoozeArgs(rest);
      return parsed.ok ? { ok: true, command: { kind: 'unsnooze', args: parsed.value } } : { ok: false, problem: parsed.problem, usage: usageOf('unsnooze') };
    }
    case 'leagues': {
      const filter = cleanLeagueInput(rest.join(' '));
      if ([...filter].length > LEAGUES_FILTER_MAX) return { ok: false, problem: `the text to look for is longer than ${LEAGUES_FILTER_MAX} characters`, usage: usageOf('leagues') };
      return { ok: true, command: { kind: 'leagues', ...(filter ? { filter } : {}) } };
    }
    case 'watches':
    case 'list': {
      if (rest.length > 1 || (rest[0] !== undefined && rest[0].toLowerCase() !== 'all')) {
        return { ok: false, problem: `unexpected \`${rest.join(' ').slice(0, 80)}\`: the only option is \`all\``, usage: usageOf('watches') };
      }
      return { ok: true, command: { kind: 'watches', all: rest[0] !== undefined } };
    }
    default:
      return { ok: false, problem: `unknown subcommand \`${(verb ?? '').slice(0, 40)}\``, usage: allUsages() };
  }
}
