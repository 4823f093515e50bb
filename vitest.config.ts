import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests start real HTTP servers on free ports; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
  },
});
