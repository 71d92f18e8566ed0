import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finishSso, withLoginState } from './sso.ts';
import { fakeMedplum } from './testing/fakeMedplum.ts';

const REQUEST = { clientId: 'app', redirectUri: 'my-app://' };

test("state carries the login request and the PKCE challenge; the IdP's own parameters stay as they are", async () => {
  const { medplum, paths } = fakeMedplum({});
  const url = new URL(await withLoginState(medplum, 'https://idp.example/authorize?client_id=idp-app&scope=openid', { ...REQUEST, domain: 'corp.example' }));
  assert.equal(url.origin + url.pathname, 'https://idp.example/authorize');
  assert.equal(url.searchParams.get('client_id'), 'idp-app');
  assert.equal(url.searchParams.get('code_challenge'), null, 'no PKCE with the IdP: Medplum could not finish it');
  const state = JSON.parse(url.searchParams.get('state') ?? '{}');
  assert.deepEqual(Object.keys(state).sort(), ['clientId', 'codeChallenge', 'codeChallengeMethod', 'domain', 'redirectUri']);
  assert.equal(state.codeChallengeMethod, 'S256');
  assert.deepEqual(paths, [], 'nothing goes to Medplum before the user comes back');
});

test("Medplum's code in the returned address is redeemed with this app's verifier", async () => {
  const { medplum, paths, expectChallenge } = fakeMedplum({});
  const state = JSON.parse(new URL(await withLoginState(medplum, 'https://idp.example/authorize', REQUEST)).searchParams.get('state') ?? '{}');
  expectChallenge(state.codeChallenge);
  const step = await finishSso(medplum, 'my-app://?login=login-1&code=code-1', REQUEST.redirectUri);
  assert.equal(step.kind === 'signed-in' && step.profile.id, 'ada');
  assert.deepEqual(paths, ['/oauth2/token', 'redeemed code-1', '/auth/me']);
});

test('an address without a code is an error, not a sign-in', async () => {
  await assert.rejects(finishSso(fakeMedplum({}).medplum, 'my-app://?error=access_denied', REQUEST.redirectUri), /without a code/);
});
