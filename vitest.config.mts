import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI loads the compiler lazily with require(), which vitest's modules cannot use: provided here.
    setupFiles: ['test/support/cache-env.ts', 'test/support/compiler.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
