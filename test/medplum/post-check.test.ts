/**
 * The check after the write (issue 14) in CI mode, in process against the Medplum double: it runs
 * after --provision and signs in, it is skipped with a note when there are no credentials, a wrong
 * secret is named (exit 0, 1 with --strict), --no-check turns it off, and --json carries the findings.
 * The headline: the setting a failed sign-in points at, the warnings counted, a web client read with
 * the admin credentials (ready, or only checked).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
const SOME_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const ADMIN_NEEDED = 'reading the ClientApplication (PKCE, redirect URIs) needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID/SECRET or pass --admin-profile';
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
  // First in the file on purpose: the run that loads post-check.ts, whose table of settings at fault is built on load.
  it('a failed sign-in: the fix names the setting its reason points at, in the .env of the project', async () => {
    const client = medplum.addClient({ name: 'typed by hand' });
    const unknown = '7d3f1e2a-9c4b-4e5d-8a6f-1b2c3d4e5f60';
    const nobody = `http://127.0.0.1:${await freePort()}/`;
    const signIn = (id: string, reason: string) => `could not sign in to ${medplum.baseUrl} as client ${id}: ${reason}. Fix:`;
    const cases = [
      {
        name: 'app',
        args: ['--client-id', client.id, '--client-secret', 'not-the-secret'],
        headline: `${signIn(client.id, 'Invalid secret')} correct MEDPLUM_CLIENT_SECRET in app/.env, then run: create-medplum-auth check app`,
      },
      {
        name: 'app',
        args: ['--client-id', unknown, '--client-secret', 'whatever'],
        headline: `${signIn(unknown, 'Invalid client')} correct MEDPLUM_CLIENT_ID in app/.env, then run: create-medplum-auth check app`,
      },
      {
        // Written into the current directory: its .env, and `check` without a directory.
        name: '.',
        args: ['--client-id', unknown, '--client-secret', 'whatever'],
        headline: `${signIn(unknown, 'Invalid client')} correct MEDPLUM_CLIENT_ID in .env, then run: create-medplum-auth check`,
      },
      {
        // Only the reason points at a setting, not the client ID before it (here a placeholder named like one).
        name: 'app',
        args: ['--client-id', 'PASTE_CLIENT_ID', '--client-secret', 'whatever', '--base-url', nobody],
        headline: expect.stringMatching(/^could not sign in to .* as client PASTE_CLIENT_ID: cannot reach .*ECONNREFUSED[^.]*\. Check the base URL and the network\. Fix: fix the cause in app\/\.env or on the server, then run: create-medplum-auth check app$/),
      },
    ];
    for (const { name, args, headline } of cases) {
      const cwd = join(await tempDir(), 'project');
      await mkdir(cwd);
      const result = await run(cwd, ['-m', 'client-credentials', ...args, '--json'], CI, name);
      expect(result.code, result.stderr).toBe(0);
      const { check } = JSON.parse(result.stdout);
      expect(check.status).toBe('failed');
      expect(check.headline).toEqual(headline);
    }
  });

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

  it.each([
    ['client-credentials with an ID but no secret', 'client-credentials', {}, 'no client secret was given (fill in .env)'],
    ['a web method without admin credentials', 'oauth-auth-code', {}, ADMIN_NEEDED],
    ['a web method with an admin ID but no admin secret', 'oauth-auth-code', { MEDPLUM_ADMIN_CLIENT_ID: SOME_ID }, ADMIN_NEEDED],
  ])('%s: skipped, the note says what is missing, and nothing is asked of the server', async (_what, method, env, missing) => {
    const from = medplum.log.length;
    const result = await run(await tempDir(), ['-m', method, '--client-id', SOME_ID, '--json'], { ...CI, ...env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).check).toEqual({
      status: 'skipped',
      headline: `Sign-in not checked: ${missing}. Once it is there, run: create-medplum-auth check app`,
      findings: [],
    });
    expect(medplum.log.slice(from)).toEqual([]);
  });

  it.each([
    [{ pkceOptional: false }, 'ready', (id: string) => `ClientApplication/${id} on ${medplum.baseUrl} requires PKCE and lists the dev server's redirect URI: ready for users to sign in`],
    [
      { pkceOptional: true },
      'checked',
      () => 'Checked the project; no sign-in to try (oauth-auth-code signs users in interactively: only the project itself was checked) (1 warning: run create-medplum-auth check app)',
    ],
  ])('a web client read with the admin credentials in the environment (%o): %s', async (config, status, headline) => {
    const client = medplum.addClient({ redirectUris: ['http://localhost:5173/'], ...config });
    const result = await run(await tempDir(), ['-m', 'oauth-auth-code', '--client-id', client.id, '--json'], adminEnv());
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);
    expect({ status: check.status, headline: check.headline }).toEqual({ status, headline: headline(client.id) });
  });

  it.each([
    [{}, '1 warning'], // no AccessPolicy
    [{ pkceOptional: true }, '2 warnings'], // and pkceOptional
  ])('a sign-in with warnings (%o): the headline counts them (%s) and names the command that lists them', async (config, count) => {
    const client = medplum.addClient(config);
    const result = await run(await tempDir(), ['-m', 'client-credentials', '--client-id', client.id, '--client-secret', client.secret, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).check.headline).toBe(
      `Signed in to ${medplum.baseUrl} as client ${client.id} (client-credentials) (${count}: run create-medplum-auth check app)`,
    );
  });

  it('an error other than the sign-in leads with its own fix, and no other is added', async () => {
    const client = medplum.addClient({ admin: true });
    const result = await run(await tempDir(), ['-m', 'client-credentials', '--client-id', client.id, '--client-secret', client.secret, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { check } = JSON.parse(result.stdout);
    expect({ status: check.status, headline: check.headline }).toEqual({
      status: 'failed',
      headline: 'the client is a project admin: it can do anything in the project. Remove admin from its ProjectMembership.',
    });
  });
});
