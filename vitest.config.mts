import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The contract tests with the real programs are their own tier: npm run test:programs.
    exclude: ['test/programs/**', 'node_modules/**'],
    // The CLI loads the compiler lazily with require(), which vitest's modules cannot use: provided here.
    setupFiles: ['test/support/cache-env.ts', 'test/support/compiler.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
