import { defineConfig } from 'vitest/config';

/**
 * Two projects. `unit` holds everything that runs in the test process (pure parts, and the real
 * Bolt app, simulator and fakes on free ports), two files at a time. `process` holds the tests that
 * start the built bot (`node dist/main.js`) or its image as child processes: one file at a time, so
 * no two of them compete for the two cores, after a single incremental `tsc` build
 * (test/setup/build-dist.ts); every child they start is killed after each test, pass or fail
 * (test/setup/kill-children.ts).
 *
 * Timeouts are sized from measurements on a 2-core machine with the other core busy, times three or
 * more (figures in the README's "Tests" section).
 */
const PROCESS_TESTS = ['test/**/process/**/*.test.ts', 'test/container/**/*.test.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // Once for the whole run, around every project: the suite-wide secret-leak check.
    globalSetup: ['test/setup/leak-check.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: PROCESS_TESTS,
          testTimeout: 20_000,
          hookTimeout: 20_000,
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'process',
          include: PROCESS_TESTS,
          globalSetup: ['test/setup/build-dist.ts'],
          setupFiles: ['test/setup/kill-children.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
