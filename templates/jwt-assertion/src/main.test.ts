import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { outcomes } from './testing/fake-medplum.ts';
import { PrivateKeyJwtMedplum, type PrivateKeyJwtMedplumOptions, testKeyPair } from './testing/fake-private-key-jwt.ts';
import { startMain } from './testing/start-main.ts';

// These tests run `src/main.ts --once` the way `npm start -- --once` does, against a fake Medplum over HTTP.

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';

/** A fake Medplum over HTTP whose client trusts `jwks`, and the env of a device holding `privatePem`. */
async function serve(t: TestContext, options: Partial<PrivateKeyJwtMedplumOptions> & { privatePem?: string } = {}) {
  const key = testKeyPair('kid-1');
  const fake = new PrivateKeyJwtMedplum({ clientId, jwks: key.jwks, ...options });
  const { baseUrl, close } = await fake.listen();
  t.after(close);
  const keyFile = join(mkdtempSync(join(tmpdir(), 'device-key-')), 'medplum-device-key.pem');
  writeFileSync(keyFile, options.privatePem ?? key.privatePem, { mode: 0o600 });
  return {
    fake,
    env: { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId, MEDPLUM_PRIVATE_KEY_PATH: keyFile, MEDPLUM_KEY_ID: 'kid-1' },
  };
}

test('--once signs in with the key, sends one reading and exits 0', async (t) => {
  const { fake, env } = await serve(t, {
    routes: { 'POST fhir/R4/Observation': (request) => ({ status: 201, body: { ...JSON.parse(request.body), id: 'obs-1' } }) },
  });

  const { code, stdout, stderr } = await startMain(env, ['--once']).exited;

  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^Signed in to http:\/\/127\.0\.0\.1:\d+\/ as client \S+ \(private key JWT, kid kid-1\)\.\nObservation\/obs-1: [\d.]+ Cel at \S+\n$/
  );
  assert.equal(fake.assertions().length, 1);
  assert.equal(fake.requestsTo('fhir/R4/Observation').length, 1);
});

test('a key that jwks.json does not hold: one line with the hint, exit 1', async (t) => {
  const { env } = await serve(t, { privatePem: testKeyPair().privatePem });

  const { code, stdout, stderr } = await startMain(env, ['--once']).exited;

  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^Could not sign in to Medplum at .*: Invalid client assertion signature\. The jwks\.json hosted at the ClientApplication's jwksUri [^\n]+\n$/);
});

test('a missing key file: one line naming the variable and the path, exit 1', async (t) => {
  const { env } = await serve(t);

  const { code, stderr } = await startMain({ ...env, MEDPLUM_PRIVATE_KEY_PATH: '/no/such/key.pem' }, ['--once']).exited;

  assert.equal(code, 1);
  assert.match(stderr, /^Could not read MEDPLUM_PRIVATE_KEY_PATH \(\/no\/such\/key\.pem\): ENOENT\. [^\n]+\n$/);
});

test('--once refused by the AccessPolicy: one line, exit 1', async (t) => {
  const { env } = await serve(t, { routes: { 'POST fhir/R4/Observation': () => ({ status: 403, body: outcomes.forbidden }) } });

  const { code, stderr } = await startMain(env, ['--once']).exited;

  assert.equal(code, 1);
  assert.match(stderr, /^Medplum refused create Observation: the client's AccessPolicy does not allow it\. [^\n]+\n$/);
});
