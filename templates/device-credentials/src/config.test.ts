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

test('the interval: 60 s by default, READING_INTERVAL_SECONDS, and --interval over both', () => {
  const base = { ...env, MEDPLUM_CLIENT_SECRET: 'x' };
  assert.equal(loadConfig(base).intervalSeconds, 60);
  assert.equal(loadConfig({ ...base, READING_INTERVAL_SECONDS: '15' }).intervalSeconds, 15);
  assert.equal(loadConfig({ ...base, READING_INTERVAL_SECONDS: '15' }, ['--interval', '5']).intervalSeconds, 5);
  assert.equal(loadConfig(base, ['--interval=2.5']).intervalSeconds, 2.5);
});

test('a bad interval or an unknown flag is one clear line', () => {
  const base = { ...env, MEDPLUM_CLIENT_SECRET: 'x' };
  assert.throws(() => loadConfig({ ...base, READING_INTERVAL_SECONDS: 'often' }), {
    name: 'ConfigError',
    message: 'READING_INTERVAL_SECONDS must be a number of seconds from 1 to 86400 (got "often").',
  });
  assert.throws(() => loadConfig(base, ['--interval', '0']), /--interval must be a number of seconds/);
  assert.throws(() => loadConfig(base, ['--interval=']), /--interval must be a number of seconds/);
  assert.throws(() => loadConfig(base, ['--interval', '100000']), /from 1 to 86400/);
  assert.throws(() => loadConfig(base, ['--onse']), {
    name: 'ConfigError',
    message: "Unknown option '--onse'. Options: --once (send one reading and exit), --interval <seconds>.",
  });
});

test('--once and MEDPLUM_DEVICE_ID', () => {
  const base = { ...env, MEDPLUM_CLIENT_SECRET: 'x' };
  assert.equal(loadConfig(base).once, false);
  assert.equal(loadConfig(base, ['--once']).once, true);
  assert.equal(loadConfig(base).deviceId, undefined);
  assert.equal(loadConfig({ ...base, MEDPLUM_DEVICE_ID: 'thermo-1' }).deviceId, 'thermo-1');
});
