/**
 * The edges of the bot: a Slack that rejects the token stops the start. The probes an orchestrator
 * polls (and a Slack that is only unreachable) are in health.test.ts; what an operator sees when the
 * built process cannot start is in test/process/startup.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/simulator/server.js';
import { startFakeSlack } from '../fakes/slack-api.js';
import { recordOutput, recordSecrets } from '../helpers/leak-record.js';

describe('startBot against a Slack that rejects the token', () => {
  it('fails with a message naming SLACK_BOT_TOKEN, not the token', async () => {
    const slack = await startFakeSlack({ botToken: 'xoxb-the-right-token' });
    const sim = await startSimulator({ seed: false });
    const wrongToken = 'xoxb-wrong-0123456789-abcdefabcdef';
    const lines: string[] = [];
    try {
      const env = {
        SLACK_BOT_TOKEN: wrongToken,
        SLACK_SIGNING_SECRET: 'a-signing-secret-for-this-test',
        SLACK_API_URL: slack.url,
        PORT: '0',
        STORE_URL: 'memory://',
        TICS_PROJECT_ID: sim.projectId,
        TICS_ENDPOINT: sim.url,
        CLOUD_SDK_AK: sim.credentials.ak,
        CLOUD_SDK_SK: sim.credentials.sk,
      };
      const config = loadConfig(env);
      recordSecrets('health-and-startup.test', env);
      const logger = createLogger({
        level: 'debug',
        secrets: [wrongToken],
        destination: {
          write: (l: string) => {
            lines.push(l);
            recordOutput('health-and-startup.test log', l);
          },
        },
      });
      const started = startBot(config, { logger });
      await expect(started).rejects.toThrow(/auth\.test \(invalid_auth\)\. Check SLACK_BOT_TOKEN/);
      await started.catch((error: unknown) => expect(String(error)).not.toContain(wrongToken));
      expect(lines.join('')).not.toContain(wrongToken);
      expect(slack.callsTo('auth.test').length).toBeGreaterThan(0);
    } finally {
      await slack.close();
      await sim.close();
    }
  });
});
