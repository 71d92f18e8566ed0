/**
 * The Node wiring of every Node method, in each module format and language: `add` writes
 * medplum.ts/js into a small service, TypeScript is typechecked, and the module signs in against the
 * Medplum test double and searches Patients (TypeScript runs through Node's type stripping). The
 * services borrow this repository's node_modules (@medplum/core) instead of installing; the fixtures
 * that are installed, built and served are in add-live.test.ts.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { MethodId } from '../../src/guide/methods.js';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';
import { expectOk, sh } from '../project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PATIENT = { resourceType: 'Patient', id: '5b7c9d1e-3f2a-4b6c-8d0e-2f4a6b8c0d1e', name: [{ family: 'Curie' }] };
const ADA = { email: 'ada@corp.example', password: 'unused', profile: { resourceType: 'Practitioner' as const } };
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

const FORMATS = [
  { name: 'TypeScript, ESM', type: 'module', typescript: true, file: 'src/medplum.ts', run: true },
  { name: 'TypeScript, CommonJS', type: 'commonjs', typescript: true, file: 'src/medplum.ts', run: false },
  { name: 'JavaScript, ESM', type: 'module', typescript: false, file: 'src/medplum.js', run: true },
  { name: 'JavaScript, CommonJS', type: 'commonjs', typescript: false, file: 'src/medplum.js', run: true },
] as const;
const NODE_METHODS: readonly MethodId[] = ['client-credentials', 'basic-auth', 'token-exchange', 'device-credentials', 'jwt-assertion'];

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [ADA], externalIdp: { users: [{ email: ADA.email }] }, resources: [PATIENT] });
});
afterAll(() => medplum?.close());

/** Imports the module as the service would and prints the ids of the Patients it finds. */
const DRIVER = `
const m = await import(process.argv[1]);
const medplum = m.medplumFor ? await m.medplumFor(process.env.IDP_TOKEN) : await m.getMedplum();
console.log((await medplum.searchResources('Patient')).map((p) => p.id).join(','));`;

