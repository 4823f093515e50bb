/**
 * The HTTP server for the custom routes (health, metrics) in Socket Mode. Bolt's SocketModeReceiver
 * has one too, but it listens without reporting errors or the port it got, and starts only together
 * with the WebSocket; this one listens first, on its own, so probes answer while Slack is down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';

export interface RoutesServer {
  /** Resolves with the port once listening. */
  listen(port: number): Promise<number>;
  close(): Promise<void>;
}

export function createRoutesServer(routes: readonly CustomRoute[]): RoutesServer {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const method = (req.method ?? 'GET').toUpperCase();
    const matching = routes.filter((r) => r.path === path);
    const route = matching.find((r) => (Array.isArray(r.method) ? r.method : [r.method]).some((m) => m.toUpperCase() === method));
    if (route) {
      route.handler(Object.assign(req, { params: {} }), res);
      return;
    }
    res.writeHead(matching.length ? 405 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: matching.length ? 'method_not_allowed' : 'not_found' }));
  });
  return {
    listen(port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // Probes use keep-alive; without this close() would wait for them to time out.
        server.closeIdleConnections();
      });
    },
  };
}
