import { defineConfig } from 'vitest/config';
import { PROGRAM_TIER } from './vitest.tiers.mts';

/** The second tier (npm run test:programs, vitest.tiers.mts): the tests whose point is a real program, one file at a time. */
export default defineConfig({
  test: {
    include: PROGRAM_TIER,
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/cpu-meter.ts', 'test/support/cache-env.ts', 'test/support/compiler.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
