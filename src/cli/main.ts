/**
 * `npm run cli -- history <league> [job:<id>] [status:…] [limit:n] [--offset N] [--json] [--simulator]`
 * `npm run cli -- leagues [text] [--json] [--simulator]`
 *
 * Prints the leagues the credentials can see, or a league's history from real TICS (configured by the same env as the bot, no Slack needed),
 * or with `--simulator` from an in-process simulator with zero configuration. Doubles as a
 * credential check: an auth failure says which credential was used and what the gateway answered.
 */
// The mini class: the full UTCDate builds Intl formatters (ICU data, ~13 MB RSS) at import.
import { UTCDateMini as UTCDate } from '@date-fns/utc/date/mini';
import { format } from 'date-fns/format';
import { ConfigError, loadTicsOnlyConfig, type TicsConfig } from '../config.js';
import { fetchHistoryPage } from '../history/fetch-page.js';
import { DEFAULT_LIMIT, HISTORY_USAGE, parseHistoryArgs } from '../history/query.js';
import { createLogger } from '../log.js';
import { DEMO_LEAGUES, startSimulator, type TicsSimulator } from '../simulator/server.js';
import { createStore } from '../store.js';
import { TicsError } from '../tics/errors.js';
import { createTicsClient } from '../tics/factory.js';
import { parseLeagueAliases, type LeagueAliases, type LeagueRef } from '../tics/leagues.js';
import { LeagueDirectory } from '../leagues/directory.js';
import { cleanLeagueInput } from '../leagues/resolve.js';
import { normalizeName } from '../leagues/summary.js';
import { renderLeaguesTable, renderTable } from './table.js';

const USAGE = `usage: npm run cli -- ${HISTORY_USAGE} [--offset N] [--json] [--simulator]\n       npm run cli -- leagues [text] [--json] [--simulator]`;
const MAX_LIMIT = 100;

interface Flags {
  json: boolean;
  simulator: boolean;
  offset: number;
  words: string[];
}

function parseFlags(argv: string[]): Flags | string {
  const flags: Flags = { json: false, simulator: false, offset: 0, words: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') flags.json = true;
    else if (arg === '--simulator') flags.simulator = true;
    else if (arg === '--offset') {
      const value = argv[++i];
      if (!value || !/^\d+$/.test(value)) return '--offset needs a whole number';
      flags.offset = Number(value);
    } else if (arg === '--help' || arg === '-h') return USAGE;
    else if (arg.startsWith('--')) return `unknown flag ${arg}`;
    else flags.words.push(arg);
  }
  return flags;
}

