/**
 * Each generated starter, installed and run through its real entry point against the Medplum
 * test double: the request log must show the grant and the auth scheme its method promises.
 * The web starter (plain UI) is built, served by `vite preview` and driven in Debian's Chromium.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble, totp, type LogEntry, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { expectOk, filesContaining, freePort, scaffold, scaffoldWeb, servePreview, sh, start, waitForHttp, type Running } from '../project.js';

const PATIENT = { resourceType: 'Patient', id: '3f1c9a52-8d1e-4b7a-9c55-2a6f0e7b1d20', name: [{ given: ['Grace'], family: 'Hopper' }] };
const DEVICE = { resourceType: 'Device', id: '7c2d4e1a-5b3f-4a8c-9e6d-1f0a2b3c4d5e', deviceName: [{ name: 'Thermometer 1', type: 'user-friendly-name' }] };
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
};
const KATHERINE = {
  email: 'katherine@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Katherine'], family: 'Johnson' }] },
};
const MFA_SECRET = 'JBSWY3DPEHPK3PXP';

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [ADA], resources: [PATIENT, DEVICE] });
});
afterAll(() => medplum?.close());

/** The log entries of one client, after `since` entries. */
const entriesOf = (clientId: string, since = 0): LogEntry[] => medplum.log.slice(since).filter((e) => e.clientId === clientId);
const fhir = (entries: LogEntry[]): LogEntry[] => entries.filter((e) => e.path.startsWith('/fhir/R4/'));
const tokenGrants = (entries: LogEntry[]): (string | undefined)[] =>
  entries.filter((e) => e.path === '/oauth2/token').map((e) => e.grantType);
const oneLine = (stderr: string): string[] => stderr.trim().split('\n');

/**
 * Runs a package.json script's command itself rather than through npm, so that SIGTERM reaches
 * the starter and its own exit code is what the test sees.
 */
async function startScript(dir: string, script: string, env: NodeJS.ProcessEnv = {}): Promise<Running> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (pkg.scripts[script] as string).split(' ') as [string, ...string[]];
  const bin = join(dir, 'node_modules/.bin', command);
  return start(existsSync(bin) ? bin : command, args, dir, env);
}

