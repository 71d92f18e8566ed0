/**
 * `add --ui plain` on a real create-vite react-ts app from the npm registry: installed, typechecked and
 * built by the app's own `npm run build` (tsc -b && vite build), served by `vite preview`, and signed
 * in in Chromium against the Medplum test double through the plain starters' own form: email,
 * password, the project chooser, then the app itself, which reads the profile from @medplum/react-hooks.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { BIN, expectOk, freePort, servePreview, sh } from '../project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const GRACE = {
  email: 'grace@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] },
};
// Grace's second membership in the client's project, which the chooser offers.
const PATIENT_PROFILE = { resourceType: 'Patient' as const, name: [{ given: ['Amazing'], family: 'Grace' }] };

/** What a user of the app writes next (the usage line `add` prints): the profile, from Medplum's hooks. */
const WHO_AM_I = `import { getDisplayString } from '@medplum/core';
import { useMedplumProfile } from '@medplum/react-hooks';

export function WhoAmI() {
  const profile = useMedplumProfile();
  return <p>Signed in as {profile ? getDisplayString(profile) : 'nobody'}</p>;
}
`;

describe.runIf(hasChromium)('add --ui plain in a create-vite react-ts app', () => {
  it('oauth-auth-code: installed, tsc, vite build, served; email, password and the project chooser in Chromium; reload keeps the session', { timeout: 600_000 }, async ({ expect, onTestFinished }) => {
    const medplum = await startMedplumDouble();
    onTestFinished(() => medplum.close());
    const root = await tempDir(onTestFinished);
    expectOk(await sh(process.execPath, [join(REPO, 'node_modules/create-vite/index.js'), 'vite-app', '--template', 'react-ts', '--no-interactive'], root), 'create-vite');
    const dir = join(root, 'vite-app');
    const port = await freePort();
    const appUrl = `http://localhost:${port}/`;
    const client = medplum.addClient({ name: 'vite-app', redirectUris: [appUrl] });
    medplum.addUser({ ...GRACE, projects: [medplum.project.id, medplum.project.id], profiles: [GRACE.profile, PATIENT_PROFILE] });

    expectOk(await sh(process.execPath, [BIN, 'add', dir, '-m', 'oauth-auth-code', '--ui', 'plain', '--base-url', medplum.baseUrl, '--client-id', client.id], root), 'add --ui plain');
    const main = join(dir, 'src/main.tsx');
    expect(await readFile(main, 'utf8')).toContain("import { MedplumAuth } from './medplum/MedplumAuth.tsx'");
    await writeFile(join(dir, 'src/WhoAmI.tsx'), WHO_AM_I);
    await writeFile(main, `import { WhoAmI } from './WhoAmI.tsx'\n${(await readFile(main, 'utf8')).replace('<App />', '<WhoAmI />\n      <App />')}`);
    expectOk(await sh('npm', ['install', '--no-audit', '--no-fund'], dir), 'npm install');
    expect(existsSync(join(dir, 'node_modules/@medplum/react-hooks/package.json'))).toBe(true);
    expect(existsSync(join(dir, 'node_modules/@mantine'))).toBe(false); // the plain UI brings no Mantine
    const preview = await servePreview(dir, port); // npm run build: tsc -b && vite build
    onTestFinished(() => void preview.stop());

    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(err.message));
    onTestFinished(async () => {
      if (problems.length > 0) {
        console.error(`${appUrl}: ${problems.join('\n')}\n${await page.locator('body').innerText().catch(String)}`);
      }
    });
    const signedInAs = () => page.getByText('Signed in as').textContent();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(GRACE.email);
    expect(await page.getByText('Get started').count()).toBe(0); // the app stays hidden until signed in
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill(GRACE.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Test Project as Amazing Grace' }).click();
    await expect.poll(signedInAs, { timeout: 20_000 }).toBe('Signed in as Amazing Grace');
    await expect.poll(() => page.getByText('Get started').count()).toBeGreaterThan(0);
    const steps = medplum.log.slice(since).filter((e) => /^\/auth\/(method|login|profile)/.test(e.path) || (e.path === '/oauth2/token' && e.clientId === client.id));
    expect(steps.map((e) => `${e.path} ${e.status}`)).toEqual(['/auth/method 200', '/auth/login 200', '/auth/profile 200', '/oauth2/token 200']);

    await page.reload();
    await expect.poll(signedInAs, { timeout: 20_000 }).toBe('Signed in as Amazing Grace');
    expect(problems).toEqual([]);
  });
});
