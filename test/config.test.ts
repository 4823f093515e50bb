import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadTicsOnlyConfig, parseTicsConfig } from '../src/config.js';

const SECRET_SK = 'sk-very-secret-value-123456';
const base = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-3',
  SLACK_SIGNING_SECRET: 'signing-secret-abcdef',
  TICS_PROJECT_ID: 'abc123',
  CLOUD_SDK_AK: 'AKAKAKAKAKAK',
  CLOUD_SDK_SK: SECRET_SK,
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(base);
    expect(config.slack.port).toBe(3000);
    expect(config.tics.region).toBe('cn-north-4');
    expect(config.tics.endpoint).toBe('https://tics.cn-north-4.myhuaweicloud.com');
    expect(config.storeUrl).toBe('sqlite://./data/tics-bot.sqlite');
    expect(config.watchIntervalSeconds).toBe(60);
    expect(config.logLevel).toBe('info');
    expect(config.tics.auth).toEqual({ kind: 'aksk', ak: 'AKAKAKAKAKAK', sk: SECRET_SK });
    expect(config.tics).toMatchObject({ requestTimeoutMs: 15_000, maxRetries: 3, retryDelayMs: 500, hedgeAfterMs: 2_000 });
  });

  it('TICS_HEDGE_AFTER_MS: 0 turns hedging off; a negative value is named', () => {
    expect(loadConfig({ ...base, TICS_HEDGE_AFTER_MS: '0' }).tics.hedgeAfterMs).toBe(0);
    expect(problems({ ...base, TICS_HEDGE_AFTER_MS: '-1' }).join('\n')).toMatch(/TICS_HEDGE_AFTER_MS/);
  });

  it('derives the endpoint from the region; an explicit endpoint wins and loses its trailing slash', () => {
    expect(loadConfig({ ...base, TICS_REGION: 'cn-east-3' }).tics.endpoint).toBe('https://tics.cn-east-3.myhuaweicloud.com');
    expect(loadConfig({ ...base, TICS_REGION: 'cn-east-3', TICS_ENDPOINT: 'http://127.0.0.1:4010/' }).tics.endpoint).toBe('http://127.0.0.1:4010');
  });

  it('reports every problem at once, each naming its variable', () => {
    const found = problems({ PORT: 'eighty', TICS_PROJECT_ID: 'has-dash', LOG_LEVEL: 'loud', STORE_URL: 'postgres://x', WATCH_INTERVAL_SECONDS: '0' });
    const text = found.join('\n');
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'PORT', 'TICS_PROJECT_ID', 'LOG_LEVEL', 'STORE_URL', 'WATCH_INTERVAL_SECONDS']) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/TICS credentials are missing/);
    expect(found.length).toBeGreaterThanOrEqual(8);
  });

  it('socket mode needs no signing secret; a wrong token prefix is named', () => {
    const { SLACK_SIGNING_SECRET: _omit, ...noSecret } = base;
    expect(loadConfig({ ...noSecret, SLACK_APP_TOKEN: 'xapp-1-abc' }).slack.appToken).toBe('xapp-1-abc');
    expect(problems(noSecret).join()).toMatch(/SLACK_SIGNING_SECRET is required in HTTP mode/);
    expect(problems({ ...base, SLACK_BOT_TOKEN: 'xoxp-user' }).join()).toMatch(/SLACK_BOT_TOKEN must be a bot token/);
  });

  it('never echoes a secret value in a problem', () => {
    const text = problems({ ...base, TICS_AUTH_TOKEN: 'tok-secret-zzzzzzzz', PORT: SECRET_SK }).join('\n');
    expect(text).not.toContain(SECRET_SK);
    expect(text).not.toContain('tok-secret-zzzzzzzz');
    expect(new ConfigError(['x']).message).toContain('x');
  });

  it('requires exactly one TICS auth method and says which is incomplete or conflicting', () => {
    expect(problems({ ...base, TICS_AUTH_TOKEN: 'tok' }).join()).toMatch(/conflict.*AK\/SK.*token/);
    const { CLOUD_SDK_SK: _sk, ...akOnly } = base;
    expect(problems(akOnly)).toContain('CLOUD_SDK_SK is required with CLOUD_SDK_AK (AK/SK signing)');
    const iamPartial = { ...base, CLOUD_SDK_AK: '', CLOUD_SDK_SK: '', HUAWEICLOUD_IAM_USER: 'bob' };
    expect(problems(iamPartial)).toEqual(['HUAWEICLOUD_IAM_PASSWORD is required for the IAM password method', 'HUAWEICLOUD_IAM_DOMAIN is required for the IAM password method']);
  });

  it('builds the IAM method with the regional IAM endpoint by default', () => {
    const env = { ...base, CLOUD_SDK_AK: undefined, CLOUD_SDK_SK: undefined, TICS_REGION: 'cn-north-5', HUAWEICLOUD_IAM_USER: 'u', HUAWEICLOUD_IAM_PASSWORD: 'p', HUAWEICLOUD_IAM_DOMAIN: 'd' };
    expect(loadConfig(env).tics.auth).toEqual({ kind: 'iam', user: 'u', password: 'p', domain: 'd', endpoint: 'https://iam.cn-north-5.myhuaweicloud.com' });
    expect(loadConfig({ ...env, IAM_ENDPOINT: 'http://127.0.0.1:9/' }).tics.auth).toMatchObject({ endpoint: 'http://127.0.0.1:9' });
  });

  it('treats blank variables as unset (as .env files produce them)', () => {
    const config = loadConfig({ ...base, PORT: '', TICS_REGION: '  ', SLACK_APP_TOKEN: '' });
    expect(config.slack.port).toBe(3000);
    expect(config.tics.region).toBe('cn-north-4');
    expect(config.slack.appToken).toBeUndefined();
  });

  it('parses league aliases and reports bad entries under TICS_LEAGUES', () => {
    const config = loadConfig({ ...base, TICS_LEAGUES: 'credit=abc123, Fraud-Ring=def456' });
    expect(config.leagues.byAlias.get('fraud-ring')).toBe('def456');
    const text = problems({ ...base, TICS_LEAGUES: 'credit=abc-123,nothing,x=1,x=2' }).join('\n');
    expect(text).toMatch(/TICS_LEAGUES league id for "credit"/);
    expect(text).toMatch(/TICS_LEAGUES entry "nothing"/);
    expect(text).toMatch(/alias "x" is defined twice/);
  });

  it('the CLI needs no Slack variables', () => {
    const { SLACK_BOT_TOKEN: _t, SLACK_SIGNING_SECRET: _s, ...ticsOnly } = base;
    expect(loadTicsOnlyConfig(ticsOnly).tics.projectId).toBe('abc123');
    expect(() => loadTicsOnlyConfig({})).toThrow(/TICS_PROJECT_ID is required/);
  });

  it('reports credential problems even when another TICS variable is malformed', () => {
    const result = parseTicsConfig({ TICS_PROJECT_ID: 'bad id', TICS_TIMEOUT_MS: '-5' });
    expect(result.ok).toBe(false);
    const text = result.ok ? '' : result.problems.join('\n');
    expect(text).toMatch(/TICS_PROJECT_ID/);
    expect(text).toMatch(/TICS_TIMEOUT_MS/);
    expect(text).toMatch(/credentials are missing/);
  });

  it('parses TICS_WATCH against the aliases and TICS_ACCESS into a policy', () => {
    const config = loadConfig({
      ...base,
      TICS_LEAGUES: 'credit=abc123',
      TICS_WATCH: 'credit:C0123ABCDE:failed;def456:G0456EFGHI',
      TICS_ACCESS: 'C0123ABCDE:credit;*:def456',
      WATCH_CONCURRENCY: '4',
    });
    expect(config.watchConcurrency).toBe(4);
    expect(config.watchDeclarations).toEqual([
      { leagueId: 'abc123', leagueAlias: 'credit', channelId: 'C0123ABCDE', triggers: ['FAILED'] },
      { leagueId: 'def456', channelId: 'G0456EFGHI', triggers: ['FAILED', 'TERMINATED'] },
    ]);
    expect(config.access.allows('C0123ABCDE', 'abc123')).toBe(true);
    expect(config.access.allows('C0999ZZZZZ', 'abc123')).toBe(false);
    expect(config.access.allows('C0999ZZZZZ', 'def456')).toBe(true);
    expect(loadConfig(base).access.allows('Canything', 'anything')).toBe(true);
  });

  it('names TICS_WATCH and TICS_ACCESS in their problems', () => {
    const text = problems({ ...base, TICS_WATCH: 'nosuch-alias:C0123ABCDE;credit:notachannel', TICS_ACCESS: 'C0123ABCDE' }).join('\n');
    expect(text).toMatch(/TICS_WATCH .*nosuch-alias/);
    expect(text).toMatch(/TICS_WATCH .*notachannel/);
    expect(text).toMatch(/TICS_ACCESS /);
  });

  it('leaves the test-only crash point off unless TICS_BOT_CRASH_AT names a known one', () => {
    expect(loadConfig(base).crashAt).toBeUndefined();
    expect(loadConfig({ ...base, TICS_BOT_CRASH_AT: '' }).crashAt).toBeUndefined();
    expect(loadConfig({ ...base, TICS_BOT_CRASH_AT: 'after-claim' }).crashAt).toBe('after-claim');
    expect(problems({ ...base, TICS_BOT_CRASH_AT: 'everywhere' }).join('\n')).toMatch(/^TICS_BOT_CRASH_AT /m);
  });
});
