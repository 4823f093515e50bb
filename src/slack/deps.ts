/** What the Slack layer needs from the rest of the bot; injected so tests and the demo can swap parts. */
import type { LeagueDirectory } from '../leagues/directory.js';
import type { Logger } from '../log.js';
import type { BotMetrics } from '../metrics.js';
import type { TicsApi } from '../tics/client.js';
import type { LeagueAliases } from '../tics/leagues.js';
import type { AccessPolicy } from '../watch/access.js';
import type { IncidentActions } from '../watch/incidents/actions.js';
import type { WatchService } from '../watch/service.js';

export interface SlackDeps {
  tics: TicsApi;
  leagues: LeagueAliases;
  logger: Logger;
  now: () => number;
  /** Data comes from the built-in simulator: every message says so. */
  simulated: boolean;
  /** Absent: watching is not enabled (only in tests of the history path). */
  watch?: WatchService;
  /** Absent: incident buttons answer that they are not enabled (tests of the history path). */
  incidents?: IncidentActions;
  /** Absent: every channel may use every league. */
  access?: AccessPolicy;
  /** Leagues by name (`/tics leagues`, `<league>` names, real names in displays). Absent: aliases and ids only. */
  directory?: LeagueDirectory;
  /** Absent: nothing is counted (tests that build the Slack side alone). */
  metrics?: BotMetrics;
}
