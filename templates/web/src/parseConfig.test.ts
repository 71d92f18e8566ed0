import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './parseConfig.ts';

const COMPLETE = {
  VITE_MEDPLUM_BASE_URL: 'https://api.medplum.com/',
  VITE_MEDPLUM_CLIENT_ID: '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a',
  VITE_MEDPLUM_PROJECT_ID: 'b7e5c4a2-1f3d-4c6b-8a9e-2d4f6a8c0e1b',
  DEV: true,
};

function problemOf(env: Record<string, string | boolean | undefined>): string {
  const result = parseConfig(env);
  assert.equal(result.ok, false, 'expected a configuration problem');
  return result.ok ? '' : result.problem;
}

test('a complete environment gives the config', () => {
  assert.deepEqual(parseConfig(COMPLETE), {
    ok: true,
    config: {
      baseUrl: 'https://api.medplum.com/',
      clientId: '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a',
      projectId: 'b7e5c4a2-1f3d-4c6b-8a9e-2d4f6a8c0e1b',
    },
  });
});

test('the project ID is optional, and an empty value counts as not set', () => {
  const result = parseConfig({ ...COMPLETE, VITE_MEDPLUM_PROJECT_ID: '' });
  assert.equal(result.ok && result.config.projectId, undefined);
});

test('a missing client ID names the variable and where to get it, in one line', () => {
  for (const value of [undefined, '', '   ']) {
    const problem = problemOf({ ...COMPLETE, VITE_MEDPLUM_CLIENT_ID: value });
    assert.equal(
      problem,
      'Missing VITE_MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients), put its ID in .env, then restart the dev server'
    );
  }
});

test('a missing base URL names the variable and an example value, in one line', () => {
  const problem = problemOf({ ...COMPLETE, VITE_MEDPLUM_BASE_URL: '' });
  assert.match(problem, /^Missing VITE_MEDPLUM_BASE_URL: .*https:\/\/api\.medplum\.com\/.* in \.env/);
  assert.doesNotMatch(problem, /\n/);
});

test('a base URL that is not http(s) is refused before MedplumClient would throw on it', () => {
  for (const value of ['api.medplum.com', 'ftp://api.medplum.com/']) {
    assert.match(problemOf({ ...COMPLETE, VITE_MEDPLUM_BASE_URL: value }), /^Invalid VITE_MEDPLUM_BASE_URL "/);
  }
});

test('with nothing set, the first missing variable is reported', () => {
  assert.match(problemOf({}), /^Missing VITE_MEDPLUM_BASE_URL:/);
});
