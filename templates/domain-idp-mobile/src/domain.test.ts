import assert from 'node:assert/strict';
import { test } from 'node:test';
import { domainSignInUrl } from './domain.ts';
import { fakeMedplum, json } from './testing/fakeMedplum.ts';

const IDP = 'https://idp.corp.example/authorize?client_id=idp-app&redirect_uri=https%3A%2F%2Fmedplum.test%2Fauth%2Fexternal';
const REQUEST = { clientId: 'app', redirectUri: 'my-app://' };

/** auth/method as Medplum answers it: corp.example has a DomainConfiguration, other domains nothing. */
const medplumWithSsoDomain = () =>
  fakeMedplum({ '/auth/method': (body) => (String(body.email).endsWith('@corp.example') ? json({ domain: 'corp.example', authorizeUrl: IDP }) : json({})) });

test("an SSO domain's email gets its IdP's URL, with the domain and the login request in state", async () => {
  const { medplum, paths } = medplumWithSsoDomain();
  const url = new URL((await domainSignInUrl(medplum, 'ada@corp.example', REQUEST)) ?? '');
  assert.equal(url.searchParams.get('client_id'), 'idp-app');
  assert.equal(url.searchParams.get('redirect_uri'), 'https://medplum.test/auth/external');
  const { codeChallenge, ...state } = JSON.parse(url.searchParams.get('state') ?? '{}');
  assert.deepEqual(state, { ...REQUEST, domain: 'corp.example', codeChallengeMethod: 'S256' });
  assert.match(codeChallenge, /^[\w-]{43}$/);
  assert.deepEqual(paths, ['/auth/method']);
});

test('any other email goes on to the password', async () => {
  assert.equal(await domainSignInUrl(medplumWithSsoDomain().medplum, 'bob@example.com', REQUEST), undefined);
});
