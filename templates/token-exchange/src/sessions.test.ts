import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExchangeRefusedError, InvalidTokenError, Sessions, type SessionsOptions, TooManyExchangesError } from './sessions.ts';
import { medplumStub } from './testing/medplum-stub.ts';

const USERS = { 'ada-idp-token': 'Practitioner/ada', 'grace-idp-token': 'Practitioner/grace' };

function setUp(options: Partial<SessionsOptions> = {}, lifetime?: number) {
  const medplum = medplumStub(USERS, { lifetime });
  const sessions = new Sessions({ baseUrl: 'https://medplum.test/', clientId: 'the-client-id', fetch: medplum.fetch, ...options });
  /** A Patient search as the owner of `token`: the Bundle's id is whom Medplum saw. */
  const search = (token: string) => sessions.run(token, async (client) => (await client.search('Patient')).id);
  return { medplum, sessions, search };
}

test('each IdP token is exchanged once (RFC 8693, no secret), and each user searches as themselves', async () => {
  const { medplum, search } = setUp();

  assert.equal(await search('ada-idp-token'), 'Practitioner/ada');
  assert.equal(await search('grace-idp-token'), 'Practitioner/grace');
  assert.equal(await search('ada-idp-token'), 'Practitioner/ada');

  assert.deepEqual(medplum.exchanges(), ['ada-idp-token', 'grace-idp-token']);
  assert.deepEqual(Object.fromEntries(medplum.requests[0]?.form ?? []), {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    client_id: 'the-client-id',
    subject_token: 'ada-idp-token',
  });
});

test('a session ends 5 s before its Medplum token, and the cache keeps the most recently used', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { medplum, sessions, search } = setUp({ maxEntries: 1 }, 60);

  await search('ada-idp-token');
  t.mock.timers.tick(54_000);
  await search('ada-idp-token'); // 54 s: still cached
  t.mock.timers.tick(2_000);
  await search('ada-idp-token'); // 56 s: within 5 s of exp, exchanged again
  await search('grace-idp-token'); // the cache holds one: Ada's session makes room

  assert.deepEqual(medplum.exchanges(), ['ada-idp-token', 'ada-idp-token', 'grace-idp-token']);
  assert.equal(sessions.size, 1);
});

test('a refused token is refused again for 30 s without asking Medplum', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { medplum, search } = setUp();

  await assert.rejects(search('forged'), new InvalidTokenError('The identity provider did not accept this access token.'));
  await assert.rejects(search('forged'), InvalidTokenError);
  t.mock.timers.tick(30_000);
  await assert.rejects(search('forged'), InvalidTokenError);

  assert.deepEqual(medplum.exchanges(), ['forged', 'forged']);
});

test('new exchanges are limited per second; cached sessions are not', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const { medplum, search } = setUp({ exchangesPerSecond: 1 });

  await search('ada-idp-token');
  await assert.rejects(search('grace-idp-token'), TooManyExchangesError);
  await search('ada-idp-token');
  t.mock.timers.tick(1_000);
  await search('grace-idp-token');

  assert.deepEqual(medplum.exchanges(), ['ada-idp-token', 'grace-idp-token']);
});

test('a session Medplum no longer accepts is exchanged again, and the call retried once', async () => {
  const { medplum, search } = setUp();
  await search('ada-idp-token');
  medplum.revoke();

  assert.equal(await search('ada-idp-token'), 'Practitioner/ada');
  assert.deepEqual(medplum.exchanges(), ['ada-idp-token', 'ada-idp-token']);
});

test('a wrong MEDPLUM_CLIENT_ID is not blamed on the caller', async () => {
  const { search } = setUp({ clientId: 'another-client' });

  await assert.rejects(search('ada-idp-token'), (err: Error) => {
    assert.ok(err instanceof ExchangeRefusedError);
    assert.match(err.message, /^Medplum refused the token exchange: Invalid client\. Check MEDPLUM_CLIENT_ID/);
    return true;
  });
});
