import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readBaseUrl, readClient, requireEnv } from './env.ts';

test('requireEnv names the missing variable and where to get it', () => {
  assert.throws(() => requireEnv({ X: '  ' }, 'X', 'ask the admin'), new ConfigError('Missing X: ask the admin.'));
  assert.equal(requireEnv({ X: ' value\n' }, 'X', 'ask the admin'), 'value');
});

test('readClient reads the server and the client ID, and says how to get a missing one', () => {
  const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com', MEDPLUM_CLIENT_ID: ' my-client-id ' };
  assert.deepEqual(readClient(env), { baseUrl: 'https://api.medplum.com/', clientId: 'my-client-id' });
  assert.throws(() => readClient({ ...env, MEDPLUM_CLIENT_ID: '' }), {
    name: 'ConfigError',
    message: 'Missing MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env.',
  });
  assert.throws(() => readClient({ ...env, MEDPLUM_CLIENT_ID: undefined }, 'ask the admin'), /^ConfigError: Missing MEDPLUM_CLIENT_ID: ask the admin\.$/);
  assert.throws(() => readClient({ ...env, MEDPLUM_BASE_URL: 'api.medplum.com' }), /must be an http\(s\) URL/);
});

test('readBaseUrl adds the trailing slash MedplumClient expects', () => {
  assert.equal(readBaseUrl({ MEDPLUM_BASE_URL: 'https://api.medplum.com' }), 'https://api.medplum.com/');
  assert.equal(readBaseUrl({ MEDPLUM_BASE_URL: 'http://localhost:8103/' }), 'http://localhost:8103/');
  assert.equal(readBaseUrl({ MEDPLUM_BASE_URL: 'https://example.org/medplum' }), 'https://example.org/medplum/');
});

test('readBaseUrl refuses a missing or non-http URL with one clear line', () => {
  assert.throws(() => readBaseUrl({}), /^ConfigError: Missing MEDPLUM_BASE_URL: set it in \.env/);
  assert.throws(() => readBaseUrl({ MEDPLUM_BASE_URL: 'api.medplum.com' }), /must be an http\(s\) URL/);
  assert.throws(() => readBaseUrl({ MEDPLUM_BASE_URL: 'ftp://api.medplum.com/' }), /must be an http\(s\) URL/);
});
