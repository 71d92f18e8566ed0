import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './parseConfig.ts';

const COMPLETE = {
  VITE_MEDPLUM_BASE_URL: 'https://api.medplum.com/',
  VITE_MEDPLUM_CLIENT_ID: '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a',
  VITE_MEDPLUM_PROJECT_ID: 'b7e5c4a2-1f3d-4c6b-8a9e-2d4f6a8c0e1b',
  VITE_IDP_AUTHORIZE_URL: 'https://example.okta.com/oauth2/default/v1/authorize',
  VITE_IDP_CLIENT_ID: '0oa1b2c3d4e5f6g7h8i9',
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
      idpAuthorizeUrl: 'https://example.okta.com/oauth2/default/v1/authorize',
      idpClientId: '0oa1b2c3d4e5f6g7h8i9',
    },
  });
});

test('the project ID is optional, and an empty value counts as not set', () => {
  const result = parseConfig({ ...COMPLETE, VITE_MEDPLUM_PROJECT_ID: '' });
  assert.equal(result.ok && result.config.projectId, undefined);
});

test('each missing variable is named, with where to get it, in one line', () => {
  const expected: Record<string, RegExp> = {
    VITE_MEDPLUM_BASE_URL: /^Missing VITE_MEDPLUM_BASE_URL: .*https:\/\/api\.medplum\.com\//,
    VITE_MEDPLUM_CLIENT_ID: /^Missing VITE_MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app \(Project Admin > Clients\)/,
    VITE_IDP_AUTHORIZE_URL: /^Missing VITE_IDP_AUTHORIZE_URL: .*authorization_endpoint in its \/\.well-known\/openid-configuration/,
    VITE_IDP_CLIENT_ID: /^Missing VITE_IDP_CLIENT_ID: register an application at your identity provider/,
  };
  for (const [name, pattern] of Object.entries(expected)) {
    for (const value of [undefined, '', '   ']) {
      const problem = problemOf({ ...COMPLETE, [name]: value });
      assert.match(problem, pattern);
      assert.match(problem, /in \.env, then restart the dev server$/);
      assert.doesNotMatch(problem, /\n/);
    }
  }
});

test('URLs that are not http(s) are refused before MedplumClient or the redirect would fail on them', () => {
  for (const value of ['api.medplum.com', 'ftp://api.medplum.com/']) {
    assert.match(problemOf({ ...COMPLETE, VITE_MEDPLUM_BASE_URL: value }), /^Invalid VITE_MEDPLUM_BASE_URL "/);
  }
  for (const value of ['example.okta.com/oauth2/default/v1/authorize', 'javascript:alert(1)']) {
    assert.match(problemOf({ ...COMPLETE, VITE_IDP_AUTHORIZE_URL: value }), /^Invalid VITE_IDP_AUTHORIZE_URL "/);
  }
});

test('with nothing set, the first missing variable is reported', () => {
  assert.match(problemOf({}), /^Missing VITE_MEDPLUM_BASE_URL:/);
});
