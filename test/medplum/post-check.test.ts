/**
 * The check after the write (issue 14) in CI mode, in process against the Medplum double: it runs
 * after --provision and signs in, it is skipped with a note when there are no credentials, a wrong
 * secret is named (exit 0, 1 with --strict), --no-check turns it off, and --json carries the findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';
import { freePort } from '../project.js';

let medplum: MedplumDouble;
let admin: { id: string; secret: string };
beforeAll(async () => {
  medplum = await startMedplumDouble();
  admin = medplum.addClient({ name: 'CI admin', admin: true });
});
afterAll(() => medplum?.close());

const CI = { CI: 'true' };
const adminEnv = () => ({ ...CI, MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret });

/** The project is `cwd/app`; --provision names the client after it, so each provisioning test has its own cwd and name. */
function run(cwd: string, args: readonly string[], env: Record<string, string> = CI, name = 'app') {
  return runCli([name, '--base-url', medplum.baseUrl, '--no-install', '--no-git', ...args], { cwd, env });
}

/** Client-credentials sign-ins by the given client since `from` (an index into the double's log). */
function signInsOf(clientId: string, from: number) {
  return medplum.log.slice(from).filter((e) => e.path === '/oauth2/token' && e.grantType === 'client_credentials' && e.clientId === clientId);
}

