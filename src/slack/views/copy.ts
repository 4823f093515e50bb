/**
 * Words more than one view says, written once. Each view keeps its own words in a `copy` object at
 * its top; a translation (zh-CN) would replace those objects and this one, not edit the layout code.
 */
import { SLASH_COMMAND } from '../command-name.js';

export const sharedCopy = {
  /** Context line on every message built from the simulator's data; `subject` says what is simulated. */
  simulatedNote: (subject?: string) =>
    `:test_tube: *Simulated data* — ${subject ? `${subject} come from` : 'from'} tics-bot’s built-in simulator, not from Huawei Cloud TICS.`,
  /** The same, appended to plain notification text. */
  simulatedSuffix: ' [simulated]',
  unnamedJob: 'unnamed job',
  /** A command as the reader should type it, in inline code: `/tics watches`. */
  command: (rest: string) => `\`${SLASH_COMMAND} ${rest}\``,
} as const;
