import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ClientStorage, MedplumClient, MemoryStorage } from '@medplum/core';
import { chooseProject, signInWithPassword, verifyMfa } from './auth.ts';

// MedplumClient uses window.btoa and window.location, which a browser has and the polyfills give a phone.
Object.assign(globalThis, { window: globalThis, location: new URL('http://localhost:8081/') });

const ADA = { resourceType: 'Practitioner', id: 'ada', name: [{ given: ['Ada'], family: 'Lovelace' }] };
const MEMBERSHIPS = [
  { id: 'm1', project: { display: 'Clinic' }, profile: { display: 'Ada Lovelace' } },
  { id: 'm2', project: { display: 'Lab' } },
];

/**
 * A client whose fetch plays Medplum's auth endpoints: a password that needs a TOTP code, two
 * projects, then a code that is redeemed only with the verifier of the S256 challenge.
 */
function medplumWith(answers: { mfa: boolean; projects: boolean }) {
  const paths: string[] = [];
  let challenge = '';
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const path = new URL(url).pathname;
    paths.push(path);
    const body = init.body && path.startsWith('/auth/') ? JSON.parse(init.body as string) : {};
    const login = (next: object) => json({ login: 'login-1', ...next });
    const afterMfa = () => (answers.projects ? login({ memberships: MEMBERSHIPS }) : login({ code: 'code-1' }));
    switch (path) {
      case '/auth/login':
        assert.equal(body.codeChallengeMethod, 'S256');
        challenge = body.codeChallenge;
        return body.password === 'right' ? (answers.mfa ? login({ mfaRequired: true }) : afterMfa()) : json({ issue: [{ details: { text: 'Email or password is invalid' } }] }, 400);
      case '/auth/mfa/verify':
        return body.token === '123456' ? afterMfa() : json({ issue: [{ details: { text: 'Invalid MFA token' } }] }, 400);
      case '/auth/profile':
        return login({ code: `code-for-${body.profile}` });
      case '/oauth2/token': {
        const form = new URLSearchParams(init.body as string);
        paths.push(`redeemed ${form.get('code')}`);
        const verifier = form.get('code_verifier') ?? '';
        assert.equal(createHash('sha256').update(verifier).digest('base64url'), challenge, 'the verifier matches the S256 challenge');
        const payload = Buffer.from(JSON.stringify({ client_id: 'app', login_id: 'login-1', exp: Date.now() / 1000 + 3600 })).toString('base64url');
        return json({ access_token: `e30.${payload}.sig`, refresh_token: 'r', profile: { reference: 'Practitioner/ada' }, project: { reference: 'Project/p' } });
      }
      case '/auth/me':
        return json({ profile: ADA, project: { resourceType: 'Project', id: 'p' }, membership: { resourceType: 'ProjectMembership' } });
    }
    return json({}, 404);
  };
  return { paths, medplum: new MedplumClient({ baseUrl: 'https://medplum.test/', clientId: 'app', storage: new ClientStorage(new MemoryStorage()), fetch }) };
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
