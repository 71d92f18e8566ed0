import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { nextStep, sendMfaCode } from './login.ts';
import { APP_URL, CLIENT_ID, inBrowser, testClient } from './testing/medplum.ts';

const browser = inBrowser(); // for the S256 PKCE challenge of a browser
after(browser.leave);
const REQUEST = { clientId: CLIENT_ID, redirectUri: APP_URL };
const MEMBERSHIPS = [
  { resourceType: 'ProjectMembership', id: 'm1', project: { reference: 'Project/1', display: 'First' } },
  { resourceType: 'ProjectMembership', id: 'm2', project: { reference: 'Project/2', display: 'Second' } },
] as const;

test('password, MFA code, project, code: each answer leads to the step Medplum asks for, the code signs in', async () => {
  const { medplum, body } = testClient({
    'POST auth/login': { login: 'l1', mfaRequired: true, mfaMethods: ['totp'] },
    'POST auth/mfa/verify': { login: 'l1', memberships: MEMBERSHIPS },
  });
  const mfa = await nextStep(medplum, await medplum.startLogin({ email: 'ada@example.com', password: 'pw' }), REQUEST);
  assert.deepEqual(mfa, { name: 'mfa', login: 'l1', enroll: false, qrCode: undefined });

  const project = await nextStep(medplum, await sendMfaCode(medplum, { login: 'l1', enroll: false }, '123456'), REQUEST);
  assert.deepEqual(body('POST auth/mfa/verify'), { login: 'l1', token: '123456' });
  assert.deepEqual(project, { name: 'project', login: 'l1', memberships: MEMBERSHIPS });

  assert.deepEqual(await nextStep(medplum, { login: 'l1', code: 'c1' }, REQUEST), { name: 'signed-in' });
  assert.equal(body('POST oauth2/token').code, 'c1');
  assert.equal(medplum.getProfile()?.id, 'p1', 'signed in');
});

test('MFA that is required but not set up shows the QR code, and the first code goes to auth/mfa/login-enroll', async () => {
  const { medplum, body } = testClient({ 'POST auth/mfa/login-enroll': { login: 'l1', code: 'c1' } });
  const step = await nextStep(medplum, { login: 'l1', mfaEnrollRequired: true, enrollQrCode: 'data:image/png;base64,AA' }, REQUEST);
  assert.deepEqual(step, { name: 'mfa', login: 'l1', enroll: true, qrCode: 'data:image/png;base64,AA' });
  await sendMfaCode(medplum, { login: 'l1', enroll: true }, '654321');
  assert.deepEqual(body('POST auth/mfa/login-enroll'), { login: 'l1', token: '654321' });
});

test("auth/method: {} means a password; a domain's identity provider gets the login request, with its PKCE challenge, in state", async () => {
  const { medplum } = testClient();
  const password = { name: 'password', email: 'bob@example.com' } as const;
  assert.deepEqual(await nextStep(medplum, {}, REQUEST, password), password);

  const answer = { domain: 'corp.example', authorizeUrl: 'https://idp.example/authorize?client_id=idp-app' };
  const step = await nextStep(medplum, answer, { ...REQUEST, projectId: 'project-1' });
  const url = new URL(step.name === 'redirect' ? step.url : '');
  assert.equal(url.searchParams.get('client_id'), 'idp-app', "the provider's own parameters stay");
  const state = JSON.parse(url.searchParams.get('state') ?? '{}');
  assert.deepEqual(Object.keys(state).sort(), ['clientId', 'codeChallenge', 'codeChallengeMethod', 'domain', 'projectId', 'redirectUri']);
  assert.deepEqual([state.domain, state.clientId, state.redirectUri, state.codeChallengeMethod], ['corp.example', CLIENT_ID, APP_URL, 'S256']);
});

test('an answer that asks for nothing this app knows is an error, not a silent stop', async () => {
  await assert.rejects(nextStep(testClient().medplum, { login: 'l1' }, REQUEST), /does not handle/);
});
