/**
 * The Expo starters (--platform mobile), installed once: oauth-auth-code's install, whose node_modules the
 * others borrow (hard links; their package.json is the same). Each typechecks and passes its own tests, the
 * pins are the ones `npx expo install` picks, and each web target, exported by `expo export` and served
 * statically, signs in against the Medplum test double in Chromium the way a phone does: oauth-auth-code
 * with email, password, MFA code, project chooser, reload, sign-out; google-auth with Google's page
 * (a stand-in) and auth/google; external-idp and domain-idp through the double's IdP and auth/external,
 * each in the popup that plays the phone's system browser. No device build runs here.
 */
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { EXPO_VERSIONS } from '../../src/scaffold/versions.js';
import { startMedplumDouble, type DoubleClient, type MedplumDouble } from '../double/medplum-double.js';
import { totp } from '../double/totp.js';
import { HOSTILE, tempDir } from '../helpers.js';
import { BIN, expectOk, freePort, scaffold, sh } from '../project.js';

const MFA_SECRET = 'JBSWY3DPEHPK3PXP';
const PATIENT = { resourceType: 'Patient', id: '5d0c3b7e-2a9f-4c1d-8e6b-0f4a7c2e9b13', name: [{ given: ['Grace'], family: 'Hopper' }] };
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
  mfaSecret: MFA_SECRET,
};
const MARY = { email: 'mary@example.com', password: 'another long password', profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Mary'], family: 'Jackson' }] } };
const GRACE = { email: 'grace@example.com', password: 'unused: Grace signs in with Google', profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] } };
const SSO_DOMAIN = 'corp.example';
const KATHERINE = { email: `katherine@${SSO_DOMAIN}`, password: 'unused: Katherine signs in at her IdP', profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Katherine'], family: 'Johnson' }] } };
const GOOGLE_CLIENT_ID = '314159265358-mobilelivetest.apps.googleusercontent.com';
/** Expo CLI must not reach its servers: only the npm registry is reachable here, and a pipeline may have less. */
const EXPO_ENV = { EXPO_OFFLINE: '1', EXPO_NO_TELEMETRY: '1' };

let medplum: MedplumDouble;
let client: DoubleClient;
let dir: string;

beforeAll(async () => {
  medplum = await startMedplumDouble({
    resources: [PATIENT],
    users: [GRACE, KATHERINE],
    google: { clientIds: [GOOGLE_CLIENT_ID] },
    externalIdp: { users: [{ email: KATHERINE.email, name: 'Katherine Johnson' }] },
    domains: [{ domain: SSO_DOMAIN, identityProvider: {} }],
  });
  // Two memberships in the client's project: Medplum asks which one (a client fixes the project).
  medplum.addUser({ ...ADA, projects: [medplum.project.id, medplum.project.id] });
  medplum.addUser(MARY);
  client = medplum.addClient({ name: 'phone' });
  const cwd = await mkdtemp(join(tmpdir(), 'cma-mobile-'));
  const started = Date.now();
  dir = await scaffold(cwd, ['-m', 'oauth-auth-code', '--platform', 'mobile', '--base-url', medplum.baseUrl, '--client-id', client.id]);
  console.info(`mobile starter: scaffold + npm install ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return () => rm(cwd, { recursive: true, force: true });
}, 400_000);
afterAll(() => medplum?.close());

describe('the Expo starter (oauth-auth-code --platform mobile)', () => {
  it('typechecks and passes its own tests', { timeout: 120_000 }, async () => {
    await expectOwnChecks(dir);
    // One @medplum/core: the override makes @medplum/expo-polyfills use the app's version 5.
    const tree = await sh('npm', ['ls', '@medplum/core', '--all', '--parseable'], dir);
    expect(new Set(tree.stdout.trim().split('\n').filter((line) => line.endsWith('@medplum/core')))).toEqual(new Set([join(dir, 'node_modules/@medplum/core')]));
  });

  it("pins what `npx expo install` picks, from the installed expo's bundledNativeModules.json", async () => {
    const bundled = JSON.parse(await readFile(join(dir, 'node_modules/expo/bundledNativeModules.json'), 'utf8')) as Record<string, string>;
    const differing = Object.entries(EXPO_VERSIONS)
      .filter(([name, pin]) => name in bundled && bundled[name] !== pin)
      .map(([name]) => name);
    // The registry serves no SDK 58 build of these yet (see EXPO_VERSIONS); every other pin matches.
    expect(differing.sort()).toEqual(['expo-auth-session', 'expo-crypto', 'expo-secure-store', 'expo-web-browser']);
  });

  it('@medplum/expo-polyfills runs @medplum/core 5 as on a phone: PKCE on expo-crypto, the session in the secure store, restored', async () => {
    // The starter's own polyfills and src/password.ts, in Node, with stand-ins for the native modules (test/mobile/).
    await cp(new URL('../mobile/', import.meta.url), join(dir, 'native-test'), { recursive: true });
    const run = await sh(process.execPath, ['--import', './native-test/native-hooks.mjs', './native-test/native-session.mjs', medplum.baseUrl, client.id, MARY.email, MARY.password], dir);
    expectOk(run, 'native-session.mjs');
    const mary = medplum.user(MARY.email).memberships[0]?.profile.reference;
    expect(JSON.parse(run.stdout)).toEqual({
      step: 'signed-in',
      digests: 1, // the S256 challenge, hashed by expo-crypto's digest
      keychainKeys: expect.arrayContaining(['___keys___', 'activeLogin']),
      signedInAs: mary,
      restored: mary, // a new client on a new ExpoClientStorage resumed the session from the secure store
    });
  });

  it("writes .env values that Expo's own reader (@expo/env) gets back exactly", async ({ onTestFinished }) => {
    const cwd = await tempDir(onTestFinished);
    const args = ['hostile', '-m', 'oauth-auth-code', '--platform', 'mobile', '--base-url', HOSTILE.baseUrl, '--client-id', HOSTILE.clientId, '--no-install', '--no-git'];
    expectOk(await sh(process.execPath, [BIN, ...args], cwd), 'create-medplum-auth');
    // With the installed project's @expo/env, the reader `expo start` and `expo export` use.
    const read = `console.log(JSON.stringify(require('@expo/env').parseProjectEnv(process.argv[1], { silent: true, systemEnv: {} }).env))`;
    const parsed = await sh(process.execPath, ['-e', read, join(cwd, 'hostile')], dir);
    expectOk(parsed, '@expo/env');
    expect(JSON.parse(parsed.stdout)).toEqual({
      EXPO_PUBLIC_MEDPLUM_BASE_URL: `${new URL(HOSTILE.baseUrl).href}/`,
      EXPO_PUBLIC_MEDPLUM_CLIENT_ID: HOSTILE.clientId,
    });
  });

  // Skipped on a machine without Chromium, except in CI, where its absence fails the test.
  it.runIf(hasChromium)(
    "its web export signs in with email, password, MFA and the project chooser; a reload keeps the session; sign-out ends it; then Medplum's own page signs in",
    { timeout: 400_000 },
    async () => {
      const appUrl = await serveWebExport(dir);
      const page = await openPage();
      const logins: unknown[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/auth/login')) {
          logins.push(request.postDataJSON());
        }
      });
      const since = medplum.log.length;

      await page.goto(appUrl);
      await page.getByLabel('Email').fill(ADA.email);
      await page.getByLabel('Password').fill(ADA.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByLabel('Code from your authenticator app').fill(totp(MFA_SECRET));
      await page.getByRole('button', { name: 'Verify' }).click();
      const memberships = medplum.user(ADA.email).memberships;
      const choices = page.getByRole('button', { name: 'Test Project · Ada Lovelace' });
      await expect.poll(() => choices.count(), { timeout: 15_000 }).toBe(memberships.length);
      await choices.nth(1).click();
      const signedIn = page.getByText('Signed in as Ada Lovelace');
      await signedIn.waitFor({ timeout: 15_000 });
      await page.getByText('Grace Hopper').waitFor();

      expect(logins).toEqual([expect.objectContaining({ email: ADA.email, clientId: client.id, codeChallengeMethod: 'S256' })]);
      const steps = medplum.log.slice(since).filter((e) => e.path.startsWith('/auth/') || e.path.startsWith('/oauth2/'));
      expect(steps.map((e) => `${e.method} ${e.path} ${e.status}`).slice(0, 4)).toEqual([
        'POST /auth/login 200',
        'POST /auth/mfa/verify 200',
        'POST /auth/profile 200',
        'POST /oauth2/token 200', // the double checks the verifier against the S256 challenge
      ]);

      // A reload keeps the session (on the web the secure store's stand-in is localStorage).
      await page.reload();
      await signedIn.waitFor({ timeout: 15_000 });

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Open Medplum sign-in' }).waitFor();
      expect(medplum.log.slice(since).some((e) => e.path === '/oauth2/logout' && e.status === 200)).toBe(true);
      await page.reload();
      await page.getByLabel('Email').waitFor();
      expect(await signedIn.count()).toBe(0);

      // "Open Medplum sign-in": expo-auth-session opens /oauth2/authorize in a popup on the web, which
      // sends it on to the Medplum app's /oauth page (the double's stand-in), query unchanged; signed in
      // there, it comes back to the app's redirect URI (on the web, its origin) with a code.
      const redirectUri = appUrl;
      medplum.updateClient(client.id, { redirectUris: [redirectUri] });
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Open Medplum sign-in' }).click()]);
      await popup.waitForURL((url) => url.pathname === '/app/oauth');
      const authorize = new URL(popup.url());
      expect(Object.fromEntries(['client_id', 'redirect_uri', 'code_challenge_method'].map((k) => [k, authorize.searchParams.get(k)]))).toEqual({
        client_id: client.id,
        redirect_uri: redirectUri,
        code_challenge_method: 'S256',
      });
      await popup.getByLabel('Email').fill(MARY.email);
      await popup.getByLabel('Password').fill(MARY.password);
      await popup.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in as Mary Jackson').waitFor({ timeout: 15_000 });
    },
  );
});

// The other methods' starters, each on oauth-auth-code's install; skipped like the test above.
describe.runIf(hasChromium)('the Expo starters of google-auth, external-idp and domain-idp', () => {
  it("google-auth: Google's page (a stand-in) hands back an ID token, which auth/google turns into a session", { timeout: 400_000 }, async () => {
    const client = medplum.addClient({ name: 'google-phone' });
    const app = await sibling(['-m', 'google-auth', '--client-id', client.id, '--google-client-id', GOOGLE_CLIENT_ID]);
    await expectOwnChecks(app);
    const appUrl = await serveWebExport(app);
    const page = await openPage();

    // Google's authorize page, in the popup: it sends the browser back with an ID token that the double's test key signed.
    let credential = medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: 'stranger@example.com' });
    const asked: URL[] = [];
    await page.context().route('https://accounts.google.com/**', (route) => {
      const ask = new URL(route.request().url());
      asked.push(ask);
      const back = `${ask.searchParams.get('redirect_uri')}#${new URLSearchParams({ id_token: credential, state: ask.searchParams.get('state') ?? '' })}`;
      return route.fulfill({ status: 302, headers: { location: back } });
    });
    const since = medplum.log.length;
    await page.goto(appUrl);
    const googleButton = page.getByRole('button', { name: 'Sign in with Google' });

    // A Google account with no Medplum user: Medplum refuses it, the app says so.
    await googleButton.click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toBe('User not found');

    // Grace's: the ID token goes to auth/google, its code to oauth2/token.
    credential = medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: GRACE.email, name: 'Grace Hopper' });
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${medplum.baseUrl}auth/google`);
    await googleButton.click();
    expect((await posted).postDataJSON()).toMatchObject({ googleClientId: GOOGLE_CLIENT_ID, googleCredential: credential, clientId: client.id, codeChallengeMethod: 'S256' });
    await page.getByText('Signed in as Grace Hopper').waitFor({ timeout: 15_000 });

    const google = ['https://accounts.google.com/o/oauth2/v2/auth', GOOGLE_CLIENT_ID, 'id_token'];
    expect(asked.map((ask) => [ask.origin + ask.pathname, ask.searchParams.get('client_id'), ask.searchParams.get('response_type')])).toEqual([google, google]);
    expect(authSteps(since)).toEqual(['POST /auth/google 400', 'POST /auth/google 200', 'POST /oauth2/token 200']);
  });

  it("external-idp: the IdP's page in the popup, back through auth/external with a code for the app's verifier", { timeout: 400_000 }, async () => {
    const client = medplum.addClient({ name: 'sso-phone', identityProvider: {} });
    const app = await sibling(['-m', 'external-idp', '--client-id', client.id, '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', medplum.idp.clientId]);
    // The user fills in what the CLI could not know: here, the double's IdP.
    await setEnv(app, 'EXPO_PUBLIC_IDP_AUTHORIZE_URL', medplum.idp.authorizeUrl);
    await expectOwnChecks(app);

    // On a "phone" first (test/mobile/): Medplum sends the browser to the app's scheme, and the code signs in.
    medplum.updateClient(client.id, { redirectUris: ['app://'] });
    await cp(new URL('../mobile/', import.meta.url), join(app, 'native-test'), { recursive: true });
    const args = [medplum.baseUrl, client.id, medplum.idp.authorizeUrl, medplum.idp.clientId, KATHERINE.email];
    const phone = await sh(process.execPath, ['--import', './native-test/native-hooks.mjs', './native-test/native-sso.mjs', ...args], app);
    expectOk(phone, 'native-sso.mjs');
    expect(JSON.parse(phone.stdout)).toEqual({
      returnedTo: 'app:',
      step: 'signed-in',
      digests: 1, // the S256 challenge in state, hashed by expo-crypto's digest
      keychainKeys: expect.arrayContaining(['___keys___', 'activeLogin']),
      signedInAs: medplum.user(KATHERINE.email).memberships[0]?.profile.reference,
    });

    const appUrl = await serveWebExport(app);
    medplum.updateClient(client.id, { redirectUris: [appUrl] });
    const page = await openPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    const popup = await signInAtIdp(page, page.getByRole('button', { name: 'Sign in with SSO' }), KATHERINE.email, { clientId: client.id, redirectUri: appUrl });
    await page.getByText('Signed in as Katherine Johnson').waitFor({ timeout: 20_000 });
    expect(popup.isClosed()).toBe(true);
    expect(authSteps(since)).toEqual(['GET /auth/external 302', 'POST /oauth2/token 200']);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
  });

  it('domain-idp: an SSO-domain email goes to its IdP in the popup; any other email to the password', { timeout: 400_000 }, async () => {
    const client = medplum.addClient({ name: 'domain-phone' });
    const app = await sibling(['-m', 'domain-idp', '--client-id', client.id]);
    await expectOwnChecks(app);
    const appUrl = await serveWebExport(app);
    medplum.updateClient(client.id, { redirectUris: [appUrl] });
    const page = await openPage();
    let since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(KATHERINE.email);
    const state = { domain: SSO_DOMAIN, clientId: client.id, redirectUri: appUrl };
    await signInAtIdp(page, page.getByRole('button', { name: 'Next' }), KATHERINE.email, state);
    await page.getByText('Signed in as Katherine Johnson').waitFor({ timeout: 20_000 });
    expect(authSteps(since)).toEqual(['POST /auth/method 200', 'GET /auth/external 302', 'POST /oauth2/token 200']);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // The screen changes before signOut's POST to oauth2/logout lands; wait for it, so it is not counted below.
    await expect.poll(() => authSteps(since).at(-1), { timeout: 10_000 }).toBe('POST /oauth2/logout 200');

    since = medplum.log.length;
    await page.getByLabel('Email').fill(MARY.email);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill(MARY.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Signed in as Mary Jackson').waitFor({ timeout: 15_000 });
    expect(authSteps(since)).toEqual(['POST /auth/method 200', 'POST /auth/login 200', 'POST /oauth2/token 200']);
  });
});

/** Another Expo starter on the one install: scaffolded without installing, then oauth-auth-code's node_modules hard-linked in. */
async function sibling(args: readonly string[]): Promise<string> {
  const cwd = await tempDir();
  const app = await scaffold(cwd, [...args, '--platform', 'mobile', '--base-url', medplum.baseUrl, '--no-install']);
  expectOk(await sh('cp', ['-al', join(dir, 'node_modules'), join(app, 'node_modules')], cwd), 'cp -al node_modules');
  return app;
}

async function expectOwnChecks(app: string): Promise<void> {
  expectOk(await sh('npm', ['run', 'typecheck'], app), 'npm run typecheck');
  const tests = await sh('npm', ['test'], app);
  expectOk(tests, 'npm test');
  expect(tests.stdout).toMatch(/# pass [1-9]/);
  expect(tests.stdout).toMatch(/# fail 0/);
}

/** Sets one value in the project's .env, as the user would. */
async function setEnv(app: string, name: string, value: string): Promise<void> {
  const file = join(app, '.env');
  const text = await readFile(file, 'utf8');
  expect(text).toMatch(new RegExp(`^${name}=`, 'm'));
  await writeFile(file, text.replace(new RegExp(`^${name}=.*$`, 'm'), `${name}='${value}'`));
}

/** `expo export --platform web`, served statically on a free port; the app's address (its redirect URI on the web). */
async function serveWebExport(app: string): Promise<string> {
  const started = Date.now();
  expectOk(await sh('npm', ['run', 'build'], app, EXPO_ENV), 'npm run build (expo export --platform web)');
  console.info(`mobile starter: expo export --platform web ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const port = await freePort();
  const server = await serveStatic(join(app, 'dist'), port);
  onTestFinished(() => void server.close());
  return `http://localhost:${port}`;
}

