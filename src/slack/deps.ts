/** What the Slack layer needs from the rest of the bot; injected so tests and the demo can swap parts. */
import type { Logger } from '../log.js';
import type { TicsApi } from '../tics/client.js';
import type { LeagueAliases } from '../tics/leagues.js';

export interface SlackDeps {
  tics: TicsApi;
  leagues: LeagueAliases;
  logger: Logger;
  now: () => number;
  /** Data comes from the built-in simulator: every message says so. */
  simulated: boolean;
}
