import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com', MEDPLUM_CLIENT_ID: 'my-client-id', MEDPLUM_CLIENT_SECRET: 'my-client-secret' };

test('reads the client credentials, and listens on 127.0.0.1:3000 by default', () => {
  assert.deepEqual(loadConfig(env), {
    baseUrl: 'https://api.medplum.com/',
    clientId: 'my-client-id',
    clientSecret: 'my-client-secret',
    listen: { host: '127.0.0.1', port: 3000, apiKey: undefined },
  });
});

test('a missing variable is one line naming it and where to get it', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_SECRET: undefined }), {
    name: 'ConfigError',
    message: "Missing MEDPLUM_CLIENT_SECRET: copy the ClientApplication's secret (Project Admin > Clients) into .env.",
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: '' }), /^ConfigError: Missing MEDPLUM_CLIENT_ID: create/);
  assert.throws(() => loadConfig({ ...env, HOST: '0.0.0.0' }), /send as Authorization: Bearer <API_KEY>/);
});
