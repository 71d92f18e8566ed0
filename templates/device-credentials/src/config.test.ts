import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from './config.ts';

const env = { MEDPLUM_BASE_URL: 'https://api.medplum.com/', MEDPLUM_CLIENT_ID: 'device-client' };

function secretFile(contents: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'device-secret-')), 'medplum-client-secret');
  writeFileSync(file, contents, { mode: 0o600 });
  return file;
}

test('reads the secret from MEDPLUM_CLIENT_SECRET_FILE, without its trailing newline', () => {
  const file = secretFile('s3cret-from-file\n');

  const config = loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: file });

  assert.equal(config.clientSecret, 's3cret-from-file');
  assert.equal(config.secretSource, `MEDPLUM_CLIENT_SECRET_FILE (${file})`);
  assert.equal(config.warning, undefined);
  assert.equal(loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: secretFile('crlf\r\n') }).clientSecret, 'crlf');
  assert.equal(loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: secretFile('two\n\n') }).clientSecret, 'two\n');
});

test('reads the secret from MEDPLUM_CLIENT_SECRET when there is no file', () => {
  const config = loadConfig({ ...env, MEDPLUM_CLIENT_SECRET: 's3cret-from-env' });
  assert.equal(config.clientSecret, 's3cret-from-env');
  assert.equal(config.secretSource, 'MEDPLUM_CLIENT_SECRET');
});

test('when both are set the file wins, and the config says so', () => {
  const file = secretFile('s3cret-from-file\n');

  const config = loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: file, MEDPLUM_CLIENT_SECRET: 's3cret-from-env' });

  assert.equal(config.clientSecret, 's3cret-from-file');
  assert.equal(
    config.warning,
    'Both MEDPLUM_CLIENT_SECRET_FILE and MEDPLUM_CLIENT_SECRET are set: using the file, ignoring MEDPLUM_CLIENT_SECRET.'
  );
});

test('no secret at all: one line naming both variables', () => {
  assert.throws(() => loadConfig(env), {
    name: 'ConfigError',
    message:
      'Missing MEDPLUM_CLIENT_SECRET_FILE or MEDPLUM_CLIENT_SECRET: point MEDPLUM_CLIENT_SECRET_FILE at a file ' +
      "holding the ClientApplication's secret (a Docker or Kubernetes secret, a systemd credential), " +
      'or set MEDPLUM_CLIENT_SECRET in the environment (not in .env).',
  });
});

test('an unreadable or empty secret file is one clear line', () => {
  const missing = join(tmpdir(), 'no-such-dir', 'secret');
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: missing }), {
    name: 'ConfigError',
    message: `Could not read MEDPLUM_CLIENT_SECRET_FILE (${missing}): ENOENT.`,
  });
  assert.throws(() => loadConfig({ ...env, MEDPLUM_CLIENT_SECRET_FILE: secretFile('\n') }), /is empty/);
});

test('the agent settings come from the environment and the command line', () => {
  const config = loadConfig({ ...env, MEDPLUM_CLIENT_SECRET: 'x', MEDPLUM_DEVICE_ID: 'thermo-1' }, ['--once', '--interval', '5']);
  assert.deepEqual([config.deviceId, config.intervalSeconds, config.once], ['thermo-1', 5, true]);
});
