/** Why an optional part of a message is missing, in words: no error text, stack or HTML ever. */
import type { Missing } from '../partial.js';

const copy = {
  timeout: 'TICS did not answer in time',
  throttled: 'TICS is limiting requests right now',
  refused: (status: number | undefined) => `TICS refused the request${status === undefined ? '' : ` (HTTP ${status})`}`,
  unavailable: 'TICS is not answering',
  unreadable: 'TICS sent an answer the bot could not read',
  unsupported: 'this TICS connection does not offer it',
  error: 'something went wrong on the bot’s side',
} as const;

export function describeMissing(missing: Missing): string {
  switch (missing.reason) {
    case 'refused':
      return copy.refused(missing.httpStatus);
    default:
      return copy[missing.reason];
  }
}
