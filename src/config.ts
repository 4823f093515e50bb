/**
 * The one reader of process.env. Every variable is validated with zod and every problem is reported
 * at once (name + what is expected), so an operator fixes a deployment in one pass. Secret values
 * never appear in a message.
 */
import { z } from 'zod';
import { CRASH_POINTS, type CrashPointName } from './crash-point.js';
import { EMPTY_ALIASES, parseLeagueAliases, resolveLeague, type LeagueAliases } from './tics/leagues.js';
import { ALLOW_ALL, parseAccessPolicy, type AccessPolicy } from './watch/access.js';
import { parseWatchDeclarations, type WatchDeclaration } from './watch/declared.js';

export type Env = Readonly<Record<string, string | undefined>>;

export type TicsAuthConfig =
  | { kind: 'aksk'; ak: string; sk: string; securityToken?: string }
  | { kind: 'token'; token: string }
  | { kind: 'iam'; user: string; password: string; domain: string; endpoint: string };

export interface TicsConfig {
  projectId: string;
  region: string;
  endpoint: string;
  auth: TicsAuthConfig;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  maxRetries: number;
  /** First retry delay; doubles per retry (Retry-After wins when TICS sends one). */
  retryDelayMs: number;
  /** A first attempt still unanswered after this long is sent again (0 = never); see tics/client.ts. */
  hedgeAfterMs: number;
  /** Keep-alive sockets to the TICS endpoint; requests beyond it queue. */
  maxConnections: number;
}

export interface SlackConfig {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  port: number;
}

export interface CommonConfig {
  leagues: LeagueAliases;
  storeUrl: string;
  /** Key prefix in the store: several bots (or environments) can share one Redis database. */
  storeNamespace: string;
  watchIntervalSeconds: number;
  /** How long a replica's claim on polling a league lasts without renewal (renewed every third of it). */
  watchLeaseSeconds: number;
  watchConcurrency: number;
  /** TICS_WATCH: subscriptions declared as code, merged with those made in Slack. */
  watchDeclarations: WatchDeclaration[];
  /** TICS_ACCESS: which channels may query/watch which leagues (default: all). */
  access: AccessPolicy;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** TICS_BOT_CRASH_AT, test-only: where the process kills itself (src/crash-point.ts). */
  crashAt?: CrashPointName;
}

export interface Config extends CommonConfig {
  slack: SlackConfig;
  tics: TicsConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const intWithDefault = (def: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(def),
  );
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const slackSchema = z.object({
    SLACK_BOT_TOKEN: z.preprocess(
      blankToUndefined,
      z.string({ error: 'is required to start the bot (the bot token, xoxb-…)' }).startsWith('xoxb-', 'must be a bot token starting with xoxb-'),
    ),
    SLACK_SIGNING_SECRET: optionalString,
    SLACK_APP_TOKEN: z.preprocess(blankToUndefined, z.string().startsWith('xapp-', 'must be an app-level token starting with xapp-').optional()),
    SLACK_API_URL: z.preprocess(blankToUndefined, httpUrl.optional()),
    PORT: intWithDefault(3000, 0, 65535),
});

const ticsSchema = z.object({
  TICS_PROJECT_ID: z.preprocess(
    blankToUndefined,
    z.string({ error: 'is required (your Huawei Cloud project id, up to 32 letters/digits)' }).regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters or digits'),
  ),
  TICS_REGION: z.preprocess(blankToUndefined, z.string().regex(/^[a-z]{2}-[a-z]+-\d+$/, 'must look like cn-north-4').default('cn-north-4')),
  TICS_ENDPOINT: z.preprocess(blankToUndefined, httpUrl.optional()),
  CLOUD_SDK_AK: optionalString,
  CLOUD_SDK_SK: optionalString,
  CLOUD_SDK_SECURITY_TOKEN: optionalString,
  TICS_AUTH_TOKEN: optionalString,
  HUAWEICLOUD_IAM_USER: optionalString,
  HUAWEICLOUD_IAM_PASSWORD: optionalString,
  HUAWEICLOUD_IAM_DOMAIN: optionalString,
  IAM_ENDPOINT: z.preprocess(blankToUndefined, httpUrl.optional()),
  TICS_CONNECT_TIMEOUT_MS: intWithDefault(5_000, 100, 120_000),
  TICS_TIMEOUT_MS: intWithDefault(15_000, 100, 300_000),
  TICS_MAX_RETRIES: intWithDefault(3, 0, 10),
  TICS_RETRY_DELAY_MS: intWithDefault(500, 1, 60_000),
  TICS_HEDGE_AFTER_MS: intWithDefault(2_000, 0, 300_000),
  TICS_MAX_CONNECTIONS: intWithDefault(64, 1, 1024),
});

const commonSchema = z.object({
  TICS_LEAGUES: optionalString,
  STORE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^(sqlite:\/\/.+|rediss?:\/\/.+|memory:\/\/.*)$/, 'must be sqlite://<path>, redis://… or memory://')
      .default('sqlite://./data/tics-bot.sqlite'),
  ),
  WATCH_INTERVAL_SECONDS: intWithDefault(60, 1, 86_400),
  WATCH_CONCURRENCY: intWithDefault(8, 1, 64),
  WATCH_LEASE_SECONDS: intWithDefault(10, 2, 600),
  STORE_NAMESPACE: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, ".", "_" or "-"').default('tics-bot')),
  TICS_WATCH: optionalString,
  TICS_ACCESS: optionalString,
  TICS_BOT_CRASH_AT: z.preprocess(blankToUndefined, z.enum(CRASH_POINTS).optional()),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  ),
});

