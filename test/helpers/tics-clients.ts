import type { TicsSimulator } from '../../src/simulator/server.js';
import { akskAuth } from '../../src/tics/auth.js';
import { TicsClient, type TicsClientOptions } from '../../src/tics/client.js';

/**
 * TicsClients against a test's simulator, signed with its AK/SK, with retries fast enough for a
 * test; `closeAll()` in afterAll closes every one made. `sim` is a getter: the simulator starts in
 * beforeAll, after the factory is made.
 */
export function ticsClients(sim: () => TicsSimulator, defaults: Partial<TicsClientOptions> = {}) {
  const made: TicsClient[] = [];
  const client = (overrides: Partial<TicsClientOptions> = {}): TicsClient => {
    const s = sim();
    const c = new TicsClient({
      endpoint: s.url,
      projectId: s.projectId,
      auth: akskAuth({ ...s.credentials, projectId: s.projectId }),
      maxRetries: 2,
      minRetryDelayMs: 5,
      maxRetryDelayMs: 50,
      requestTimeoutMs: 2_000,
      ...defaults,
      ...overrides,
    });
    made.push(c);
    return c;
  };
  return { client, closeAll: () => Promise.all(made.map((c) => c.close())) };
}
