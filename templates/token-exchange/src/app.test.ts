import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { createApp } from './app.ts';
import { Sessions } from './sessions.ts';
import { medplumStub } from './testing/medplum-stub.ts';

const API_KEY = 'k'.repeat(32);

/** The API on a free port, in front of a stubbed Medplum that knows Ada's IdP token. */
async function startApp(t: TestContext, apiKey?: string) {
  const medplum = medplumStub({ 'ada-idp-token': 'Practitioner/ada' });
  const sessions = new Sessions({ baseUrl: 'https://medplum.test/', clientId: 'the-client-id', fetch: medplum.fetch, exchangesPerSecond: 1 });
  const server = createApp(sessions, apiKey);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`http://127.0.0.1:${port}${path}`, { method, headers });
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  return { medplum, get, as };
}

test('GET /me and GET /patients act as the caller, with only the allowed search parameters', async (t) => {
  const { medplum, get, as } = await startApp(t);

  const me = await get('/me', as('ada-idp-token'));
  const patients = await get('/patients?name=Ada&_revinclude=Observation:subject', as('ada-idp-token'));

  assert.deepEqual(await me.json(), { profile: { reference: 'Practitioner/ada' } });
  assert.deepEqual(await patients.json(), { resourceType: 'Bundle', id: 'Practitioner/ada' });
  assert.equal(medplum.requests.at(-1)?.url, 'https://medplum.test/fhir/R4/Patient?name=Ada');
  assert.deepEqual(medplum.exchanges(), ['ada-idp-token']);
});

test('no bearer token is 401 missing_token; a refused one 401 invalid_token; too many new ones 429', async (t) => {
  const { medplum, get, as } = await startApp(t);

  const missing = await get('/patients', { authorization: 'Basic dXNlcjpwdw==' });
  assert.equal(missing.status, 401);
  assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
  assert.equal(medplum.requests.length, 0);

  const forged = await get('/patients', as('forged'));
  assert.equal(forged.status, 401);
  assert.deepEqual(await forged.json(), { error: 'invalid_token', message: 'The identity provider did not accept this access token.' });

  const limited = await get('/patients', as('another-forged')); // a second new token within the same second
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1');
});

test('GET /health needs no token; unknown paths are 404 and other methods 405', async (t) => {
  const { get } = await startApp(t);

  assert.deepEqual(await (await get('/health')).json(), { status: 'ok' });
  assert.equal((await get('/nope')).status, 404);
  assert.equal((await get('/me', {}, 'POST')).status, 405);
});

test('with API_KEY, every request needs X-API-Key besides the bearer token', async (t) => {
  const { get, as } = await startApp(t, API_KEY);

  assert.equal((await get('/health')).status, 401);
  assert.equal((await get('/me', { ...as('ada-idp-token'), 'x-api-key': `${API_KEY}x` })).status, 401);
  assert.equal((await get('/health', { 'x-api-key': API_KEY })).status, 200);
  assert.equal((await get('/me', { ...as('ada-idp-token'), 'x-api-key': API_KEY })).status, 200);
});