function describe(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

type CredentialVars = Partial<
  Record<'CLOUD_SDK_AK' | 'CLOUD_SDK_SK' | 'CLOUD_SDK_SECURITY_TOKEN' | 'TICS_AUTH_TOKEN' | 'HUAWEICLOUD_IAM_USER' | 'HUAWEICLOUD_IAM_PASSWORD' | 'HUAWEICLOUD_IAM_DOMAIN' | 'IAM_ENDPOINT', string | undefined>
>;

function ticsAuth(v: CredentialVars, region: string): Parsed<TicsAuthConfig> {
  const aksk = Boolean(v.CLOUD_SDK_AK || v.CLOUD_SDK_SK);
  const token = Boolean(v.TICS_AUTH_TOKEN);
  const iam = Boolean(v.HUAWEICLOUD_IAM_USER || v.HUAWEICLOUD_IAM_PASSWORD || v.HUAWEICLOUD_IAM_DOMAIN);
  const chosen = [aksk && 'AK/SK (CLOUD_SDK_AK + CLOUD_SDK_SK)', token && 'token (TICS_AUTH_TOKEN)', iam && 'IAM password (HUAWEICLOUD_IAM_USER + HUAWEICLOUD_IAM_PASSWORD + HUAWEICLOUD_IAM_DOMAIN)'].filter(
    (x): x is string => Boolean(x),
  );
  if (chosen.length === 0) {
    return {
      ok: false,
      problems: [
        'TICS credentials are missing: set exactly one of CLOUD_SDK_AK + CLOUD_SDK_SK (AK/SK signing), TICS_AUTH_TOKEN (pre-issued IAM token), or HUAWEICLOUD_IAM_USER + HUAWEICLOUD_IAM_PASSWORD + HUAWEICLOUD_IAM_DOMAIN (IAM password)',
      ],
    };
  }
  if (chosen.length > 1) {
    return { ok: false, problems: [`TICS credentials conflict: configure exactly one method, found ${chosen.join(' and ')}`] };
  }
  const problems: string[] = [];
  if (aksk) {
    if (!v.CLOUD_SDK_AK) problems.push('CLOUD_SDK_AK is required with CLOUD_SDK_SK (AK/SK signing)');
    if (!v.CLOUD_SDK_SK) problems.push('CLOUD_SDK_SK is required with CLOUD_SDK_AK (AK/SK signing)');
    if (problems.length) return { ok: false, problems };
    return { ok: true, value: { kind: 'aksk', ak: v.CLOUD_SDK_AK!, sk: v.CLOUD_SDK_SK!, ...(v.CLOUD_SDK_SECURITY_TOKEN ? { securityToken: v.CLOUD_SDK_SECURITY_TOKEN } : {}) } };
  }
  if (token) return { ok: true, value: { kind: 'token', token: v.TICS_AUTH_TOKEN! } };
  for (const name of ['HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD', 'HUAWEICLOUD_IAM_DOMAIN'] as const) {
    if (!v[name]) problems.push(`${name} is required for the IAM password method`);
  }
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      kind: 'iam',
      user: v.HUAWEICLOUD_IAM_USER!,
      password: v.HUAWEICLOUD_IAM_PASSWORD!,
      domain: v.HUAWEICLOUD_IAM_DOMAIN!,
      endpoint: stripSlash(v.IAM_ENDPOINT ?? `https://iam.${region}.myhuaweicloud.com`),
    },
  };
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function parseTicsConfig(env: Env): Parsed<TicsConfig> {
  const parsed = ticsSchema.safeParse(env);
  if (!parsed.success) {
    // Still report credential problems alongside format problems: all at once.
    return { ok: false, problems: [...describe(parsed.error), ...credentialProblems(env)] };
  }
  const v = parsed.data;
  const auth = ticsAuth(v, v.TICS_REGION);
  if (!auth.ok) return auth;
  return {
    ok: true,
    value: {
      projectId: v.TICS_PROJECT_ID,
      region: v.TICS_REGION,
      endpoint: stripSlash(v.TICS_ENDPOINT ?? `https://tics.${v.TICS_REGION}.myhuaweicloud.com`),
      auth: auth.value,
      connectTimeoutMs: v.TICS_CONNECT_TIMEOUT_MS,
      requestTimeoutMs: v.TICS_TIMEOUT_MS,
      maxRetries: v.TICS_MAX_RETRIES,
      retryDelayMs: v.TICS_RETRY_DELAY_MS,
      hedgeAfterMs: v.TICS_HEDGE_AFTER_MS,
      maxConnections: v.TICS_MAX_CONNECTIONS,
    },
  };
}

