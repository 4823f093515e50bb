/** Builds the TICS client from configuration: picks the auth method, wires store and logger. */
import type { TicsConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { BotMetrics } from '../metrics.js';
import type { Store } from '../store.js';
import { akskAuth, tokenAuth, type TicsAuth } from './auth.js';
import { TicsClient, type TicsClientOptions } from './client.js';
import { iamAuth } from './iam.js';

export function createTicsAuth(config: TicsConfig, store: Store): TicsAuth {
  const auth = config.auth;
  switch (auth.kind) {
    case 'aksk':
      return akskAuth({ ak: auth.ak, sk: auth.sk, projectId: config.projectId, ...(auth.securityToken ? { securityToken: auth.securityToken } : {}) });
    case 'token':
      return tokenAuth(auth.token);
    case 'iam':
      return iamAuth({
        endpoint: auth.endpoint,
        user: auth.user,
        password: auth.password,
        domain: auth.domain,
        projectId: config.projectId,
        store,
        timeoutMs: config.requestTimeoutMs,
      });
  }
}

export function createTicsClient(
  config: TicsConfig,
  deps: { store: Store; logger?: Logger; metrics?: BotMetrics },
  overrides: Partial<TicsClientOptions> = {},
): TicsClient {
  return new TicsClient({
    endpoint: config.endpoint,
    projectId: config.projectId,
    auth: createTicsAuth(config, deps.store),
    connectTimeoutMs: config.connectTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxRetries: config.maxRetries,
    minRetryDelayMs: config.retryDelayMs,
    hedgeAfterMs: config.hedgeAfterMs,
    connections: config.maxConnections,
    ...(deps.logger ? { logger: deps.logger } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    ...overrides,
  });
}
