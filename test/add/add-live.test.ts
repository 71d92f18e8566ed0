/**
 * `add` on real projects, each made by its own scaffolder from the npm registry or kept as a fixture
 * in test/fixtures/add/: after `add`, the project is installed, typechecked and built with its own
 * tools, and its entry point signs in against the Medplum test double: Chromium for the Vite and
 * Next.js apps (oauth-auth-code through Medplum's SignInForm), an HTTP request to the Node services
 * (client-credentials and basic-auth each). The other web methods are typechecked in the installed
 * Vite app; every Node method signs in in add-node.test.ts. Heavy installs are bounded: one per
 * project; a second method in the same kind of project borrows the first one's node_modules.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import { startMedplumDouble, type LogEntry, type MedplumDouble } from '../double/medplum-double.js';
import { BIN, expectOk, freePort, sh, start, waitForHttp, type Running } from '../project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO, 'test/fixtures/add');
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);
const PATIENT = { resourceType: 'Patient', id: '2e4f6a8c-0b1d-4e3f-9a5b-7c9d1e3f5a7b', name: [{ family: 'Lamarr' }] };
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
};

let medplum: MedplumDouble;
let root: string;
let browser: Browser | undefined;
const running: Running[] = [];

beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [ADA], resources: [PATIENT] });
  root = await mkdtemp(join(tmpdir(), 'cma-add-'));
  if (hasChromium) {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(running.map((r) => r.stop()));
  await medplum?.close();
  await rm(root, { recursive: true, force: true });
}, 60_000);

/** The built bin's `add`, as a user runs it (no install: that is a separate step here). */
async function add(dir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  expectOk(await sh(process.execPath, [BIN, 'add', dir, '--base-url', medplum.baseUrl, ...args], root, env), `add ${args.join(' ')}`);
}

const install = async (dir: string) => expectOk(await sh('npm', ['install', '--no-audit', '--no-fund'], dir), 'npm install');

