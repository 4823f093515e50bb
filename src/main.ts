/** Production entry point: `npm start`. */
import { ConfigError, loadConfig } from './config.js';
import { startBot } from './bot.js';
import { armCrashPoint } from './crash-point.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`tics-bot cannot start. ${error.message}\nSee README.md ("Configuration") for every variable.`);
      process.exit(1);
    }
    throw error;
  }
  armCrashPoint(config.crashAt);
  const bot = await startBot(config);
  const shutdown = (signal: string) => {
    bot.logger.info({ signal }, 'signal received');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(`tics-bot failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
