import { describe, expect, it } from 'vitest';
import {
  TicsAuthError,
  TicsInputError,
  TicsRequestError,
  TicsResponseError,
  TicsThrottledError,
  TicsUpstreamError,
} from '../../../src/tics/errors.js';
import { genericError, sanitizeUpstreamText, staleButtonError, ticsErrorMessage, usageError } from '../../../src/slack/views/errors.js';
import type { SlackMessage } from '../../../src/slack/views/history.js';
import { assertWithinSlackLimits } from '../../helpers/block-kit-limits.js';

const SK = 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc';
const TOKEN = `MIIT${'A1b2C3d4+/'.repeat(40)}==`;

function checked(message: SlackMessage): SlackMessage {
  assertWithinSlackLimits(message);
  return message;
}
/** Everything a reader could see: blocks and the notification text. */
const visible = (message: SlackMessage) => `${message.text}\n${JSON.stringify(message.blocks)}`;
const ctx = { league: 'fl-demo' };

describe('ticsErrorMessage', () => {
  it('auth: points at the credentials, with code and request id', () => {
    const error = new TicsAuthError(`signature mismatch for Access=QTWAOYTTINDUT2QVKYUC secret ${SK}`, {
      httpStatus: 401,
      errorCode: 'APIGW.0301',
      errorMsg: 'Incorrect IAM authentication information',
      requestId: 'req-7f3a',
    });
    const message = checked(ticsErrorMessage(error, ctx));
    expect(message).toMatchSnapshot();
    const text = visible(message);
    expect(text).toContain("TICS rejected the bot's credentials — check the bot's Huawei credentials (AK/SK or token)");
    expect(text).toContain('APIGW.0301');
    expect(text).toContain('req-7f3a');
    expect(text).not.toContain(SK);
  });

  it('auth: quotes the gateway, redacting anything credential-like, and suspects the clock on APIGW.0303', () => {
    const error = new TicsAuthError('401', { httpStatus: 401, errorCode: 'APIGW.0303', errorMsg: `X-Sdk-Date expired; sk=${SK}` });
    const text = visible(checked(ticsErrorMessage(error, ctx)));
    expect(text).toContain('X-Sdk-Date expired; [redacted]');
    expect(text).toContain("check the bot server's clock");
    expect(text).not.toContain(SK);
    const other = visible(checked(ticsErrorMessage(new TicsAuthError('401', { errorCode: 'APIGW.0301' }), ctx)));
    expect(other).not.toContain('clock');
  });

  it('throttled: try again shortly, honouring Retry-After', () => {
    const withHint = visible(checked(ticsErrorMessage(new TicsThrottledError('429', { httpStatus: 429, errorCode: 'APIGW.0308', retryAfterMs: 3000 }), ctx)));
    expect(withHint).toContain('Try again in 3 seconds');
    const without = visible(checked(ticsErrorMessage(new TicsThrottledError('429', { httpStatus: 429 }), ctx)));
    expect(without).toContain('Try again in a few seconds');
  });

  it('upstream: unavailable, how many tries, request id', () => {
    const message = checked(ticsErrorMessage(new TicsUpstreamError('ECONNRESET', { httpStatus: 503, attempts: 3, requestId: 'req-9' }), ctx));
    expect(message).toMatchSnapshot();
    expect(visible(message)).toContain('TICS is unavailable right now (tried 3 times)');
    expect(visible(message)).toContain('req-9');
    expect(visible(message)).not.toContain('ECONNRESET');
  });

  it('request 404: the league is unknown, quoting what TICS said', () => {
    const error = new TicsRequestError('404', { httpStatus: 404, errorCode: 'TICS.4040', errorMsg: 'league not found: 3f1c8a9b0c1d2e3f4a5b6c7d8e9f0a1b' });
    const message = checked(ticsErrorMessage(error, ctx));
    expect(message).toMatchSnapshot();
    const text = visible(message);
    expect(text).toContain('TICS does not know league *fl-demo*');
    expect(text).toContain('league not found: 3f1c8a9b0c1d2e3f4a5b6c7d8e9f0a1b'); // a 32-char id is not mistaken for a secret
    expect(text).toContain('TICS.4040');
  });

  it('request with an HTML body: no raw HTML, no script, readable words kept', () => {
    const html =
      '<!DOCTYPE html><html><head><title>403 Forbidden</title><style>body{color:red}</style>' +
      '<script>alert("x")</script></head><body><h1>Forbidden</h1><p>Tom &amp; Jerry &lt;3</p></body></html>';
    const message = checked(ticsErrorMessage(new TicsRequestError('403', { httpStatus: 403, errorMsg: html }), ctx));
    const text = visible(message);
    expect(text).toContain('403 Forbidden Forbidden Tom &amp; Jerry &lt;3');
    expect(text).not.toMatch(/<\/?(html|script|h1|p|title)/i);
    expect(text).not.toContain('alert');
    expect(text).not.toContain('color:red');
  });

  it('request: a long error_msg is cut short', () => {
    const message = checked(ticsErrorMessage(new TicsRequestError('400', { httpStatus: 400, errorMsg: 'bad parameter '.repeat(500) }), ctx));
    expect(visible(message).length).toBeLessThan(2000);
    expect(visible(message)).toContain('…');
  });

  it('request: a credential echoed in error_msg is redacted', () => {
    const message = checked(ticsErrorMessage(new TicsRequestError('400', { httpStatus: 400, errorMsg: `token ${TOKEN} rejected, key ${SK}` }), ctx));
    const text = visible(message);
    expect(text).not.toContain(SK);
    expect(text).not.toContain(TOKEN.slice(0, 40));
    expect(text).toContain('[redacted]');
  });

  it('response: the bot could not read the answer; the excerpt is not shown', () => {
    const error = new TicsResponseError('bad body', { httpStatus: 200, requestId: 'req-5', excerpt: '<html>oops</html>' });
    const message = checked(ticsErrorMessage(error, ctx));
    expect(visible(message)).toContain('TICS answered with something the bot could not read');
    expect(visible(message)).toContain('req-5');
    expect(visible(message)).not.toContain('oops');
  });

  it('input: the message itself, escaped', () => {
    const message = checked(ticsErrorMessage(new TicsInputError('league id "<x>" must be 1–32 letters or digits'), ctx));
    expect(visible(message)).toContain('league id "&lt;x&gt;" must be 1–32 letters or digits');
  });

  it('never shows a stack trace or a cause', () => {
    const cause = new Error('inner failure with password=hunter2');
    const error = new TicsUpstreamError('outer', { attempts: 2, cause });
    const text = visible(checked(ticsErrorMessage(error, ctx)));
    expect(text).not.toContain('hunter2');
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(text).not.toContain('Error:');
  });

  it('escapes the league the user typed', () => {
    const message = checked(ticsErrorMessage(new TicsRequestError('404', { httpStatus: 404 }), { league: '<!channel>' }));
    expect(visible(message)).toContain('&lt;!channel&gt;');
    expect(visible(message)).not.toContain('<!channel>');
  });
});

