import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig, PROJECT_ROOT } from './config.ts';

const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com', MEDPLUM_CLIENT_ID: 'device-client', MEDPLUM_KEY_ID: 'kid-1' };

test('reads the settings; a relative key path starts at the project root, not the working directory', () => {
  assert.deepEqual(loadConfig(env, [], '/opt/agent'), {
    baseUrl: 'https://api.medplum.com/',
    clientId: 'device-client',
    privateKeyPath: '/opt/agent/medplum-device-key.pem',
    keyId: 'kid-1',
    deviceId: undefined,
    intervalSeconds: 60,
    once: false,
  });
  assert.equal(loadConfig({ ...env, MEDPLUM_PRIVATE_KEY_PATH: 'keys/device.pem' }, [], '/opt/agent').privateKeyPath, '/opt/agent/keys/device.pem');
  assert.equal(loadConfig({ ...env, MEDPLUM_PRIVATE_KEY_PATH: '/run/secrets/key.pem' }).privateKeyPath, '/run/secrets/key.pem');
  assert.equal(loadConfig(env).privateKeyPath, resolve(PROJECT_ROOT, 'medplum-device-key.pem'));
});

test('a missing variable is one line naming it and where to get it', () => {
  assert.throws(() => loadConfig({ ...env, MEDPLUM_KEY_ID: '' }), {
    name: 'ConfigError',
    message: 'Missing MEDPLUM_KEY_ID: copy the "kid" of your key from jwks.json into .env.',
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_ID: undefined }), /^ConfigError: Missing MEDPLUM_CLIENT_ID: create a ClientApplication for this device/);
  assert.throws(() => loadConfig({ ...env, MEDPLUM_BASE_URL: 'api.medplum.com' }), /must be an http\(s\) URL/);
});

test('the agent settings come from the command line too, and a bad flag stops it', () => {
  assert.equal(loadConfig(env, ['--once']).once, true);
  assert.throws(() => loadConfig(env, ['--onse']), { name: 'ConfigError', message: /^Unknown option '--onse'/ });
});