/** When the format check failed, still say whether the credential choice is sound. */
function credentialProblems(env: Env): string[] {
  const strings = Object.fromEntries(
    ['CLOUD_SDK_AK', 'CLOUD_SDK_SK', 'CLOUD_SDK_SECURITY_TOKEN', 'TICS_AUTH_TOKEN', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_PASSWORD', 'HUAWEICLOUD_IAM_DOMAIN'].map((k) => [
      k,
      env[k]?.trim() || undefined,
    ]),
  ) as CredentialVars;
  const result = ticsAuth(strings, 'cn-north-4');
  return result.ok ? [] : result.problems;
}

export function parseSlackConfig(env: Env): Parsed<SlackConfig> {
  const parsed = slackSchema.safeParse(env);
  const problems = parsed.success ? [] : describe(parsed.error);
  // Checked outside the schema so it is reported even when another Slack variable is invalid.
  if (!env.SLACK_APP_TOKEN?.trim() && !env.SLACK_SIGNING_SECRET?.trim()) {
    problems.push('SLACK_SIGNING_SECRET is required in HTTP mode (or set SLACK_APP_TOKEN, xapp-…, for Socket Mode)');
  }
  if (!parsed.success || problems.length) return { ok: false, problems };
  const v = parsed.data;
  return {
    ok: true,
    value: {
      botToken: v.SLACK_BOT_TOKEN,
      port: v.PORT,
      ...(v.SLACK_SIGNING_SECRET ? { signingSecret: v.SLACK_SIGNING_SECRET } : {}),
      ...(v.SLACK_APP_TOKEN ? { appToken: v.SLACK_APP_TOKEN } : {}),
      ...(v.SLACK_API_URL ? { apiUrl: v.SLACK_API_URL.endsWith('/') ? v.SLACK_API_URL : `${v.SLACK_API_URL}/` } : {}),
    },
  };
}

export function parseCommonConfig(env: Env): Parsed<CommonConfig> {
  const parsed = commonSchema.safeParse(env);
  const problems = parsed.success ? [] : describe(parsed.error);
  const leagues = parseLeagueAliases(env.TICS_LEAGUES ?? '');
  if (!leagues.ok) problems.push(...leagues.problems.map((p) => `TICS_LEAGUES ${p}`));
  // Declarations name leagues by alias: resolve them against the aliases (when those parsed).
  const aliases = leagues.ok ? leagues.value : EMPTY_ALIASES;
  const resolve = (league: string) => resolveLeague(league, aliases);
  const declared = parseWatchDeclarations(env.TICS_WATCH ?? '', resolve);
  if (!declared.ok) problems.push(...declared.problems.map((p) => `TICS_WATCH ${p}`));
  const access = env.TICS_ACCESS?.trim() ? parseAccessPolicy(env.TICS_ACCESS, resolve) : ({ ok: true, value: ALLOW_ALL } as const);
  if (!access.ok) problems.push(...access.problems.map((p) => `TICS_ACCESS ${p}`));
  if (!parsed.success || !leagues.ok || !declared.ok || !access.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      leagues: leagues.value,
      storeUrl: parsed.data.STORE_URL,
      storeNamespace: parsed.data.STORE_NAMESPACE,
      watchIntervalSeconds: parsed.data.WATCH_INTERVAL_SECONDS,
      watchLeaseSeconds: parsed.data.WATCH_LEASE_SECONDS,
      watchConcurrency: parsed.data.WATCH_CONCURRENCY,
      watchDeclarations: declared.value,
      access: access.value,
      logLevel: parsed.data.LOG_LEVEL,
      ...(parsed.data.TICS_BOT_CRASH_AT ? { crashAt: parsed.data.TICS_BOT_CRASH_AT } : {}),
    },
  };
}

/** Everything the bot needs; throws one ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const slack = parseSlackConfig(env);
  const tics = parseTicsConfig(env);
  const common = parseCommonConfig(env);
  const problems = [slack, tics, common].flatMap((p) => (p.ok ? [] : p.problems));
  if (!slack.ok || !tics.ok || !common.ok) throw new ConfigError(problems);
  return { ...common.value, slack: slack.value, tics: tics.value };
}

/** What the CLI needs: TICS access only, no Slack. */
export function loadTicsOnlyConfig(env: Env = process.env): CommonConfig & { tics: TicsConfig } {
  const tics = parseTicsConfig(env);
  const common = parseCommonConfig(env);
  if (!tics.ok || !common.ok) throw new ConfigError([tics, common].flatMap((p) => (p.ok ? [] : p.problems)));
  return { ...common.value, tics: tics.value };
}
