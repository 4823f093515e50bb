/**
 * The bot started with each TICS authentication method the rest of the suite does not use (IAM
 * password, AK/SK with a security token, a pre-issued IAM token), answering a command through
 * Slack, and with a wrong credential failing one. Besides showing each method works end to end, it
 * puts every kind of secret into the suite-wide leak check (test/setup/leak-check.ts): a kind no
 * test configures is a kind that check cannot catch. The secrets hold characters that URL encoding
 * and JSON escaping change, so those forms differ from the plain one and are searched for too.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { allText, startHarness, type Harness, type HarnessOptions } from '../helpers/bot-harness.js';

const unusual = (prefix: string) => `${prefix}/${randomBytes(9).toString('base64')}+&"=%ü`;
const NO_AKSK = { CLOUD_SDK_AK: '', CLOUD_SDK_SK: '', TICS_MAX_RETRIES: '0' };

describe('every TICS authentication method, through Slack', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** `/tics history` on a fresh bot: whether it showed the history, after the usual invariants (no secret in logs or replies). */
  async function historyWorks(options: HarnessOptions, secret: string): Promise<boolean> {
    await h?.close();
    h = await startHarness({ ...options, simulator: { seed: 1, ...options.simulator } });
    const { reply } = await h.ask('history credit-risk');
    expect(JSON.stringify(reply)).not.toContain(secret);
    h.assertInvariants({ allowErrorLogs: true });
    return /job history/.test(allText(reply));
  }

  it('IAM password: a project token from IAM, and a refused password reported without the password', async () => {
    const user = { name: 'leak-check-user', password: unusual('Pw'), domain: 'leak-check-domain' };
    const env = (password: string) => ({ ...NO_AKSK, HUAWEICLOUD_IAM_USER: user.name, HUAWEICLOUD_IAM_PASSWORD: password, HUAWEICLOUD_IAM_DOMAIN: user.domain });
    expect(await historyWorks({ simulator: { iamUsers: [user] }, env: env(user.password) }, user.password)).toBe(true);
    const wrong = unusual('Wrong');
    expect(await historyWorks({ simulator: { iamUsers: [user] }, env: env(wrong) }, wrong)).toBe(false);
  });

  it('AK/SK with a security token (temporary credentials)', async () => {
    const token = unusual('Sts').repeat(4);
    expect(await historyWorks({ env: { CLOUD_SDK_SECURITY_TOKEN: token } }, token)).toBe(true);
  });

  it('a pre-issued IAM token, and one TICS refuses', async () => {
    const token = `MII${randomBytes(48).toString('base64')}`;
    expect(await historyWorks({ simulator: { tokens: [token] }, env: { ...NO_AKSK, TICS_AUTH_TOKEN: token } }, token)).toBe(true);
    const refused = `MII${randomBytes(48).toString('base64')}`;
    expect(await historyWorks({ simulator: { tokens: [token] }, env: { ...NO_AKSK, TICS_AUTH_TOKEN: refused } }, refused)).toBe(false);
  });
});
