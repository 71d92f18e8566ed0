import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com', MEDPLUM_CLIENT_ID: 'my-client-id' };

test('reads the base URL and client ID, no secret, and defaults PORT to 3000', () => {
  assert.deepEqual(loadConfig(env), { baseUrl: 'https://api.medplum.com/', clientId: 'my-client-id', port: 3000 });
  assert.equal(loadConfig({ ...env, PORT: '8080' }).port, 8080);
});

test('a missing variable is one line naming it and where to get it', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: ' ' }), {
    name: 'ConfigError',
    message:
      'Missing MEDPLUM_CLIENT_ID: create a ClientApplication with your identity provider in the Medplum app ' +
      '(Project Admin > Clients) and put its ID in .env.',
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_BASE_URL: '' }), /^ConfigError: Missing MEDPLUM_BASE_URL/);
  assert.throws(() => loadConfig({ ...env, PORT: 'http' }), {
    name: 'ConfigError',
    message: 'PORT must be a whole number from 0 to 65535 (got http).',
  });
});
