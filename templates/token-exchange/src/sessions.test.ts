import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import type { MedplumClient } from '@medplum/core';
import { ExchangeRefusedError, InvalidTokenError, Sessions } from './sessions.ts';
import { fakeJwt, type Route } from './testing/fake-medplum.ts';
import { type FakeUser, TokenExchangeMedplum } from './testing/fake-token-exchange.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const ada: FakeUser = { email: 'ada@example.com', profile: { reference: 'Practitioner/ada', display: 'Ada Lovelace' } };
const grace: FakeUser = { email: 'grace@example.com', profile: { reference: 'Practitioner/grace', display: 'Grace Hopper' } };
const ADA_TOKEN = 'idp-access-token-of-ada';
const GRACE_TOKEN = 'idp-access-token-of-grace';

/** Answers a Patient search with a Bundle naming the caller, so a test sees whose token was used. */
const patients: Route<FakeUser> = (request) => ({
  status: 200,
  body: { resourceType: 'Bundle', type: 'searchset', total: 0, id: `as-${request.caller?.email}` },
});

function setUp(tokenLifetime = 3600) {
  const fake = new TokenExchangeMedplum({
    clientId,
    identityProvider: { [ADA_TOKEN]: ada, [GRACE_TOKEN]: grace },
    tokenLifetime,
    routes: { 'GET fhir/R4/Patient': patients },
  });
  const sessions = new Sessions({ baseUrl: 'https://medplum.test/', clientId, fetch: fake.fetch });
  /** Runs a Patient search as the owner of `token`; returns the client used and the search's Bundle id. */
  const search = (token: string) =>
    sessions.run(token, async (medplum) => ({ medplum, bundle: (await medplum.search('Patient')).id }));
  return { fake, sessions, search };
}

test('the exchange is the RFC 8693 token-exchange grant, with no client secret', async () => {
  const { fake, search } = setUp();

  const { bundle } = await search(ADA_TOKEN);

  assert.deepEqual(
    fake.tokenGrants().map((grant) => Object.fromEntries(grant)),
    [
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        client_id: clientId,
        subject_token: ADA_TOKEN,
      },
    ]
  );
  assert.equal(bundle, 'as-ada@example.com');
  const [fhir] = fake.requestsTo('fhir/R4/Patient');
  assert.match(fhir.headers.get('authorization') ?? '', /^Bearer ey/); // the Medplum token, not the IdP's
  assert.notEqual(fhir.headers.get('authorization'), `Bearer ${ADA_TOKEN}`);
});

test('the session knows the profile Medplum signed the user in as', async () => {
  const { sessions } = setUp();

  const session = await sessions.run(ADA_TOKEN, async (_medplum, s) => s);

  assert.deepEqual(session.profile, ada.profile);
  assert.deepEqual(session.project, { reference: 'Project/fake-project', display: 'Fake Project' });
});

test('a cached token makes no second exchange, but every request gets a new MedplumClient', async () => {
  const { fake, search } = setUp();

  const first = await search(ADA_TOKEN);
  const second = await search(ADA_TOKEN);

  assert.equal(fake.tokenGrants().length, 1);
  assert.notEqual(first.medplum, second.medplum);
  assert.equal(first.medplum.getAccessToken(), second.medplum.getAccessToken());
  const [a, b] = fake.requestsTo('fhir/R4/Patient');
  assert.equal(a.headers.get('authorization'), b.headers.get('authorization'));
});

test('concurrent requests with the same token share one exchange', async () => {
  const { fake, search } = setUp();

  await Promise.all([search(ADA_TOKEN), search(ADA_TOKEN), search(ADA_TOKEN)]);

  assert.equal(fake.tokenGrants().length, 1);
  assert.equal(fake.requestsTo('fhir/R4/Patient').length, 3);
});

