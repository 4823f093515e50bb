/**
 * The one status table: for each TICS status, the word people read, the Unicode emoji (for text
 * that reaches notifications and terminals unrendered) and the Slack shortcode (for mrkdwn, where
 * Slack draws it in the workspace's emoji style). Both columns name the same emoji, so what buzzes
 * on a phone matches what the channel shows.
 */

export interface StatusLook {
  label: string;
  emoji: string;
  shortcode: string;
}

const WAITING = { emoji: '⏳', shortcode: ':hourglass_flowing_sand:' };

const STATUSES: Readonly<Record<string, StatusLook>> = {
  NEW: { label: 'New', emoji: '🆕', shortcode: ':new:' },
  SUBMITING: { label: 'Submitting', ...WAITING }, // TICS spells it with one T; show the word people expect
  ACCEPTED: { label: 'Accepted', ...WAITING },
  DEPLOYING: { label: 'Deploying', ...WAITING },
  RUNNING: { label: 'Running', emoji: '🔵', shortcode: ':large_blue_circle:' }, // as in the mockup; 🔄 is the Refresh button's
  PENDING: { label: 'Pending', ...WAITING },
  TERMINATING: { label: 'Terminating', emoji: '⏸️', shortcode: ':double_vertical_bar:' },
  SUCCEEDED: { label: 'Succeeded', emoji: '✅', shortcode: ':white_check_mark:' },
  FAILED: { label: 'Failed', emoji: '❌', shortcode: ':x:' },
  TERMINATED: { label: 'Terminated', emoji: '🛑', shortcode: ':octagonal_sign:' },
};

// A status TICS may add one day: neither alarming nor reassuring until we know what it means.
const UNKNOWN = { emoji: '❔', shortcode: ':grey_question:' };

function lookOf(status: string): StatusLook | undefined {
  return Object.hasOwn(STATUSES, status) ? STATUSES[status] : undefined;
}

/** A friendly word for a known status; an unknown one is shown exactly as TICS sent it (unescaped). */
export function statusLabel(status: string): string {
  return lookOf(status)?.label ?? status;
}

/** Unicode, for plain text: notification fallbacks, `emoji: false` headers, terminals. */
export function statusEmoji(status: string): string {
  return lookOf(status)?.emoji ?? UNKNOWN.emoji;
}

/** `:shortcode:`, for mrkdwn. */
export function statusShortcode(status: string): string {
  return lookOf(status)?.shortcode ?? UNKNOWN.shortcode;
}
