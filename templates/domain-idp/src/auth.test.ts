import { getDisplayString, normalizeErrorString } from '@medplum/core';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  chooseMembership,
  domainSignInUrl,
  handleRedirectReturn,
  lookUpSignInMethod,
  signInWithPassword,
} from './auth.ts';
import { signOut } from './signOut.ts';
import { pretendBrowserAt } from './testing/browser.ts';
import {
  ADMIN,
  BASE_URL,
  CLIENT_ID,
  fakeMedplumServer,
  IDP_AUTHORIZE_URL,
  MULTI,
  newClient,
  PASSWORD,
  s256,
  SSO_DOMAIN,
  SSO_USER,
} from './testing/fakeMedplumServer.ts';

// These tests drive a real MedplumClient, the one the app uses, against a fake Medplum server
// (testing/fakeMedplumServer.ts), and check both what the client sent and what the app gets back.

const APP_URL = 'http://localhost:5173/';

// Every test here runs in a pretend browser at APP_URL (testing/browser.ts).
let leaveBrowser: () => void;
before(() => {
  leaveBrowser = pretendBrowserAt(APP_URL);
});
after(() => leaveBrowser());

test('an email without a domain identity provider gets the password step, and nothing more is sent', async () => {
  const server = fakeMedplumServer();

  assert.deepEqual(await lookUpSignInMethod(newClient(server), ADMIN), { kind: 'password' });
  assert.deepEqual(server.calls(), ['POST /auth/method']);
  assert.deepEqual(server.body('POST /auth/method'), { email: ADMIN });
});

test('an email whose domain has an identity provider gets the provider, and auth/method gets only the email', async () => {
  const server = fakeMedplumServer();

  const method = await lookUpSignInMethod(newClient(server), SSO_USER);

  assert.equal(method.kind, 'domain');
  assert.equal(method.kind === 'domain' && method.domain, SSO_DOMAIN);
  assert.ok(method.kind === 'domain' && method.authorizeUrl.startsWith(`${IDP_AUTHORIZE_URL}?`));
  assert.deepEqual(server.body('POST /auth/method'), { email: SSO_USER });
});

test('the SSO round trip: state carries the login request and PKCE challenge, and the returning ?code signs in', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  const method = await lookUpSignInMethod(medplum, SSO_USER);
  assert.equal(method.kind, 'domain');
  if (method.kind !== 'domain') return;

  const url = new URL(await domainSignInUrl(medplum, method, { clientId: CLIENT_ID, appUrl: APP_URL }));

  // The provider's own parameters, from auth/method, are kept as they were.
  assert.equal(url.origin + url.pathname, IDP_AUTHORIZE_URL);
  assert.equal(url.searchParams.get('redirect_uri'), `${BASE_URL}auth/external`);
  assert.equal(url.searchParams.get('response_type'), 'code');
  const state = JSON.parse(url.searchParams.get('state') ?? '{}');
  assert.equal(state.domain, SSO_DOMAIN);
  assert.equal(state.clientId, CLIENT_ID);
  assert.equal(state.redirectUri, APP_URL);
  assert.equal(state.codeChallengeMethod, 'S256');
  assert.match(state.codeChallenge, /^[\w-]{43}$/);
  assert.equal(state.codeVerifier, undefined, 'the verifier never leaves this browser');

  // The user signs in at the provider; Medplum's callback sends the browser back with ?login=…&code=…
  const returnUrl = server.signInAtIdentityProvider(url, SSO_USER);
  const result = await handleRedirectReturn(medplum, new URL(returnUrl));

  assert.equal(result.status, 'signed-in');
  assert.equal(result.status === 'signed-in' && getDisplayString(result.profile), 'Grace Hopper');
  assert.equal(result.status === 'signed-in' && result.cleanUrl, APP_URL, 'code and login are stripped');
  const token = server.body('POST /oauth2/token');
  assert.equal(token.grant_type, 'authorization_code');
  assert.equal(token.client_id, CLIENT_ID);
  assert.equal(s256(token.code_verifier ?? ''), state.codeChallenge);
  assert.equal(medplum.getProject()?.name, 'Starter Test Project');

  // Redeeming the same code again (say, a reload that kept ?code) is refused, and reported in one line.
  const replay = await handleRedirectReturn(medplum, new URL(returnUrl));
  assert.equal(replay.status === 'error' && replay.message, 'Failed to fetch tokens: Token already granted');
});

