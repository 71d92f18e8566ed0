// @inquirer/testing/vitest must be imported before anything that loads the prompts.
import { screen } from '@inquirer/testing/vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, totp, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';

const ADMIN = {
  email: 'admin@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Admin' }] },
  admin: true,
};

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [ADMIN] });
});
afterAll(() => medplum?.close());

async function waitFor(pattern: RegExp): Promise<void> {
  for (let i = 0; !pattern.test(screen.getScreen()); i++) {
    if (i > 50) {
      throw new Error(`${pattern} never appeared:\n${screen.getScreen()}`);
    }
    await screen.next();
  }
}

/** Answers the admin sign-in's first two questions. */
async function typeEmailAndPassword(user: { email: string; password: string }): Promise<void> {
  await waitFor(/Medplum admin email/);
  screen.type(user.email);
  screen.keypress('enter');
  await waitFor(/Password/);
  screen.type(user.password);
  screen.keypress('enter');
}

describe('admin credentials', () => {
  it('at a terminal: email and a masked password, then --provision creates the client', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'client-credentials', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      tty: true,
    });
    await waitFor(/Medplum admin email/);
    screen.type(ADMIN.email);
    screen.keypress('enter');
    await waitFor(/Password/);
    screen.type(ADMIN.password);
    expect(screen.getScreen()).not.toContain(ADMIN.password);
    screen.keypress('enter');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(ADMIN.password);
    const env = parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8'));
    expect(env.MEDPLUM_CLIENT_SECRET).toBe(medplum.client(env.MEDPLUM_CLIENT_ID as string).secret);
    const login = medplum.log.filter((e) => e.path === '/auth/login');
    expect(login.at(-1)?.status).toBe(200);
  });

  it('at a terminal, a web method: Yes to the offer, the MFA code; the check then reads the new client', async () => {
    const mfa = { ...ADMIN, email: 'mfa-admin@example.com', mfaSecret: 'JBSWY3DPEHPK3PXP' };
    medplum.addUser(mfa);
    const cwd = await tempDir();
    const run = runCli(['portal', '-m', 'oauth-auth-code', '--platform', 'web', '--ui', 'plain', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      tty: true,
    });
    await waitFor(/Create the ClientApplication on .* now\? You'll sign in as a project admin\. \(Y\/n\)/);
    screen.keypress('enter');
    await typeEmailAndPassword(mfa);
    await waitFor(/MFA code/);
    screen.type(totp(mfa.mfaSecret));
    screen.keypress('enter');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    const clientId = parseEnv(await readFile(join(cwd, 'portal/.env'), 'utf8')).VITE_MEDPLUM_CLIENT_ID as string;
    const client = medplum.resources('ClientApplication').find((c) => c.id === clientId);
    expect(client?.redirectUris).toEqual(['http://localhost:5173/', 'http://localhost:4173/']);
    expect(client?.pkceOptional).toBeFalsy();
    expect(result.stdout).toContain(
      `✔ ClientApplication/${clientId} on ${medplum.baseUrl} requires PKCE and lists the dev server's redirect URI: ready for users to sign in`,
    );
  });

  it('a wrong MFA code: one line naming it, exit 1, nothing written', async () => {
    const mfa = { ...ADMIN, email: 'mfa-typo@example.com', mfaSecret: 'KRSXG5CTMVRXEZLU' };
    medplum.addUser(mfa);
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'client-credentials', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], { cwd, tty: true });
    await waitFor(/Create the ClientApplication/);
    screen.keypress('enter');
    await typeEmailAndPassword(mfa);
    await waitFor(/MFA code/);
    const wrong = String((Number(totp(mfa.mfaSecret)) + 500_000) % 1_000_000).padStart(6, '0');
    screen.type(wrong);
    screen.keypress('enter');
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error Admin sign-in to ${medplum.baseUrl} failed (email and password): Invalid MFA token`);
    expect(existsSync(join(cwd, 'api'))).toBe(false);
  });

  it('--admin-profile reads a Medplum CLI profile from ~/.medplum', async () => {
    const cwd = await tempDir();
    const home = await tempDir();
    const admin = medplum.addClient({ name: 'profile admin', admin: true });
    await mkdir(join(home, '.medplum'));
    await writeFile(join(home, '.medplum/ci.json'), JSON.stringify({ authType: 'client-credentials', baseUrl: medplum.baseUrl, clientId: admin.id, clientSecret: admin.secret }));
    const result = await runCli(['api', '-m', 'basic-auth', '--provision', '--admin-profile', 'ci', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json'], {
      cwd,
      env: { HOME: home },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(admin.secret);
    const missing = await runCli(['x', '-m', 'basic-auth', '--provision', '--admin-profile', 'nope', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      env: { HOME: home },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admin-profile nope: cannot read .*\/\.medplum\/nope\.json/);
  });
});
