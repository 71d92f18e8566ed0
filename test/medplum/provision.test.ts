/**
 * --provision and rotate-secret against the Medplum double's admin API: what is created, that the
 * starter's credentials then sign in, idempotent re-runs, rollback at each step, refusals, and that
 * no secret reaches stdout, stderr or --json.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { MedplumClient } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../src/errors.js';
import type { AccessPolicy } from '../../src/guide/policy.js';
import { provision, requestFor, undo } from '../../src/medplum/provision.js';
import { startMedplumDouble, type JwkSet, type MedplumDouble } from '../double/medplum-double.js';
import { expectOneLine, runCli, tempDir, type RunResult } from '../helpers.js';
import { freePort } from '../project.js';

let medplum: MedplumDouble;
let admin: { id: string; secret: string };
let member: { id: string; secret: string };
beforeAll(async () => {
  medplum = await startMedplumDouble();
  admin = medplum.addClient({ name: 'CI admin', admin: true });
  member = medplum.addClient({ name: 'Not an admin' });
});
afterAll(() => medplum?.close());

const adminEnv = () => ({ MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret });

/** Every secret the server knows of, to scan the output for. */
const allSecrets = () => medplum.resources('ClientApplication').flatMap((c) => [c.secret, c.retiringSecret]).filter((s): s is string => typeof s === 'string');

function expectNoSecret(...outputs: RunResult[]): void {
  const text = outputs.map((o) => o.stdout + o.stderr).join('\n');
  for (const secret of allSecrets()) {
    expect(text).not.toContain(secret);
  }
}

async function provisionRun(cwd: string, name: string, args: string[], env: Record<string, string> = adminEnv()) {
  return runCli([name, '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json', ...args], { cwd, env });
}


