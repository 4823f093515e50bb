/**
 * `npm run simulator`: a seeded local TICS to point the bot or the CLI at.
 * Env: PORT (default 4010), SIM_HOST (default 127.0.0.1), SIM_SEED (default 1), SIM_SPEED (default 60).
 */
import { z } from 'zod';
import { DEFAULT_IAM_USER, DEMO_LEAGUES, startSimulator } from './server.js';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_SEED: z.coerce.number().int().default(1),
  SIM_SPEED: z.coerce.number().positive().default(60),
});

const blankToUndefined = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));

async function main(): Promise<void> {
  const env = envSchema.safeParse(blankToUndefined(process.env));
  if (!env.success) {
    console.error(`simulator: bad environment\n${z.prettifyError(env.error)}`);
    process.exit(2);
  }
  const sim = await startSimulator({ port: env.data.PORT, host: env.data.SIM_HOST, seed: env.data.SIM_SEED, speed: env.data.SIM_SPEED });
  const aliases = DEMO_LEAGUES.map((l) => `${l.alias}=${l.id}`).join(',');
  const first = DEMO_LEAGUES[0]!;
  console.log(`TICS simulator listening on ${sim.url}  (seed ${env.data.SIM_SEED}, ${env.data.SIM_SPEED}× speed)`);
  console.log(`  project id : ${sim.projectId}`);
  console.log(`  AK / SK    : ${sim.credentials.ak} / ${sim.credentials.sk}`);
  console.log(`  IAM user   : ${DEFAULT_IAM_USER.name} / ${DEFAULT_IAM_USER.password} (domain ${DEFAULT_IAM_USER.domain})`);
  console.log('  leagues    :');
  for (const league of DEMO_LEAGUES) {
    console.log(`    ${league.id.padEnd(20)} ${league.alias.padEnd(12)} ${league.name} (${sim.world.instances(league.id).length} instances)`);
  }
  console.log('\nTry:');
  console.log(
    `  TICS_ENDPOINT=${sim.url} TICS_PROJECT_ID=${sim.projectId} CLOUD_SDK_AK=${sim.credentials.ak} CLOUD_SDK_SK=${sim.credentials.sk} ` +
      `TICS_LEAGUES=${aliases} npm run cli -- history ${first.alias}`,
  );
  console.log(`  (or with a raw id: ... npm run cli -- history ${first.id})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping simulator after ${sim.requests.length} requests`);
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('simulator: close failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('simulator: failed to start', error);
  process.exit(1);
});
