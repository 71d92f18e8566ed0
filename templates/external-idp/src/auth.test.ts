import { ClientStorage, getDisplayString, MedplumClient, MemoryStorage } from '@medplum/core';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { externalCallbackUrl, handleExternalReturn, startExternalSignIn } from './auth.ts';
import type { Config } from './parseConfig.ts';
import { signOut } from './signOut.ts';
import { inBrowserAt } from './testing/browser.ts';
import {
  ADA,
  BASE_URL,
  CLIENT_ID,
  fakeMedplumServer,
  IDP_AUTHORIZE_URL,
  IDP_CLIENT_ID,
  newClient,
  PROJECT_ID,
  s256,
} from './testing/fakeMedplumServer.ts';

// These tests drive a real MedplumClient, the one the app uses, through the whole trip:
// app -> IdP (testing/fakeMedplumServer.ts plays it) -> Medplum's auth/external -> app?code=… -> processCode.
// They check the URL the browser is sent to, what the client sent to Medplum, and what the app gets back.

const APP_URL = 'http://localhost:5173/';
const CONFIG: Config = {
  baseUrl: BASE_URL,
  clientId: CLIENT_ID,
  idpAuthorizeUrl: IDP_AUTHORIZE_URL,
  idpClientId: IDP_CLIENT_ID,
};

test('the IdP redirect URI is Medplum\'s callback, under the base URL however it was written', () => {
  assert.equal(externalCallbackUrl(newClient(fakeMedplumServer())), 'http://localhost:8103/auth/external');
  const noSlash = new MedplumClient({ baseUrl: 'https://medplum.example.com/api', fetch: fakeMedplumServer().fetch });
  assert.equal(externalCallbackUrl(noSlash), 'https://medplum.example.com/api/auth/external');
});

test('"Sign in" sends the browser to the IdP with its client ID, Medplum\'s callback, and the login request with its PKCE challenge in state', async () => {
  const server = fakeMedplumServer();

  await inBrowserAt(APP_URL, async (navigations) => {
    await startExternalSignIn(newClient(server), CONFIG, APP_URL);

    assert.equal(navigations.length, 1);
    const authorize = new URL(navigations[0]);
    assert.equal(authorize.origin + authorize.pathname, IDP_AUTHORIZE_URL);
    const params = authorize.searchParams;
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('client_id'), IDP_CLIENT_ID, 'the IdP client ID, not the Medplum one');
    assert.equal(params.get('redirect_uri'), `${BASE_URL}auth/external`);
    assert.equal(params.get('scope'), 'openid profile email');
    // Medplum would send the IdP its challenge as the code_verifier, which fails at any IdP that enforces PKCE.
    assert.equal(params.get('code_challenge'), null, 'no PKCE challenge for the IdP');
    assert.equal(params.get('code_challenge_method'), null);

    const state = JSON.parse(params.get('state') ?? '');
    assert.deepEqual(Object.keys(state).sort(), [
      'clientId',
      'codeChallenge',
      'codeChallengeMethod',
      'redirectUri',
    ]);
    assert.equal(state.clientId, CLIENT_ID, 'Medplum finds the IdP settings on this ClientApplication');
    assert.equal(state.redirectUri, APP_URL, 'where Medplum sends the user back');
    assert.equal(state.codeChallengeMethod, 'S256');
    assert.match(state.codeChallenge, /^[\w-]{43}$/, 'a base64url SHA-256 challenge, never the verifier itself');
    assert.equal(state.projectId, undefined, 'no project configured: Medplum refuses even an empty projectId');
  });
  assert.deepEqual(server.calls(), [], 'nothing is sent to Medplum before the user comes back');
});

test('with VITE_MEDPLUM_PROJECT_ID set, the login request names that project', async () => {
  const server = fakeMedplumServer();
  await inBrowserAt(APP_URL, async (navigations) => {
    await startExternalSignIn(newClient(server), { ...CONFIG, projectId: PROJECT_ID }, APP_URL);
    const state = JSON.parse(new URL(navigations[0]).searchParams.get('state') ?? '');
    assert.equal(state.projectId, PROJECT_ID);
  });
});

