import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    // MockClient loads Medplum's FHIR schemas on first use: slow on a busy machine.
    testTimeout: 30_000,
    // Transformed like the app's own code, so that Medplum's components read import.meta.env as in the browser.
    server: { deps: { inline: ['@medplum/react'] } },
  },
});
