import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` (Stryker) runs against each mutant: those that call src/ in process.
 * The e2e, live, signal and terminal tests run the built bin (dist/), which a mutant of src/ never
 * reaches, so they would only slow each mutant down.
 */
export default defineConfig({
  test: {
    include: [
      'test/admin-login.test.ts',
      'test/args.test.ts',
      'test/check.test.ts',
      'test/env-edit.test.ts',
      'test/escape.test.ts',
      'test/guide.test.ts',
      'test/http.test.ts',
      'test/interactive.test.ts',
      'test/policy.test.ts',
      'test/provision-idp.test.ts',
      'test/provision.test.ts',
      'test/record.test.ts',
      'test/render.test.ts',
      'test/rotate.test.ts',
      'test/ui.test.ts',
      'test/versions.test.ts',
      'test/write.test.ts',
    ],
    testTimeout: 30_000,
  },
});
