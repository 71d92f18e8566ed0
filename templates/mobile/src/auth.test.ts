import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProjectMembership } from '@medplum/fhirtypes';
import { nextStep, startPkce } from './auth.ts';
import { fakeMedplum } from './testing/fakeMedplum.ts';

const LOGIN = { login: 'login-1' };

test("Medplum's answer names the next step: an MFA code, or a project with the profile when there are several", async () => {
  const { medplum } = fakeMedplum({});
  assert.deepEqual(await nextStep(medplum, { ...LOGIN, mfaRequired: true }), { kind: 'mfa', login: 'login-1' });
  const memberships: ProjectMembership[] = [
    { resourceType: 'ProjectMembership', id: 'm1', project: { display: 'Clinic' }, user: {}, profile: { display: 'Ada Lovelace' } },
    { resourceType: 'ProjectMembership', id: 'm2', project: { reference: 'Project/lab' }, user: {}, profile: { reference: 'Practitioner/ada' } },
  ];
  assert.deepEqual(await nextStep(medplum, { ...LOGIN, memberships }), {
    kind: 'choose-project',
    login: 'login-1',
    memberships: [{ id: 'm1', label: 'Clinic · Ada Lovelace' }, { id: 'm2', label: 'Project/lab' }],
  });
});

test("a code is redeemed with the verifier of this app's S256 challenge: signed in", async () => {
  const { medplum, paths, expectChallenge } = fakeMedplum({});
  expectChallenge((await startPkce(medplum)).codeChallenge);
  const step = await nextStep(medplum, { ...LOGIN, code: 'code-1' });
  assert.equal(step.kind === 'signed-in' && step.profile.id, 'ada');
  assert.deepEqual(paths, ['/oauth2/token', 'redeemed code-1', '/auth/me']);
});

test('what the app cannot do is an error that says so', async () => {
  const { medplum } = fakeMedplum({});
  await assert.rejects(nextStep(medplum, { ...LOGIN, mfaEnrollRequired: true }), /must set up multi-factor authentication first/);
  await assert.rejects(nextStep(medplum, LOGIN), /neither a code nor a project/);
});
