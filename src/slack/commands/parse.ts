/**
 * `/tics <text>` → a typed command, or a usage error that says exactly what was wrong.
 * The command table here is also what `help` lists and what the manifest test checks.
 */
import { HISTORY_USAGE, parseHistoryArgs, type HistoryArgs } from '../../history/query.js';
import { MAX_ROWS_PER_MESSAGE } from '../views/history.js';

export type TicsCommand = { kind: 'help' } | { kind: 'history'; args: HistoryArgs };

export interface CommandSpec {
  name: string;
  usage: string;
  description: string;
  examples: string[];
}

export const SLASH_COMMAND = '/tics';

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'history',
    usage: `${SLASH_COMMAND} ${HISTORY_USAGE}`,
    description: `A league's job-instance history, newest first, with paging. \`status:\` filters (e.g. FAILED), \`job:\` narrows to one job, \`limit:\` sets the page size (1–${MAX_ROWS_PER_MESSAGE}).`,
    examples: [`${SLASH_COMMAND} history credit-scoring`, `${SLASH_COMMAND} history credit-scoring status:failed,terminated limit:5`],
  },
  {
    name: 'help',
    usage: `${SLASH_COMMAND} help`,
    description: 'This list.',
    examples: [],
  },
];

export type ParsedCommand = { ok: true; command: TicsCommand } | { ok: false; problem: string; usage: string };

function usageOf(name: string): string {
  return COMMANDS.find((c) => c.name === name)?.usage ?? `${SLASH_COMMAND} help`;
}

export function allUsages(): string {
  return COMMANDS.map((c) => c.usage).join('\n');
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
    default:
      return { ok: false, problem: `unknown subcommand \`${(verb ?? "").slice(0, 40)}\``, usage: allUsages() };
  }
}
