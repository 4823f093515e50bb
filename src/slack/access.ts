/**
 * The channel allow-list (TICS_ACCESS): checked before any TICS call or subscription change, by the
 * commands and by the history service behind the buttons alike.
 */
import type { Logger } from '../log.js';
import { leagueLabel, type LeagueRef } from '../tics/leagues.js';
import type { SlackDeps } from './deps.js';
import { accessDeniedError } from './views/errors.js';
import type { SlackMessage } from './views/format.js';

export function accessDenied(deps: SlackDeps, request: { channelId: string | undefined; league: LeagueRef; user: string; what: string }, log: Logger): SlackMessage | undefined {
  if (!deps.access || deps.access.allows(request.channelId ?? '', request.league.id)) return undefined;
  log.warn({ channelId: request.channelId, leagueId: request.league.id, user: request.user, what: request.what }, 'access denied by TICS_ACCESS');
  const allowed = deps.access.describe(request.channelId ?? '');
  return accessDeniedError(request.what, leagueLabel(request.league), allowed);
}
