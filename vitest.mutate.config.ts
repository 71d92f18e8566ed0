import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant: the in-process ones, which exercise src/ itself.
 * The e2e, live and terminal tests run the built bin (dist/), which a mutant of src/ never reaches.
 */
export default defineConfig({
  test: {
    include: [
      'test/args.test.ts',
      'test/escape.test.ts',
      'test/guide.test.ts',
      'test/policy.test.ts',
      'test/record.test.ts',
      'test/render.test.ts',
      'test/write.test.ts',
      'test/check.test.ts',
      'test/provision.test.ts',
      'test/provision-idp.test.ts',
      'test/rotate.test.ts',
      'test/ui.test.ts',
      'test/versions.test.ts',
      'test/interactive.test.ts',
      'test/admin-login.test.ts',
    ],
    testTimeout: 20_000,
  },
});