test('back from Medplum with ?code, the app redeems it once with the PKCE verifier and is signed in', async () => {
  const server = fakeMedplumServer();
  const storage = new ClientStorage(new MemoryStorage()); // localStorage: it survives the trip to the IdP

  await inBrowserAt(APP_URL, async (navigations) => {
    await startExternalSignIn(newClient(server, storage), CONFIG, APP_URL);
    const authorize = new URL(navigations[0]);

    // The user signs in at the IdP, which sends the browser to Medplum, which sends it back to the app.
    const backAtApp = server.externalCallback(server.signInAtIdp(authorize, ADA));
    assert.equal(backAtApp.origin + backAtApp.pathname, APP_URL);

    // A new page load: a new client, the same storage.
    const medplum = newClient(server, storage);
    const result = await handleExternalReturn(medplum, backAtApp);

    assert.equal(result.status, 'signed-in');
    assert.equal(result.status === 'signed-in' && getDisplayString(result.profile), 'Ada Lovelace');
    assert.equal(result.status === 'signed-in' && result.cleanUrl, APP_URL, 'code and login are stripped');
    assert.deepEqual(server.calls(), ['POST /oauth2/token', 'GET /auth/me']);

    const token = server.body('POST /oauth2/token');
    assert.equal(token.grant_type, 'authorization_code');
    assert.equal(token.code, backAtApp.searchParams.get('code'));
    assert.equal(token.client_id, CLIENT_ID);
    const state = JSON.parse(authorize.searchParams.get('state') ?? '');
    assert.equal(s256(token.code_verifier ?? ''), state.codeChallenge, 'the verifier matches the challenge in state');
    assert.equal(server.header('GET /auth/me', 'authorization'), `Bearer ${server.lastAccessToken()}`);
    assert.equal(medplum.getProfile()?.id, 'pr-ada');

    // Redeeming the same code again (say, a reload that kept ?code) is refused, and reported in one line.
    const replay = await handleExternalReturn(medplum, backAtApp);
    assert.deepEqual(replay, {
      status: 'error',
      message: 'Failed to fetch tokens: Token already granted',
      cleanUrl: APP_URL,
    });
  });
});

test('a Medplum code that reaches another browser, without the PKCE verifier, is refused', async () => {
  const server = fakeMedplumServer();
  await inBrowserAt(APP_URL, async (navigations) => {
    await startExternalSignIn(newClient(server), CONFIG, APP_URL);
    const backAtApp = server.externalCallback(server.signInAtIdp(new URL(navigations[0]), ADA));

    const elsewhere = newClient(server); // fresh storage: no code verifier
    const result = await handleExternalReturn(elsewhere, backAtApp);

    assert.equal(result.status, 'error');
    assert.equal(result.status === 'error' && result.message, 'Failed to fetch tokens: Missing code verifier');
    assert.equal(elsewhere.getProfile(), undefined);
  });
});

test('other query parameters survive the clean-up', async () => {
  const server = fakeMedplumServer();
  const result = await handleExternalReturn(
    newClient(server),
    new URL(`${APP_URL}?tab=notes&login=l1&code=unknown-code`)
  );
  assert.equal(result.status, 'error');
  assert.equal(result.status === 'error' && result.cleanUrl, `${APP_URL}?tab=notes`);
});

test('a page load without ?code leaves the URL and the server alone', async () => {
  const server = fakeMedplumServer();
  const result = await handleExternalReturn(newClient(server), new URL(`${APP_URL}?tab=notes`));

  assert.deepEqual(result, { status: 'none' });
  assert.deepEqual(server.calls(), []);
});

test('sign-out revokes the Medplum token and forgets the session, even when the server cannot be reached', async () => {
  for (const offline of [false, true]) {
    const server = fakeMedplumServer();
    const storage = new ClientStorage(new MemoryStorage());
    let medplum = newClient(server, storage);
    await inBrowserAt(APP_URL, async (navigations) => {
      await startExternalSignIn(medplum, CONFIG, APP_URL);
      medplum = newClient(server, storage);
      await handleExternalReturn(medplum, server.externalCallback(server.signInAtIdp(new URL(navigations[0]), ADA)));
    });
    const accessToken = server.lastAccessToken();
    assert.ok(medplum.getProfile());

    if (offline) {
      server.goOffline();
      await assert.rejects(signOut(medplum), /Failed to fetch/);
    } else {
      await signOut(medplum);
      assert.equal(server.header('POST /oauth2/logout', 'authorization'), `Bearer ${accessToken}`);
      assert.equal(server.isRevoked(accessToken), true);
    }
    assert.equal(medplum.getProfile(), undefined);
    assert.equal(medplum.getActiveLogin(), undefined);
  }
});