describe('sanitizeUpstreamText', () => {
  it('strips tags, decodes entities once, and re-escapes for Slack', () => {
    expect(sanitizeUpstreamText('<b>a &lt;b&gt;</b>\n\n c')).toBe('a &lt;b&gt; c');
  });
  it('keeps 32-character ids and short codes', () => {
    expect(sanitizeUpstreamText('id 3f1c8a9b0c1d2e3f4a5b6c7d8e9f0a1b code APIGW.0301')).toBe('id 3f1c8a9b0c1d2e3f4a5b6c7d8e9f0a1b code APIGW.0301');
  });
});

describe('other error builders', () => {
  it('usageError shows the problem and the usage, escaped', () => {
    const message = checked(usageError('limit must be 1–100, got "500"', '/tics history <league> [limit:N]'));
    expect(message).toMatchSnapshot();
    expect(visible(message)).toContain('limit must be 1–100, got \\"500\\"');
    expect(visible(message)).toContain('`/tics history &lt;league&gt; [limit:N]`');
  });

  it('genericError escapes and bounds the message', () => {
    const message = checked(genericError(`<script>${'x'.repeat(5000)}`));
    expect(visible(message)).not.toContain('<script>');
    expect(message.text.length).toBeLessThan(600);
  });

  it('genericError never sends an empty message', () => {
    expect(checked(genericError('   ')).text).toContain('Something went wrong');
  });

  it('staleButtonError explains and says what to do', () => {
    const message = checked(staleButtonError('the paging button comes from another version of tics-bot'));
    expect(visible(message)).toContain('That button no longer works — the paging button comes from another version of tics-bot.');
    expect(visible(message)).toContain('Run the command again');
  });
});