describe.concurrent('add: the Node module of each method signs in', () => {
  it.for(NODE_METHODS.flatMap((method) => FORMATS.map((format) => ({ method, format }))))(
    '$method, $format.name',
    { timeout: 120_000 },
    async ({ method, format }, { expect, onTestFinished }) => {
      const client = medplum.addClient({ name: `${method} ${format.name}`, ...(method === 'token-exchange' ? { identityProvider: {} } : {}) });
      const dir = join(await tempDir(onTestFinished), 'service');
      await mkdir(join(dir, 'src'), { recursive: true });
      await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
      const pkg = { name: 'service', private: true, type: format.type, ...(format.typescript ? { devDependencies: { typescript: '^5.9.3' } } : {}) };
      await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
      if (format.typescript) {
        // NodeNext reads the module format from package.json's type, as Node does.
        const compilerOptions = { module: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] };
        await writeFile(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
      }
      const secretFile = join(dir, '..', 'client-secret');
      await writeFile(secretFile, `${client.secret}\n`, { mode: 0o600 });

      const result = await runCli(['add', dir, '-m', method, '--base-url', medplum.baseUrl, '--client-id', client.id, '--no-install'], {
        cwd: dir,
        env: ['client-credentials', 'basic-auth'].includes(method) ? { MEDPLUM_CLIENT_SECRET: client.secret } : {},
      });
      expect(result.code, result.stderr).toBe(0);
      const source = await readFile(join(dir, format.file), 'utf8');
      expect(/^import /m.test(source)).toBe(format.typescript || format.type === 'module');
      expect(source.includes("require('@medplum/core')")).toBe(!format.typescript && format.type === 'commonjs');
      if (format.typescript) {
        expectOk(await sh(join(REPO, 'node_modules/.bin/tsc'), ['-p', '.'], dir), 'tsc');
      }
      if (!format.run) {
        return;
      }
      if (method === 'jwt-assertion') {
        // The key pair add generated: Medplum reads the public half from the client's jwksUri.
        medplum.updateClient(client.id, { jwksUri: medplum.hostJwks(JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8'))) });
      }
      const env = {
        ...(method === 'device-credentials' ? { MEDPLUM_CLIENT_SECRET_FILE: secretFile } : {}),
        ...(method === 'token-exchange' ? { IDP_TOKEN: medplum.idp.issueAccessToken(ADA.email) } : {}),
      };
      const since = medplum.log.length;
      const run = await sh(process.execPath, ['--env-file=.env', '--input-type=module', '-e', DRIVER, join(dir, format.file)], dir, env);
      expectOk(run, `${method} module`);
      expect(run.stdout.trim()).toBe(PATIENT.id);

      const log = medplum.log.slice(since).filter((e) => e.clientId === client.id);
      const grants = log.filter((e) => e.path === '/oauth2/token').map((e) => `${e.grantType}${e.clientAssertion ? ' assertion' : ''} ${e.status}`);
      const fhir = log.filter((e) => e.path === '/fhir/R4/Patient').map((e) => `${e.authScheme} ${e.status}`);
      const expected = {
        'client-credentials': ['client_credentials 200'],
        'device-credentials': ['client_credentials 200'],
        'jwt-assertion': ['client_credentials assertion 200'],
        'token-exchange': [`${TOKEN_EXCHANGE} 200`],
        'basic-auth': [],
      }[method as string];
      expect(grants).toEqual(expected);
      expect(fhir).toEqual([method === 'basic-auth' ? 'Basic 200' : 'Bearer 200']);
    },
  );
});

describe('add, then the other subcommands', () => {
  it('--provision creates the client and policy as a project admin, and check signs in with them', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const admin = medplum.addClient({ name: 'CI admin', admin: true });
    const dir = join(await tempDir(onTestFinished), 'billing-service');
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{ "name": "billing-service", "type": "module" }\n');
    const env = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
    const result = await runCli(['add', dir, '-m', 'client-credentials', '--base-url', medplum.baseUrl, '--provision', '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.provisioned).toEqual(expect.arrayContaining([expect.stringContaining('ClientApplication')]));
    const record = JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'));
    expect(record.provisioned.clientApplication).toBe(record.clientId);
    const dotenv = await readFile(join(dir, '.env'), 'utf8');
    expect(dotenv).toContain(`MEDPLUM_CLIENT_ID='${record.clientId}'`);
    expect(result.stdout).not.toContain(medplum.client(record.clientId)?.secret ?? 'no secret');

    // check reads medplum-auth.json and .env: the provisioned client signs in, with its policy.
    const checked = await runCli(['check', dir, '--json'], { cwd: dir, env: {} });
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(JSON.parse(checked.stdout).findings).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'sign-in', level: 'ok' })]));
  });

  it('a Next.js app: --provision registers its own server (http://localhost:3000/), and check reads NEXT_PUBLIC_ names from .env.local', { timeout: 60_000 }, async ({ expect, onTestFinished }) => {
    const admin = medplum.addClient({ name: 'CI admin', admin: true });
    const dir = join(await tempDir(onTestFinished), 'site');
    await mkdir(join(dir, 'app'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{ "name": "site", "dependencies": { "next": "16.0.0", "react": "19.0.0", "react-dom": "19.0.0" } }\n');
    await writeFile(join(dir, 'tsconfig.json'), '{}\n');
    await writeFile(join(dir, 'app/layout.tsx'), 'export default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n');
    const env = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
    const result = await runCli(['add', dir, '-m', 'oauth-auth-code', '--base-url', medplum.baseUrl, '--provision', '--json'], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'));
    expect(record.bundler).toBe('Next.js');

    const checked = await runCli(['check', dir, '--json'], { cwd: dir, env });
    const findings = JSON.parse(checked.stdout).findings as { id: string; level: string; message: string }[];
    expect(findings.filter((f) => f.level === 'error'), checked.stdout + checked.stderr).toEqual([]);
    expect(findings).toEqual(
      expect.arrayContaining([
        { id: 'redirect-uris', level: 'ok', message: 'its redirect URIs include the dev server, http://localhost:3000/' },
        { id: 'pkce-optional', level: 'ok', message: 'the ClientApplication requires PKCE' },
        { id: 'env-mode', level: 'ok', message: '.env.local is readable only by its owner (mode 600)' },
      ]),
    );
    expect(checked.code).toBe(0);
  });
});
