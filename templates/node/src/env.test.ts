import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, readBaseUrl, requireEnv } from './env.ts';

test('requireEnv names the missing variable and where to get it', () => {
  assert.throws(() => requireEnv({ X: '  ' }, 'X', 'ask the admin'), new ConfigError('Missing X: ask the admin.'));
  assert.equal(requireEnv({ X: ' value\n' }, 'X', 'ask the admin'), 'value');
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
