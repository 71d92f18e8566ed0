import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com', MEDPLUM_CLIENT_ID: 'my-client-id' };

test('reads the base URL and client ID, no secret, and listens on 127.0.0.1:3000 by default', () => {
  assert.deepEqual(loadConfig(env), {
    baseUrl: 'https://api.medplum.com/',
    clientId: 'my-client-id',
    listen: { host: '127.0.0.1', port: 3000, apiKey: undefined },
  });
});

test('a missing or unsafe setting is one line saying what to do', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: ' ' }), /^ConfigError: Missing MEDPLUM_CLIENT_ID: create/);
  assert.throws(() => loadConfig({ ...env, HOST: '0.0.0.0' }), /callers then send as X-API-Key: <API_KEY>/);
});
