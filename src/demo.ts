/**
 * `npm run demo`: the real bot with only the two Slack tokens set, against the built-in TICS
 * simulator (seeded leagues whose jobs progress and sometimes fail). Every message says the data
 * is simulated.
 */
import { ConfigError, parseCommonConfig, parseSlackConfig, type Config } from './config.js';
import { startBot } from './bot.js';
import { DEMO_LEAGUES, startSimulator } from './simulator/server.js';

async function main(): Promise<void> {
  const env = {
    STORE_URL: 'memory://',
    TICS_LEAGUES: DEMO_LEAGUES.map((l) => `${l.alias}=${l.id}`).join(','),
    WATCH_INTERVAL_SECONDS: '15',
    ...process.env,
  };
  const slack = parseSlackConfig(env);
  const common = parseCommonConfig(env);
  if (!slack.ok || !common.ok) {
    const problems = [slack, common].flatMap((p) => (p.ok ? [] : p.problems));
    console.error(`${new ConfigError(problems).message}\nThe demo needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).`);
    process.exit(1);
  }
  const sim = await startSimulator({ seed: Number(process.env.SIM_SEED ?? 1) });
  const config: Config = {
    ...common.value,
    slack: slack.value,
    tics: { projectId: sim.projectId, region: 'simulator', endpoint: sim.url, auth: { kind: 'aksk', ...sim.credentials }, connectTimeoutMs: 2_000, requestTimeoutMs: 10_000, maxRetries: 2, retryDelayMs: 500, hedgeAfterMs: 2_000, maxConnections: 16 },
  };
  console.error(`Demo: built-in TICS simulator at ${sim.url}; try /tics history ${DEMO_LEAGUES.map((l) => l.alias).join(' | ')}`);
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
