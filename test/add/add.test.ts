/**
 * `add` in process, on small projects written here and on the fixtures in test/fixtures/add/:
 * detection, refusals, the files and edits it plans, idempotence, clashes, versions, --dry-run and
 * the env files. The installed, built and signed-in projects are in add-live.test.ts.
 */
import { cp, mkdir, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
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
    expect(result.stderr).toContain('oauth-auth-code is a user-facing method and does not fit Node service (TypeScript, ESM, express)');
    expect(result.stderr).toContain('client-credentials for a long-running service');
    expect(await snapshot(dir)).toEqual(before);
  });

  it('refuses a backend method in a Vite app, and says which method fits', async () => {
    const dir = await project({ 'package.json': vitePackage, 'src/main.tsx': VITE_MAIN });
    const result = await add(dir, ['-m', 'client-credentials'], { MEDPLUM_CLIENT_SECRET: SECRET });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('client-credentials is a backend method and does not fit Vite + React app (TypeScript)');
    expect(result.stderr).toContain('oauth-auth-code to start');
    expect(result.stderr).not.toContain(SECRET);
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
    expect(out.nextSteps).toContain('npm install');
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
    expect(result.stdout).toContain('would change 7 files. Nothing was written.');
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
