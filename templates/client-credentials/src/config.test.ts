import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = {
  MEDPLUM_BASE_URL: 'https://api.medplum.com',
  MEDPLUM_CLIENT_ID: 'my-client-id',
  MEDPLUM_CLIENT_SECRET: 'my-client-secret',
};

test('reads the client credentials and defaults PORT to 3000', () => {
  assert.deepEqual(loadConfig(env), {
    baseUrl: 'https://api.medplum.com/',
    clientId: 'my-client-id',
    clientSecret: 'my-client-secret',
    port: 3000,
  });
  assert.equal(loadConfig({ ...env, PORT: '8080' }).port, 8080);
});

test('a missing variable is one line naming it and where to get it', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: '' }), {
    name: 'ConfigError',
    message:
      'Missing MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env.',
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_SECRET: undefined }), {
    name: 'ConfigError',
    message: "Missing MEDPLUM_CLIENT_SECRET: copy the ClientApplication's secret (Project Admin > Clients) into .env.",
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_BASE_URL: '' }), /Missing MEDPLUM_BASE_URL/);
});

test('PORT must be a port number', () => {
  assert.throws(() => loadConfig({ ...env, PORT: 'http' }), {
    name: 'ConfigError',
    message: 'PORT must be a whole number from 0 to 65535 (got http).',
  });
  assert.throws(() => loadConfig({ ...env, PORT: '70000' }), /PORT must be a whole number/);
});
