/** `GET /metrics`: the bot's registry in Prometheus text format, on the same server as the health routes. */
import type { CustomRoute } from '@slack/bolt';
import type { Registry } from 'prom-client';

export function metricsRoute(registry: Registry): CustomRoute {
  return {
    path: '/metrics',
    method: ['GET'],
    handler: (_req, res) => {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`metrics collection failed: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}\n`);
        },
      );
    },
  };
}