describe('the check after the write, in CI', () => {
  it('after --provision it signs in with the new client, and the summary leads with it', async () => {
    const cwd = await tempDir();
    const from = medplum.log.length;
    const result = await run(cwd, ['-m', 'client-credentials', '--provision'], adminEnv());
    expect(result.code, result.stderr).toBe(0);
    const [checking, ...lines] = result.stdout.split('\n');
    expect(checking).toBe(`Checking app against ${medplum.baseUrl}…`);
    const clientId = /as client ([0-9a-f-]{36})/.exec(lines[0] ?? '')?.[1] as string;
    expect(lines[0]).toBe(`✔ Signed in to ${medplum.baseUrl} as client ${clientId} (client-credentials)`);
    expect(lines[1]).toMatch(/^✔ Created app with client-credentials/);
    expect(medplum.client(clientId).name).toBe('app');
    expect(signInsOf(clientId, from).map((e) => e.status)).toEqual([200]);
    expect(medplum.log.slice(from).some((e) => e.path === '/auth/me' && e.clientId === clientId && e.status === 200)).toBe(true);
  });

  it('--json carries the findings', async () => {
    const cwd = await tempDir();
    const result = await run(cwd, ['-m', 'basic-auth', '--provision', '--json'], adminEnv(), 'hook');
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);
    expect(check.status).toBe('signed-in');
    expect(check.findings).toContainEqual({ id: 'sign-in', level: 'ok', message: expect.stringMatching(/^signed in to .* as client /) });
    expect(check.findings).toContainEqual({ id: 'access-policy', level: 'ok', message: 'an AccessPolicy limits the client' });
  });

  it('device-credentials after --provision --secret-out: it signs in with the handed-over secret; without it, skipped', async () => {
    const cwd = await tempDir();
    const from = medplum.log.length;
    const result = await run(cwd, ['-m', 'device-credentials', '--provision', '--secret-out', 'device.secret', '--json'], adminEnv(), 'thermo');
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);
    expect(check.status).toBe('signed-in');
    const clientId = /as client ([0-9a-f-]{36})/.exec(check.headline)?.[1] as string;
    expect(medplum.client(clientId).name).toBe('thermo');
    expect(signInsOf(clientId, from).map((e) => e.status)).toEqual([200]);

    const typed = await run(await tempDir(), ['-m', 'device-credentials', '--client-id', clientId, '--json'], CI, 'thermo');
    expect(JSON.parse(typed.stdout).check.headline).toBe(
      'Sign-in not checked: device-credentials reads its secret at run time, and MEDPLUM_CLIENT_SECRET (or MEDPLUM_CLIENT_SECRET_FILE) is not set. Once it is there, run: create-medplum-auth check thermo',
    );
  });

  it('without credentials it is skipped, with a note that says what is missing and what to run', async () => {
    const cwd = await tempDir();
    const from = medplum.log.length;
    const result = await run(cwd, ['-m', 'client-credentials']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('– Sign-in not checked: no ClientApplication ID was given (fill in .env). Once it is there, run: create-medplum-auth check app');
    expect(medplum.log.slice(from)).toEqual([]);

    const json = JSON.parse((await run(await tempDir(), ['-m', 'client-credentials', '--json'])).stdout);
    expect(json.check).toEqual({ status: 'skipped', headline: expect.stringMatching(/^Sign-in not checked: /), findings: [] });
  });

  it('a wrong secret: written, the secret named with its fix, exit 0, and 1 with --strict', async () => {
    const client = medplum.addClient({ name: 'typed by hand' });
    for (const [strict, code] of [[[], 0], [['--strict'], 1]] as const) {
      const cwd = await tempDir();
      const result = await run(cwd, ['-m', 'client-credentials', '--client-id', client.id, '--client-secret', 'not-the-secret', ...strict]);
      expect(result.code, result.stderr).toBe(code);
      const [, first, second] = result.stdout.split('\n'); // after "Checking app against …"
      expect(first).toBe(
        `✖ Check failed: could not sign in to ${medplum.baseUrl} as client ${client.id}: Invalid secret. Fix: correct MEDPLUM_CLIENT_SECRET in app/.env, then run: create-medplum-auth check app`,
      );
      expect(second).toBe(`  The project is written; exit ${code}${code === 0 ? ' (1 with --strict)' : ' (--strict)'}.`);
      expect(result.stdout).toMatch(/✔ Created app with client-credentials/);
      expect(result.stdout + result.stderr).not.toContain(client.secret);
    }
  });

  it("each failed sign-in names what to fix: an unknown client's ID, a server that is not there", async () => {
    const unknown = '7d3f1e2a-9c4b-4e5d-8a6f-1b2c3d4e5f60';
    const wrongId = await run(await tempDir(), ['-m', 'client-credentials', '--client-id', unknown, '--client-secret', 'whatever', '--json']);
    expect(JSON.parse(wrongId.stdout).check.headline).toBe(
      `could not sign in to ${medplum.baseUrl} as client ${unknown}: Invalid client. Fix: correct MEDPLUM_CLIENT_ID in app/.env, then run: create-medplum-auth check app`,
    );
    const nobody = `http://127.0.0.1:${await freePort()}/`;
    const gone = await runCli(['app', '-m', 'client-credentials', '--base-url', nobody, '--client-id', unknown, '--client-secret', 'whatever', '--no-install', '--no-git', '--json'], {
      cwd: await tempDir(),
      env: CI,
    });
    const { check } = JSON.parse(gone.stdout);
    expect(check.status).toBe('failed');
    expect(check.headline).toMatch(/^could not sign in to .*: cannot reach .*ECONNREFUSED.*\. Fix: fix the cause in app\/\.env or on the server, then run: create-medplum-auth check app$/);
  });

  it('--no-check: no sign-in, no check in --json', async () => {
    const client = medplum.addClient({ name: 'not checked' });
    const from = medplum.log.length;
    const result = await run(await tempDir(), ['-m', 'client-credentials', '--client-id', client.id, '--client-secret', client.secret, '--no-check', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).not.toHaveProperty('check');
    expect(signInsOf(client.id, from)).toEqual([]);
  });

  it('a web method after --provision: its ClientApplication is read with the admin session (PKCE, redirect URIs)', async () => {
    const result = await run(await tempDir(), ['-m', 'oauth-auth-code', '--provision', '--json'], adminEnv(), 'portal');
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);
    expect(check.status, JSON.stringify(check.findings)).toBe('ready');
    expect(check.findings).toEqual(
      expect.arrayContaining([
        { id: 'pkce-optional', level: 'ok', message: 'the ClientApplication requires PKCE' },
        { id: 'redirect-uris', level: 'ok', message: 'its redirect URIs include the dev server, http://localhost:5173/' },
      ]),
    );
  });
});
