import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readEnv, type Variable } from './env.ts';
import { VARIABLES } from './variables.ts';

const variables: [string, Variable][] = Object.entries(VARIABLES);
const sample = ({ url }: Variable): string => (url ? 'https://example.com/path' : 'some-id');
const COMPLETE = Object.fromEntries(variables.map(([, v]) => [v.name, sample(v)]));

test('a complete .env gives every value, trimmed; an optional one left empty is undefined', () => {
  const env = Object.fromEntries(variables.map(([, v]) => [v.name, v.howTo ? `  ${sample(v)} ` : '']));
  assert.deepEqual(readEnv(env, VARIABLES), { config: Object.fromEntries(variables.map(([key, v]) => [key, v.howTo ? sample(v) : undefined])) });
});

test('a missing variable is named in one line that says where to get its value', () => {
  for (const [, { name, howTo }] of variables.filter(([, v]) => v.howTo)) {
    for (const missing of [undefined, '', '   ']) {
      const result = readEnv({ ...COMPLETE, [name]: missing }, VARIABLES);
      assert.deepEqual(result, { problem: `Missing ${name}: ${howTo} in .env, then restart the dev server` });
    }
  }
  assert.match(JSON.stringify(readEnv({}, VARIABLES)), /Missing VITE_MEDPLUM_BASE_URL: .*https:\/\/api\.medplum\.com\//);
});

test('a URL that is not http(s) is refused before the SDK or a redirect would use it', () => {
  for (const [, { name }] of variables.filter(([, v]) => v.url)) {
    for (const bad of ['api.medplum.com', 'javascript:alert(1)', 'ftp://example.com/']) {
      assert.match(JSON.stringify(readEnv({ ...COMPLETE, [name]: bad }, VARIABLES)), new RegExp(`"problem":"Invalid ${name} \\\\"`));
    }
  }
});
