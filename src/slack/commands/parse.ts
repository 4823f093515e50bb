/**
 * `/tics <text>` → a typed command, or a usage error that says exactly what was wrong.
 * The command table here is also what `help` lists and what the manifest test checks.
 */
import { HISTORY_USAGE, parseHistoryArgs, parseStatuses, type HistoryArgs } from '../../history/query.js';
import { CHANNEL_ID } from '../../watch/declared.js';
import { SLASH_COMMAND } from '../command-name.js';
import { MAX_ROWS_PER_MESSAGE } from '../views/history.js';

export interface WatchArgs {
  league: string;
  /** Undefined = the channel the command was typed in. */
  channelId?: string;
  triggers?: string[];
}

export type TicsCommand =
  | { kind: 'help' }
  | { kind: 'history'; args: HistoryArgs }
  | { kind: 'watch'; args: WatchArgs }
  | { kind: 'unwatch'; args: Omit<WatchArgs, 'triggers'> }
  | { kind: 'watches'; all: boolean };

export interface CommandSpec {
  name: TicsCommand['kind'];
  usage: string;
  description: string;
  examples: string[];
}

// Re-exported: the command table and its tests read the name together with the commands.
export { SLASH_COMMAND };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'history',
    usage: `${SLASH_COMMAND} ${HISTORY_USAGE}`,
    description: `A league's job-instance history, newest first, with paging. \`status:\` filters (e.g. FAILED), \`job:\` narrows to one job, \`limit:\` sets the page size (1–${MAX_ROWS_PER_MESSAGE}).`,
    examples: [`${SLASH_COMMAND} history credit-risk`, `${SLASH_COMMAND} history credit-risk status:failed,terminated limit:5`],
  },
  {
    name: 'watch',
    usage: `${SLASH_COMMAND} watch <league> [#channel] [on:<STATUS>[,<STATUS>…]]`,
    description: 'Post an alert in a channel (default: this one) when an instance of the league enters FAILED or TERMINATED — or the statuses given with `on:`. Running it again changes the statuses.',
    examples: [`${SLASH_COMMAND} watch credit-risk`, `${SLASH_COMMAND} watch credit-risk #ml-alerts on:failed,terminated,succeeded`],
  },
  {
    name: 'unwatch',
    usage: `${SLASH_COMMAND} unwatch <league> [#channel]`,
    description: 'Stop the alerts for a league in a channel (default: this one).',
    examples: [`${SLASH_COMMAND} unwatch credit-risk`],
  },
  {
    name: 'watches',
    usage: `${SLASH_COMMAND} watches [all]`,
    description: "This channel's watches (or every channel's with `all`), each with its health: last poll, last error, pending alerts.",
    examples: [`${SLASH_COMMAND} watches`, `${SLASH_COMMAND} watches all`],
  },
  {
    name: 'help',
    usage: `${SLASH_COMMAND} help`,
    description: 'This list.',
    examples: [],
  },
];

export type ParsedCommand = { ok: true; command: TicsCommand } | { ok: false; problem: string; usage: string };

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
  for (const token of tokens) {
    const colon = token.indexOf(':');
    const key = colon > 0 && !token.startsWith('<') ? token.slice(0, colon).toLowerCase() : undefined;
    if (key === 'on' && withTriggers) {
      if (args.triggers) return { ok: false, problem: '`on:` was given twice; list several as `on:FAILED,TERMINATED`' };
      const parsed = parseStatuses(token.slice(colon + 1), 'on');
      if (!parsed.ok) return parsed;
      args.triggers = parsed.value;
    } else if (key !== undefined) {
      return { ok: false, problem: withTriggers ? `unknown option \`${key}:\` (the only option is \`on:\`)` : `unexpected \`${token.slice(0, 80)}\`` };
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
  return { ok: true, value: { league: args.league, ...(args.channelId ? { channelId: args.channelId } : {}), ...(args.triggers ? { triggers: args.triggers } : {}) } };
}

export function parseCommand(text: string): ParsedCommand {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  const [verb, ...rest] = tokens;
  switch (verb?.toLowerCase()) {
    case undefined:
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'history': {
      const parsed = parseHistoryArgs(rest, MAX_ROWS_PER_MESSAGE);
      return parsed.ok ? { ok: true, command: { kind: 'history', args: parsed.value } } : { ok: false, problem: parsed.problem, usage: usageOf('history') };
    }
    case 'watch':
    case 'subscribe': {
      const parsed = parseWatchArgs(rest, true);
      return parsed.ok ? { ok: true, command: { kind: 'watch', args: parsed.value } } : { ok: false, problem: parsed.problem, usage: usageOf('watch') };
    }
    case 'unwatch':
    case 'unsubscribe': {
      const parsed = parseWatchArgs(rest, false);
      if (!parsed.ok) return { ok: false, problem: parsed.problem, usage: usageOf('unwatch') };
      const { triggers: _none, ...args } = parsed.value;
      return { ok: true, command: { kind: 'unwatch', args } };
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
