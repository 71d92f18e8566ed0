import { getDisplayString, normalizeErrorString } from '@medplum/core';
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { chooseMembership, handleRedirectReturn, signInWithPassword, startRedirectSignIn } from './auth.ts';
import { signOut } from './signOut.ts';
import { inBrowserAt } from './testing/browser.ts';
import {
  ADMIN,
  BASE_URL,
  CLIENT_ID,
  fakeMedplumServer,
  MULTI,
  newClient,
  PASSWORD,
  s256,
} from './testing/fakeMedplumServer.ts';

// These tests drive a real MedplumClient, the one the app uses, against a fake Medplum server
// (testing/fakeMedplumServer.ts) and check both what the client sent and what the app gets back.

const APP_URL = 'http://localhost:5173/';

// In Node the SDK cannot base64 the SHA-256 challenge (it uses window.btoa), so it warns and falls
// back to PKCE "plain", which Medplum accepts. Browsers use S256. Keep that one warning out of the output.
before(() => {
  const warn = console.warn;
  mock.method(console, 'warn', (...args: unknown[]) => {
    if (!String(args[0]).startsWith('Failed to hash code verifier')) {
      warn(...args);
    }
  });
});
after(() => mock.restoreAll());

test('password sign-in redeems the code with the PKCE verifier sent at login and loads the profile', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const result = await signInWithPassword(medplum, { email: ADMIN, password: PASSWORD });

  assert.equal(result.status, 'signed-in');
  assert.equal(getDisplayString(result.profile), 'Starter Admin');
  assert.deepEqual(server.calls(), ['POST /auth/login', 'POST /oauth2/token', 'GET /auth/me']);

  const login = server.body('POST /auth/login');
  assert.equal(login.email, ADMIN);
  assert.equal(login.clientId, CLIENT_ID);
  assert.equal(login.codeChallengeMethod, 'plain');

  const token = server.body('POST /oauth2/token');
  assert.equal(token.grant_type, 'authorization_code');
  assert.equal(token.client_id, CLIENT_ID);
  assert.equal(token.code_verifier, login.codeChallenge, 'plain PKCE: the verifier is the challenge itself');
  assert.equal(server.header('GET /auth/me', 'authorization'), `Bearer ${server.lastAccessToken()}`);
  assert.equal(medplum.getProfile()?.id, result.profile.id);
});

test('a user in several projects chooses one: auth/profile gets that membership, then its code is redeemed', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const first = await signInWithPassword(medplum, { email: MULTI, password: PASSWORD });
  assert.equal(first.status, 'choose-project');
  assert.deepEqual(
    first.memberships.map((m) => m.project),
    ['Starter Test Project', 'Wire Capture Second Project']
  );
  assert.deepEqual(server.calls(), ['POST /auth/login'], 'no token request before a project is chosen');

  const profile = await chooseMembership(medplum, first.login, first.memberships[1].id);

  assert.deepEqual(server.body('POST /auth/profile'), { login: first.login, profile: 'membership-multi-second' });
  assert.equal(server.body('POST /oauth2/token').code_verifier, server.body('POST /auth/login').codeChallenge);
  assert.equal(getDisplayString(profile), 'Multi Member');
  assert.equal(medplum.getProject()?.name, 'Wire Capture Second Project');
});

test('with a project ID configured, a user in several projects signs straight in to that project', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const result = await signInWithPassword(medplum, { email: MULTI, password: PASSWORD, projectId: 'project-starter' });

  assert.equal(result.status, 'signed-in');
  assert.equal(server.body('POST /auth/login').projectId, 'project-starter');
  assert.equal(medplum.getProject()?.name, 'Starter Test Project');
});

test('a wrong password surfaces "Email or password is invalid" and signs nobody in', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  await assert.rejects(signInWithPassword(medplum, { email: ADMIN, password: 'wrong-password-123' }), (err) => {
    assert.equal(normalizeErrorString(err), 'Email or password is invalid');
    return true;
  });
  assert.deepEqual(server.calls(), ['POST /auth/login']);
  assert.equal(medplum.getProfile(), undefined);
});

test('"Sign in with Medplum" redirects with S256 PKCE to the registered URL, and the returning ?code signs in', async () => {
  const server = fakeMedplumServer();

  await inBrowserAt(APP_URL, async (navigations) => {
    const medplum = newClient(server);
    await startRedirectSignIn(medplum);

    assert.equal(navigations.length, 1);
    const authorize = new URL(navigations[0]);
    assert.equal(authorize.origin + authorize.pathname, `${BASE_URL}oauth2/authorize`);
    assert.equal(authorize.searchParams.get('response_type'), 'code');
    assert.equal(authorize.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(authorize.searchParams.get('redirect_uri'), APP_URL);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');

    // The user signs in on Medplum's page, which sends the browser back to redirect_uri?code=…&state=…
    const returnUrl = server.signInOnMedplumPage(authorize, ADMIN);
    const result = await handleRedirectReturn(medplum, new URL(returnUrl));

    assert.equal(result.status, 'signed-in');
    assert.equal(result.cleanUrl, APP_URL, 'code and state are stripped so a reload cannot replay the code');
    assert.equal(getDisplayString(result.profile), 'Starter Admin');
    const token = server.body('POST /oauth2/token');
    assert.equal(token.grant_type, 'authorization_code');
    assert.equal(token.redirect_uri, APP_URL);
    assert.equal(s256(token.code_verifier ?? ''), authorize.searchParams.get('code_challenge'));

    // Redeeming the same code again (say, a reload that kept ?code) is refused, and reported in one line.
    const replay = await handleRedirectReturn(medplum, new URL(returnUrl));
    assert.equal(replay.status, 'error');
    assert.equal(replay.status === 'error' && replay.message, 'Failed to fetch tokens: Token already granted');
  });
});

test('a redirect back with ?error= is reported without calling the server, and the error params are stripped', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const result = await handleRedirectReturn(
    medplum,
    new URL(`${APP_URL}?tab=notes&error=login_required&error_description=Login+required&state=s3`)
  );

  assert.deepEqual(result, {
    status: 'error',
    message: 'Login required (login_required)',
    cleanUrl: `${APP_URL}?tab=notes`,
  });
  assert.deepEqual(server.calls(), []);
});

test('a page load without ?code or ?error leaves the URL and the server alone', async () => {
  const server = fakeMedplumServer();
  const result = await handleRedirectReturn(newClient(server), new URL(`${APP_URL}?tab=notes`));

  assert.deepEqual(result, { status: 'none' });
  assert.deepEqual(server.calls(), []);
});

test('sign-out revokes the token on the server and forgets the session locally', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  await signInWithPassword(medplum, { email: ADMIN, password: PASSWORD });
  const accessToken = server.lastAccessToken();

  await signOut(medplum);

  assert.equal(server.header('POST /oauth2/logout', 'authorization'), `Bearer ${accessToken}`);
  assert.equal(server.isRevoked(accessToken), true);
  assert.equal(medplum.getProfile(), undefined);
  assert.equal(medplum.getActiveLogin(), undefined);
});

test('sign-out still forgets the session locally when the server cannot be reached', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  await signInWithPassword(medplum, { email: ADMIN, password: PASSWORD });
  server.goOffline();

  await assert.rejects(signOut(medplum), /Failed to fetch/);
  assert.equal(medplum.getProfile(), undefined);
  assert.equal(medplum.getActiveLogin(), undefined);
});
