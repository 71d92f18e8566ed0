import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bearerToken, isApiKey, readListenConfig } from './listen.ts';

const KEY = 'k'.repeat(32);

test('listens on 127.0.0.1:3000 unless HOST and PORT say otherwise', () => {
  assert.deepEqual(readListenConfig({}, 'X-API-Key'), { host: '127.0.0.1', port: 3000, apiKey: undefined });
  assert.deepEqual(readListenConfig({ HOST: '::1', PORT: '8080' }, 'X-API-Key'), { host: '::1', port: 8080, apiKey: undefined });
  assert.throws(() => readListenConfig({ PORT: '70000' }, 'X-API-Key'), /^ConfigError: PORT must be a whole number/);
});

test('a HOST beyond loopback needs an API_KEY of at least 32 characters', () => {
  assert.throws(() => readListenConfig({ HOST: '0.0.0.0' }, 'X-API-Key'), {
    name: 'ConfigError',
    message:
      'HOST=0.0.0.0 opens this API to other machines: set API_KEY (openssl rand -hex 32), which callers then send as X-API-Key, or use HOST=127.0.0.1.',
  });
  assert.throws(() => readListenConfig({ HOST: '0.0.0.0', API_KEY: 'short' }, 'X-API-Key'), /API_KEY is too short/);
  assert.equal(readListenConfig({ HOST: '0.0.0.0', API_KEY: KEY }, 'X-API-Key').apiKey, KEY);
});

test('isApiKey and bearerToken', () => {
  assert.equal(isApiKey(KEY, KEY), true);
  assert.equal(isApiKey(KEY, `${KEY}x`), false);
  assert.equal(isApiKey(KEY, undefined), false);
  assert.equal(bearerToken('bearer abc.def'), 'abc.def');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
});
