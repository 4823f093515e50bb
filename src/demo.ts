/**
 * `npm run demo`: the real bot with only the two Slack tokens set, against the built-in TICS
 * simulator (seeded leagues whose jobs progress and sometimes fail). Every message says the data
 * is simulated.
 *
 * In the first league, a job fails several runs in a row and then succeeds, every 10 minutes, and a
 * federated job hangs in RUNNING (src/simulator/demo-story.ts): a watch with `stuck:30m` on it
 * shows a thread, its recovery and a stuck job within a few minutes. `DEMO_CHANNEL=C…` declares
 * that watch (unless TICS_WATCH is set); otherwise type the `/tics watch` the start-up line prints.
 */
import { ConfigError, parseCommonConfig, parseSlackConfig, type Config } from './config.js';
import { startBot } from './bot.js';
import { DEMO_STUCK_MS, FAILED_RUNS, addDemoStory } from './simulator/demo-story.js';
import { DEMO_LEAGUES, startSimulator } from './simulator/server.js';
import { formatStuck } from './watch/watch-options.js';

const STORY_LEAGUE = DEMO_LEAGUES[0]!;
const DEMO_WATCH_OPTIONS = `stuck:${formatStuck(DEMO_STUCK_MS)}`;

async function main(): Promise<void> {
  const env: Record<string, string | undefined> = {
    STORE_URL: 'memory://',
    TICS_LEAGUES: DEMO_LEAGUES.map((l) => `${l.alias}=${l.id}`).join(','),
    WATCH_INTERVAL_SECONDS: '15',
    ...process.env,
  };
  const channel = process.env.DEMO_CHANNEL?.trim();
  if (channel && !env.TICS_WATCH?.trim()) env.TICS_WATCH = `${STORY_LEAGUE.alias}:${channel} ${DEMO_WATCH_OPTIONS}`;
  const slack = parseSlackConfig(env);
  const common = parseCommonConfig(env);
  if (!slack.ok || !common.ok) {
    const problems = [slack, common].flatMap((p) => (p.ok ? [] : p.problems));
    console.error(`${new ConfigError(problems).message}\nThe demo needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).`);
    process.exit(1);
  }
  const sim = await startSimulator({ seed: Number(process.env.SIM_SEED ?? 1) });
  const story = addDemoStory(sim.world, { leagueId: STORY_LEAGUE.id, now: Date.now(), stuckMs: DEMO_STUCK_MS });
  const config: Config = {
    ...common.value,
    slack: slack.value,
    tics: { projectId: sim.projectId, region: 'simulator', endpoint: sim.url, auth: { kind: 'aksk', ...sim.credentials }, connectTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxRetries: 2, retryDelayMs: 500, hedgeAfterMs: 2_000, maxConnections: 16 },
  };
  console.error(`Demo: built-in TICS simulator at ${sim.url}; try /tics history ${DEMO_LEAGUES.map((l) => l.alias).join(' | ')}`);
  console.error(
    `Demo alerts: in ${STORY_LEAGUE.alias}, "${story.flakyJob.name}" fails ${FAILED_RUNS} times then recovers every 10 minutes and "${story.hungJob.name}" hangs; ` +
      (env.TICS_WATCH?.trim() ? `watching per TICS_WATCH="${env.TICS_WATCH}"` : `in a channel, /invite the bot and type /tics watch ${STORY_LEAGUE.alias} ${DEMO_WATCH_OPTIONS} notify:@you (or set DEMO_CHANNEL=C…)`),
  );
  const bot = await startBot(config, { simulated: true });
  const shutdown = () => {
    void bot
      .stop()
      .then(() => sim.close())
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(`demo failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
