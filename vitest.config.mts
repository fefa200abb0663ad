import { defineConfig } from 'vitest/config';
import { PROGRAM_TIER } from './vitest.tiers.mts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The tests whose point is a real program are the second tier (vitest.tiers.mts): npm run test:programs.
    exclude: [...PROGRAM_TIER, 'node_modules/**'],
    // The run's shared fixtures (test/support/shared-fixtures.ts): the shipped profiles compiled once.
    globalSetup: ['test/support/global-setup.ts'],
    // The CLI loads the compiler lazily with require(), which vitest's modules cannot use: provided here.
    setupFiles: ['test/support/cpu-meter.ts', 'test/support/cache-env.ts', 'test/support/compiler.ts'],
    // vitest's default is cores - 1: one worker on two cores.
    maxWorkers: 2,
    // One module graph per worker, not per file: the compiler loads once per worker, and the
    // builds test/support/compiler.ts remembers serve every file of it. Setup files still run per file.
    isolate: false,
    // Bounds, not budgets: on a machine shared with other runs a test can wait long for a core.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
