import assert from 'node:assert/strict';
import { test } from 'node:test';
import { googleClientIdFor, signInWithGoogle } from './google.ts';
import { fakeMedplum, json, refusal } from './testing/fakeMedplum.ts';

/** auth/google as Medplum answers it: Google's web client is known, Ada's credential signs in. */
const medplumWithGoogle = () => {
  const posted: Readonly<Record<string, unknown>>[] = [];
  const fake = fakeMedplum({
    '/auth/google': (body) => {
      posted.push(body);
      if (body.googleClientId !== 'web.apps.googleusercontent.com') {
        return refusal('Invalid googleClientId');
      }
      if (body.googleCredential === 'katherine-at-corp-id-token') {
        return json({ domain: 'corp.example', authorizeUrl: 'https://idp.corp.example/authorize' });
      }
      return body.googleCredential === 'ada-id-token' ? json({ login: 'login-1', code: 'code-1' }) : refusal('User not found');
    },
  });
  return { ...fake, posted };
};

test("Google's ID token goes to auth/google with its client ID and a PKCE S256 challenge; the code is redeemed", async () => {
  const { medplum, paths, posted } = medplumWithGoogle();
  const step = await signInWithGoogle(medplum, 'web.apps.googleusercontent.com', 'ada-id-token');
  assert.equal(step.kind === 'signed-in' && step.profile.id, 'ada');
  assert.deepEqual(Object.keys(posted[0] ?? {}).sort(), ['clientId', 'codeChallenge', 'codeChallengeMethod', 'googleClientId', 'googleCredential']);
  assert.deepEqual(paths, ['/auth/google', '/oauth2/token', 'redeemed code-1', '/auth/me']);
});

test("Medplum's refusals reach the screen as errors", async () => {
  const { medplum } = medplumWithGoogle();
  await assert.rejects(signInWithGoogle(medplum, 'web.apps.googleusercontent.com', 'stranger-id-token'), /User not found/);
  await assert.rejects(signInWithGoogle(medplum, 'ios.apps.googleusercontent.com', 'ada-id-token'), /Invalid googleClientId/);
  await assert.rejects(signInWithGoogle(medplum, 'web.apps.googleusercontent.com', 'katherine-at-corp-id-token'), /^Error: corp\.example accounts sign in with their organization's identity provider/);
});

test("each platform uses its own Google client ID; an empty one is none", () => {
  const ids = { web: 'web-id', ios: 'ios-id', android: ' ' };
  assert.equal(googleClientIdFor('web', ids), 'web-id');
  assert.equal(googleClientIdFor('ios', ids), 'ios-id');
  assert.equal(googleClientIdFor('android', ids), undefined);
});