test('two users never share a client or a token', async () => {
  const { fake, search } = setUp();

  const [a, g] = await Promise.all([search(ADA_TOKEN), search(GRACE_TOKEN)]);

  assert.equal(fake.tokenGrants().length, 2);
  assert.notEqual(a.medplum, g.medplum);
  assert.notEqual(a.medplum.getAccessToken(), g.medplum.getAccessToken());
  assert.equal(a.bundle, 'as-ada@example.com');
  assert.equal(g.bundle, 'as-grace@example.com');
  // And the cache keeps them apart afterwards too.
  assert.equal((await search(GRACE_TOKEN)).bundle, 'as-grace@example.com');
  assert.equal((await search(ADA_TOKEN)).bundle, 'as-ada@example.com');
  assert.equal(fake.tokenGrants().length, 2);
});

test('the cache keeps a hash of the external token, never the token itself', async () => {
  const { sessions, search } = setUp();

  await search(ADA_TOKEN);

  assert.equal(sessions.size, 1);
  assert.doesNotMatch(inspect(sessions, { showHidden: true, depth: 10 }), new RegExp(ADA_TOKEN));
});

test('when the Medplum token expires, the next request exchanges again and the old session is evicted', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const { fake, sessions, search } = setUp(60);

  const first = await search(ADA_TOKEN);
  t.mock.timers.tick(50_000);
  await search(ADA_TOKEN); // still fresh
  assert.equal(fake.tokenGrants().length, 1);

  t.mock.timers.tick(6_000); // 56 s: within the 5 s margin before `exp`
  const renewed = await search(ADA_TOKEN);

  assert.equal(fake.tokenGrants().length, 2);
  assert.notEqual(renewed.medplum.getAccessToken(), first.medplum.getAccessToken());
  assert.equal(sessions.size, 1);

  t.mock.timers.tick(60_000); // everything has expired: a lookup for another user evicts Ada's
  await search(GRACE_TOKEN);
  assert.equal(sessions.size, 1);
});

test('a session never outlives an external token that is a JWT with an earlier exp', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const externalJwt = fakeJwt({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 30 });
  const fake = new TokenExchangeMedplum({
    clientId,
    identityProvider: { [externalJwt]: ada },
    routes: { 'GET fhir/R4/Patient': patients },
  });
  const sessions = new Sessions({ baseUrl: 'https://medplum.test/', clientId, fetch: fake.fetch });

  const session = await sessions.run(externalJwt, async (_medplum, s) => s);

  assert.equal(session.expiresAt, (Math.floor(Date.now() / 1000) + 30) * 1000 - 5_000);
});

test('a token the identity provider refuses is an InvalidTokenError, and is not cached', async () => {
  const { fake, sessions, search } = setUp();

  await assert.rejects(search('expired-or-forged'), (err: Error) => {
    assert.ok(err instanceof InvalidTokenError);
    assert.equal(err.message, 'The identity provider did not accept this access token.');
    return true;
  });
  await assert.rejects(search('expired-or-forged'), InvalidTokenError);

  assert.equal(fake.tokenGrants().length, 2);
  assert.equal(sessions.size, 0);
  assert.equal(fake.requestsTo('fhir/R4/Patient').length, 0);
});

test('a misconfigured client is not blamed on the caller', async () => {
  const fake = new TokenExchangeMedplum({ clientId: 'another-client', identityProvider: { [ADA_TOKEN]: ada } });
  const sessions = new Sessions({ baseUrl: 'https://medplum.test/', clientId, fetch: fake.fetch });

  await assert.rejects(sessions.run(ADA_TOKEN, async () => undefined), (err: Error) => {
    assert.ok(err instanceof ExchangeRefusedError);
    assert.equal(
      err.message,
      'Medplum refused the token exchange: Invalid client. Check MEDPLUM_CLIENT_ID: it must be a ' +
        'ClientApplication with an identity provider (identityProvider.userInfoUrl).'
    );
    return true;
  });
});

test('a cached token that Medplum no longer accepts is exchanged again, and the request retried once', async () => {
  const { fake, search } = setUp();
  const first = await search(ADA_TOKEN);
  fake.revokeTokens();

  const retried: MedplumClient = (await search(ADA_TOKEN)).medplum;

  assert.equal(fake.tokenGrants().length, 2);
  assert.notEqual(retried.getAccessToken(), first.medplum.getAccessToken());
  assert.deepEqual(
    fake.requestsTo('fhir/R4/Patient').map((r) => r.caller?.email ?? 'refused'),
    ['ada@example.com', 'refused', 'ada@example.com']
  );
});
