import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Hooks remove installed starters (node_modules trees); on a loaded 2-core machine that can take more than 10 s.
    hookTimeout: 60_000,
  },
});