/** A copy of `from` (without its node_modules and build) that borrows the node_modules of `installed`. */
async function sibling(from: string, name: string, installed = from): Promise<string> {
  const dir = join(root, name);
  await cp(from, dir, { recursive: true, filter: (src) => !src.startsWith(join(from, 'node_modules')) && !src.startsWith(join(from, 'dist')) });
  await symlink(join(installed, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  await writeFile(path, change(await readFile(path, 'utf8')));
}

const ofClient = (id: string, since: number): LogEntry[] => medplum.log.slice(since).filter((e) => e.clientId === id);

/** Starts a service on a free port, asks it for /patients, and returns the ids and the double's log of its client. */
async function patientsFrom(dir: string, command: readonly string[], clientId: string) {
  const port = await freePort();
  const since = medplum.log.length;
  const service = start(process.execPath, ['--env-file=.env', ...command], dir, { PORT: String(port) });
  running.push(service);
  await waitForHttp(`http://127.0.0.1:${port}/health`, service);
  const res = await fetch(`http://127.0.0.1:${port}/patients`);
  const body = await res.text();
  await service.stop();
  const log = ofClient(clientId, since);
  return {
    status: res.status,
    body,
    grants: log.filter((e) => e.path === '/oauth2/token').map((e) => `${e.grantType} ${e.status}`),
    fhir: log.filter((e) => e.path.startsWith('/fhir/R4/')).map((e) => `${e.authScheme} ${e.status}`),
  };
}

/** What the user does next (the usage line `add` prints): a /patients route through the added module. */
const expressRoute = (text: string) =>
  `import { getMedplum } from './medplum.js';\n${text.replace(
    'const port =',
    "app.get('/patients', async (_req, res) => {\n  const medplum = await getMedplum();\n  res.json((await medplum.searchResources('Patient')).map((p) => p.id));\n});\n\nconst port =",
  )}`;
const cjsRoute = (text: string) =>
  text.replace(
    'const server =',
    "const { getMedplum } = require('./medplum');\nroutes['/patients'] = async () => (await (await getMedplum()).searchResources('Patient')).map((p) => p.id);\n\nconst server =",
  );

describe.concurrent('add on real projects, against the Medplum test double', () => {
  it('an Express service (TypeScript, ESM): client-credentials, then basic-auth; installed, typechecked, built, /patients served', { timeout: 400_000 }, async ({ expect }) => {
    const dir = join(root, 'express-ts-esm');
    await cp(join(FIXTURES, 'express-ts-esm'), dir, { recursive: true });
    const cc = medplum.addClient({ name: 'patients-api' });
    await add(dir, ['-m', 'client-credentials', '--client-id', cc.id, '--install'], { MEDPLUM_CLIENT_SECRET: cc.secret });
    expect(existsSync(join(dir, 'node_modules/@medplum/core/package.json'))).toBe(true); // --install
    await edit(join(dir, 'src/server.ts'), expressRoute);
    expectOk(await sh('npm', ['run', 'typecheck'], dir), 'typecheck');
    expectOk(await sh('npm', ['run', 'build'], dir), 'build');
    const viaCc = await patientsFrom(dir, ['dist/server.js'], cc.id);
    expect(viaCc.status, viaCc.body).toBe(200);
    expect(JSON.parse(viaCc.body)).toEqual([PATIENT.id]);
    expect(viaCc.grants).toEqual(['client_credentials 200']);
    expect(viaCc.fhir).toEqual(['Bearer 200']);

    const basic = medplum.addClient({ name: 'patients-fn' });
    const second = await sibling(join(FIXTURES, 'express-ts-esm'), 'express-basic', dir);
    await add(second, ['-m', 'basic-auth', '--client-id', basic.id], { MEDPLUM_CLIENT_SECRET: basic.secret });
    await edit(join(second, 'src/server.ts'), expressRoute);
    expectOk(await sh('npm', ['run', 'build'], second), 'build');
    const viaBasic = await patientsFrom(second, ['dist/server.js'], basic.id);
    expect(JSON.parse(viaBasic.body)).toEqual([PATIENT.id]);
    expect(viaBasic.grants).toEqual([]);
    expect(viaBasic.fhir).toEqual(['Basic 200']);
  });

  it('a plain CommonJS service: basic-auth, then client-credentials; installed, /patients served', { timeout: 400_000 }, async ({ expect }) => {
    const dir = join(root, 'node-cjs');
    await cp(join(FIXTURES, 'node-cjs'), dir, { recursive: true });
    const basic = medplum.addClient({ name: 'webhook' });
    await add(dir, ['-m', 'basic-auth', '--client-id', basic.id], { MEDPLUM_CLIENT_SECRET: basic.secret });
    await install(dir);
    await edit(join(dir, 'index.js'), cjsRoute);
    const viaBasic = await patientsFrom(dir, ['index.js'], basic.id);
    expect(viaBasic.status, viaBasic.body).toBe(200);
    expect(JSON.parse(viaBasic.body)).toEqual([PATIENT.id]);
    expect(viaBasic.grants).toEqual([]);
    expect(viaBasic.fhir).toEqual(['Basic 200']);

    const cc = medplum.addClient({ name: 'webhook-cc' });
    const second = await sibling(join(FIXTURES, 'node-cjs'), 'node-cjs-cc', dir);
    await add(second, ['-m', 'client-credentials', '--client-id', cc.id], { MEDPLUM_CLIENT_SECRET: cc.secret });
    await edit(join(second, 'index.js'), cjsRoute);
    const viaCc = await patientsFrom(second, ['index.js'], cc.id);
    expect(JSON.parse(viaCc.body)).toEqual([PATIENT.id]);
    expect(viaCc.grants).toEqual(['client_credentials 200']);
    expect(viaCc.fhir).toEqual(['Bearer 200']);
  });

  it.runIf(hasChromium)('create-vite react-ts + oauth-auth-code: installed, built, signed in in Chromium; the other web methods typecheck', { timeout: 600_000 }, async (context) => {
    const { expect } = context;
    expectOk(await sh(process.execPath, [join(REPO, 'node_modules/create-vite/index.js'), 'vite-app', '--template', 'react-ts', '--no-interactive'], root), 'create-vite');
    const dir = join(root, 'vite-app');
    const port = await freePort();
    const appUrl = `http://localhost:${port}/`;
    const client = medplum.addClient({ name: 'vite-app', redirectUris: [appUrl] });
    await add(dir, ['-m', 'oauth-auth-code', '--client-id', client.id]);
    await install(dir);
    expectOk(await sh('npm', ['run', 'build'], dir), 'npm run build (tsc -b && vite build)');
    const preview = start(join(dir, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort'], dir);
    running.push(preview);
    await waitForHttp(appUrl, preview);
    await signIn(appUrl, client.id, 'Get started', context);

    // The other user-facing methods: their MedplumAuth.tsx replaces this one (--force), and the app typechecks.
    const others = [
      ['-m', 'google-auth', '--google-client-id', '123-abc.apps.googleusercontent.com'],
      ['-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', '0oa1'],
      ['-m', 'domain-idp'],
    ];
    for (const args of others) {
      const copy = await sibling(dir, `vite-${args[1]}`);
      await add(copy, [...args, '--client-id', client.id, '--force']);
      expect(await readFile(join(copy, 'src/MedplumAuth.tsx'), 'utf8')).toContain(`(${args[1]})`);
      expectOk(await sh(join(copy, 'node_modules/.bin/tsc'), ['-b'], copy), `tsc -b with ${args[1]}`);
    }
  });

  it.runIf(hasChromium)('create-next-app (TypeScript, App Router) + oauth-auth-code: installed, typechecked, next build, next start, signed in in Chromium', { timeout: 600_000 }, async (context) => {
    const { expect } = context;
    // --empty: the default page loads next/font/google, which fetches from Google at build time (no internet here).
    const flags = ['--ts', '--app', '--no-tailwind', '--no-eslint', '--no-src-dir', '--import-alias', '@/*', '--use-npm', '--skip-install', '--disable-git', '--empty', '--no-agents-md', '--no-agent-feedback', '--no-react-compiler', '--yes'];
    const env = { NEXT_TELEMETRY_DISABLED: '1', HOME: root };
    expectOk(await sh(process.execPath, [join(REPO, 'node_modules/create-next-app/dist/index.js'), 'next-app', ...flags], root, env), 'create-next-app');
    const dir = join(root, 'next-app');
    const port = await freePort();
    const appUrl = `http://localhost:${port}/`;
    const client = medplum.addClient({ name: 'next-app', redirectUris: [appUrl] });
    await add(dir, ['-m', 'oauth-auth-code', '--client-id', client.id]);
    expect(await readFile(join(dir, 'medplum/MedplumAuth.tsx'), 'utf8')).toMatch(/^'use client';/);
    await install(dir);
    // next build typechecks too, and generates the types (LayoutProps) that a bare tsc needs.
    // Vitest sets NODE_ENV=test, in which Next.js skips .env.local; a real build runs in production.
    const production = { ...env, NODE_ENV: 'production' };
    expectOk(await sh(join(dir, 'node_modules/.bin/next'), ['build'], dir, production), 'next build');
    expectOk(await sh(join(dir, 'node_modules/.bin/tsc'), ['--noEmit'], dir), 'tsc --noEmit');
    const server = start(join(dir, 'node_modules/.bin/next'), ['start', '-p', String(port)], dir, production);
    running.push(server);
    await waitForHttp(appUrl, server);
    await signIn(appUrl, client.id, 'Hello world!', context);
  });
});

/**
 * Medplum's SignInForm in Chromium: the app's own content is hidden until the user has signed in
 * (email, Continue, password, Sign In: auth/login with PKCE, then the code at oauth2/token).
 */
async function signIn(appUrl: string, clientId: string, appText: string, { expect, onTestFailed }: TestContext): Promise<void> {
  const page = await (browser as Browser).newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
  // What the page said, for a failure far from the browser.
  onTestFailed(async () => {
    console.error(`${appUrl}: ${problems.join('\n')}\n${await page.locator('body').innerText().catch(String)}`);
  });
  const since = medplum.log.length;
  await page.goto(appUrl);
  await page.getByLabel('Email').fill(ADA.email);
  await expect.poll(() => page.getByText(appText).count()).toBe(0);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('auth.password').fill(ADA.password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await expect.poll(() => page.getByText(appText).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.reload(); // the session is kept
  await expect.poll(() => page.getByText(appText).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  const grants = ofClient(clientId, since).filter((e) => e.path === '/oauth2/token');
  expect(grants.map((e) => `${e.grantType} ${e.status}`)).toEqual(['authorization_code 200']);
  await page.close();
}
