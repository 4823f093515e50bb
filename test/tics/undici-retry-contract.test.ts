/**
 * What src/tics/client.ts relies on from undici's retry interceptor. If an undici upgrade changes
 * any of this, these fail, rather than retries silently stopping (or multiplying) in production.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, interceptors, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let server: Server;
let url: string;
let answers: Array<(res: ServerResponse) => void> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const answer = answers.shift() ?? ((r) => r.end('{"ok":true}'));
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type RetryFn = (err: Error & { statusCode?: number; code?: string; headers?: Record<string, unknown> }, ctx: { state: { counter: number } }, cb: (err?: Error | null) => void) => void;

function dispatcher(globalRetry: RetryFn, agentOpts: ConstructorParameters<typeof Agent>[0] = {}) {
  const agent = new Agent(agentOpts);
  return { agent, dispatcher: agent.compose(interceptors.retry({ throwOnError: false, retry: globalRetry })) };
}

const status = (code: number, headers: Record<string, string> = {}) => (res: ServerResponse) => {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(`{"error_code":"E${code}"}`);
};

describe("undici's retry interceptor, as the TICS client uses it", () => {
  it("a request's own retryOptions.retry replaces the interceptor's, and sees the status, headers and a 1-based counter", async () => {
    const globalRetry = vi.fn<RetryFn>((err, _ctx, cb) => cb(err));
    const seen: Array<{ statusCode: number | undefined; code: string | undefined; counter: number; retryAfter: unknown }> = [];
    const own: RetryFn = (err, { state }, cb) => {
      seen.push({ statusCode: err.statusCode, code: err.code, counter: state.counter, retryAfter: err.headers?.['retry-after'] });
      cb(null);
    };
    answers = [status(503, { 'retry-after': '0' }), status(429)];
    const { agent, dispatcher: d } = dispatcher(globalRetry);
    const res = await request(url, { dispatcher: d, retryOptions: { retry: own } } as Parameters<typeof request>[1]);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ ok: true });
    expect(globalRetry).not.toHaveBeenCalled();
    expect(seen).toEqual([
      { statusCode: 503, code: 'UND_ERR_REQ_RETRY', counter: 1, retryAfter: '0' },
      { statusCode: 429, code: 'UND_ERR_REQ_RETRY', counter: 2, retryAfter: undefined },
    ]);
    await agent.close();
  });

  it('with throwOnError false, giving up on a status hands back that response, body and headers intact', async () => {
    answers = [status(500, { 'x-request-id': 'abc' })];
    const { agent, dispatcher: d } = dispatcher((err, _ctx, cb) => cb(err));
    const res = await request(url, { dispatcher: d, retryOptions: { retry: (err: Error, _c: unknown, cb: (e?: Error | null) => void) => cb(err) } } as Parameters<typeof request>[1]);
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-request-id']).toBe('abc');
    expect(await res.body.json()).toEqual({ error_code: 'E500' });
    await agent.close();
  });

  it('network faults and timeouts reach the retry callback with the codes the client lists', async () => {
    const codes: Array<string | undefined> = [];
    answers = [(res) => res.socket?.destroy(), () => undefined /* never answers: headers timeout */];
    const { agent, dispatcher: d } = dispatcher((err, _ctx, cb) => cb(err), { headersTimeout: 300 });
    const res = await request(url, {
      dispatcher: d,
      retryOptions: {
        retry: (err: Error & { code?: string }, _c: unknown, cb: (e?: Error | null) => void) => {
          codes.push(err.code);
          cb(null);
        },
      },
    } as Parameters<typeof request>[1]);
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    expect(codes).toHaveLength(2);
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(codes[0]);
    expect(codes[1]).toBe('UND_ERR_HEADERS_TIMEOUT');
    await agent.close();
  });
});
