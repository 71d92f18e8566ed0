import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './parseConfig.ts';

test('reads both variables and adds the trailing slash Medplum URLs need', () => {
  assert.deepEqual(parseConfig({ EXPO_PUBLIC_MEDPLUM_BASE_URL: 'https://medplum.example.org', EXPO_PUBLIC_MEDPLUM_CLIENT_ID: ' app ' }), {
    ok: true,
    config: { baseUrl: 'https://medplum.example.org/', clientId: 'app' },
  });
});

test('a missing or bad value names the variable to set', () => {
  const cases = [
    [{ EXPO_PUBLIC_MEDPLUM_CLIENT_ID: 'app' }, 'EXPO_PUBLIC_MEDPLUM_BASE_URL'],
    [{ EXPO_PUBLIC_MEDPLUM_BASE_URL: 'medplum.example.org', EXPO_PUBLIC_MEDPLUM_CLIENT_ID: 'app' }, 'EXPO_PUBLIC_MEDPLUM_BASE_URL'],
    [{ EXPO_PUBLIC_MEDPLUM_BASE_URL: 'https://api.medplum.com/', EXPO_PUBLIC_MEDPLUM_CLIENT_ID: ' ' }, 'EXPO_PUBLIC_MEDPLUM_CLIENT_ID'],
  ] as const;
  for (const [env, name] of cases) {
    const result = parseConfig(env);
    assert.match(result.ok ? 'ok' : result.problem, new RegExp(`^Set ${name} in \\.env`));
  }
});
