/**
 * The medplum UI (the default) of the four web starters, generated, installed, built and served by
 * `vite preview`, in Debian's Chromium against the Medplum test double. The sign-in is Medplum's own
 * `SignInForm`: email, password, an MFA code and the project chooser; Google (its script stubbed as in
 * live-google-auth.test.ts); a domain's IdP through auth/method; and external-idp's SSO button.
 * Every Medplum request is real, to the double, which also plays the identity provider.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it, type ExpectStatic } from 'vitest';
import { FAKE_GIS, GIS_SCRIPT } from '../browser.js';
import { startMedplumDouble, totp, type MedplumDouble } from '../double/medplum-double.js';
import { expectOk, freePort, scaffold, sh, start, waitForHttp, type Running } from '../project.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM) || Boolean(process.env.CI);
const GOOGLE_CLIENT_ID = '271828182845-medplumui.apps.googleusercontent.com';
const SSO_DOMAIN = 'corp.example';
const SECOND = { id: '5d0a2c4e-8f61-4b3a-9d7e-2c1b0a9f8e7d', name: 'Second Clinic' };
const MFA_SECRET = 'JBSWY3DPEHPK3PXP';

/** In two projects, with MFA: the password path meets the MFA form, then the project chooser. */
const ADA = {
  email: 'ada@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
  mfaSecret: MFA_SECRET,
};
const GRACE = {
  email: 'grace@example.com',
  password: 'unused by google sign-in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] },
};
const ALAN = {
  email: `alan@${SSO_DOMAIN}`,
  password: 'never typed: the IdP signs Alan in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Alan'], family: 'Turing' }] },
};
/** Must use MFA, not enrolled yet: SignInForm enrols him on the way in. */
const BOB = {
  email: 'bob@example.com',
  password: 'another long password',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Bob'], family: 'Kahn' }] },
  mfaRequired: true,
};
/** Only in the second project, so that seeing him proves the chooser's choice. */
const PATIENT = {
  resourceType: 'Patient' as const,
  id: '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f',
  name: [{ given: ['Katherine'], family: 'Johnson' }],
  meta: { project: SECOND.id },
};


let medplum: MedplumDouble;
let root: string;
let browser: Browser | undefined;
const previews: Running[] = [];
/** The four apps, served at once; the tests then run one at a time, each reading the double's log. */
let apps: Record<'portal' | 'google' | 'sso' | 'external', { appUrl: string; clientId?: string }>;

beforeAll(async () => {
  medplum = await startMedplumDouble({
    projects: [{ name: 'First Clinic' }, SECOND],
    users: [GRACE, ALAN, BOB],
    resources: [PATIENT],
    google: { clientIds: [GOOGLE_CLIENT_ID] },
    externalIdp: { users: [{ email: ALAN.email, name: 'Alan Turing' }] },
    domains: [{ domain: SSO_DOMAIN, identityProvider: {} }],
  });
  medplum.addUser({ ...ADA, projects: [medplum.project.id, SECOND.id] });
  root = await mkdtemp(join(tmpdir(), 'cma-test-'));
  if (!hasChromium) {
    return;
  }
  // Without --idp-issuer the IdP's authorize URL is left for .env; the build gets it from the environment.
  const external = ['-m', 'external-idp', '--idp', 'oidc', '--idp-client-id', medplum.idp.clientId];
  const [portal, google, sso, ext] = await Promise.all([
    serve('portal', ['-m', 'oauth-auth-code']),
    serve('google', ['-m', 'google-auth', '--google-client-id', GOOGLE_CLIENT_ID], {}),
    serve('sso', ['-m', 'domain-idp'], {}),
    serve('external', external, { identityProvider: {} }, { VITE_IDP_AUTHORIZE_URL: medplum.idp.authorizeUrl }),
  ]);
  apps = { portal, google, sso, external: ext };
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(previews.map((p) => p.stop()));
  await medplum?.close();
  await rm(root, { recursive: true, force: true });
}, 60_000);

