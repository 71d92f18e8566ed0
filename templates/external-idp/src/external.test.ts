import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { APP_URL, BASE_URL, CLIENT_ID, inBrowser, testClient } from './testing/medplum.ts';
import { startExternalSignIn } from './external.ts';

const browser = inBrowser();
after(browser.leave);
const CONFIG = { baseUrl: BASE_URL, clientId: CLIENT_ID, projectId: undefined, idpAuthorizeUrl: 'https://idp.example/authorize', idpClientId: 'idp-app' };

test("the IdP gets its own client ID and Medplum's callback; state carries the login request with the PKCE challenge", async () => {
  const { medplum, requests } = testClient();
  await startExternalSignIn(medplum, CONFIG, APP_URL);

  const authorize = new URL(browser.navigations.at(-1) ?? '');
  assert.equal(authorize.origin + authorize.pathname, CONFIG.idpAuthorizeUrl);
  assert.equal(authorize.searchParams.get('client_id'), 'idp-app');
  assert.equal(authorize.searchParams.get('redirect_uri'), `${BASE_URL}auth/external`);
  assert.equal(authorize.searchParams.get('code_challenge'), null, 'no PKCE with the IdP: Medplum could not finish it');
  const state = JSON.parse(authorize.searchParams.get('state') ?? '{}');
  assert.deepEqual(Object.keys(state).sort(), ['clientId', 'codeChallenge', 'codeChallengeMethod', 'redirectUri']);
  assert.equal(state.clientId, CLIENT_ID);
  assert.equal(state.redirectUri, APP_URL);
  assert.equal(state.codeChallengeMethod, 'S256');
  assert.deepEqual(requests, [], 'nothing goes to Medplum before the user comes back');
});

test('VITE_MEDPLUM_PROJECT_ID goes in the login request; unset, it stays out (Medplum refuses even an empty one)', async () => {
  await startExternalSignIn(testClient().medplum, { ...CONFIG, projectId: 'project-1' }, APP_URL);
  assert.equal(JSON.parse(new URL(browser.navigations.at(-1) ?? '').searchParams.get('state') ?? '{}').projectId, 'project-1');
});
