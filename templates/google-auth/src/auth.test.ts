import { getDisplayString, normalizeErrorString } from '@medplum/core';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chooseMembership, signInWithGoogle } from './auth.ts';
import { signOut } from './signOut.ts';
import { pretendBrowserAt } from './testing/browser.ts';
import {
  ADMIN,
  CLIENT_ID,
  fakeMedplumServer,
  GOOGLE_CLIENT_ID,
  googleCredential,
  MULTI,
  newClient,
  s256,
} from './testing/fakeMedplumServer.ts';

// These tests drive a real MedplumClient, the one the app uses, against a fake Medplum server
// (testing/fakeMedplumServer.ts), and check both what the client sent and what the app gets back.
// Google's part is only the credential its button would hand the page (testing: googleCredential()).

const APP_URL = 'http://localhost:5173/';

// Every test here runs in a pretend browser at APP_URL (testing/browser.ts).
let leaveBrowser: () => void;
before(() => {
  leaveBrowser = pretendBrowserAt(APP_URL);
});
after(() => leaveBrowser());

test('the Google credential goes to auth/google with S256 PKCE, and the code is redeemed with its verifier', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  const credential = googleCredential(ADMIN);

  const result = await signInWithGoogle(medplum, { googleClientId: GOOGLE_CLIENT_ID, credential });

  assert.equal(result.status, 'signed-in');
  assert.equal(getDisplayString(result.profile), 'Starter Admin');
  assert.deepEqual(server.calls(), ['POST /auth/google', 'POST /oauth2/token', 'GET /auth/me']);

  const google = server.body('POST /auth/google');
  assert.equal(google.googleClientId, GOOGLE_CLIENT_ID);
  assert.equal(google.googleCredential, credential);
  assert.equal(google.clientId, CLIENT_ID, 'the Medplum client ID ties the login to its project');
  assert.equal(google.codeChallengeMethod, 'S256');
  assert.match(google.codeChallenge ?? '', /^[\w-]{43}$/);

  const token = server.body('POST /oauth2/token');
  assert.equal(token.grant_type, 'authorization_code');
  assert.equal(token.client_id, CLIENT_ID);
  assert.equal(token.redirect_uri, APP_URL);
  assert.equal(s256(token.code_verifier ?? ''), google.codeChallenge, 'the verifier matches the challenge sent first');
  assert.equal(server.header('GET /auth/me', 'authorization'), `Bearer ${server.lastAccessToken()}`);
  assert.equal(medplum.getProfile()?.id, result.profile.id);
});

test('a user in several projects chooses one: auth/profile gets that membership, then its code is redeemed', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const first = await signInWithGoogle(medplum, {
    googleClientId: GOOGLE_CLIENT_ID,
    credential: googleCredential(MULTI),
  });
  assert.equal(first.status, 'choose-project');
  assert.deepEqual(
    first.memberships.map((m) => m.project),
    ['Starter Test Project', 'Wire Capture Second Project']
  );
  assert.deepEqual(server.calls(), ['POST /auth/google'], 'no token request before a project is chosen');

  const profile = await chooseMembership(medplum, first.login, first.memberships[1].id);

  assert.deepEqual(server.body('POST /auth/profile'), { login: first.login, profile: 'membership-multi-second' });
  assert.equal(
    s256(server.body('POST /oauth2/token').code_verifier ?? ''),
    server.body('POST /auth/google').codeChallenge
  );
  assert.equal(getDisplayString(profile), 'Multi Member');
  assert.equal(medplum.getProject()?.name, 'Wire Capture Second Project');
});

test('with a project ID configured, a user in several projects signs straight in to that project', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);

  const result = await signInWithGoogle(medplum, {
    googleClientId: GOOGLE_CLIENT_ID,
    credential: googleCredential(MULTI),
    projectId: 'project-starter',
  });

  assert.equal(result.status, 'signed-in');
  assert.equal(server.body('POST /auth/google').projectId, 'project-starter');
  assert.equal(medplum.getProject()?.name, 'Starter Test Project');
});

test('a Google client ID that no project site lists is refused, and nobody is signed in', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  const other = 'another-app.apps.googleusercontent.com';

  await assert.rejects(
    signInWithGoogle(medplum, { googleClientId: other, credential: googleCredential(ADMIN, other) }),
    (err) => {
      assert.equal(normalizeErrorString(err), 'Invalid googleClientId');
      return true;
    }
  );
  assert.deepEqual(server.calls(), ['POST /auth/google']);
  assert.equal(medplum.getProfile(), undefined);
});

test('a credential Google issued to another client ID is refused', async () => {
  const server = fakeMedplumServer();
  const credential = googleCredential(ADMIN, 'another-app.apps.googleusercontent.com');

  await assert.rejects(
    signInWithGoogle(newClient(server), { googleClientId: GOOGLE_CLIENT_ID, credential }),
    (err) => normalizeErrorString(err) === 'unexpected "aud" claim value'
  );
});

test('a Google account with no Medplum user is reported, not created', async () => {
  const server = fakeMedplumServer();

  await assert.rejects(
    signInWithGoogle(newClient(server), {
      googleClientId: GOOGLE_CLIENT_ID,
      credential: googleCredential('stranger@gmail.com'),
    }),
    (err) => normalizeErrorString(err) === 'User not found'
  );
  assert.equal(server.body('POST /auth/google').createUser, undefined);
});

test('an account whose domain has its own identity provider is told so, and no code is redeemed', async () => {
  const server = fakeMedplumServer();

  await assert.rejects(
    signInWithGoogle(newClient(server), {
      googleClientId: GOOGLE_CLIENT_ID,
      credential: googleCredential('someone@sso.example'),
    }),
    /Accounts at sso\.example must sign in with their organization's identity provider/
  );
  assert.deepEqual(server.calls(), ['POST /auth/google']);
});

test('sign-out revokes the token on the server and forgets the session locally', async () => {
  const server = fakeMedplumServer();
  const medplum = newClient(server);
  await signInWithGoogle(medplum, { googleClientId: GOOGLE_CLIENT_ID, credential: googleCredential(ADMIN) });
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
  await signInWithGoogle(medplum, { googleClientId: GOOGLE_CLIENT_ID, credential: googleCredential(ADMIN) });
  server.goOffline();

  await assert.rejects(signOut(medplum), /Failed to fetch/);
  assert.equal(medplum.getProfile(), undefined);
  assert.equal(medplum.getActiveLogin(), undefined);
});
