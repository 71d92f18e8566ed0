import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { BasicAuthMedplum } from './testing/fake-basic-auth.ts';
import { outcomes, type Route } from './testing/fake-medplum.ts';
import { startMain } from './testing/start-main.ts';

// These tests run `src/main.ts` the way `npm start` does, against a fake Medplum served over HTTP.

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-client-secret';

const patients: Route = () => ({
  status: 200,
  body: {
    resourceType: 'Bundle',
    type: 'searchset',
    total: 1,
    entry: [
      {
        resource: {
          resourceType: 'Patient',
          id: 'p1',
          name: [{ family: 'Lovelace' }],
          meta: { lastUpdated: '2026-11-29T10:42:43.521Z' },
        },
      },
    ],
  },
});

async function serve(t: TestContext, fake: BasicAuthMedplum) {
  const { baseUrl, close } = await fake.listen();
  t.after(close);
  return { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId, MEDPLUM_CLIENT_SECRET: clientSecret };
}

test('prints a short summary without names and exits 0', async (t) => {
  const fake = new BasicAuthMedplum({ clientId, clientSecret, routes: { 'GET fhir/R4/Patient': patients } });

  const { code, stdout, stderr } = await startMain(await serve(t, fake)).exited;

  assert.equal(stderr, '');
  assert.equal(code, 0);
  assert.equal(
    stdout,
    'Patients in the project: 1.\nMost recently updated (ID, last updated):\n  p1  2026-11-29T10:42:43.521Z\n'
  );
});

test('a wrong secret: one line, exit 1, and no token request', async (t) => {
  const fake = new BasicAuthMedplum({
    clientId,
    clientSecret: 'the-real-secret',
    routes: { 'GET fhir/R4/Patient': patients },
  });

  const { code, stdout, stderr } = await startMain(await serve(t, fake)).exited;

  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(
    stderr,
    /^Medplum at http:\/\/127\.0\.0\.1:\d+\/ refused the credentials of client \S+ \(401 Unauthorized\)\. /
  );
  assert.equal(stderr.trimEnd().split('\n').length, 1);
  assert.deepEqual(fake.requestsTo('oauth2/token'), []);
});

test('an AccessPolicy that forbids the search: one line, exit 1', async (t) => {
  const fake = new BasicAuthMedplum({
    clientId,
    clientSecret,
    routes: { 'GET fhir/R4/Patient': () => ({ status: 403, body: outcomes.forbidden }) },
  });

  const { code, stderr } = await startMain(await serve(t, fake)).exited;

  assert.equal(code, 1);
  assert.equal(
    stderr,
    'Medplum refused search Patient: the client\'s AccessPolicy does not allow it. Allow "search" on Patient in the policy attached to the client.\n'
  );
});

test('missing configuration: one line, exit 1', async () => {
  const { code, stderr } = await startMain({ MEDPLUM_BASE_URL: 'https://api.medplum.com/' }).exited;

  assert.equal(code, 1);
  assert.equal(
    stderr,
    'Missing MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env.\n'
  );
});

test('an unreachable server: one line, exit 1', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));

  const { code, stderr } = await startMain({
    MEDPLUM_BASE_URL: `http://127.0.0.1:${port}/`,
    MEDPLUM_CLIENT_ID: clientId,
    MEDPLUM_CLIENT_SECRET: clientSecret,
  }).exited;

  assert.equal(code, 1);
  assert.equal(
    stderr,
    `Could not reach Medplum at http://127.0.0.1:${port}/ (ECONNREFUSED). Check MEDPLUM_BASE_URL and your network.\n`
  );
});