describe.concurrent('starters against the Medplum test double', () => {
  it('client-credentials serves /patients and keeps working past token expiry', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const client = medplum.addClient({ name: 'api', accessTokenLifetimeSeconds: 2 });
    const dir = await scaffold(await tempDir(onTestFinished), ['-m', 'client-credentials', '--base-url', medplum.baseUrl, '--client-id', client.id], {
      MEDPLUM_CLIENT_SECRET: client.secret,
    });
    const port = await freePort();
    const api = await startScript(dir, 'start', { PORT: String(port) });
    onTestFinished(() => void api.stop());
    await waitForHttp(`http://127.0.0.1:${port}/health`, api);

    const first = await fetch(`http://127.0.0.1:${port}/patients`);
    expect(first.status).toBe(200);
    const bundle = (await first.json()) as { entry: { resource: { id: string } }[] };
    expect(bundle.entry.map((e) => e.resource.id)).toContain(PATIENT.id);

    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the first token has expired
    const second = await fetch(`http://127.0.0.1:${port}/patients`);
    expect(second.status).toBe(200);

    const log = entriesOf(client.id);
    expect(tokenGrants(log)).toEqual(['client_credentials', 'client_credentials']);
    expect(fhir(log).length).toBeGreaterThanOrEqual(2);
    expect(fhir(log).every((e) => e.authScheme === 'Bearer' && e.status === 200)).toBe(true);
    expect(await api.stop()).toBe(0); // SIGTERM: a clean shutdown

    const wrong = await sh('npm', ['start', '--silent'], dir, { PORT: String(await freePort()), MEDPLUM_CLIENT_SECRET: 'not-the-secret' });
    expect(wrong.code).not.toBe(0);
    expect(oneLine(wrong.stderr)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/Could not sign in to Medplum at .* Invalid secret\. Check MEDPLUM_CLIENT_SECRET/);
    expect(wrong.stderr + wrong.stdout).not.toContain('not-the-secret');
  });

  it('basic-auth sends Basic on every FHIR call and never asks for a token', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const client = medplum.addClient({ name: 'webhook' });
    const dir = await scaffold(await tempDir(onTestFinished), ['-m', 'basic-auth', '--base-url', medplum.baseUrl, '--client-id', client.id], {
      MEDPLUM_CLIENT_SECRET: client.secret,
    });
    const since = medplum.log.length;
    const run = await sh('npm', ['start', '--silent'], dir);
    expectOk(run, 'npm start');
    expect(run.stdout).toContain(PATIENT.id);
    expect(run.stdout).not.toContain('Hopper'); // ids, not PHI

    const log = entriesOf(client.id, since);
    expect(fhir(log).length).toBeGreaterThan(0);
    expect(fhir(log).every((e) => e.authScheme === 'Basic')).toBe(true);
    expect(log.some((e) => e.path.startsWith('/oauth2/'))).toBe(false);

    const wrongSince = medplum.log.length;
    const wrong = await sh('npm', ['start', '--silent'], dir, { MEDPLUM_CLIENT_SECRET: 'not-the-secret' });
    expect(wrong.code).not.toBe(0);
    expect(oneLine(wrong.stderr)).toHaveLength(1);
    expect(wrong.stderr).toMatch(/MEDPLUM_CLIENT_SECRET/);
    // The log names a known client even when its secret is wrong (and never records the secret).
    const wrongLog = entriesOf(client.id, wrongSince);
    expect(wrongLog.map((e) => `${e.path} ${e.authScheme} ${e.status}`)).toEqual(['/fhir/R4/Patient Basic 401']);
  });

  it('device-credentials reads its secret from a file, posts one Observation, and stores nothing', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const policy = { resource: [{ resourceType: 'Observation', interaction: ['create' as const] }, { resourceType: 'Device', interaction: ['read' as const] }] };
    const client = medplum.addClient({ name: 'thermometer', accessPolicy: policy });
    // Given on the command line, the secret must still not be stored anywhere in the project.
    const dir = await scaffold(await tempDir(onTestFinished), ['-m', 'device-credentials', '--base-url', medplum.baseUrl, '--client-id', client.id, '--client-secret', client.secret]);
    const secrets = await mkdtemp(join(tmpdir(), 'cma-secret-'));
    onTestFinished(() => rm(secrets, { recursive: true, force: true }));
    const secretFile = join(secrets, 'medplum-client-secret');
    await writeFile(secretFile, `${client.secret}\n`, { mode: 0o600 });
    const env = { MEDPLUM_CLIENT_SECRET_FILE: secretFile, MEDPLUM_DEVICE_ID: DEVICE.id };

    const before = medplum.resources('Observation').length;
    const since = medplum.log.length;
    const once = await sh('npm', ['start', '--silent', '--', '--once'], dir, env);
    expectOk(once, 'npm start -- --once');
    const posted = medplum.resources('Observation').slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]?.device).toEqual({ reference: `Device/${DEVICE.id}` });
    const log = entriesOf(client.id, since);
    expect(tokenGrants(log)).toEqual(['client_credentials']);
    expect(fhir(log).map((e) => `${e.method} ${e.path} ${e.authScheme} ${e.status}`)).toEqual([
      `GET /fhir/R4/Device/${DEVICE.id} Bearer 200`,
      'POST /fhir/R4/Observation Bearer 201',
    ]);

    // A policy that no longer allows the calls the agent makes: reported clearly, non-zero exit.
    medplum.updateClient(client.id, { accessPolicy: { resource: [{ resourceType: 'Patient', interaction: ['read'] }] } });
    const denied = await sh('npm', ['start', '--silent', '--', '--once'], dir, env);
    expect(denied.code).not.toBe(0);
    expect(oneLine(denied.stderr)).toHaveLength(1);
    expect(denied.stderr).toMatch(/Medplum refused read Device.*AccessPolicy/);
    medplum.updateClient(client.id, { accessPolicy: policy });

    expect(await filesContaining(dir, client.secret)).toEqual([]);
  });

  it.runIf(hasChromium)('oauth-auth-code in Chromium: email, password, MFA code, project, signed in, reload, sign out; then Medplum\'s own page', { timeout: 300_000 }, async ({ expect, onTestFinished }) => {
    const port = await freePort();
    const appUrl = `http://localhost:${port}/`;
    const client = medplum.addClient({ name: 'portal', redirectUris: [appUrl] });
    // MFA on, and two memberships in the client's project: a Practitioner and a Patient profile.
    const patientProfile = { resourceType: 'Patient' as const, name: [{ given: ['Kathy'], family: 'Johnson' }] };
    medplum.addUser({ ...KATHERINE, mfaSecret: MFA_SECRET, projects: [medplum.project.id, medplum.project.id], profiles: [KATHERINE.profile, patientProfile] });
    const dir = await scaffoldWeb(await tempDir(onTestFinished), ['-m', 'oauth-auth-code', '--base-url', medplum.baseUrl, '--client-id', client.id]);
    const preview = await servePreview(dir, port);
    onTestFinished(() => void preview.stop());
    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    const since = medplum.log.length;
    const signedInAs = () => page.getByText('Signed in as').textContent();

    // Email, then password (auth/login answers mfaRequired), then the authenticator code: a wrong one, then the right one.
    await page.goto(appUrl);
    await page.getByLabel('Email').fill(KATHERINE.email);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill(KATHERINE.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('MFA code').fill(String((Number(totp(MFA_SECRET)) + 500_000) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toBe('Invalid MFA token');
    await page.getByLabel('MFA code').fill(totp(MFA_SECRET));
    await page.getByRole('button', { name: 'Verify' }).click();

    // The project chooser (auth/profile), then signed in with the chosen profile, and its patients.
    await page.getByRole('button', { name: 'Test Project as Kathy Johnson' }).click();
    await expect.poll(signedInAs, { timeout: 15_000 }).toContain('Kathy Johnson');
    await expect.poll(() => page.getByRole('listitem').allTextContents(), { timeout: 15_000 }).toContain('Grace Hopper');
    await page.screenshot({ path: join(tmpdir(), 'create-medplum-auth-signed-in.png') });
    const signInSteps = medplum.log
      .slice(since)
      .filter((e) => /^\/auth\/(method|login|mfa|profile)/.test(e.path) || (e.path === '/oauth2/token' && e.clientId === client.id));
    expect(signInSteps.map((e) => `${e.path} ${e.status}`)).toEqual([
      '/auth/method 200',
      '/auth/login 200',
      '/auth/mfa/verify 400',
      '/auth/mfa/verify 200',
      '/auth/profile 200',
      '/oauth2/token 200',
    ]);

    // A reload keeps the session; sign-out revokes it and shows the email step again.
    await page.reload();
    await expect.poll(signedInAs, { timeout: 15_000 }).toContain('Kathy Johnson');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    expect(entriesOf(client.id, since).some((e) => e.path === '/oauth2/logout' && e.status === 200)).toBe(true);

    // "Sign in with Medplum": /oauth2/authorize sends the browser on to the Medplum app's /oauth page (the
    // double's stand-in) with S256 PKCE; signed in there, back with ?code, redeemed once.
    await page.getByRole('button', { name: 'Sign in with Medplum' }).click();
    await page.waitForURL((url) => url.pathname === '/app/oauth');
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('client_id')).toBe(client.id);
    expect(authorize.searchParams.get('redirect_uri')).toBe(appUrl);
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(signedInAs, { timeout: 15_000 }).toContain('Ada Lovelace');
    expect(page.url()).toBe(appUrl); // the code is gone from the address bar
    const grants = entriesOf(client.id, since).filter((e) => e.path === '/oauth2/token');
    expect(grants.map((e) => `${e.grantType} ${e.status}`)).toEqual(['authorization_code 200', 'authorization_code 200']);
  });
});
