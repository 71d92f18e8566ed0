/**
 * `add` in process, on small projects written here and on the fixtures in test/fixtures/add/:
 * detection, refusals, the files and edits it plans, idempotence, clashes, versions, --dry-run and
 * the env files. The installed, built and signed-in projects are in add-live.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, cp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { unifiedDiff } from '../../src/add/diff.js';
import type { Change } from '../../src/add/plan.js';
import { main } from '../../src/cli/main.js';
import type { Prompter } from '../../src/cli/prompts.js';
import { startMedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/add/', import.meta.url));
const CLIENT_ID = '0d1e8f3a-5c2b-4a7d-9e6f-1b2c3d4e5f60';
const SECRET = 'sup3r-s3cret-value';

/** A project directory with these files (objects become JSON). */
async function project(files: Record<string, string | object>): Promise<string> {
  const dir = join(await tempDir(), 'app');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return dir;
}

async function fixture(name: string): Promise<string> {
  const dir = join(await tempDir(), name);
  await cp(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

const add = (dir: string, args: readonly string[], env: Record<string, string> = {}) =>
  runCli(['add', dir, '--base-url', 'http://localhost:8103/', '--client-id', CLIENT_ID, ...args], { cwd: join(dir, '..'), env });

/** Every file's bytes and mode, to prove that nothing was written. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Object.fromEntries(
    await Promise.all(files.map(async (f) => [f, `${(await stat(f)).mode.toString(8)} ${(await readFile(f)).toString('base64')}`])),
  );
}

const VITE_MAIN = `import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import App from './App.tsx'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
`;
/** VITE_MAIN as add edits it: MedplumAuth imported from `specifier`, around <App />. */
const viteMainWrapped = (specifier: string) =>
  VITE_MAIN.replace("import App from './App.tsx'\n", `import App from './App.tsx'\nimport { MedplumAuth } from '${specifier}'\n`).replace(
    '    <App />\n',
    '    <MedplumAuth>\n      <App />\n    </MedplumAuth>\n',
  );
const vitePackage = { name: 'portal', private: true, type: 'module', dependencies: { react: '^19.1.0', 'react-dom': '^19.1.0' }, devDependencies: { vite: '^7.0.0' } };

describe('add: detection and refusals', () => {
  it('refuses a directory without package.json, naming what is supported', async () => {
    const dir = await project({ 'README.md': 'hi' });
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/has no package\.json\. add works on a Vite \+ React app, a Next\.js app .* or a Node service/);
  });

  it('refuses a Vue project in one line', async () => {
    const dir = await project({ 'package.json': { name: 'x', dependencies: { vue: '^3.5.0' }, devDependencies: { vite: '^7.0.0' } } });
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('looks like a Vue project. add supports a Vite + React app');
  });

  it('refuses a user-facing method in a Node service, and says which methods fit', async () => {
    const dir = await fixture('express-ts-esm');
    const before = await snapshot(dir);
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toBe(
      'error oauth-auth-code is a user-facing method and does not fit Node service (TypeScript, ESM, express): use client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion (client-credentials for a long-running service); people signing in belong in a web app.\n',
    );
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a backend method in a Vite app, and says which method fits', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error client-credentials is a backend method and does not fit Vite + React app (TypeScript): use oauth-auth-code, google-auth, external-idp, domain-idp (oauth-auth-code to start); client-credentials and other server methods belong in a Node service.\n',
    );
  });

  it('--app that does not fit is refused too', async () => {
    const dir = await fixture('node-cjs');
    const result = await add(dir, ['--app', 'user-facing', '--yes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--app user-facing does not fit Node service (JavaScript, CommonJS)');
  });

  it.each([
    [{ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0' } }, 'app/layout.tsx': 'x', 'tsconfig.json': '{}' }, 'Next.js app (App Router, TypeScript)'],
    [{ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0' } }, 'src/pages/index.jsx': 'x' }, 'Next.js app (Pages Router, JavaScript)'],
    [{ 'package.json': { type: 'module', dependencies: { fastify: '^5.0.0' } }, 'index.js': '' }, 'Node service (JavaScript, ESM, fastify)'],
    [{ 'package.json': { dependencies: { hono: '^4.0.0' }, devDependencies: { typescript: '^5.9.0' } } }, 'Node service (TypeScript, CommonJS, hono)'],
  ])('detects %#: %s', async (files, description) => {
    const dir = await project(files);
    const method = description.startsWith('Next') ? 'oauth-auth-code' : 'basic-auth';
    const result = await add(dir, ['-m', method, '--json', '--dry-run'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).project).toBe(description);
  });
});

describe('add: what it writes', () => {
  it('a Node service (TS, ESM): src/medplum.ts, @medplum/core, .env 0600 with the secret, .env.example, access-policy.json, the record', async () => {
    const dir = await fixture('express-ts-esm');
    const result = await add(dir, ['-m', 'client-credentials', '--json'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.files.map((f: { path: string; action: string }) => `${f.action} ${f.path}`).sort()).toEqual([
      'create .env',
      'create .env.example',
      'create access-policy.json',
      'create medplum-auth.json',
      'create src/medplum.ts',
      'update .gitignore',
      'update package.json',
    ]);
    expect(result.stdout).not.toContain(SECRET);
    expect(out.nextSteps).toEqual(['cd express-ts-esm', 'npm install', "# import { getMedplum } from './medplum.js';", "# const medplum = await getMedplum(); // e.g. await medplum.searchResources('Patient')"]);
    expect(out.inMedplum).toEqual([
      'Create a ClientApplication in the Medplum app, Project Admin > Clients.',
      "Create the AccessPolicy in access-policy.json and attach it to the client's ProjectMembership.",
      'Put its ID and secret in .env as MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.',
    ]);
    expect(out).not.toHaveProperty('provisioned');
    const medplum = await readFile(join(dir, 'src/medplum.ts'), 'utf8');
    expect(medplum).toMatch(/^import \{ ClientStorage, MedplumClient, MemoryStorage \} from '@medplum\/core';/);
    expect(medplum).toContain('export function getMedplum(): Promise<MedplumClient>');
    expect(medplum).toContain('startClientLogin');
    const env = await readFile(join(dir, '.env'), 'utf8');
    expect(parseEnv(env)).toEqual({ MEDPLUM_BASE_URL: 'http://localhost:8103/', MEDPLUM_CLIENT_ID: CLIENT_ID, MEDPLUM_CLIENT_SECRET: SECRET });
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);
    expect(parseEnv(await readFile(join(dir, '.env.example'), 'utf8')).MEDPLUM_CLIENT_SECRET).toBe('your-client-secret');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^node_modules\/\ndist\/\n\n# Added by create-medplum-auth \(client-credentials\): private files\n\.env\n$/);
    const pkg = await readFile(join(dir, 'package.json'), 'utf8');
    expect(Object.keys(JSON.parse(pkg))).toEqual(['name', 'version', 'private', 'type', 'scripts', 'dependencies', 'devDependencies']);
    expect(JSON.parse(pkg).dependencies).toEqual({ '@medplum/core': '^5.2.13', express: '^5.1.0' });
    expect(JSON.parse(await readFile(join(dir, 'access-policy.json'), 'utf8')).resource).toEqual([{ resourceType: 'Patient', interaction: ['search'] }]);
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8')).method).toBe('client-credentials');
  });

  it('a CommonJS JavaScript service gets medplum.js with require and module.exports', async () => {
    const dir = await fixture('node-cjs');
    const result = await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    const medplum = await readFile(join(dir, 'medplum.js'), 'utf8');
    expect(medplum).toMatch(/^const \{ MedplumClient \} = require\('@medplum\/core'\);/);
    expect(medplum).toContain('module.exports = { getMedplum };');
    expect(medplum).not.toMatch(/^(import|export) /m);
    expect(result.stdout).toContain("const { getMedplum } = require('./medplum');");
  });

  it('keeps package.json key order, tab indentation and a missing final newline; leaves a compatible version alone', async () => {
    const text = '{\n\t"name": "portal",\n\t"dependencies": {\n\t\t"react": "^19.0.0",\n\t\t"zod": "^3.0.0",\n\t\t"@medplum/core": "^5.0.0"\n\t},\n\t"devDependencies": {\n\t\t"vite": "^7.0.0"\n\t}\n}';
    const dir = await project({ 'package.json': text, 'src/main.tsx': VITE_MAIN });
    expect((await add(dir, ['-m', 'oauth-auth-code'])).code).toBe(0);
    const after = await readFile(join(dir, 'package.json'), 'utf8');
    expect(after.endsWith('}')).toBe(true);
    expect(after).toContain('\n\t\t"react": "^19.0.0",\n\t\t"zod": "^3.0.0",\n\t\t"@medplum/core": "^5.0.0",\n\t\t"@medplum/react": "^5.2.13",');
    expect(Object.keys(JSON.parse(after))).toEqual(['name', 'dependencies', 'devDependencies']);
  });

  it('a Vite app: MedplumAuth.tsx, <App /> wrapped in main.tsx in its own style, VITE_ values in .env', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN, '.gitignore': 'node_modules\n*.local\n' });
    const result = await add(dir, ['-m', 'google-auth', '--google-client-id', '123-abc.apps.googleusercontent.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'src/main.tsx'), 'utf8')).toBe(viteMainWrapped('./MedplumAuth.tsx'));
    const auth = await readFile(join(dir, 'src/MedplumAuth.tsx'), 'utf8');
    expect(auth).toContain('googleClientId: import.meta.env.VITE_GOOGLE_CLIENT_ID || undefined');
    expect(auth).toContain('<SignInForm');
    expect(parseEnv(await readFile(join(dir, '.env'), 'utf8'))).toMatchObject({ VITE_MEDPLUM_CLIENT_ID: CLIENT_ID, VITE_GOOGLE_CLIENT_ID: '123-abc.apps.googleusercontent.com' });
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toContain('\n.env\n');
  });

  it('Next.js (App Router): a client component around {children}, NEXT_PUBLIC_ values in .env.local, no secret anywhere', async () => {
    const layout = 'import type { Metadata } from "next";\n\nexport default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n';
    const dir = await project({ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0', 'react-dom': '19.0.0' } }, 'tsconfig.json': '{}', 'app/layout.tsx': layout, '.gitignore': '.env*\n*.pem\n' });
    const result = await add(dir, ['-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', '0oa1']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'app/layout.tsx'), 'utf8')).toContain('import { MedplumAuth } from "../medplum/MedplumAuth";\n\nexport default');
    expect(await readFile(join(dir, 'app/layout.tsx'), 'utf8')).toContain('<body><MedplumAuth>{children}</MedplumAuth></body>');
    const auth = await readFile(join(dir, 'medplum/MedplumAuth.tsx'), 'utf8');
    expect(auth.startsWith("'use client';\n")).toBe(true);
    expect(auth).toContain('idpAuthorizeUrl: process.env.NEXT_PUBLIC_IDP_AUTHORIZE_URL || undefined');
    expect(parseEnv(await readFile(join(dir, '.env.local'), 'utf8'))).toMatchObject({
      NEXT_PUBLIC_MEDPLUM_CLIENT_ID: CLIENT_ID,
      NEXT_PUBLIC_IDP_AUTHORIZE_URL: 'https://example.okta.com/oauth2/default/v1/authorize',
    });
    expect(result.stdout).toContain('Put its ID in .env.local as NEXT_PUBLIC_MEDPLUM_CLIENT_ID');
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toBe('.env*\n*.pem\n'); // already ignored
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8')).bundler).toBe('Next.js');
  });

  it('Next.js (Pages Router) without _app gets one', async () => {
    const dir = await project({ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0' } }, 'tsconfig.json': '{}', 'pages/index.tsx': 'x' });
    expect((await add(dir, ['-m', 'domain-idp'])).code).toBe(0);
    const app = await readFile(join(dir, 'pages/_app.tsx'), 'utf8');
    expect(app).toContain("import { MedplumAuth } from '../medplum/MedplumAuth';");
    expect(app).toContain('<Component {...pageProps} />');
  });

  it('an entry point of an unknown shape is left alone, and the edit is printed as a manual step', async () => {
    const main = "import { render } from './render.tsx'\nrender()\n";
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': main });
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'src/main.tsx'), 'utf8')).toBe(main);
    expect(result.stdout).toContain("In src/main.tsx, add import { MedplumAuth } from './MedplumAuth.tsx'; and wrap <App /> in <MedplumAuth>");
  });

  it('a key already set in .env is kept and reported; the file keeps its mode', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN, '.env': 'VITE_MEDPLUM_BASE_URL=https://medplum.example.org/\nOTHER=1' });
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('VITE_MEDPLUM_BASE_URL is already set in .env: left as it is.');
    const env = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    expect(env).toMatchObject({ VITE_MEDPLUM_BASE_URL: 'https://medplum.example.org/', OTHER: '1', VITE_MEDPLUM_CLIENT_ID: CLIENT_ID });
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o644);
  });
});

