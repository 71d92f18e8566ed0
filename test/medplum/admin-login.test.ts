// @inquirer/testing/vitest must be imported before anything that loads the prompts.
import { screen } from '@inquirer/testing/vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
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
