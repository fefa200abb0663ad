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
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