/**
 * Scaffolds a web starter in its default UI, builds it and serves it on a free port. `client` adds a
 * ClientApplication whose Redirect URI is the app's URL; without it the app signs in with no client ID.
 */
async function serve(
  name: string,
  args: readonly string[],
  client?: { identityProvider?: object },
  buildEnv: NodeJS.ProcessEnv = {},
): Promise<{ appUrl: string; clientId?: string }> {
  const port = await freePort();
  const appUrl = `http://localhost:${port}/`;
  const clientId = client && medplum.addClient({ name, redirectUris: [appUrl], ...client }).id;
  const cwd = await mkdtemp(join(root, `${name}-`));
  const dir = await scaffold(cwd, [...args, '--base-url', medplum.baseUrl, ...(clientId ? ['--client-id', clientId] : [])]);
  expectOk(await sh('npm', ['run', 'build'], dir, buildEnv), 'npm run build');
  const preview = start(join(dir, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort'], dir);
  previews.push(preview);
  await waitForHttp(appUrl, preview);
  return { appUrl, clientId };
}

/** The double's log since `since`, one "METHOD /path [grant] status" line per request. */
const logSince = (since: number): string[] =>
  medplum.log.slice(since).map((e) => [e.method, e.path, e.grantType, e.status].filter(Boolean).join(' '));

const signedInAs = (page: Page) => page.getByText('Signed in as').textContent();

async function signOut(page: Page, expect: ExpectStatic, since: number): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  expect(logSince(since)).toContain('POST /oauth2/logout 200');
}

describe.runIf(hasChromium)('the medplum UI against the Medplum test double', () => {
  it('oauth-auth-code: email, password, an MFA code, the project chooser, signed in, reload, sign out', { timeout: 60_000 }, async ({ expect }) => {
    const { appUrl } = apps.portal;
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('auth.password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign In' }).click();
    await expect.poll(() => page.getByText('Email or password is invalid').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByTestId('auth.password').fill(ADA.password);
    await page.getByRole('button', { name: 'Sign In' }).click();

    // MFA: a wrong code is refused, the current TOTP code passes.
    await page.getByLabel('MFA code').fill('000000');
    await page.getByRole('button', { name: 'Submit code' }).click();
    await expect.poll(() => page.getByText('Invalid MFA token').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.getByLabel('MFA code').fill(totp(MFA_SECRET));
    await page.getByRole('button', { name: 'Submit code' }).click();

    // The project chooser lists both of Ada's projects; she picks the second.
    await page.getByRole('heading', { name: 'Choose a Project' }).waitFor();
    expect(await page.getByRole('option').allTextContents()).toEqual([expect.stringContaining('First Clinic'), expect.stringContaining('Second Clinic')]);
    await page.getByRole('option', { name: /Second Clinic/ }).click();

    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toBe('Signed in as Ada Lovelace (Second Clinic)');
    await page.getByText('Katherine Johnson').waitFor(); // the second project's Patient
    const signIn = logSince(since).filter((e) => (e.includes('/auth/') || e.includes('/oauth2/')) && !e.startsWith('GET /auth/me'));
    expect(signIn).toEqual([
      'POST /auth/method 200',
      'POST /auth/login 400',
      'POST /auth/login 200',
      'POST /auth/mfa/verify 400',
      'POST /auth/mfa/verify 200',
      'POST /auth/profile 200',
      'POST /oauth2/token authorization_code 200',
    ]);

    await page.reload();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toBe('Signed in as Ada Lovelace (Second Clinic)');
    await signOut(page, expect, since);
    await page.reload();
    await page.getByLabel('Email').waitFor(); // the session is gone for good
    await page.close();
  });

  it('oauth-auth-code: a user who must use MFA enrols on the way in, with a code from the QR code', { timeout: 60_000 }, async ({ expect }) => {
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;
    await page.goto(apps.portal.appUrl);
    await page.getByLabel('Email').fill(BOB.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('auth.password').fill(BOB.password);
    await page.getByRole('button', { name: 'Sign In' }).click();
    await page.getByRole('heading', { name: 'Enroll in MFA' }).waitFor();
    await page.getByRole('img', { name: 'Multi Factor Auth QR Code' }).waitFor();
    await page.getByLabel('MFA code').fill(totp(medplum.user(BOB.email).mfaSecret as string));
    await page.getByRole('button', { name: 'Enroll' }).click();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Bob Kahn');
    expect(medplum.user(BOB.email).mfaEnrolled).toBe(true);
    expect(logSince(since)).toContain('POST /auth/mfa/login-enroll 200');
    await signOut(page, expect, since);
    await page.close();
  });

  it('google-auth: the Google button, signed in, reload, sign out', { timeout: 60_000 }, async ({ expect }) => {
    const { appUrl, clientId } = apps.google;
    const page = await (browser as Browser).newPage();
    await page.route(GIS_SCRIPT, (route) => route.fulfill({ contentType: 'text/javascript', body: FAKE_GIS }));
    const since = medplum.log.length;

    await page.goto(appUrl);
    const credential = medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: GRACE.email, name: 'Grace Hopper' });
    await page.getByRole('button', { name: 'Sign in with Google' }).waitFor();
    await page.evaluate((c) => void ((globalThis as unknown as { fakeGoogle: { credential: string } }).fakeGoogle.credential = c), credential);
    const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${medplum.baseUrl}auth/google`);
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    expect(JSON.parse((await posted).postData() ?? '{}')).toMatchObject({ googleClientId: GOOGLE_CLIENT_ID, googleCredential: credential, clientId, codeChallengeMethod: 'S256' });
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Grace Hopper');
    expect(logSince(since).filter((e) => e.includes('/oauth2/token'))).toEqual(['POST /oauth2/token authorization_code 200']);

    await page.reload();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Grace Hopper');
    await signOut(page, expect, since);
    await page.close();
  });

  it("domain-idp: an SSO domain's email goes to its IdP, back through Medplum, and the code is redeemed once", { timeout: 60_000 }, async ({ expect }) => {
    const { appUrl, clientId } = apps.sso;
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(ALAN.email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
    const state = JSON.parse(new URL(page.url()).searchParams.get('state') ?? '{}') as Record<string, unknown>;
    expect(state).toMatchObject({ domain: SSO_DOMAIN, clientId, redirectUri: appUrl, codeChallengeMethod: 'S256' });

    await page.getByLabel('Email').fill(ALAN.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Alan Turing');
    expect(page.url()).toBe(appUrl); // code and login are gone from the address bar
    const log = logSince(since);
    expect(log).toContain('GET /auth/external 302');
    expect(log.filter((e) => e.includes('/oauth2/token'))).toEqual(['POST /oauth2/token authorization_code 200']);
    expect(log.some((e) => e.includes('/auth/login'))).toBe(false); // no password anywhere

    await page.reload();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Alan Turing');
    expect(logSince(since).filter((e) => e.includes('/oauth2/token'))).toHaveLength(1);
    await signOut(page, expect, since);
    await page.close();
  });

  it('external-idp: Sign in with SSO, at the IdP, back through Medplum, signed in, reload, sign out', { timeout: 60_000 }, async ({ expect }) => {
    const { appUrl, clientId } = apps.external;
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${medplum.baseUrl}auth/external`);
    expect(authorize.searchParams.get('code_challenge')).toBeNull();
    expect(JSON.parse(authorize.searchParams.get('state') ?? '{}')).toMatchObject({ clientId, redirectUri: appUrl, codeChallengeMethod: 'S256' });

    await page.getByLabel('Email').fill(ALAN.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Alan Turing');
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    await expect.poll(() => signedInAs(page), { timeout: 15_000 }).toContain('Alan Turing');
    expect(logSince(since).filter((e) => e.includes('/oauth2/token'))).toEqual(['POST /oauth2/token authorization_code 200']);
    await signOut(page, expect, since);
    await page.close();
  });
});
