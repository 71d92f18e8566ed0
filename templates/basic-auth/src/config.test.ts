import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = {
  MEDPLUM_BASE_URL: 'https://api.medplum.com',
  MEDPLUM_CLIENT_ID: 'my-client-id',
  MEDPLUM_CLIENT_SECRET: 'my-client-secret',
};

test('reads the base URL and the client ID and secret', () => {
  assert.deepEqual(loadConfig(env), {
    baseUrl: 'https://api.medplum.com/',
    clientId: 'my-client-id',
    clientSecret: 'my-client-secret',
  });
});

test('a missing variable is one line naming it and where to get it', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: undefined }), {
    name: 'ConfigError',
    message:
      'Missing MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env.',
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_SECRET: ' ' }), {
    name: 'ConfigError',
    message: "Missing MEDPLUM_CLIENT_SECRET: copy the ClientApplication's secret (Project Admin > Clients) into .env.",
  });
});
