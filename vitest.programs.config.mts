import { defineConfig } from 'vitest/config';

/** The contract tests with the real programs (npm run test:programs): their own tier, one file at a time. */
export default defineConfig({
  test: {
    include: ['test/programs/**/*.test.ts'],
    setupFiles: ['test/support/compiler.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
