import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files share two cores with FerretDB, Redis and SMTP sinks.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
