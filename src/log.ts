/**
 * pino with two layers of secret protection: path-based `redact` for the fields we know, and a
 * last-line scrubber that replaces the literal value of every configured secret wherever it appears
 * (an error message that quotes a header, a URL with a token in it…).
 */
import { inspect } from 'node:util';
import { pino, type Logger as PinoLogger, type LevelWithSilent, type DestinationStream } from 'pino';
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';

export type Logger = PinoLogger;

export const REDACT_PATHS = [
  'sk',
  'ak',
  'password',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'securityToken',
  'authorization',
  '*.sk',
  '*.password',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.securityToken',
  '*.authorization',
  '*.Authorization',
  'headers["x-auth-token"]',
  'headers["x-security-token"]',
  '*.headers["x-auth-token"]',
  '*.headers["x-security-token"]',
  '*.headers.authorization',
];

const REDACTED = '[Redacted]';

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Literal secret values to scrub from every line, whatever field they hide in. */
  secrets?: ReadonlyArray<string | undefined>;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  // Very short values would scrub innocent text; real secrets are long.
  const secrets = [...new Set(options.secrets ?? [])].filter((s): s is string => typeof s === 'string' && s.length >= 8);
  const scrub = (line: string) => secrets.reduce((acc, secret) => acc.split(secret).join(REDACTED), line);
  return pino(
    {
      level: options.level,
      name: options.name ?? 'tics-bot',
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: secrets.length ? { streamWrite: scrub } : {},
    },
    options.destination,
  );
}

const boltToPino: Record<LogLevel, LevelWithSilent> = {
  [LogLevel.DEBUG]: 'debug',
  [LogLevel.INFO]: 'info',
  [LogLevel.WARN]: 'warn',
  [LogLevel.ERROR]: 'error',
};

/** Bolt calls `debug` whatever the level; pino's own level check does the filtering. */
export function toBoltLogger(base: Logger): BoltLogger {
  let logger = base.child({ component: 'bolt' });
  let level: LogLevel = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error') => (...msg: unknown[]) => {
    const [first, ...rest] = msg;
    if (first instanceof Error) logger[method]({ err: first }, rest.map(String).join(' ') || first.message);
    else logger[method](msg.map((m) => (typeof m === 'string' ? m : inspect(m, { depth: 3, breakLength: Infinity }))).join(' '));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel(next: LogLevel) {
      level = next;
      // Bolt sets its own default level on start-up; never let it be noisier than ours.
      const wanted = boltToPino[next];
      if (base.levels.values[wanted]! > base.levels.values[base.level]!) logger.level = wanted;
    },
    getLevel: () => level,
    setName(name: string) {
      logger = base.child({ component: name });
    },
  };
}
