import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { createApp } from './app.ts';
import { connect } from './medplum.ts';
import { ClientSecretMedplum, type ClientSecretMedplumOptions } from './testing/fake-client-secret.ts';
import { outcomes } from './testing/fake-medplum.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-client-secret';

const bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Lovelace', given: ['Ada'] }] } }],
};

/** Starts the API on a free port, signed in to a fake Medplum. */
async function startApp(t: TestContext, options: Partial<ClientSecretMedplumOptions> = {}) {
  const fake = new ClientSecretMedplum({
    clientId,
    clientSecret,
    routes: { 'GET fhir/R4/Patient': () => ({ status: 200, body: bundle }) },
    ...options,
  });
  const medplum = await connect({ baseUrl: 'https://medplum.test/', clientId, clientSecret, port: 0 }, fake.fetch);
  const server = createApp(medplum);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);
  return { fake, medplum, get };
}

test('GET /patients runs the Patient search with the bearer token and returns the Bundle', async (t) => {
  const { fake, medplum, get } = await startApp(t);

  const res = await get('/patients?name=Ada&_count=2&_revinclude=Observation:subject&_include=*');

  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  assert.deepEqual(await res.json(), bundle);
  const [search] = fake.requestsTo('fhir/R4/Patient');
  assert.equal(search.method, 'GET');
  assert.equal(search.query.toString(), 'name=Ada&_count=2'); // only the allowed search parameters
  assert.equal(search.headers.get('authorization'), `Bearer ${medplum.getAccessToken()}`);
});

test('GET /health answers 200, unknown paths 404 and other methods 405', async (t) => {
  const { get } = await startApp(t);

  assert.deepEqual(await (await get('/health')).json(), { status: 'ok' });
  const notFound = await get('/nope');
  assert.equal(notFound.status, 404);
  assert.equal(((await notFound.json()) as { resourceType: string }).resourceType, 'OperationOutcome');
  const post = await get('/patients', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});

test('an OperationOutcome from Medplum keeps its status and body', async (t) => {
  const { get } = await startApp(t, {
    routes: { 'GET fhir/R4/Patient': () => ({ status: 403, body: outcomes.forbidden }) },
  });

  const res = await get('/patients');

  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), outcomes.forbidden);
});

test('when the token has expired the client signs in again by itself', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const { fake, medplum, get } = await startApp(t, { tokenLifetime: 3600 });
  const firstToken = medplum.getAccessToken();
  t.mock.timers.tick((3600 + 1) * 1000);

  const res = await get('/patients');

  assert.equal(res.status, 200);
  assert.deepEqual(
    fake.tokenGrants().map((grant) => grant.get('grant_type')),
    ['client_credentials', 'client_credentials']
  );
  const [search] = fake.requestsTo('fhir/R4/Patient');
  assert.notEqual(search.headers.get('authorization'), `Bearer ${firstToken}`);
  assert.equal(search.headers.get('authorization'), `Bearer ${medplum.getAccessToken()}`);
});

test('when Medplum answers 401 the client signs in again and the request still succeeds', async (t) => {
  const { fake, get } = await startApp(t);
  fake.revokeTokens();

  const res = await get('/patients');

  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), bundle);
  assert.equal(fake.tokenGrants().length, 2);
  const [rejected, retried] = fake.requestsTo('fhir/R4/Patient');
  assert.notEqual(rejected.headers.get('authorization'), retried.headers.get('authorization'));
});
