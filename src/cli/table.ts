/** Plain-text rendering of a history page and of the league list for the terminal (pure). */
// The mini class: the full UTCDate builds Intl formatters (ICU data, ~13 MB RSS) at import.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { format } from 'date-fns/format';
import type { HistoryPage } from '../history/fetch-page.js';
import type { LeagueSummary } from '../leagues/summary.js';
import { describeTiming, typeLabel } from '../format/instance.js';

const COLUMNS = ['STATUS', 'JOB', 'TYPE', 'STARTED (UTC)', 'DURATION', 'ROUNDS', 'PARTNER', 'INSTANCE'] as const;

/** Terminal width of a string: CJK and other wide characters take two columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  return width;
}

function fit(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const ch of text.replace(/\s+/g, ' ')) {
    const w = displayWidth(ch);
    if (used + w > width - 1 && displayWidth(text) > width) return `${out}…${' '.repeat(Math.max(0, width - used - 1))}`;
    out += ch;
    used += w;
  }
  return out + ' '.repeat(Math.max(0, width - used));
}

export function renderTable(page: HistoryPage, now: number): string {
  const rows = page.instances.map((i) => [
    i.status,
    i.jobName || '—',
    typeLabel(i.type),
    i.startTime === undefined ? '—' : format(new UTCDate(i.startTime), 'yyyy-MM-dd HH:mm:ss'),
    describeTiming(i, now),
    i.roundId === undefined ? '—' : String(i.roundId),
    i.jobPartner ?? '—',
    i.id || '—',
  ]);
  return columns(COLUMNS, rows, [12, 32, 24, 19, 28, 6, 24, 32]);
}

const LEAGUE_COLUMNS = ['NAME', 'ID', 'STATUS', 'ROLE', 'MEMBERS', 'ALIAS', 'CREATOR'] as const;

export function renderLeaguesTable(leagues: readonly LeagueSummary[]): string {
  const rows = leagues.map((l) => [l.name || '—', l.id, l.status ?? '—', l.type ?? '—', l.partners === undefined ? '—' : String(l.partners), l.alias ?? '—', l.creatorName ?? '—']);
  return columns(LEAGUE_COLUMNS, rows, [48, 32, 14, 8, 7, 24, 24]);
}

function columns(headers: readonly string[], rows: readonly string[][], max: readonly number[]): string {
  const widths = headers.map((h, c) => Math.min(max[c]!, Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[c]!)))));
  const line = (cells: readonly string[]) => cells.map((cell, c) => fit(cell, widths[c]!)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
