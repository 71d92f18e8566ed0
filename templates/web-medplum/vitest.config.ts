import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    // Transformed like the app's own code, so that Medplum's components read import.meta.env as in the browser.
    server: { deps: { inline: ['@medplum/react'] } },
  },
});