describe('--provision', () => {
  it('client-credentials: policy, client and membership; the secret only in .env; the starter signs in with it', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'prov-api', ['-m', 'client-credentials']);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
    const env = parseEnv(await readFile(join(cwd, 'prov-api/.env'), 'utf8'));
    const client = medplum.client(env.MEDPLUM_CLIENT_ID as string);
    expect(env.MEDPLUM_CLIENT_SECRET).toBe(client.secret);
    expect((await stat(join(cwd, 'prov-api/.env'))).mode & 0o777).toBe(0o600);

    const record = JSON.parse(await readFile(join(cwd, 'prov-api/medplum-auth.json'), 'utf8'));
    expect(record.provisioned).toMatchObject({ clientApplication: client.id, accessPolicy: expect.any(String) });
    const membership = medplum.resources('ProjectMembership').find((m) => (m.user as { reference: string }).reference === `ClientApplication/${client.id}`);
    expect(membership?.accessPolicy).toEqual({ reference: `AccessPolicy/${record.provisioned.accessPolicy}` });
    expect(record.provisioned.membership).toBe(membership?.id);

    // The summary says what was made, by name and id, and lists only what is left to do.
    const summary = JSON.parse(result.stdout);
    const policy = medplum.resources('AccessPolicy').find((p) => p.id === record.provisioned.accessPolicy);
    expect(summary.provisioned).toEqual([
      `ClientApplication "prov-api" (ClientApplication/${client.id}) in project ${record.provisioned.projectId}`,
      `AccessPolicy "${policy?.name}" (AccessPolicy/${policy?.id}), on the client's ProjectMembership/${membership?.id}`,
      'MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET in .env',
    ]);
    expect(summary.inMedplum).toEqual([]);

    // The provisioned credentials sign in, and the policy applies: search Patient yes, create no.
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.startClientLogin(client.id, client.secret);
    await expect(sdk.search('Patient')).resolves.toMatchObject({ resourceType: 'Bundle' });
    await expect(sdk.createResource({ resourceType: 'Patient' })).rejects.toThrow(/Forbidden/);

    // check agrees.
    const checked = await runCli(['check', join(cwd, 'prov-api'), '--json', '--strict'], { cwd, env: {} });
    expect(checked.code, checked.stdout).toBe(0);
  });

  it('admin credentials as flags, and the installed starter serves /patients with the provisioned client', { timeout: 120_000 }, async () => {
    const cwd = await tempDir();
    const { freePort: port, start, waitForHttp, BIN } = await import('../project.js');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    // The real bin, with the npm install, as a user would run it.
    await promisify(execFile)(
      process.execPath,
      [BIN, 'live-api', '-m', 'client-credentials', '--provision', '--admin-client-id', admin.id, '--admin-client-secret', admin.secret, '--base-url', medplum.baseUrl, '--no-git', '--json'],
      { cwd, env: { ...process.env, CI: 'true', MEDPLUM_ADMIN_CLIENT_ID: '', MEDPLUM_ADMIN_CLIENT_SECRET: '' } },
    );
    const dir = join(cwd, 'live-api');
    const free = await port();
    const api = start(process.execPath, ['--env-file-if-exists=.env', 'src/main.ts'], dir, { PORT: String(free) });
    try {
      await waitForHttp(`http://127.0.0.1:${free}/health`, api);
      const res = await fetch(`http://127.0.0.1:${free}/patients`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { resourceType: string }).resourceType).toBe('Bundle');
    } finally {
      await api.stop();
    }
  });

  it('a re-run finds the client and policy it made, and creates nothing new', async () => {
    const cwd = await tempDir();
    expect((await provisionRun(cwd, 'again', ['-m', 'basic-auth'])).code).toBe(0);
    const envOf = async () => parseEnv(await readFile(join(cwd, 'again/.env'), 'utf8'));
    const recordOf = async () => JSON.parse(await readFile(join(cwd, 'again/medplum-auth.json'), 'utf8')).provisioned;
    const [firstEnv, firstRecord] = [await envOf(), await recordOf()];
    const counts = () => [medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length];
    const before = counts();
    const second = await provisionRun(cwd, 'again', ['-m', 'basic-auth', '--force']);
    expect(second.code, second.stderr).toBe(0);
    expect(counts()).toEqual(before);
    // The same client and policy, not merely as many: .env still names that client, with its secret.
    const [env, record] = [await envOf(), await recordOf()];
    expect(env.MEDPLUM_CLIENT_ID).toBe(firstEnv.MEDPLUM_CLIENT_ID);
    expect(env.MEDPLUM_CLIENT_SECRET).toBe(medplum.client(firstEnv.MEDPLUM_CLIENT_ID as string).secret);
    expect(record).toEqual(firstRecord);
  });

  it.each([
    ['the AccessPolicy', { method: 'POST', path: '/fhir/R4/AccessPolicy', status: 400 }, /create the AccessPolicy.*Nothing had been created/],
    ['the ClientApplication', { method: 'POST', path: /^\/admin\/projects\/[^/]+\/client$/, status: 400 }, /create the ClientApplication.*Undone: deleted AccessPolicy\//],
  ])('a failure creating %s leaves nothing behind and says what was undone', async (_what, failure, message) => {
    const cwd = await tempDir();
    const before = [medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length];
    medplum.failNext(failure);
    const result = await provisionRun(cwd, `fail-${before.join('-')}`, ['-m', 'client-credentials']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect([medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length]).toEqual(before);
  });

  it.each([
    ['find the AccessPolicy', { method: 'GET', path: '/fhir/R4/AccessPolicy', status: 400 }, /Nothing had been created\.$/],
    ['find the ClientApplication', { method: 'GET', path: '/fhir/R4/ClientApplication', status: 400 }, /\. Undone: deleted AccessPolicy\/[\w-]+\.$/],
    ["find the client's ProjectMembership", { method: 'GET', path: '/fhir/R4/ProjectMembership', status: 400 }, /\. Undone: deleted AccessPolicy\/[\w-]+ and ClientApplication\/[\w-]+\.$/],
  ])('a failure at "%s" is named, and what was created is deleted again', async (step, failure, undone) => {
    const cwd = await tempDir();
    const before = [medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length, medplum.resources('ProjectMembership').length];
    medplum.failNext(failure);
    const result = await provisionRun(cwd, `step-${before.join('-')}`, ['-m', 'client-credentials']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`Provisioning failed at "${step}": `);
    expect(result.stderr.trim()).toMatch(undone);
    expect([medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length, medplum.resources('ProjectMembership').length]).toEqual(before);
  });

  it.each([
    ['update the AccessPolicy', ['-m', 'client-credentials'], 'PUT', '/fhir/R4/AccessPolicy/'],
    ['update the ClientApplication', ['-m', 'oauth-auth-code'], 'PUT', '/fhir/R4/ClientApplication/'],
  ])('on a re-run, a failure at "%s" is named; what the first run made stays', async (step, second, method, path) => {
    const [first, again] = [await tempDir(), await tempDir()];
    const name = `rerun-${(step.split(' ').at(-1) as string).toLowerCase()}`;
    expect((await provisionRun(first, name, ['-m', 'client-credentials'])).code).toBe(0);
    const before = [medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length];
    medplum.failNext({ method, path: new RegExp(`^${path}`), status: 400 });
    const result = await provisionRun(again, name, second);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Provisioning failed at "${step}": `);
    expect(result.stderr.trim()).toMatch(/Nothing had been created\.$/);
    expect([medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length]).toEqual(before);
  });

  it('a client found by name gets a new JWKS URL; an unchanged one is not written again', async () => {
    const cwd = await tempDir();
    const jwt = (uri: string) => provisionRun(cwd, 'keyed', ['-m', 'jwt-assertion', '--jwks-uri', uri, '--force']);
    expect((await jwt('https://keys.example.com/a/jwks.json')).code).toBe(0);
    const id = parseEnv(await readFile(join(cwd, 'keyed/.env'), 'utf8')).MEDPLUM_CLIENT_ID as string;
    const since = medplum.log.length;
    expect((await jwt('https://keys.example.com/b/jwks.json')).code).toBe(0);
    expect(medplum.resources('ClientApplication').find((c) => c.id === id)?.jwksUri).toBe('https://keys.example.com/b/jwks.json');
    expect((await jwt('https://keys.example.com/b/jwks.json')).code).toBe(0);
    expect(medplum.log.slice(since).filter((e) => e.method === 'PUT' && e.path === `/fhir/R4/ClientApplication/${id}`)).toHaveLength(1);
  });

  it('a failed write of the project undoes the provisioning', async () => {
    const cwd = await tempDir();
    const before = [medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length];
    // --force into a directory where a file named src stands: the write fails after provisioning.
    const fs = await import('node:fs/promises');
    await fs.mkdir(join(cwd, 'taken'));
    await fs.writeFile(join(cwd, 'taken/src'), 'x');
    const result = await provisionRun(cwd, 'taken', ['-m', 'client-credentials', '--force']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Nothing was written\. Undone: deleted AccessPolicy\/[\w-]+ and ClientApplication\/[\w-]+\.$/m);
    expect([medplum.resources('ClientApplication').length, medplum.resources('AccessPolicy').length]).toEqual(before);
    expect(medplum.resources('ProjectMembership').some((m) => !medplum.resources('ClientApplication').some((c) => `ClientApplication/${c.id}` === (m.user as { reference: string }).reference) && String((m.user as { reference: string }).reference).startsWith('ClientApplication/'))).toBe(false);
  });

  it('device-credentials: the secret is handed over once in --secret-out, never in the project', async () => {
    const cwd = await tempDir();
    const out = join(cwd, 'device-secret');
    const result = await provisionRun(cwd, 'thermo', ['-m', 'device-credentials', '--allow-ip', '10.20.0.0/16', '--secret-out', out]);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
    const env = parseEnv(await readFile(join(cwd, 'thermo/.env'), 'utf8'));
    const secret = (await readFile(out, 'utf8')).trim();
    expect(secret).toBe(medplum.client(env.MEDPLUM_CLIENT_ID as string).secret);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const { filesContaining } = await import('../project.js');
    expect(await filesContaining(join(cwd, 'thermo'), secret)).toEqual([]);
  });

  it('device-credentials needs a way to hand the secret over; --reveal-secret prints it once', async () => {
    const cwd = await tempDir();
    const refused = await provisionRun(cwd, 'dev1', ['-m', 'device-credentials']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/pass --secret-out <file> \(mode 600\) or --reveal-secret/);
    const shown = await runCli(['dev2', '-m', 'device-credentials', '--provision', '--reveal-secret', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      env: adminEnv(),
    });
    expect(shown.code, shown.stderr).toBe(0);
    const env = parseEnv(await readFile(join(cwd, 'dev2/.env'), 'utf8'));
    expect(shown.stdout.split('\n').filter((l) => l.includes(medplum.client(env.MEDPLUM_CLIENT_ID as string).secret))).toEqual([
      `MEDPLUM_CLIENT_SECRET=${medplum.client(env.MEDPLUM_CLIENT_ID as string).secret}`,
    ]);
  });

  it('a client found by name that a web starter cannot sign in with (made for a backend) gets its redirect URIs, once', async () => {
    const [backend, web, again] = [await tempDir(), await tempDir(), await tempDir()];
    expect((await provisionRun(backend, 'shared-name', ['-m', 'client-credentials'])).code).toBe(0);
    const id = parseEnv(await readFile(join(backend, 'shared-name/.env'), 'utf8')).MEDPLUM_CLIENT_ID as string;
    const secret = medplum.client(id).secret;
    expect(medplum.resources('ClientApplication').find((c) => c.id === id)?.redirectUris).toBeUndefined();

    const since = medplum.log.length;
    const result = await provisionRun(web, 'shared-name', ['-m', 'oauth-auth-code']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseEnv(await readFile(join(web, 'shared-name/.env'), 'utf8')).VITE_MEDPLUM_CLIENT_ID).toBe(id);
    expect(medplum.resources('ClientApplication').find((c) => c.id === id)?.redirectUris).toEqual(['http://localhost:5173/', 'http://localhost:4173/']);
    expect(medplum.client(id).secret).toBe(secret); // the backend's .env still signs in
    const puts = () => medplum.log.slice(since).filter((e) => e.method === 'PUT' && e.path === `/fhir/R4/ClientApplication/${id}`);
    expect(puts()).toHaveLength(1);

    // Once it has them, a re-run changes nothing.
    expect((await provisionRun(again, 'shared-name', ['-m', 'oauth-auth-code'])).code).toBe(0);
    expect(puts()).toHaveLength(1);
  });

  it('web methods get the dev and preview redirect URIs', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'portal', ['-m', 'oauth-auth-code']);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
    const env = parseEnv(await readFile(join(cwd, 'portal/.env'), 'utf8'));
    const client = medplum.resources('ClientApplication').find((c) => c.id === env.VITE_MEDPLUM_CLIENT_ID);
    expect(client?.redirectUris).toEqual(['http://localhost:5173/', 'http://localhost:4173/']);
    expect(Object.keys(env).some((k) => k.includes('SECRET'))).toBe(false);

    // The Expo starter: its scheme and Expo's web dev server, and nothing left to do about them.
    const mobile = await provisionRun(cwd, 'phone_app', ['-m', 'oauth-auth-code', '--platform', 'mobile']);
    expect(mobile.code, mobile.stderr).toBe(0);
    const mobileEnv = parseEnv(await readFile(join(cwd, 'phone_app/.env'), 'utf8'));
    const mobileClient = medplum.resources('ClientApplication').find((c) => c.id === mobileEnv.EXPO_PUBLIC_MEDPLUM_CLIENT_ID);
    expect(mobileClient?.redirectUris).toEqual(['phone-app://', 'http://localhost:8081']);
    expect(JSON.parse(mobile.stdout).inMedplum.join('\n')).not.toMatch(/Redirect URIs/);
  });

  it.each([
    ['not a project admin', () => ({ MEDPLUM_ADMIN_CLIENT_ID: member.id, MEDPLUM_ADMIN_CLIENT_SECRET: member.secret }), 1, /Forbidden: the admin credentials are not a project admin/],
    ['a wrong admin secret', () => ({ MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: 'wrong-admin-secret' }), 1, /Admin sign-in to .* failed \(MEDPLUM_ADMIN_CLIENT_ID\): Invalid secret/],
    ['no admin credentials', () => ({}), 2, /needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID and MEDPLUM_ADMIN_CLIENT_SECRET/],
  ])('%s: one clear line, nothing written', async (_name, env, code, message) => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'refused', ['-m', 'client-credentials'], env());
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('wrong-admin-secret');
    expect((await import('node:fs')).existsSync(join(cwd, 'refused'))).toBe(false);
  });

  it('a wrong --project-id is one clear line, and nothing is created', async () => {
    const cwd = await tempDir();
    const before = medplum.resources('ClientApplication').length;
    const result = await provisionRun(cwd, 'wrong-project', ['-m', 'client-credentials', '--project-id', '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/Provisioning failed at "open project 0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01": .*Nothing had been created/);
    expect(medplum.resources('ClientApplication').length).toBe(before);
    const right = await provisionRun(cwd, 'right-project', ['-m', 'client-credentials', '--project-id', medplum.project.id]);
    expect(right.code, right.stderr).toBe(0);
  });

  it('a base URL that is not a Medplum server is one clear line', async () => {
    const cwd = await tempDir();
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => {
      res.statusCode = 404;
      res.setHeader('content-type', 'text/html');
      res.end('<h1>Not Found</h1>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
      const result = await runCli(['x', '-m', 'client-credentials', '--provision', '--base-url', url, '--no-install', '--no-git'], { cwd, env: adminEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/does not answer like a Medplum server .*Check the base URL: it is the API server/);
    } finally {
      server.close();
    }
  });

  it('an unreachable server is one clear line', async () => {
    const cwd = await tempDir();
    const port = await freePort();
    const result = await runCli(['x', '-m', 'client-credentials', '--provision', '--base-url', `http://127.0.0.1:${port}/`, '--no-install', '--no-git'], {
      cwd,
      env: adminEnv(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/ \\(ECONNREFUSED\\)`));
  });
});

describe('--provision: refusals, the summary, and where the secret goes', () => {
  it.each([
    [['-m', 'basic-auth', '--dry-run'], '--dry-run never changes the server: drop --provision or --dry-run.'],
    [['-m', 'basic-auth', '--client-id', 'c'], '--provision creates the ClientApplication: drop --client-id.'],
    [['-m', 'jwt-assertion'], 'jwt-assertion with --provision needs --jwks-uri <https URL where jwks.json is hosted>.'],
    [['-m', 'basic-auth', '--jwks-uri', 'https://keys.example.com/jwks.json'], '--jwks-uri is for jwt-assertion.'],
    [['-m', 'client-credentials', '--idp-client-secret', 'x'], '--idp-client-secret is for external-idp; client-credentials has no IdP client secret to set.'],
    [['-m', 'basic-auth', '--secret-out', 'out'], '--secret-out and --reveal-secret are for device-credentials; basic-auth keeps its secret in .env.'],
    [['-m', 'oauth-auth-code', '--reveal-secret'], '--secret-out and --reveal-secret are for device-credentials; oauth-auth-code has no client secret.'],
    [['-m', 'device-credentials', '--reveal-secret'], '--reveal-secret prints the secret, and --json output never holds one: pass --secret-out instead.'],
  ])('%j is refused in one line, before any request', async (args, message) => {
    const cwd = await tempDir();
    const since = medplum.log.length;
    const result = await provisionRun(cwd, 'refused', args);
    expectOneLine(result, 2, /./);
    expect(result.stderr).toBe(`error ${message}\n`);
    expect(medplum.log.slice(since)).toEqual([]);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('a web app without a policy: the summary lists the client and the ID in .env, nothing more', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'no-policy', ['-m', 'oauth-auth-code']);
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(await readFile(join(cwd, 'no-policy/medplum-auth.json'), 'utf8')).provisioned;
    expect(JSON.parse(result.stdout).provisioned).toEqual([
      `ClientApplication "no-policy" (ClientApplication/${record.clientApplication}) in project ${record.projectId}`,
      'VITE_MEDPLUM_CLIENT_ID in .env',
    ]);
  });

  it('add to a Next.js app: the client gets its dev server as the redirect URI, not Vite\'s', async () => {
    const dir = join(await tempDir(), 'next-app');
    await mkdir(join(dir, 'pages'), { recursive: true });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'next-app', dependencies: { next: '16.0.0', react: '19.0.0' } }));
    await writeFile(join(dir, 'tsconfig.json'), '{}');
    await writeFile(join(dir, 'pages/index.tsx'), 'x');
    const result = await runCli(['add', dir, '-m', 'oauth-auth-code', '--provision', '--base-url', medplum.baseUrl, '--json'], { cwd: join(dir, '..'), env: adminEnv() });
    expect(result.code, result.stderr).toBe(0);
    const clientId = parseEnv(await readFile(join(dir, '.env.local'), 'utf8')).NEXT_PUBLIC_MEDPLUM_CLIENT_ID;
    expect(medplum.resources('ClientApplication').find((c) => c.id === clientId)?.redirectUris).toEqual(['http://localhost:3000/']);
  });

  it('device-credentials: without --json, the output says where --secret-out put the secret', async () => {
    const cwd = await tempDir();
    const out = join(cwd, 'handed-over');
    const result = await runCli(['dev4', '-m', 'device-credentials', '--provision', '--secret-out', out, '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      env: adminEnv(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toContain(`The client secret is in ${out} (mode 600). Inject it at run time; do not copy it into the project.`);
  });

  it('device-credentials: a --secret-out that cannot be written shows the secret once on stderr, and leaves no temporary file', async () => {
    const cwd = await tempDir();
    // The starter writes a folder src/ where --secret-out points: the project is written, then the secret cannot be.
    await mkdir(join(cwd, 'dev3'));
    await writeFile(join(cwd, 'dev3/notes.txt'), 'x');
    const out = join(cwd, 'dev3/src');
    const result = await provisionRun(cwd, 'dev3', ['-m', 'device-credentials', '--secret-out', out, '--force']);
    expect(result.code).toBe(1);
    const clientId = parseEnv(await readFile(join(cwd, 'dev3/.env'), 'utf8')).MEDPLUM_CLIENT_ID as string;
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^warning The client secret could not be written to ${out} \\(E[A-Z]+: .+\\)\\. It is shown here, once; store it now:$`));
    expect(lines.slice(1)).toEqual([
      `MEDPLUM_CLIENT_SECRET=${medplum.client(clientId).secret}`,
      'error The project is written, but the client secret could not be saved: it is shown above, once.',
    ]);
    expect((await readdir(join(cwd, 'dev3'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('--provision, method by method: what the server gets, then check against what was made', () => {
  // token-exchange, external-idp and domain-idp, whose identityProvider rules differ by server release: provision-idp.test.ts.
  it.each([
    ['basic-auth', [] as string[]],
    ['google-auth', ['--google-client-id', '42-x.apps.googleusercontent.com']],
  ])('%s', async (method, extra) => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, `m-${method}`, ['-m', method, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    expectNoSecret(result);
    const record = JSON.parse(await readFile(join(cwd, `m-${method}/medplum-auth.json`), 'utf8'));
    const client = medplum.resources('ClientApplication').find((c) => c.id === record.provisioned.clientApplication);
    if (method === 'google-auth') {
      expect(client?.redirectUris).toEqual(['http://localhost:5173/', 'http://localhost:4173/']);
    }
    // What --provision did is listed as done, in the summary and the README, and not asked of the user again.
    const summary = JSON.parse(result.stdout);
    expect(summary.provisioned[0]).toContain(`(ClientApplication/${client?.id})`);
    expect(summary.inMedplum.join('\n')).not.toMatch(/Create a ClientApplication|Redirect URIs|Put its ID/);
    const readme = await readFile(join(cwd, `m-${method}/README.md`), 'utf8');
    expect(readme).toContain(`ClientApplication/${client?.id}`);
    expect(readme).not.toContain('Create a ClientApplication');
    const checked = await runCli(['check', join(cwd, `m-${method}`), '--json'], { cwd, env: adminEnv() });
    expect(checked.code, checked.stdout).toBe(0);
    expectNoSecret(checked);
    // basic-auth signs in with the new credentials; a web app has no sign-in to try, so its ClientApplication is read.
    const levels = Object.fromEntries((JSON.parse(checked.stdout).findings as { id: string; level: string }[]).map((f) => [f.id, f.level]));
    expect(levels).toMatchObject(method === 'basic-auth' ? { 'sign-in': 'ok', 'access-policy': 'ok' } : { 'sign-in': 'skipped', 'pkce-optional': 'ok', 'redirect-uris': 'ok' });
  });

  it('jwt-assertion: the client gets --jwks-uri, and the generated key signs in', async () => {
    const cwd = await tempDir();
    let jwks: JwkSet = { keys: [] };
    const jwksUri = medplum.hostJwks(() => jwks);
    const result = await provisionRun(cwd, 'm-jwt', ['-m', 'jwt-assertion', '--jwks-uri', jwksUri]);
    expect(result.code, result.stderr).toBe(0);
    jwks = JSON.parse(await readFile(join(cwd, 'm-jwt/jwks.json'), 'utf8'));
    const record = JSON.parse(await readFile(join(cwd, 'm-jwt/medplum-auth.json'), 'utf8'));
    expect(medplum.resources('ClientApplication').find((c) => c.id === record.provisioned.clientApplication)?.jwksUri).toBe(jwksUri);
    const checked = await runCli(['check', join(cwd, 'm-jwt'), '--json'], { cwd, env: {} });
    const findings = JSON.parse(checked.stdout).findings as { id: string; level: string }[];
    expect(findings.find((f) => f.id === 'sign-in')?.level).toBe('ok');
    expect(findings.find((f) => f.id === 'access-policy')?.level).toBe('ok');
  });

  it('a failure attaching the policy to an existing client undoes the new policy', async () => {
    const cwd = await tempDir();
    // A client of that name exists already, without a policy (made by hand, say).
    const { MedplumClient: Client } = await import('@medplum/core');
    const sdk = new Client({ baseUrl: medplum.baseUrl });
    await sdk.startClientLogin(admin.id, admin.secret);
    await sdk.post(`admin/projects/${medplum.project.id}/client`, { name: 'attach-fail' });
    const before = medplum.resources('AccessPolicy').length;
    medplum.failNext({ method: 'POST', path: /^\/admin\/projects\/[^/]+\/members\//, status: 400 });
    const result = await provisionRun(cwd, 'attach-fail', ['-m', 'client-credentials']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Provisioning failed at "attach the AccessPolicy": .*Undone: deleted AccessPolicy\//);
    expect(medplum.resources('AccessPolicy').length).toBe(before);
  });
});

describe('secret hygiene', () => {
  it('--debug logs every request, and neither it, stdout, stderr nor --json ever holds a secret', async () => {
    const cwd = await tempDir();
    const outputs: RunResult[] = [];
    outputs.push(await provisionRun(cwd, 'hyg', ['-m', 'client-credentials', '--debug']));
    outputs.push(await runCli(['check', join(cwd, 'hyg'), '--debug', '--json'], { cwd, env: {} }));
    outputs.push(await runCli(['check', join(cwd, 'hyg'), '--debug'], { cwd, env: {} }));
    outputs.push(await runCli(['rotate-secret', join(cwd, 'hyg'), '--debug'], { cwd, env: adminEnv() }));
    outputs.push(await runCli(['rotate-secret', join(cwd, 'hyg'), '--debug', '--json'], { cwd, env: adminEnv() }));
    for (const o of outputs) {
      expect(o.code, o.stderr).toBe(0);
    }
    const debugLines = outputs.flatMap((o) => o.stderr.split('\n')).filter((l) => l.startsWith('debug '));
    expect(debugLines).toEqual(expect.arrayContaining([expect.stringMatching(/^debug POST \/oauth2\/token -> 200 \(\d+ ms\)$/)]));
    expect(debugLines).toEqual(expect.arrayContaining([expect.stringMatching(/^debug POST \/admin\/projects\/[\w-]+\/client -> 201/)]));
    expect(debugLines).toEqual(expect.arrayContaining([expect.stringMatching(/^debug POST \/fhir\/R4\/ClientApplication\/[\w-]+\/\$rotate-secret -> 200/)]));
    expect(debugLines.every((l) => /^debug [A-Z]+ \/[^?\s]* -> (\d{3}|failed)/.test(l))).toBe(true);
    // Every secret the server ever held for these clients, the admin's included.
    expectNoSecret(...outputs);
    const text = outputs.map((o) => o.stdout + o.stderr).join('\n');
    expect(text).not.toContain(admin.secret);
  });
});

describe('rotate-secret', () => {
  it('rotates into .env, the old secret retires on --retire, and nothing is printed', async () => {
    const cwd = await tempDir();
    expect((await provisionRun(cwd, 'rot', ['-m', 'client-credentials'])).code).toBe(0);
    const dir = join(cwd, 'rot');
    const before = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    const rotated = await runCli(['rotate-secret', dir], { cwd, env: adminEnv() });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/keeps working at the token endpoint .* as retiringSecret until you run: create-medplum-auth rotate-secret --retire/);
    const after = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    const client = medplum.client(after.MEDPLUM_CLIENT_ID as string);
    expect(after.MEDPLUM_CLIENT_SECRET).toBe(client.secret);
    expect(client.retiringSecret).toBe(before.MEDPLUM_CLIENT_SECRET);
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
    expect(after.MEDPLUM_BASE_URL).toBe(before.MEDPLUM_BASE_URL);
    expectNoSecret(rotated);

    const retired = await runCli(['rotate-secret', dir, '--retire'], { cwd, env: adminEnv() });
    expect(retired.code, retired.stderr).toBe(0);
    expect(medplum.client(after.MEDPLUM_CLIENT_ID as string).retiringSecret).toBeUndefined();
  });

  it('says so when the server does not support it', async () => {
    const cwd = await tempDir();
    expect((await provisionRun(cwd, 'rot2', ['-m', 'basic-auth'])).code).toBe(0);
    medplum.setOperationSupported('rotate-secret', false);
    try {
      const result = await runCli(['rotate-secret', join(cwd, 'rot2')], { cwd, env: adminEnv() });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/does not support \$rotate-secret/);
    } finally {
      medplum.setOperationSupported('rotate-secret', true);
    }
  });
});

describe('provision and undo, in process', () => {
  const signedIn = async () => {
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.startClientLogin(admin.id, admin.secret);
    return sdk;
  };
  const policy = (name: string) => ({ resourceType: 'AccessPolicy', name, resource: [{ resourceType: 'Patient', interaction: ['search'] }] }) as AccessPolicy;
  const count = (type: string) => medplum.resources(type).length;

  it('a client made by a plain FHIR create has no secret: refused by name', async () => {
    const sdk = await signedIn();
    const made = await sdk.createResource({ resourceType: 'ClientApplication', name: 'fhir-made' });
    await expect(provision(sdk, { name: 'fhir-made', accessPolicy: null }, medplum.baseUrl)).rejects.toThrow(
      new CliError(`ClientApplication/${made.id} has no secret: it was not created through the admin API. Delete it, then run again.`),
    );
  });

  it('such a client has no membership to carry a policy: the step is named, and the new policy undone', async () => {
    const sdk = await signedIn();
    const made = await sdk.createResource({ resourceType: 'ClientApplication', name: 'fhir-made-2' });
    const before = count('AccessPolicy');
    const failure = await provision(sdk, { name: 'fhir-made-2', accessPolicy: policy('fhir-made-2 policy') }, medplum.baseUrl).catch((e: unknown) => e as Error);
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as Error).message).toMatch(
      new RegExp(`^Provisioning failed at "attach the AccessPolicy": ClientApplication/${made.id} has no ProjectMembership\\. Undone: deleted AccessPolicy/[\\w-]+\\.$`),
    );
    expect(count('AccessPolicy')).toBe(before);
  });

  it('a re-run whose client already carries the policy changes nothing, and creates nothing', async () => {
    const sdk = await signedIn();
    const request = { name: 'steady', accessPolicy: policy('steady policy') };
    const first = await provision(sdk, request, medplum.baseUrl);
    expect(first.created).toEqual([`AccessPolicy/${first.accessPolicyId}`, `ClientApplication/${first.clientId}`]);
    expect(first.membershipId).toBeDefined();
    medplum.clearLog();
    const again = await provision(sdk, request, medplum.baseUrl);
    expect(again).toEqual({ ...first, created: [] });
    expect(medplum.log.filter((e) => e.path.includes('/members/')).map((e) => e.path)).toEqual([]);
  });

  it('a client without a policy is made without one, and has no membership to report', async () => {
    const sdk = await signedIn();
    const made = await provision(sdk, { name: 'unfenced', accessPolicy: null }, medplum.baseUrl);
    expect(made.accessPolicyId).toBeUndefined();
    expect(made.membershipId).toBeUndefined();
    expect(made.created).toEqual([`ClientApplication/${made.clientId}`]);
    expect(made.clientSecret).toBe(medplum.client(made.clientId).secret);
  });

  it('undo deletes newest first, a client with its membership, and says what it deleted', async () => {
    const sdk = await signedIn();
    const made = await provision(sdk, { name: 'to-undo', accessPolicy: policy('to-undo policy') }, medplum.baseUrl);
    expect(await undo(sdk, made.created)).toBe(`. Undone: deleted ${made.created.join(' and ')}.`);
    const refs = (type: string) => medplum.resources(type).map((r) => `${type}/${r.id}`);
    expect(refs('AccessPolicy')).not.toContain(made.created[0]);
    expect(refs('ClientApplication')).not.toContain(made.created[1]);
    expect(medplum.resources('ProjectMembership').map((m) => (m.user as { reference: string }).reference)).not.toContain(made.created[1]);
  });

  it('undo names what it could not delete: "it" for one, "them" for several; nothing to undo says so', async () => {
    const sdk = await signedIn();
    const [a, b] = [await sdk.createResource(policy('keep-a')), await sdk.createResource(policy('keep-b'))];
    medplum.failNext({ method: 'DELETE', path: /^\/fhir\/R4\/AccessPolicy\//, status: 400, times: 2 });
    expect(await undo(sdk, [`AccessPolicy/${a.id}`, `AccessPolicy/${b.id}`])).toBe(
      `. Could not delete AccessPolicy/${b.id}, AccessPolicy/${a.id}: delete them in the Medplum app.`,
    );
    medplum.failNext({ method: 'DELETE', path: /^\/fhir\/R4\/AccessPolicy\//, status: 400 });
    expect(await undo(sdk, [`AccessPolicy/${a.id}`])).toBe(`. Could not delete AccessPolicy/${a.id}: delete it in the Medplum app.`);
    expect(await undo(sdk, [])).toBe('. Nothing had been created.');
  });

  it('requestFor: a web app gets the dev and preview redirect URIs; a backend none; extras are added', () => {
    expect(requestFor({ app: 'user-facing', id: 'oauth-auth-code' }, 'web', 'p', null, {})).toEqual({
      name: 'web',
      projectId: 'p',
      accessPolicy: null,
      redirectUris: ['http://localhost:5173/', 'http://localhost:4173/'],
    });
    expect(requestFor({ app: 'backend', id: 'client-credentials' }, 'api', undefined, null, { jwksUri: 'https://example.org/jwks.json' })).toEqual({
      name: 'api',
      projectId: undefined,
      accessPolicy: null,
      jwksUri: 'https://example.org/jwks.json',
    });
  });
});
