import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseProject, verifyMfa } from './auth.ts';
import { signInWithPassword } from './password.ts';
import { fakeMedplum, json, refusal } from './testing/fakeMedplum.ts';

const MEMBERSHIPS = [
  { id: 'm1', project: { display: 'Clinic' }, profile: { display: 'Ada Lovelace' } },
  { id: 'm2', project: { display: 'Lab' } },
];

/** Medplum's auth endpoints for a password that may need a TOTP code, then may offer two projects. */
function medplumWith(answers: { mfa: boolean; projects: boolean }) {
  const login = (next: object) => json({ login: 'login-1', ...next });
  const afterMfa = () => (answers.projects ? login({ memberships: MEMBERSHIPS }) : login({ code: 'code-1' }));
  return fakeMedplum({
    '/auth/login': (body) => (body.password !== 'right' ? refusal('Email or password is invalid') : answers.mfa ? login({ mfaRequired: true }) : afterMfa()),
    '/auth/mfa/verify': (body) => (body.token === '123456' ? afterMfa() : refusal('Invalid MFA token')),
    '/auth/profile': (body) => login({ code: `code-for-${body.profile}` }),
  });
}

test('email, password, MFA code, project: then signed in with the chosen membership', async () => {
  const { medplum, paths } = medplumWith({ mfa: true, projects: true });
  const mfa = await signInWithPassword(medplum, 'ada@example.com', 'right');
  assert.deepEqual(mfa, { kind: 'mfa', login: 'login-1' });
  const choose = await verifyMfa(medplum, 'login-1', '123456');
  assert.deepEqual(choose, { kind: 'choose-project', login: 'login-1', memberships: [{ id: 'm1', label: 'Clinic · Ada Lovelace' }, { id: 'm2', label: 'Lab' }] });
  const done = await chooseProject(medplum, 'login-1', 'm2');
  assert.equal(done.kind, 'signed-in');
  assert.equal(medplum.getProfile()?.id, 'ada');
  assert.deepEqual(paths, ['/auth/login', '/auth/mfa/verify', '/auth/profile', '/oauth2/token', 'redeemed code-for-m2', '/auth/me']);
});

test('without MFA or projects the password alone signs in', async () => {
  const { medplum } = medplumWith({ mfa: false, projects: false });
  assert.equal((await signInWithPassword(medplum, 'ada@example.com', 'right')).kind, 'signed-in');
});

test("Medplum's refusals reach the form as errors", async () => {
  const { medplum } = medplumWith({ mfa: true, projects: false });
  await assert.rejects(signInWithPassword(medplum, 'ada@example.com', 'wrong'), /Email or password is invalid/);
  await assert.rejects(verifyMfa(medplum, 'login-1', '000000'), /Invalid MFA token/);
});
