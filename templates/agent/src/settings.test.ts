import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAgentSettings } from './settings.ts';

test('the defaults: a reading every 60 s, for no particular Device, until stopped', () => {
  assert.deepEqual(readAgentSettings({}, []), { deviceId: undefined, intervalSeconds: 60, once: false });
});

test('--once, --interval over READING_INTERVAL_SECONDS, and MEDPLUM_DEVICE_ID', () => {
  assert.equal(readAgentSettings({}, ['--once']).once, true);
  assert.equal(readAgentSettings({ READING_INTERVAL_SECONDS: '15' }, []).intervalSeconds, 15);
  assert.equal(readAgentSettings({ READING_INTERVAL_SECONDS: '15' }, ['--interval', '5']).intervalSeconds, 5);
  assert.equal(readAgentSettings({}, ['--interval=2.5']).intervalSeconds, 2.5);
  assert.equal(readAgentSettings({ MEDPLUM_DEVICE_ID: ' thermo-1 ' }, []).deviceId, 'thermo-1');
});

test('a bad interval or an unknown flag is one clear line', () => {
  assert.throws(() => readAgentSettings({ READING_INTERVAL_SECONDS: 'often' }, []), {
    name: 'ConfigError',
    message: 'READING_INTERVAL_SECONDS must be a number of seconds from 1 to 86400 (got "often").',
  });
  assert.throws(() => readAgentSettings({}, ['--interval', '0']), /--interval must be a number of seconds/);
  assert.throws(() => readAgentSettings({}, ['--interval=']), /--interval must be a number of seconds/);
  assert.throws(() => readAgentSettings({}, ['--interval', '100000']), /from 1 to 86400/);
  assert.throws(() => readAgentSettings({}, ['--onse']), {
    name: 'ConfigError',
    message: "Unknown option '--onse'. Options: --once (send one reading and exit), --interval <seconds>.",
  });
});
