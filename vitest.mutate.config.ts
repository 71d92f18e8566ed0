import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` (Stryker) runs against each mutant: those that call src/ in process.
 * The e2e, live, signal and terminal tests run the built bin (dist/), which a mutant of src/ never
 * reaches, so they would only slow each mutant down. So would test/medplum/http.test.ts, whose
 * in-process part is only the setup of its bin runs: policy-fetch.test.ts tests that policy in process.
 */
export default defineConfig({
  test: {
    include: [
      'test/add/add.test.ts',
      'test/add/detect.test.ts',
      'test/add/env-files.test.ts',
      'test/add/kinds.test.ts',
      'test/add/package-json.test.ts',
      'test/add/plan.test.ts',
      'test/add/source-edit.test.ts',
      'test/add/wiring.test.ts',
      'test/medplum/admin-login.test.ts',
      'test/cli/args.test.ts',
      'test/cli/create.test.ts',
      'test/medplum/check.test.ts',
      'test/scaffold/env-edit.test.ts',
      'test/scaffold/escape.test.ts',
      'test/scaffold/install.test.ts',
      'test/scaffold/from.test.ts',
      'test/cli/golden.test.ts',
      'test/guide/guide.test.ts',
      'test/guide/idp.test.ts',
      'test/guide/needs.test.ts',
      'test/medplum/policy-fetch.test.ts',
      'test/cli/interactive.test.ts',
      'test/cli/io.test.ts',
      'test/cli/main.test.ts',
      'test/cli/report.test.ts',
      'test/cli/resolve.test.ts',
      'test/guide/policy.test.ts',
      'test/guide/validate.test.ts',
      'test/medplum/post-check.test.ts',
      'test/medplum/provision-idp.test.ts',
      'test/medplum/provision.test.ts',
      'test/medplum/provisioning.test.ts',
      'test/scaffold/record.test.ts',
      'test/scaffold/record-schema.test.ts',
      'test/scaffold/project.test.ts',
      'test/scaffold/render.test.ts',
      'test/scaffold/save.test.ts',
      'test/medplum/rotate.test.ts',
      'test/medplum/server.test.ts',
      'test/cli/ui.test.ts',
      'test/scaffold/versions.test.ts',
      'test/scaffold/write.test.ts',
    ],
    testTimeout: 30_000,
  },
});
