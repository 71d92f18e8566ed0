/**
 * `add` on real projects, each made by its own scaffolder from the npm registry or kept as a fixture
 * in test/fixtures/add/: after `add`, the project is installed, typechecked and built with its own
 * tools, and its entry point signs in against the Medplum test double: Chromium for the Vite app and
 * the Next.js apps (App Router and Pages Router), with every user-facing method (oauth-auth-code,
 * google-auth, external-idp, domain-idp, driven as the starters' live tests drive them), and an HTTP
 * request to the Node services (client-credentials and basic-auth each); every Node method signs in
 * in add-node.test.ts. Heavy installs are bounded: one per kind of project; another method, or the
 * Pages Router, works in a fresh copy of the scaffolder's output that borrows those node_modules.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import { FAKE_GIS, GIS_SCRIPT, hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble, type LogEntry, type MedplumDouble } from '../double/medplum-double.js';
import { BIN, expectOk, freePort, sh, start, waitForHttp, type Running } from '../project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(REPO, 'test/fixtures/add');
const PATIENT = { resourceType: 'Patient', id: '2e4f6a8c-0b1d-4e3f-9a5b-7c9d1e3f5a7b', name: [{ family: 'Lamarr' }] };
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
};
const GOOGLE_CLIENT_ID = '314159265358-addlivetest.apps.googleusercontent.com';
const GRACE = {
  email: 'grace@example.com',
  password: 'unused by google sign-in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] },
};
const SSO_DOMAIN = 'corp.example';
const ALAN = {
  email: `alan@${SSO_DOMAIN}`,
  password: 'never typed: the IdP signs Alan in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Alan'], family: 'Turing' }] },
};

/** create-next-app's flags besides the router: TypeScript, its default pages, no install, no questions. */
const CREATE_NEXT_APP = ['--ts', '--no-tailwind', '--no-eslint', '--no-src-dir', '--import-alias', '@/*', '--use-npm', '--skip-install', '--disable-git', '--no-agents-md', '--no-agent-feedback', '--no-react-compiler', '--yes'];
/**
 * Its default pages load Geist through next/font/google, which `next build` fetches from Google Fonts:
 * Next.js's own test hook answers from test/fixtures/next-font-google.cjs instead (no internet here).
 */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1', NEXT_FONT_GOOGLE_MOCKED_RESPONSES: join(REPO, 'test/fixtures/next-font-google.cjs') };
/** On create-next-app's default page, App Router and Pages Router alike. */
const NEXT_TEXT = 'To get started, edit the';

let medplum: MedplumDouble;
let root: string;
let browser: Browser | undefined;
const running: Running[] = [];

