/**
 * The suite-wide secret-leak check's collecting side. Every place that starts the bot records the
 * secrets it configured, and everything the bot said (log lines, stderr, Slack payloads as the fake
 * Slack received them) is appended to files in one directory per run; test/setup/leak-check.ts
 * creates the directory and, after the last test, searches all the output for every secret in
 * every encoding. Outside a vitest run (the bench, `npm run chaos`) the env var is unset and all of
 * this is a no-op.
 *
 * One file pair per process (workers, the main process), so concurrent writers never interleave
 * inside a line; appends are synchronous so a worker that dies mid-test loses nothing recorded.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

export const LEAK_DIR_ENV = 'TICS_TEST_LEAK_DIR';

/** The configuration variables whose values must never reach a log line or Slack, and their kind. */
export const SECRET_VARS = {
  CLOUD_SDK_AK: 'AK',
  CLOUD_SDK_SK: 'SK',
  CLOUD_SDK_SECURITY_TOKEN: 'security token',
  TICS_AUTH_TOKEN: 'IAM token',
  HUAWEICLOUD_IAM_PASSWORD: 'IAM password',
  SLACK_BOT_TOKEN: 'bot token',
  SLACK_APP_TOKEN: 'app token',
  SLACK_SIGNING_SECRET: 'signing secret',
} as const;

export interface RecordedSecret {
  kind: string;
  value: string;
  source: string;
}

const dir = (): string | undefined => process.env[LEAK_DIR_ENV] || undefined;

/** Records the secret values present in a configuration environment (as passed to loadConfig or a child process). */
export function recordSecrets(source: string, env: Readonly<Record<string, string | undefined>>): void {
  const d = dir();
  if (!d) return;
  const lines = Object.entries(SECRET_VARS).flatMap(([name, kind]) => {
    const value = env[name];
    return value ? [`${JSON.stringify({ kind, value, source } satisfies RecordedSecret)}\n`] : [];
  });
  if (lines.length) appendFileSync(join(d, `secrets-${process.pid}.jsonl`), lines.join(''));
}

/** Records output the bot produced; `source` says where it came from in a failure message. */
export function recordOutput(source: string, text: string): void {
  const d = dir();
  if (!d || !text) return;
  // One record per line: the source tag lets a failure say which harness or fake saw the leak.
  appendFileSync(join(d, `output-${process.pid}.log`), `${source}\t${text.replace(/\n/g, '\\n')}\n`);
}