async function openPage(): Promise<Page> {
  const browser: Browser = await launchChromium();
  onTestFinished(() => browser.close());
  return browser.newPage();
}

/**
 * Clicks `start`, which opens the IdP in a popup (the phone's system browser), checks what the IdP is asked
 * for, and signs in there; the double's Medplum then sends the popup back to the app.
 */
async function signInAtIdp(page: Page, start: Locator, email: string, state: Record<string, string>): Promise<Page> {
  const [popup] = await Promise.all([page.waitForEvent('popup'), start.click()]);
  await popup.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
  const authorize = new URL(popup.url());
  expect(authorize.searchParams.get('client_id')).toBe(medplum.idp.clientId);
  expect(authorize.searchParams.get('redirect_uri')).toBe(`${medplum.baseUrl}auth/external`);
  expect(authorize.searchParams.get('code_challenge')).toBeNull();
  expect(JSON.parse(authorize.searchParams.get('state') ?? '{}')).toEqual({ ...state, codeChallenge: expect.stringMatching(/^[\w-]{43}$/), codeChallengeMethod: 'S256' });
  await popup.getByLabel('Email').fill(email);
  await popup.getByRole('button', { name: 'Sign in' }).click();
  return popup;
}

/** The double's auth/ and oauth2/ requests since `since`, as "METHOD /path status". */
const authSteps = (since: number): string[] =>
  medplum.log
    .slice(since)
    .filter((e) => e.path.startsWith('/auth/') && e.path !== '/auth/me' || e.path.startsWith('/oauth2/'))
    .map((e) => `${e.method} ${e.path} ${e.status}`);

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.css': 'text/css' };

/** `dist/` as a static host serves a single-page app: its files, and index.html for any other path. */
async function serveStatic(root: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path);
    const target = file.startsWith(root) && extname(file) && existsSync(file) ? file : join(root, 'index.html');
    readFile(target).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(target)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
