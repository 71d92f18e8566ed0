/**
 * The kinds of project `add` knows (src/add/kinds.ts), as `add` uses them: the packages each puts in
 * package.json, its env file and variable names, the Medplum checklist in the framework's terms, and
 * the methods that fit.
 *
 * kinds.ts builds its table on each call (not when it loads), so under Stryker a change to an entry is
 * tried against every test below, not only the first test that loads the module.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';

/** `add` in process, on a project directory with these files (objects become JSON). */
async function addTo(files: Record<string, string | object>, args: readonly string[]) {
  const dir = join(await tempDir(), 'app');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return { dir, result: await runCli(['add', dir, ...args], { cwd: join(dir, '..') }) };
}

const VITE = { 'package.json': { dependencies: { react: '^19.1.0' }, devDependencies: { vite: '^7.0.0' } }, 'src/main.tsx': 'x' };
const NEXT = { 'package.json': { dependencies: { next: '16.0.0' } }, 'tsconfig.json': '{}', 'app/layout.tsx': 'x' };
const NODE = { 'package.json': { name: 'svc' } };

it.each([
  [
    "Medplum's components",
    [],
    ['@mantine/core', '@mantine/hooks', '@mantine/notifications', '@mantine/spotlight', '@medplum/core', '@medplum/react', '@medplum/react-hooks', 'jsqr', 'next', 'react', 'react-dom', 'react-router', 'signature_pad'],
    ['postcss', 'postcss-preset-mantine', 'postcss-simple-vars'],
  ],
  ['--ui plain', ['--ui', 'plain'], ['@medplum/core', '@medplum/react-hooks', 'next', 'react', 'react-dom'], ['@medplum/fhirtypes']],
])('a web app with %s gets these packages', async (_, args, dependencies, devDependencies) => {
  const { dir, result } = await addTo(NEXT, ['-m', 'oauth-auth-code', ...args]);
  expect(result.code, result.stderr).toBe(0);
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.dependencies)).toEqual(dependencies);
  expect(Object.keys(pkg.devDependencies)).toEqual(devDependencies);
});

it.each([
  [
    'Vite',
    VITE,
    '.env',
    'VITE_',
    "# In src/main.tsx, add import { MedplumAuth } from './MedplumAuth'; and wrap <App /> in <MedplumAuth>: <MedplumAuth><App /></MedplumAuth>",
    'http://localhost:5173/ (dev) and http://localhost:4173/ (preview)',
  ],
  [
    'Next.js',
    NEXT,
    '.env.local',
    'NEXT_PUBLIC_',
    "# In app/layout.tsx, add import { MedplumAuth } from '../medplum/MedplumAuth'; and wrap {children} in <MedplumAuth>: <MedplumAuth>{children}</MedplumAuth>",
    'http://localhost:3000/ (next dev and next start)',
  ],
])('a %s app: its env file, its variable names, and the checklist in its terms', async (_, files, envFile, prefix, wrap, redirectUris) => {
  const { dir, result } = await addTo(files, ['-m', 'oauth-auth-code', '--json']);
  expect(result.code, result.stderr).toBe(0);
  const out = JSON.parse(result.stdout);
  expect(Object.keys(parseEnv(await readFile(join(dir, envFile), 'utf8')))).toEqual([`${prefix}MEDPLUM_BASE_URL`, `${prefix}MEDPLUM_CLIENT_ID`, `${prefix}MEDPLUM_PROJECT_ID`]);
  expect(out.nextSteps).toEqual([
    'cd app',
    'npm install',
    `# fill in ${prefix}MEDPLUM_CLIENT_ID in ${envFile} (see .env.example)`,
    wrap,
    "# In your components, useMedplum() and useMedplumProfile() from '@medplum/react' give the signed-in client and profile.",
  ]);
  expect(out.inMedplum).toEqual([
    'Create a ClientApplication in the Medplum app, Project Admin > Clients.',
    `Add ${redirectUris} to its Redirect URIs.`,
    `Put its ID in ${envFile} as ${prefix}MEDPLUM_CLIENT_ID.`,
    'Keep "PKCE optional" off. Never give a browser app a client secret.',
  ]);
});

const WEB_METHODS = 'oauth-auth-code, google-auth, external-idp, domain-idp (oauth-auth-code to start); client-credentials and other server methods belong in a Node service';
const NODE_METHODS =
  'client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion (client-credentials for a long-running service); people signing in belong in a web app';

it.each([
  [VITE, 'client-credentials', `client-credentials is a backend method and does not fit Vite + React app (TypeScript): use ${WEB_METHODS}.`],
  [NEXT, 'device-credentials', `device-credentials is a device method and does not fit Next.js app (App Router, TypeScript): use ${WEB_METHODS}.`],
  [NODE, 'google-auth', `google-auth is a user-facing method and does not fit Node service (JavaScript, CommonJS): use ${NODE_METHODS}.`],
])('%#: a method that does not fit is refused with the ones that do', async (files, method, message) => {
  const { result } = await addTo(files, ['-m', method]);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(`error ${message}\n`);
});

it.each([
  [VITE, 'oauth-auth-code', 'user-facing'],
  [NEXT, 'google-auth', 'user-facing'],
  [NODE, 'basic-auth', 'backend'],
  [NODE, 'jwt-assertion', 'device'],
])('%#: %s fits, a %s method', async (files, method, app) => {
  const { result } = await addTo(files, ['-m', method, '--json', '--dry-run']);
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout)).toMatchObject({ method, app });
});