test("with a project ID configured, the state names it, so Medplum can check it is the client's project", async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  const method = await lookUpSignInMethod(medplum, SSO_USER);
  if (method.kind !== 'domain') return assert.fail('expected the domain method');

  const url = await domainSignInUrl(medplum, method, {
    clientId: CLIENT_ID,
    appUrl: APP_URL,
    projectId: 'project-starter',
  });

  assert.equal(JSON.parse(new URL(url).searchParams.get('state') ?? '{}').projectId, 'project-starter');
});

test("an invalid email is refused by auth/method with the server's message", async () => {
  const server = fakeMedplumServer();

  await assert.rejects(lookUpSignInMethod(newClient(server), 'not-an-email'), (err) => {
    assert.equal(normalizeErrorString(err), 'Valid email address is required');
    return true;
  });
});

test('password fallback: the code is redeemed with the PKCE verifier sent at login, and the profile loads', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const result = await signInWithPassword(medplum, { email: ADMIN, password: PASSWORD });

  assert.equal(result.status, 'signed-in');
  assert.equal(result.status === 'signed-in' && getDisplayString(result.profile), 'Starter Admin');
  assert.deepEqual(server.calls(), ['POST /auth/login', 'POST /oauth2/token', 'GET /auth/me']);
  const login = server.body('POST /auth/login');
  assert.equal(login.email, ADMIN);
  assert.equal(login.clientId, CLIENT_ID);
  assert.equal(login.codeChallengeMethod, 'S256');
  assert.equal(s256(server.body('POST /oauth2/token').code_verifier ?? ''), login.codeChallenge);
});

test('password fallback for a user in several projects: choose one, then its code is redeemed', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const first = await signInWithPassword(medplum, { email: MULTI, password: PASSWORD });
  if (first.status !== 'choose-project') return assert.fail('expected a project choice');
  assert.deepEqual(server.calls(), ['POST /auth/login'], 'no token request before a project is chosen');

  const profile = await chooseMembership(medplum, first.login, first.memberships[1].id);

  assert.deepEqual(server.body('POST /auth/profile'), { login: first.login, profile: 'membership-multi-second' });
  assert.equal(getDisplayString(profile), 'Multi Member');
  assert.equal(medplum.getProject()?.name, 'Wire Capture Second Project');
});

test('a wrong password surfaces "Email or password is invalid" and signs nobody in', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  await assert.rejects(
    signInWithPassword(medplum, { email: ADMIN, password: 'wrong-password-123' }),
    (err) => normalizeErrorString(err) === 'Email or password is invalid'
  );
  assert.equal(medplum.getProfile(), undefined);
});

test('a redirect back with ?error= is reported without calling the server, and the error params are stripped', async () => {
  const server = fakeMedplumServer();

  const result = await handleRedirectReturn(
    newClient(server),
    new URL(`${APP_URL}?tab=notes&error=access_denied&error_description=User+cancelled`)
  );

  assert.deepEqual(result, {
    status: 'error',
    message: 'User cancelled (access_denied)',
    cleanUrl: `${APP_URL}?tab=notes`,
  });
  assert.deepEqual(server.calls(), []);
});

test('a page load without ?code or ?error leaves the URL and the server alone', async () => {
  const server = fakeMedplumServer();

  assert.deepEqual(await handleRedirectReturn(newClient(server), new URL(`${APP_URL}?tab=notes`)), { status: 'none' });
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
});
