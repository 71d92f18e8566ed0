import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { bearerToken, createApp } from './app.ts';
import { Sessions } from './sessions.ts';
import { outcomes } from './testing/fake-medplum.ts';
import {
  type FakeUser,
  TokenExchangeMedplum,
  type TokenExchangeMedplumOptions,
} from './testing/fake-token-exchange.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const ada: FakeUser = { email: 'ada@example.com', profile: { reference: 'Practitioner/ada', display: 'Ada Lovelace' } };
const ADA_TOKEN = 'idp-access-token-of-ada';

const bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  entry: [{ resource: { resourceType: 'Patient', id: 'p1', name: [{ family: 'Lovelace', given: ['Ada'] }] } }],
};

/** Starts the API on a free port, in front of a fake Medplum. */
async function startApp(t: TestContext, options: Partial<TokenExchangeMedplumOptions> = {}) {
  const fake = new TokenExchangeMedplum({
    clientId,
    identityProvider: { [ADA_TOKEN]: ada },
    routes: { 'GET fhir/R4/Patient': () => ({ status: 200, body: bundle }) },
    ...options,
  });
  const server = createApp(new Sessions({ baseUrl: 'https://medplum.test/', clientId, fetch: fake.fetch }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const get = (path: string, token?: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: token === undefined ? init?.headers : { authorization: `Bearer ${token}` },
    });
  return { fake, get };
}

test('GET /me answers with the Medplum profile the token was exchanged for', async (t) => {
  const { fake, get } = await startApp(t);

  const res = await get('/me', ADA_TOKEN);

  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    profile: { reference: 'Practitioner/ada', display: 'Ada Lovelace' },
    project: { reference: 'Project/fake-project', display: 'Fake Project' },
  });
  assert.equal(fake.tokenGrants()[0].get('subject_token'), ADA_TOKEN);
});

test('GET /patients searches as the caller, with only the allowed search parameters', async (t) => {
  const { fake, get } = await startApp(t);

  const res = await get('/patients?name=Ada&_count=2&_revinclude=Observation:subject', ADA_TOKEN);
  await get('/patients', ADA_TOKEN);

  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  assert.deepEqual(await res.json(), bundle);
  const [search] = fake.requestsTo('fhir/R4/Patient');
  assert.equal(search.query.toString(), 'name=Ada&_count=2');
  assert.equal(search.caller, ada);
  assert.equal(fake.tokenGrants().length, 1); // the second request used the cached session
});

test('no bearer token: 401 with a JSON error, and nothing is sent to Medplum', async (t) => {
  const { fake, get } = await startApp(t);

  for (const res of [
    await get('/patients'),
    await get('/me', undefined, { headers: { authorization: `Basic ${btoa('user:password')}` } }),
  ]) {
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer');
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await res.json(), {
      error: 'missing_token',
      message:
        "Send your identity provider's access token in the Authorization header: Authorization: Bearer <token>.",
    });
  }
  assert.equal(fake.requests.length, 0);
});

test("a token the identity provider refuses: Medplum's 400 becomes a 401 for the caller", async (t) => {
  const { get } = await startApp(t);

  const res = await get('/patients', 'forged-token');

  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
  assert.deepEqual(await res.json(), {
    error: 'invalid_token',
    message: 'The identity provider did not accept this access token.',
  });
});

test("a 403 from the caller's AccessPolicy keeps its status and OperationOutcome", async (t) => {
  const { get } = await startApp(t, {
    routes: { 'GET fhir/R4/Patient': () => ({ status: 403, body: outcomes.forbidden }) },
  });
  t.mock.method(console, 'error', () => undefined);

  const res = await get('/patients', ADA_TOKEN);

  assert.equal(res.status, 403);
  assert.deepEqual(await res.json(), outcomes.forbidden);
});

test('a misconfigured MEDPLUM_CLIENT_ID is a 502 for the caller and a hint in the log, without the token', async (t) => {
  const { get } = await startApp(t, { clientId: 'another-client' });
  const logged = t.mock.method(console, 'error', () => undefined);

  const res = await get('/me', ADA_TOKEN);

  assert.equal(res.status, 502);
  assert.deepEqual(await res.json(), {
    error: 'bad_gateway',
    message: 'Medplum refused the token exchange. The server log says why.',
  });
  const line = String(logged.mock.calls[0]?.arguments[0]);
  assert.match(line, /^GET \/me: Medplum refused the token exchange: Invalid client\. Check MEDPLUM_CLIENT_ID/);
  assert.doesNotMatch(line, new RegExp(ADA_TOKEN));
});

test('GET /health needs no token; unknown paths are 404 and other methods 405', async (t) => {
  const { get } = await startApp(t);

  assert.deepEqual(await (await get('/health')).json(), { status: 'ok' });
  assert.equal((await get('/nope', ADA_TOKEN)).status, 404);
  const post = await get('/patients', ADA_TOKEN, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});

test('bearerToken reads the token from a Bearer header only', () => {
  assert.equal(bearerToken('Bearer abc.def-ghi'), 'abc.def-ghi');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer '), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});