async function main(argv: string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (typeof flags === 'string') {
    console.error(flags === USAGE ? USAGE : `${flags}\n${USAGE}`);
    return flags === USAGE ? 0 : 2;
  }
  const [verb, ...rest] = flags.words;
  if (verb !== 'history' && verb !== 'leagues') {
    console.error(`${verb ? `unknown command "${verb}"` : 'missing command'}\n${USAGE}`);
    return 2;
  }
  // `leagues` takes free text, not history arguments.
  const args: ReturnType<typeof parseHistoryArgs> = verb === 'history' ? parseHistoryArgs(rest, MAX_LIMIT) : { ok: true, value: { league: '' } };
  if (!args.ok) {
    console.error(`${args.problem.replace(/`/g, '')}\n${USAGE}`);
    return 2;
  }

  let sim: TicsSimulator | undefined;
  let tics: TicsConfig;
  let leagues: LeagueAliases;
  if (flags.simulator) {
    sim = await startSimulator({ seed: 1 });
    const aliases = parseLeagueAliases(DEMO_LEAGUES.map((l) => `${l.alias}=${l.id}`).join(','));
    if (!aliases.ok) throw new Error(aliases.problems.join('; '));
    leagues = aliases.value;
    tics = { projectId: sim.projectId, region: 'simulator', endpoint: sim.url, auth: { kind: 'aksk', ...sim.credentials }, connectTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxRetries: 2, retryDelayMs: 500, hedgeAfterMs: 2_000, maxConnections: 16 };
    console.error(`Using the built-in TICS simulator (${sim.url}); leagues: ${DEMO_LEAGUES.map((l) => l.alias).join(', ')}`);
  } else {
    try {
      const config = loadTicsOnlyConfig(process.env);
      tics = config.tics;
      leagues = config.leagues;
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`${error.message}\nOr try it without credentials: npm run cli -- history credit-risk --simulator`);
        return 2;
      }
      throw error;
    }
  }

  const store = await createStore('memory://');
  const logger = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'silent' });
  const client = createTicsClient(tics, { store, logger });
  const directory = new LeagueDirectory({ tics: client, store, aliases: leagues, logger });
  try {
    if (verb === 'leagues') return await printLeagues(directory, cleanLeagueInput(rest.join(' ')), flags.json);
    const resolved = await directory.resolve(args.value.league);
    if (!resolved.ok) {
      console.error(resolved.ambiguous ? `${resolved.problem}\n${renderLeaguesTable(resolved.ambiguous)}` : resolved.problem.replace(/`/g, ''));
      return 2;
    }
    const name = resolved.league.name ?? (await directory.nameOf(resolved.league.id));
    const page = await fetchHistoryPage(client, {
      leagueId: resolved.league.id,
      limit: args.value.limit ?? DEFAULT_LIMIT,
      offset: flags.offset,
      ...(args.value.jobId ? { jobId: args.value.jobId } : {}),
      ...(args.value.statuses ? { statuses: args.value.statuses } : {}),
    });
    if (flags.json) {
      console.log(JSON.stringify({ league: { ...resolved.league, name }, ...page }, null, 2));
    } else {
      const now = Date.now();
      const where = page.pageCount ? `page ${page.pageNumber} of ${page.pageCount}` : `page ${page.pageNumber}`;
      console.log(`League ${headerName(resolved.league, name)} — ${page.total} instances, ${where}, fetched ${format(new UTCDate(now), 'yyyy-MM-dd HH:mm:ss')} UTC`);
      if (page.scan?.cutShort) console.log(`(status filter: scanned ${page.scan.scanned} records without filling the page; use --offset ${page.next?.offset ?? ''} to continue)`);
      console.log(page.instances.length ? renderTable(page, now) : '(no instances)');
      if (page.next) console.log(`\nnext page: --offset ${page.next.offset}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof TicsError) {
      console.error(describeFailure(error, client.description));
      return error.kind === 'auth' ? 3 : 4;
    }
    throw error;
  } finally {
    await client.close();
    await store.close();
    await sim?.close();
  }
}

/** `信用风控联盟 (credit-risk, demoCreditRisk01)`, `credit-risk (demoCreditRisk01)` or the id alone. */
function headerName(league: LeagueRef, name: string): string {
  if (name === league.id) return league.id;
  if (name === league.alias) return `${name} (${league.id})`;
  return `${name} (${[league.alias, league.id].filter(Boolean).join(', ')})`;
}

async function printLeagues(directory: LeagueDirectory, filter: string, json: boolean): Promise<number> {
  const all = await directory.list();
  const wanted = normalizeName(filter);
  const leagues = wanted ? all.filter((l) => [l.name, l.alias ?? '', l.id].some((f) => normalizeName(f).includes(wanted))) : all;
  if (json) {
    console.log(JSON.stringify({ leagues }, null, 2));
    return 0;
  }
  console.log(`${leagues.length} ${leagues.length === 1 ? 'league' : 'leagues'}${wanted ? ` matching "${filter}"` : ''} of ${all.length} the credentials can see`);
  console.log(leagues.length ? renderLeaguesTable(leagues) : '(none)');
  return 0;
}

export function describeFailure(error: TicsError, credential: string): string {
  const answer = [
    error.httpStatus ? `HTTP ${error.httpStatus}` : undefined,
    error.errorCode,
    error.errorMsg ? `"${error.errorMsg}"` : undefined,
    error.requestId ? `request id ${error.requestId}` : undefined,
    error.attempts && error.attempts > 1 ? `after ${error.attempts} attempts` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const lead = error.kind === 'auth' ? 'Authentication failed' : 'TICS request failed';
  return `${lead}: ${error.message}\n  credential used: ${credential}\n  gateway answered: ${answer || '(no answer)'}`;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`cli failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
