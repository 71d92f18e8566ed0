/**
 * The domain-idp starter, generated, installed, built and served by `vite preview`, in Debian's Chromium
 * against the Medplum test double, which also plays the domain's identity provider (under /idp/).
 * Both branches of the email-first form: an SSO domain (DomainConfiguration -> IdP -> auth/external -> app)
 * and a plain email (password sign-in, by a user who must enrol in MFA first).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble, totp, type MedplumDouble } from '../double/medplum-double.js';
import { freePort, scaffoldWeb, servePreview, type Running } from '../project.js';

const SSO_DOMAIN = 'corp.example';
const ADA = {
  email: `ada@${SSO_DOMAIN}`,
  password: 'never typed: the IdP signs Ada in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
};
const BOB = {
  email: 'bob@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Bob'], family: 'Builder' }] },
  mfaRequired: true,
};

let medplum: MedplumDouble;
let appUrl: string;
let clientId: string;
let root: string | undefined;
let preview: Running | undefined;
let browser: Browser | undefined;

// One generated app serves both branches: scaffold, install and build it once.
beforeAll(async () => {
  medplum = await startMedplumDouble({
    users: [ADA, BOB],
    externalIdp: { users: [{ email: ADA.email, name: 'Ada Lovelace' }] },
    domains: [{ domain: SSO_DOMAIN, identityProvider: {} }],
  });
  if (!hasChromium) {
    return;
  }
  const port = await freePort();
  appUrl = `http://localhost:${port}/`;
  clientId = medplum.addClient({ name: 'sso-portal', redirectUris: [appUrl] }).id;
  root = await mkdtemp(join(tmpdir(), 'cma-test-'));
  const dir = await scaffoldWeb(root, ['-m', 'domain-idp', '--base-url', medplum.baseUrl, '--client-id', clientId]);
  preview = await servePreview(dir, port);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await preview?.stop();
  await medplum?.close();
  if (root) {
    await rm(root, { recursive: true, force: true });
  }
});

/** The double's log since `since`, one "METHOD /path [grant] status" line per request. */
const logSince = (since: number): string[] =>
  medplum.log.slice(since).map((e) => [e.method, e.path, e.grantType, e.status].filter(Boolean).join(' '));

// Skipped on a machine without Chromium, except in CI, where its absence fails the test.
describe.runIf(hasChromium)('domain-idp against the Medplum test double', () => {
  it('an SSO-domain email goes to the domain IdP, back through auth/external, and ends signed in', { timeout: 60_000 }, async ({ expect }) => {
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByRole('button', { name: 'Next' }).click();

    // At the IdP: its own parameters from auth/method, plus the app's state with the PKCE challenge.
    await page.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${medplum.baseUrl}auth/external`);
    expect(authorize.searchParams.get('client_id')).toBe(medplum.idp.clientId);
    const state = JSON.parse(authorize.searchParams.get('state') ?? '{}') as Record<string, unknown>;
    expect(state).toMatchObject({ domain: SSO_DOMAIN, clientId, redirectUri: appUrl, codeChallengeMethod: 'S256' });
    expect(state.codeChallenge).toMatch(/^[\w-]{43}$/);
    expect(state).not.toHaveProperty('codeVerifier');

    await page.getByLabel('Email').fill(ADA.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 15_000 }).toContain('Ada Lovelace');
    expect(page.url()).toBe(appUrl); // code and login are gone from the address bar

    const log = logSince(since);
    expect(log).toContain('POST /auth/method 200');
    expect(log).toContain('GET /auth/external 302');
    expect(log.filter((e) => e.includes('/oauth2/token'))).toEqual(['POST /oauth2/token authorization_code 200']);
    expect(log.some((e) => e.includes('/auth/login'))).toBe(false); // no password anywhere

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Next' }).waitFor();
    expect(logSince(since)).toContain('POST /oauth2/logout 200');
    await page.close();
  });

  it('a plain email falls back to the password step; MFA enrolment (QR code, first code); signed in', { timeout: 60_000 }, async ({ expect }) => {
    const page = await (browser as Browser).newPage();
    const since = medplum.log.length;

    await page.goto(appUrl);
    await page.getByLabel('Email').fill(BOB.email);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toBe('Email or password is invalid');

    await page.getByLabel('Password').fill(BOB.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // MFA is required and not set up: the QR code of a new secret, then the first code enrols and signs in.
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await page.getByLabel('MFA code').fill(totp(medplum.user(BOB.email).mfaSecret ?? ''));
    await page.getByRole('button', { name: 'Enroll' }).click();
    await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 15_000 }).toContain('Bob Builder');
    expect(new URL(page.url()).origin + '/').toBe(appUrl); // never left the app

    expect(logSince(since).filter((e) => !e.startsWith('GET /auth/me') && !e.startsWith('GET /fhir/'))).toEqual([
      'POST /auth/method 200',
      'POST /auth/login 400',
      'POST /auth/login 200',
      'POST /auth/mfa/login-enroll 200',
      'POST /oauth2/token authorization_code 200',
    ]);
    expect(medplum.user(BOB.email).mfaEnrolled).toBe(true);
    expect(medplum.log.slice(since).some((e) => e.path.startsWith('/idp/') || e.path === '/auth/external')).toBe(false);
    await page.close();
  });
});