beforeAll(async () => {
  medplum = await startMedplumDouble({
    users: [ADA, GRACE, ALAN],
    resources: [PATIENT],
    google: { clientIds: [GOOGLE_CLIENT_ID] },
    externalIdp: { users: [{ email: ALAN.email, name: 'Alan Turing' }] },
    domains: [{ domain: SSO_DOMAIN, identityProvider: {} }],
  });
  root = await mkdtemp(join(tmpdir(), 'cma-add-'));
  if (hasChromium) {
    browser = await launchChromium();
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

/**
 * A copy of `from` (without its node_modules and build) that borrows the node_modules of `installed`,
 * hard-linked: Turbopack refuses a node_modules that is a symlink out of the project's root.
 */
async function sibling(from: string, name: string, installed = from): Promise<string> {
  const dir = join(root, name);
  await cp(from, dir, { recursive: true, filter: (src) => !src.startsWith(join(from, 'node_modules')) && !src.startsWith(join(from, 'dist')) });
  expectOk(await sh('cp', ['-al', join(installed, 'node_modules'), join(dir, 'node_modules')], root), `node_modules for ${name}`);
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

  it.runIf(hasChromium)('create-vite react-ts: each web method added, built, served by vite preview and signed in in Chromium; one install', { timeout: 900_000 }, async (context) => {
    const made = await mkdtemp(join(root, 'made-'));
    expectOk(await sh(process.execPath, [join(REPO, 'node_modules/create-vite/index.js'), 'vite-app', '--template', 'react-ts', '--no-interactive'], made), 'create-vite');
    const pristine = join(made, 'vite-app');
    const installed = join(root, 'vite-app');
    await cp(pristine, installed, { recursive: true });
    for (const method of WEB_METHODS) {
      const dir = method === 'oauth-auth-code' ? installed : await sibling(pristine, `vite-${method}`, installed);
      const app = await addWeb(dir, method);
      if (dir === installed) {
        await install(dir); // once: the other methods borrow its node_modules
      }
      expectOk(await sh('npm', ['run', 'build'], dir, buildEnv(method, 'VITE_')), `npm run build (tsc -b && vite build) with ${method}`);
      const preview = start(join(dir, 'node_modules/.bin/vite'), ['preview', '--port', String(app.port), '--strictPort'], dir);
      running.push(preview);
      await waitForHttp(app.url, preview);
      await signIn(app, method, 'Get started', context);
      await preview.stop();
    }
  });

  it.runIf(hasChromium)('create-next-app, App Router and Pages Router: each web method added, next build, next start, signed in in Chromium; one install', { timeout: 1_200_000 }, async (context) => {
    const { expect } = context;
    const made = await mkdtemp(join(root, 'made-'));
    for (const [name, router] of [['next-app', '--app'], ['next-pages', '--no-app']] as const) {
      expectOk(await sh(process.execPath, [join(REPO, 'node_modules/create-next-app/dist/index.js'), name, router, ...CREATE_NEXT_APP], made, NEXT_ENV), `create-next-app ${router}`);
    }
    const installed = join(root, 'next-app');
    await cp(join(made, 'next-app'), installed, { recursive: true });
    const first = await addWeb(installed, 'oauth-auth-code');
    expect(await readFile(join(installed, 'medplum/MedplumAuth.tsx'), 'utf8')).toMatch(/^'use client';/);
    await install(installed);
    const server = await serveNext(installed, first, 'oauth-auth-code');
    // next build generated the types (LayoutProps) that a bare tsc needs.
    expectOk(await sh(join(installed, 'node_modules/.bin/tsc'), ['--noEmit'], installed), 'tsc --noEmit');
    await signIn(first, 'oauth-auth-code', NEXT_TEXT, context);
    await server.stop();

    // The other methods in the App Router, then the Pages Router, each in a copy that borrows its node_modules.
    const others = [...WEB_METHODS.filter((m) => m !== 'oauth-auth-code').map((m) => ['next-app', m] as const), ['next-pages', 'oauth-auth-code'] as const];
    for (const [scaffolded, method] of others) {
      const dir = await sibling(join(made, scaffolded), `${scaffolded}-${method}`, installed);
      // Its build cache too, as a CI keeps .next/cache between builds: Turbopack reuses what the first
      // build compiled (node_modules, mostly), a third of the CPU time of a build from nothing.
      await cp(join(installed, '.next/cache'), join(dir, '.next/cache'), { recursive: true });
      const app = await addWeb(dir, method);
      if (scaffolded === 'next-pages') {
        expect(await readFile(join(dir, 'pages/_app.tsx'), 'utf8')).toContain('<MedplumAuth><Component {...pageProps} /></MedplumAuth>');
      }
      const next = await serveNext(dir, app, method);
      await signIn(app, method, NEXT_TEXT, context);
      await next.stop();
    }
  });
});

/** The web methods `add` puts into a Vite or Next.js app; the first is the one whose project is installed. */
const WEB_METHODS = ['oauth-auth-code', 'google-auth', 'external-idp', 'domain-idp'] as const;
type WebMethod = (typeof WEB_METHODS)[number];

/** How each method is added and signed in, from its sign-in page to the app, as the starters' live tests drive it. */
interface BrowserPath {
  /** `add`'s flags for the method, beside --base-url and --client-id. */
  readonly args: () => string[];
  /** The ClientApplication's own settings. */
  readonly client?: { identityProvider: object };
  /** The control that shows the sign-in page is there. */
  readonly first: (page: Page) => Locator;
  /** From the sign-in page to the app. */
  readonly signIn: (page: Page) => Promise<void>;
  /** The client's sign-in requests to Medplum on the way (auth/me aside), besides the code at oauth2/token. */
  readonly requests: readonly string[];
}

const atIdp = async (page: Page, email: string) => {
  await page.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
};

const PATHS: Readonly<Record<WebMethod, BrowserPath>> = {
  // Medplum's SignInForm: email, Continue, password, Sign In (auth/login with PKCE).
  'oauth-auth-code': {
    args: () => ['-m', 'oauth-auth-code'],
    first: (page) => page.getByLabel('Email'),
    signIn: async (page) => {
      await page.getByLabel('Email').fill(ADA.email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByTestId('auth.password').fill(ADA.password);
      await page.getByRole('button', { name: 'Sign In' }).click();
    },
    requests: [], // auth/login names no client: the code redeemed for this client is what proves it
  },
  // SignInForm's Google button, with Google's script stubbed: it hands the page a credential signed with the double's test Google key.
  'google-auth': {
    args: () => ['-m', 'google-auth', '--google-client-id', GOOGLE_CLIENT_ID],
    first: (page) => page.getByRole('button', { name: 'Sign in with Google' }),
    signIn: async (page) => {
      const credential = medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: GRACE.email, name: 'Grace Hopper' });
      await page.evaluate((c) => void ((globalThis as unknown as { fakeGoogle: { credential: string } }).fakeGoogle.credential = c), credential);
      await page.getByRole('button', { name: 'Sign in with Google' }).click();
    },
    requests: ['POST /auth/google 200'],
  },
  // The app's SSO button, to the IdP (the double's), back through Medplum's auth/external.
  'external-idp': {
    args: () => ['-m', 'external-idp', '--idp', 'oidc', '--idp-client-id', medplum.idp.clientId],
    client: { identityProvider: {} },
    first: (page) => page.getByRole('button', { name: 'Sign in with SSO' }),
    signIn: async (page) => {
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      await atIdp(page, ALAN.email);
    },
    requests: ['GET /auth/external 302'],
  },
  // SignInForm with an SSO domain's email: auth/method sends the browser to the domain's IdP.
  'domain-idp': {
    args: () => ['-m', 'domain-idp'],
    first: (page) => page.getByLabel('Email'),
    signIn: async (page) => {
      await page.getByLabel('Email').fill(ALAN.email);
      await page.getByRole('button', { name: 'Continue' }).click();
      await atIdp(page, ALAN.email);
    },
    requests: ['GET /auth/external 302'],
  },
};

/**
 * What the build reads from the environment: without --idp-issuer, `add` leaves external-idp's authorize
 * URL empty in the env file for the user to fill in; the environment wins over the file (Vite and Next.js).
 */
const buildEnv = (method: WebMethod, prefix: 'VITE_' | 'NEXT_PUBLIC_'): NodeJS.ProcessEnv =>
  method === 'external-idp' ? { [`${prefix}IDP_AUTHORIZE_URL`]: medplum.idp.authorizeUrl } : {};

interface WebApp {
  readonly port: number;
  readonly url: string;
  readonly clientId: string;
}

/** `add` of a web method, with its own ClientApplication whose Redirect URI is the app's URL on a free port. */
async function addWeb(dir: string, method: WebMethod): Promise<WebApp> {
  const port = await freePort();
  const url = `http://localhost:${port}/`;
  const client = medplum.addClient({ name: basename(dir), redirectUris: [url], ...PATHS[method].client });
  await add(dir, [...PATHS[method].args(), '--client-id', client.id]);
  return { port, url, clientId: client.id };
}

/** `next build` and `next start`. Vitest sets NODE_ENV=test, in which Next.js skips .env.local; a real build runs in production. */
async function serveNext(dir: string, app: WebApp, method: WebMethod): Promise<Running> {
  const env = { ...NEXT_ENV, NODE_ENV: 'production' };
  expectOk(await sh(join(dir, 'node_modules/.bin/next'), ['build'], dir, { ...env, ...buildEnv(method, 'NEXT_PUBLIC_') }), `next build with ${method}`);
  const server = start(join(dir, 'node_modules/.bin/next'), ['start', '-p', String(app.port)], dir, env);
  running.push(server);
  await waitForHttp(app.url, server);
  return server;
}

/**
 * The method's sign-in in Chromium: the app's own content is hidden until the user has signed in,
 * a reload keeps the session, and the double saw the method's own requests and one code redeemed.
 */
async function signIn(app: WebApp, method: WebMethod, appText: string, { expect, onTestFailed }: TestContext): Promise<void> {
  const path = PATHS[method];
  const page = await (browser as Browser).newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => msg.type() === 'error' && problems.push(msg.text()));
  // What the page said, for a failure far from the browser.
  onTestFailed(async () => {
    console.error(`${method} at ${app.url}: ${problems.join('\n')}\n${await page.locator('body').innerText().catch(String)}`);
  });
  await page.route(GIS_SCRIPT, (route) => route.fulfill({ contentType: 'text/javascript', body: FAKE_GIS }));
  const since = medplum.log.length;
  await page.goto(app.url);
  await path.first(page).waitFor();
  expect(await page.getByText(appText).count()).toBe(0);
  await path.signIn(page);
  await expect.poll(() => page.getByText(appText).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.reload();
  await expect.poll(() => page.getByText(appText).count(), { timeout: 20_000 }).toBeGreaterThan(0);
  const requests = ofClient(app.clientId, since)
    .filter((e) => (e.path.startsWith('/auth/') && e.path !== '/auth/me') || e.path.startsWith('/oauth2/'))
    .map((e) => [e.method, e.path, e.grantType, e.status].filter(Boolean).join(' '));
  expect(requests).toEqual([...path.requests, 'POST /oauth2/token authorization_code 200']);
  await page.close();
}
