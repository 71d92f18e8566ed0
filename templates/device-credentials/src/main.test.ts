import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ClientSecretMedplum } from './testing/fake-client-secret.ts';
import { type FakeMedplumOptions, outcomes } from './testing/fake-medplum.ts';
import { startMain } from './testing/start-main.ts';

// These tests run `src/main.ts --once` the way `npm start -- --once` does, against a fake Medplum over HTTP.

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-device-secret';

async function serve(t: TestContext, routes: FakeMedplumOptions['routes']) {
  const fake = new ClientSecretMedplum({ clientId, clientSecret, routes });
  const { baseUrl, close } = await fake.listen();
  t.after(close);
  return { fake, env: { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId, MEDPLUM_CLIENT_SECRET: clientSecret } };
}

test('--once sends one reading and exits 0', async (t) => {
  const { fake, env } = await serve(t, {
    'POST fhir/R4/Observation': (request) => ({ status: 201, body: { ...JSON.parse(request.body), id: 'obs-1' } }),
  });

  const { code, stdout, stderr } = await startMain(env, ['--once']).exited;

  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.match(
    stdout,
    /^Signed in to http:\/\/127\.0\.0\.1:\d+\/ as client \S+ \(secret from MEDPLUM_CLIENT_SECRET\)\.\nObservation\/obs-1: [\d.]+ Cel at \S+\n$/
  );
  assert.equal(fake.tokenGrants().length, 1);
  assert.equal(fake.requestsTo('fhir/R4/Observation').length, 1);
});

test('--once refused by the AccessPolicy: one line, exit 1', async (t) => {
  const { env } = await serve(t, { 'POST fhir/R4/Observation': () => ({ status: 403, body: outcomes.forbidden }) });

  const { code, stderr } = await startMain(env, ['--once']).exited;

  assert.equal(code, 1);
  assert.equal(
    stderr,
    "Medplum refused create Observation: the client's AccessPolicy does not allow it. " +
      'Allow "create" on Observation (see access-policy.json) and attach the policy to the client.\n'
  );
});

test('no secret: one line naming both variables, exit 1', async () => {
  const { code, stdout, stderr } = await startMain(
    { MEDPLUM_BASE_URL: 'https://api.medplum.com/', MEDPLUM_CLIENT_ID: clientId },
    ['--once']
  ).exited;

  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^Missing MEDPLUM_CLIENT_SECRET_FILE or MEDPLUM_CLIENT_SECRET: [^\n]+\n$/);
});