describe('add: re-runs, clashes, versions, --dry-run', () => {
  it('a second add with the same answers changes nothing and says "already added"', async () => {
    const dir = await fixture('express-ts-esm');
    expect((await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET })).code).toBe(0);
    const before = await snapshot(dir);
    const again = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Already added: client-credentials is wired into');
    expect(again.stdout).toContain('Nothing changed.');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a second jwt-assertion add keeps the key pair it made: already added', async () => {
    const dir = await fixture('node-cjs');
    expect((await add(dir, ['-m', 'jwt-assertion'])).code).toBe(0);
    expect((await stat(join(dir, 'medplum-device-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toContain('*.pem');
    const before = await snapshot(dir);
    const again = await add(dir, ['-m', 'jwt-assertion']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(again.stdout).toContain('Already added: jwt-assertion');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a clash stops the run and lists the files; --force replaces them', async () => {
    const dir = await fixture('express-ts-esm');
    await writeFile(join(dir, 'src/medplum.ts'), 'export const mine = 1;\n');
    await writeFile(join(dir, 'access-policy.json'), '{}\n');
    const before = await snapshot(dir);
    const refused = await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('already has src/medplum.ts, access-policy.json, with other content');
    expect(refused.stderr).toContain('--force');
    expect(await snapshot(dir)).toEqual(before);

    const forced = await add(dir, ['-m', 'basic-auth', '--force'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(forced.code, forced.stderr).toBe(0);
    expect(await readFile(join(dir, 'src/medplum.ts'), 'utf8')).toContain('setBasicAuth');
  });

  it('an incompatible major version stops the run in one line; --force sets the version it needs', async () => {
    const dir = await fixture('node-cjs');
    const pkgPath = join(dir, 'package.json');
    const pkg = JSON.parse(await readFile(pkgPath, 'utf8'));
    await writeFile(pkgPath, `${JSON.stringify({ ...pkg, dependencies: { '@medplum/core': '^3.2.0' } }, null, 2)}\n`);
    const before = await snapshot(dir);
    const refused = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('has @medplum/core ^3.2.0 (the wiring needs ^5.2.13): another major version');
    expect(await snapshot(dir)).toEqual(before);

    const forced = await add(dir, ['-m', 'client-credentials', '--force'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(await readFile(pkgPath, 'utf8')).dependencies['@medplum/core']).toBe('^5.2.13');
  });

  it('--dry-run prints a unified diff of every change, hides secrets and existing env values, and writes nothing', async () => {
    const dir = await fixture('express-ts-esm');
    await writeFile(join(dir, '.env'), 'DATABASE_URL=postgres://user:hunter2@db/app\n', { mode: 0o600 });
    const before = await snapshot(dir);
    const result = await add(dir, ['-m', 'client-credentials', '--dry-run'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    expect(await snapshot(dir)).toEqual(before);
    expect(result.stdout.split('\n')[0]).toBe('Dry run: adding client-credentials to express-ts-esm (Node service (TypeScript, ESM, express)) would change 7 files. Nothing was written.');
    expect(result.stdout).toContain('--- /dev/null\n+++ b/src/medplum.ts\n@@ -0,0 +1,');
    expect(result.stdout).toContain('--- a/package.json\n+++ b/package.json\n');
    expect(result.stdout).toContain('+    "@medplum/core": "^5.2.13",\n');
    expect(result.stdout).toContain("+MEDPLUM_CLIENT_ID='0d1e8f3a-5c2b-4a7d-9e6f-1b2c3d4e5f60'");
    expect(result.stdout).toContain('+MEDPLUM_CLIENT_SECRET=<hidden>');
    expect(result.stdout).toContain(' DATABASE_URL=<hidden>');
    expect(result.stdout).not.toContain(SECRET);
    expect(result.stdout).not.toContain('hunter2');

    const json = await add(dir, ['-m', 'client-credentials', '--dry-run', '--json'], { MEDPLUM_CLIENT_SECRET: SECRET });
    const out = JSON.parse(json.stdout);
    expect(out.dryRun).toBe(true);
    expect(out.diff).toContain('+++ b/src/medplum.ts');
    expect(json.stdout).not.toContain(SECRET);
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('add: the package manager', () => {
  it('the next steps name the install command of the lockfile the project has', async () => {
    const dir = await fixture('node-cjs');
    await writeFile(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const result = await add(dir, ['-m', 'basic-auth', '--json'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(JSON.parse(result.stdout).nextSteps).toContain('pnpm install');
  });
});

describe('add: nothing outside the project', () => {
  it('refuses to write through a symbolic link that leads outside the project, and writes nothing', async () => {
    const outside = await tempDir();
    const dir = await fixture('express-ts-esm');
    await rm(join(dir, 'src'), { recursive: true });
    await symlink(outside, join(dir, 'src'));
    const before = await snapshot(dir);
    const result = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Refusing to write src/medplum.ts: it leads outside the project');
    expect(await readdir(outside)).toEqual([]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a directory where a file goes is one clear line', async () => {
    const dir = await fixture('node-cjs');
    await mkdir(join(dir, 'medplum.js'));
    const result = await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('medplum.js is a directory where add writes a file');
  });

  it("wraps the page in an existing Pages Router _app", async () => {
    const app = "import type { AppProps } from 'next/app';\n\nexport default function App({ Component, pageProps }: AppProps) {\n  return <Component {...pageProps} />;\n}\n";
    const dir = await project({ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0' } }, 'tsconfig.json': '{}', 'src/pages/_app.tsx': app });
    expect((await add(dir, ['-m', 'oauth-auth-code'])).code).toBe(0);
    expect(await readFile(join(dir, 'src/pages/_app.tsx'), 'utf8')).toBe(
      "import type { AppProps } from 'next/app';\nimport { MedplumAuth } from '../medplum/MedplumAuth';\n\nexport default function App({ Component, pageProps }: AppProps) {\n  return <MedplumAuth><Component {...pageProps} /></MedplumAuth>;\n}\n",
    );
    expect(await readFile(join(dir, 'src/medplum/MedplumAuth.tsx'), 'utf8')).toContain("'use client';");
  });
});

describe('add: the UI', () => {
  it('the record says which UI was added', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    expect((await add(dir, ['-m', 'oauth-auth-code'])).code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8')).ui).toBe('medplum');
  });

  it('--platform mobile is refused in one line: add wires the web app that is there', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, ['-m', 'oauth-auth-code', '--platform', 'mobile']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--platform mobile is for a new Expo app');
  });
});

describe('add --ui plain: the new-project starters\' sign-in on @medplum/react-hooks, no Mantine', () => {
  const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));
  const SIGN_IN = ['SignIn.tsx', 'components/LoginFlow.tsx', 'env.ts', 'login.ts', 'redirect.ts', 'useAction.ts', 'variables.ts'];
  /** Every file below `dir`, relative. */
  const filesIn = async (dir: string) =>
    (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();

  it('a Vite app: src/medplum/ with the starter\'s files, <App /> wrapped, VITE_ values, @medplum/react-hooks; a re-run is "already added"', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, ['-m', 'oauth-auth-code', '--ui', 'plain', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(await filesIn(join(dir, 'src/medplum'))).toEqual(['MedplumAuth.tsx', ...SIGN_IN].sort());
    // The starter's own files, byte for byte: one copy of each in templates/.
    expect(await readFile(join(dir, 'src/medplum/components/LoginFlow.tsx'), 'utf8')).toBe(await readFile(join(TEMPLATES, 'web-projects/src/components/LoginFlow.tsx'), 'utf8'));
    expect(await readFile(join(dir, 'src/medplum/SignIn.tsx'), 'utf8')).toBe(await readFile(join(TEMPLATES, 'oauth-auth-code/src/SignIn.tsx'), 'utf8'));
    expect(await readFile(join(dir, 'src/medplum/env.ts'), 'utf8')).toContain("name: 'VITE_MEDPLUM_CLIENT_ID'");
    expect(await readFile(join(dir, 'src/main.tsx'), 'utf8')).toBe(viteMainWrapped('./medplum/MedplumAuth.tsx'));
    const auth = await readFile(join(dir, 'src/medplum/MedplumAuth.tsx'), 'utf8');
    expect(auth).toContain('const env = readEnv(import.meta.env, VARIABLES);');
    expect(auth).toContain("import { SignIn } from './SignIn.tsx';");
    expect(auth).not.toContain("'use client'");
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@medplum/core', '@medplum/react-hooks', 'react', 'react-dom']);
    expect(Object.keys(pkg.devDependencies)).toEqual(['@medplum/fhirtypes', 'vite']);
    const out = JSON.parse(result.stdout);
    expect(out.files.map((f: { path: string }) => f.path)).not.toContain('postcss.config.mjs');
    expect(out.nextSteps.join('\n')).toContain("from '@medplum/react-hooks' give the signed-in client and profile");
    expect(parseEnv(await readFile(join(dir, '.env'), 'utf8'))).toMatchObject({ VITE_MEDPLUM_BASE_URL: 'http://localhost:8103/', VITE_MEDPLUM_CLIENT_ID: CLIENT_ID });
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8')).ui).toBe('plain');

    const before = await snapshot(dir);
    const again = await add(dir, ['-m', 'oauth-auth-code', '--ui', 'plain']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Already added: oauth-auth-code is wired into');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('Next.js (App Router): a client component, imports without extensions, NEXT_PUBLIC_ names read one by one, nothing of Vite', async () => {
    const layout = 'import type { Metadata } from "next";\nimport "./globals.css";\n\nexport default function RootLayout({ children }: { children: React.ReactNode }) {\n  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n';
    const dir = await project({ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0', 'react-dom': '19.0.0' } }, 'tsconfig.json': '{}', 'app/layout.tsx': layout });
    const result = await add(dir, ['-m', 'google-auth', '--ui', 'plain', '--google-client-id', '123-abc.apps.googleusercontent.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(await filesIn(join(dir, 'medplum'))).toEqual(['MedplumAuth.tsx', 'components/GoogleButton.tsx', ...SIGN_IN].sort());
    expect(await readFile(join(dir, 'app/layout.tsx'), 'utf8')).toContain('import { MedplumAuth } from "../medplum/MedplumAuth";\n');
    const auth = await readFile(join(dir, 'medplum/MedplumAuth.tsx'), 'utf8');
    expect(auth.startsWith("'use client';\n")).toBe(true);
    expect(auth).toContain('    NEXT_PUBLIC_GOOGLE_CLIENT_ID: process.env.NEXT_PUBLIC_GOOGLE_CLIENT_ID,\n');
    expect(await readFile(join(dir, 'medplum/components/LoginFlow.tsx'), 'utf8')).toContain("import { nextStep, sendMfaCode, type Answer, type Step } from '../login';");
    expect(await readFile(join(dir, 'medplum/env.ts'), 'utf8')).toContain('fix it in .env.local, then restart');
    for (const file of await filesIn(join(dir, 'medplum'))) {
      const text = await readFile(join(dir, 'medplum', file), 'utf8');
      expect(text, file).not.toMatch(/vite|import\.meta|from '\.{1,2}\/[^']+\.tsx?'/i);
    }
    expect(parseEnv(await readFile(join(dir, '.env.local'), 'utf8'))).toMatchObject({ NEXT_PUBLIC_GOOGLE_CLIENT_ID: '123-abc.apps.googleusercontent.com' });
  });

  it('Next.js (Pages Router) without _app: one, around every page; external-idp\'s own sign-in', async () => {
    const dir = await project({ 'package.json': { dependencies: { next: '16.0.0', react: '19.0.0' } }, 'tsconfig.json': '{}', 'src/pages/index.tsx': 'x' });
    const result = await add(dir, ['-m', 'external-idp', '--ui', 'plain', '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', '0oa1']);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'src/pages/_app.tsx'), 'utf8')).toContain("import { MedplumAuth } from '../medplum/MedplumAuth';");
    expect(await filesIn(join(dir, 'src/medplum'))).toEqual(['MedplumAuth.tsx', 'SignIn.tsx', 'env.ts', 'external.ts', 'providerName.ts', 'redirect.ts', 'useAction.ts', 'variables.ts']);
    expect(await readFile(join(dir, 'src/medplum/variables.ts'), 'utf8')).toContain("name: 'NEXT_PUBLIC_IDP_AUTHORIZE_URL'");
  });

  it('a JavaScript app is refused in one line: the plain UI is TypeScript', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.jsx': VITE_MAIN.replace('App.tsx', 'App.jsx') });
    const before = await snapshot(dir);
    const result = await add(dir, ['-m', 'oauth-auth-code', '--ui', 'plain']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--ui plain adds TypeScript files and Vite + React app (JavaScript) is JavaScript: use --ui medplum');
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('add: the report', () => {
  it('lists each file (+ created, ~ changed, the mode of a private one), then the checklist, the next steps and the docs', async () => {
    const dir = await fixture('express-ts-esm');
    const result = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`✔ Added client-credentials (Client credentials (OAuth2, server to server)) to express-ts-esm, a Node service (TypeScript, ESM, express):
  + src/medplum.ts
  + access-policy.json
  + medplum-auth.json
  ~ package.json
  + .env (mode 600)
  + .env.example
  ~ .gitignore

In Medplum
  1. Create a ClientApplication in the Medplum app, Project Admin > Clients.
  2. Create the AccessPolicy in access-policy.json and attach it to the client's ProjectMembership.
  3. Put its ID and secret in .env as MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.

Next steps
  cd express-ts-esm
  npm install
  # import { getMedplum } from './medplum.js';
  # const medplum = await getMedplum(); // e.g. await medplum.searchResources('Patient')

Docs: https://www.medplum.com/docs/auth/methods/client-credentials
`);
  });

  it('a re-run that changes nothing says so in one line, and its next steps have no install', async () => {
    const dir = await fixture('node-cjs');
    expect((await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET })).code).toBe(0);
    const again = await add(dir, ['-m', 'basic-auth', '--json'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyAdded: true, files: [], diff: '' });
    expect(JSON.parse(again.stdout).nextSteps).toEqual(['cd node-cjs', "# const { getMedplum } = require('./medplum');", "# const medplum = await getMedplum(); // e.g. await medplum.searchResources('Patient')"]);
    const human = await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(human.stdout.split('\n')[0]).toBe('✔ Already added: basic-auth is wired into node-cjs (Node service (JavaScript, CommonJS)). Nothing changed.');
  });

  it.each([
    ['from the folder above, with every value given', ['node-cjs', '--client-id', CLIENT_ID], { MEDPLUM_CLIENT_SECRET: SECRET }, ['cd node-cjs', 'npm install']],
    ['from inside the project, nothing given', [], {}, ['npm install', '# fill in MEDPLUM_CLIENT_ID, MEDPLUM_CLIENT_SECRET in .env (see .env.example)']],
    ['from inside, the ID given', ['--client-id', CLIENT_ID], {}, ['npm install', '# fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)']],
  ])('next steps %s: a cd only from outside, a line for the values left to fill in', async (_, args, env, steps) => {
    const dir = await fixture('node-cjs');
    const cwd = args[0] === 'node-cjs' ? join(dir, '..') : dir;
    const result = await runCli(['add', ...args, '-m', 'client-credentials', '--json', '--dry-run'], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps).toEqual([...steps, "# const { getMedplum } = require('./medplum');", "# const medplum = await getMedplum(); // e.g. await medplum.searchResources('Patient')"]);
  });

  it.each([
    ['its package name', { name: 'billing', type: 'module' }, 'billing (client-credentials)'],
    ['its folder name when package.json has none', { type: 'module' }, 'app (client-credentials)'],
  ])('the access policy is named after the project: %s', async (_, pkg, policyName) => {
    const dir = await project({ 'package.json': pkg });
    expect((await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET })).code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'access-policy.json'), 'utf8')).name).toBe(policyName);
  });

  it('two packages at another major version are both named, in one line', async () => {
    const pkg = { ...vitePackage, dependencies: { ...vitePackage.dependencies, '@medplum/core': '^3.0.0', '@medplum/react': '^4.0.0' } };
    const dir = await project({ 'package.json': pkg, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, ['-m', 'oauth-auth-code']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error app has @medplum/core ^3.0.0 (the wiring needs ^5.2.13), @medplum/react ^4.0.0 (the wiring needs ^5.2.13): another major version. Upgrade it, or pass --force to set the version it needs.\n',
    );
  });

  it('--ui in a Node service is refused as a flag of the user-facing methods, not as TypeScript', async () => {
    const dir = await fixture('node-cjs');
    const result = await add(dir, ['-m', 'client-credentials', '--ui', 'plain'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error --ui does not apply to client-credentials; it only applies to user-facing methods (oauth-auth-code, google-auth, external-idp, domain-idp).\n');
  });

  it('while another run holds the write lock, a change fails in one line and nothing changes; a re-run with nothing to change still succeeds', async () => {
    const dir = await fixture('node-cjs');
    await mkdir(join(dir, '.create-medplum-auth.lock'));
    const before = await snapshot(dir);
    const locked = await add(dir, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(locked.code).toBe(1);
    expect(locked.stderr).toBe(
      `error Could not change node-cjs: Another create-medplum-auth run is writing into ${dir} (.create-medplum-auth.lock is there). Wait for it, or remove .create-medplum-auth.lock if no run is. Nothing was changed\n`,
    );
    expect(await snapshot(dir)).toEqual(before);

    const added = await fixture('node-cjs');
    expect((await add(added, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET })).code).toBe(0);
    await mkdir(join(added, '.create-medplum-auth.lock'));
    const same = await add(added, ['-m', 'basic-auth'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('Already added: basic-auth');
  });

  it('--install runs the package manager in the project and drops the install step; a re-run installs nothing', async () => {
    const bin = await tempDir();
    const log = join(bin, 'calls.log');
    await writeFile(join(bin, 'npm'), `#!/bin/sh\necho "$(pwd) $*" >> '${log}'\n`);
    await chmod(join(bin, 'npm'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    onTestFinished(() => {
      process.env.PATH = path;
    });
    const dir = await fixture('node-cjs');
    const result = await add(dir, ['-m', 'basic-auth', '--install', '--json'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps.slice(0, 2)).toEqual(['cd node-cjs', "# const { getMedplum } = require('./medplum');"]);
    expect(await readFile(log, 'utf8')).toBe(`${dir} install\n`);
    expect((await add(dir, ['-m', 'basic-auth', '--install'], { MEDPLUM_CLIENT_SECRET: SECRET })).code).toBe(0);
    expect(await readFile(log, 'utf8')).toBe(`${dir} install\n`);
  });

  it('--provision: what was created is listed as done, and nothing is left to do in Medplum', async () => {
    const medplum = await startMedplumDouble();
    onTestFinished(() => medplum.close());
    const admin = medplum.addClient({ name: 'CI admin', admin: true });
    const dir = await fixture('node-cjs');
    const result = await runCli(['add', dir, '-m', 'client-credentials', '--provision', '--base-url', medplum.baseUrl, '--json'], {
      cwd: join(dir, '..'),
      env: { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret },
    });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    const { clientId } = JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'));
    expect(out.provisioned).toEqual([
      expect.stringMatching(new RegExp(`^ClientApplication "webhook-consumer" \\(ClientApplication/${clientId}\\) in project `)),
      expect.stringMatching(/^AccessPolicy "webhook-consumer \(client-credentials\)" \(AccessPolicy\/[^)]+\), on the client's ProjectMembership\//),
      'MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET in .env',
    ]);
    expect(out.inMedplum).toEqual([]);
  });
});

describe('add: which app and method, without -m', () => {
  it.each([
    ['a Node service, no flag: the app', 'node', [], 'error Missing an answer to "What are you building?". Pass --app user-facing or --app backend or --app device, or --yes for the recommended one.\n'],
    [
      'a Node service, --json: the backend\'s first question (--json does not choose)',
      'node',
      ['--json'],
      'error Missing an answer to "Does the service receive users\' tokens from an identity provider you already have?". Pass --method client-credentials or --method basic-auth or --method token-exchange, or --yes for the recommended one.\n',
    ],
    [
      'a Vite app, no flag: the one app that fits is taken, the identity provider is not',
      'vite',
      [],
      'error Missing an answer to "Which identity provider signs your users in?". Pass --method oauth-auth-code or --method external-idp or --method google-auth or --method domain-idp, or --yes for the recommended one.\n',
    ],
  ])('%s is a missing answer that names its flags', async (_, kind, args, stderr) => {
    const dir = kind === 'node' ? await fixture('node-cjs') : await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(stderr);
  });

  it.each([
    [[], 'client-credentials'],
    [['--app', 'device'], 'device-credentials'],
  ])('a Node service with --yes %j: the recommended %s', async (args, method) => {
    const dir = await fixture('node-cjs');
    const result = await add(dir, ['--yes', '--dry-run', ...args]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(`Dry run: adding ${method} to node-cjs (Node service (JavaScript, CommonJS)) would change 7 files. Nothing was written.`);
  });
});

describe('add: the jwt-assertion key pair', () => {
  const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  it('a re-run after .env was removed writes the key path the first run wrote', async () => {
    const dir = await fixture('node-cjs');
    expect((await add(dir, ['-m', 'jwt-assertion'])).code).toBe(0);
    const jwks = await readFile(join(dir, 'jwks.json'), 'utf8');
    await rm(join(dir, '.env'));
    const again = await add(dir, ['-m', 'jwt-assertion']);
    expect(again.code, again.stderr).toBe(0);
    expect(parseEnv(await readFile(join(dir, '.env'), 'utf8')).MEDPLUM_PRIVATE_KEY_PATH).toBe('./medplum-device-key.pem');
    expect(await readFile(join(dir, 'jwks.json'), 'utf8')).toBe(jwks);
  });

  it('--private-key-path wins over a key already in the project', async () => {
    const dir = await fixture('node-cjs');
    await writeFile(join(dir, 'medplum-device-key.pem'), pem(), { mode: 0o600 });
    await writeFile(join(dir, '..', 'device.pem'), pem(), { mode: 0o600 });
    const result = await add(dir, ['-m', 'jwt-assertion', '--private-key-path', 'device.pem']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseEnv(await readFile(join(dir, '.env'), 'utf8')).MEDPLUM_PRIVATE_KEY_PATH).toBe(join(dir, '..', 'device.pem'));
  });

  it('another method ignores a key in the project', async () => {
    const dir = await fixture('node-cjs');
    await writeFile(join(dir, 'medplum-device-key.pem'), pem(), { mode: 0o600 });
    const result = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });
});

/**
 * `add` at a terminal: each question is answered from `answers`, by its message, and recorded in
 * `asked`; a question not in `answers` fails the test.
 */
async function addAtTerminal(dir: string, args: readonly string[], answers: Record<string, string | boolean>) {
  const asked: string[] = [];
  const reply = async ({ message }: { message: string }) => {
    asked.push(message);
    if (!(message in answers)) {
      throw new Error(`Unexpected question: ${message}`);
    }
    return answers[message];
  };
  const prompter = { select: reply, input: reply, password: reply, confirm: reply } as Prompter;
  let stdout = '';
  let stderr = '';
  const code = await main(['add', dir, '--base-url', 'http://localhost:8103/', '--client-id', CLIENT_ID, ...args], {
    stdout: { write: (s: string) => (stdout += s), isTTY: true },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdinIsTTY: true,
    env: { NO_COLOR: '1', MEDPLUM_CLIENT_SECRET: SECRET },
    cwd: join(dir, '..'),
    loadPrompter: async () => prompter,
  });
  return { code, stdout, stderr, asked };
}

describe('add at a terminal', () => {
  const LISTED = ['  + src/medplum.ts', '  + access-policy.json', '  + medplum-auth.json', '  ~ package.json', '  + .env (mode 600)', '  + .env.example', '  ~ .gitignore'];

  it('shows the files it will change, asks, writes, and does not list them again', async () => {
    const dir = await fixture('express-ts-esm');
    const result = await addAtTerminal(dir, ['-m', 'client-credentials'], { 'Write these changes?': true });
    expect(result.code, result.stderr).toBe(0);
    expect(result.asked).toEqual(['Write these changes?']);
    expect(result.stdout.split('\n').slice(0, 12)).toEqual([
      'Adding Medplum auth to express-ts-esm, a Node service (TypeScript, ESM, express).',
      'Adding client-credentials will change 7 files in express-ts-esm:',
      ...LISTED,
      '✔ Added client-credentials (Client credentials (OAuth2, server to server)) to express-ts-esm, a Node service (TypeScript, ESM, express).',
      '',
      'In Medplum',
    ]);
    expect(await readFile(join(dir, 'src/medplum.ts'), 'utf8')).toContain('startClientLogin');
  });

  it('declined, nothing is written', async () => {
    const dir = await fixture('express-ts-esm');
    const before = await snapshot(dir);
    const result = await addAtTerminal(dir, ['-m', 'client-credentials'], { 'Write these changes?': false });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error Nothing was written: the changes were declined\n');
    expect(result.stdout.split('\n').slice(1, 9)).toEqual(['Adding client-credentials will change 7 files in express-ts-esm:', ...LISTED]);
    expect(await snapshot(dir)).toEqual(before);
  });

  it('a re-run with nothing to change asks nothing', async () => {
    const dir = await fixture('express-ts-esm');
    expect((await addAtTerminal(dir, ['-m', 'client-credentials'], { 'Write these changes?': true })).code).toBe(0);
    const again = await addAtTerminal(dir, ['-m', 'client-credentials'], {});
    expect(again.code, again.stderr).toBe(0);
    expect(again.asked).toEqual([]);
    expect(again.stdout.split('\n')[1]).toBe('✔ Already added: client-credentials is wired into express-ts-esm (Node service (TypeScript, ESM, express)). Nothing changed.');
  });

  it('-m that does not fit is refused before anything is printed or asked', async () => {
    const dir = await fixture('express-ts-esm');
    const result = await addAtTerminal(dir, ['-m', 'oauth-auth-code'], {});
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.asked).toEqual([]);
  });

  it('in a Node service, answering "user-facing" is refused once the method is known, before any other question', async () => {
    const dir = await fixture('express-ts-esm');
    const answers = { 'What are you building?': 'user-facing', 'Which identity provider signs your users in?': 'medplum' };
    const result = await addAtTerminal(dir, [], answers);
    expect(result.code).toBe(2);
    expect(result.asked).toEqual(Object.keys(answers));
    expect(result.stderr).toMatch(/^error oauth-auth-code is a user-facing method and does not fit Node service/);
  });

  it('in a JavaScript Vite app the guide asks from its first question, and neither the UI nor the platform', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.jsx': VITE_MAIN.replace('App.tsx', 'App.jsx') });
    const answers = { 'What are you building?': 'user-facing', 'Which identity provider signs your users in?': 'medplum', 'Write these changes?': true };
    const result = await addAtTerminal(dir, [], answers);
    expect(result.code, result.stderr).toBe(0);
    expect(result.asked).toEqual(Object.keys(answers));
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'))).toMatchObject({ method: 'oauth-auth-code', ui: 'medplum' });
  });
});

describe('unifiedDiff', () => {
  const change = (path: string, before: string | undefined, after: string): Change => ({
    path,
    action: before === undefined ? 'create' : 'update',
    before,
    after,
    mode: 0o644,
    shown: { before, after },
  });

  it('one unified diff per file, three lines of context, one after the other', () => {
    expect(unifiedDiff([change('notes.txt', 'a\nb\nc\nd\ne\n', 'a\nb\nc\nd\ne\nf\n'), change('new.txt', undefined, 'x\n')])).toBe(
      '--- a/notes.txt\n+++ b/notes.txt\n@@ -3,3 +3,4 @@\n c\n d\n e\n+f\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,1 @@\n+x\n',
    );
  });
});
