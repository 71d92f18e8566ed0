/**
 * The google-auth starter, generated, installed, built and served by `vite preview`, in Debian's Chromium
 * against the Medplum test double. Only Google is stubbed: Playwright serves a tiny stand-in for
 * https://accounts.google.com/gsi/client whose button hands the page a credential signed with the
 * double's test Google key. Every Medplum request is real, to the double.
 */
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { freePort, scaffoldWeb, servePreview } from '../project.js';

const GIS_SCRIPT = 'https://accounts.google.com/gsi/client';
const GOOGLE_CLIENT_ID = '271828182845-starterlivetest.apps.googleusercontent.com';
const GRACE = {
  email: 'grace@example.com',
  password: 'unused by google sign-in',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] },
};

/**
 * A stand-in for Google Identity Services with the two calls the starter makes. Its button calls the
 * registered callback with `window.fakeGoogle.credential`, which the test sets; it records what the app did.
 */
const FAKE_GIS = `
window.fakeGoogle = { credential: '', initializedWith: [] };
window.google = { accounts: { id: (() => {
  let callback;
  return {
    initialize(options) {
      window.fakeGoogle.initializedWith.push(options.client_id);
      callback = options.callback;
    },
    renderButton(parent) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Sign in with Google';
      button.onclick = () => callback({ credential: window.fakeGoogle.credential, select_by: 'btn' });
      parent.append(button); // append, not replace: a second render would show a second button
    },
  };
})() } };
`;

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [GRACE], google: { clientIds: [GOOGLE_CLIENT_ID] } });
});
afterAll(() => medplum?.close());

describe('google-auth against the Medplum test double', () => {
  it.runIf(hasChromium)(
    'posts the Google credential to auth/google, ends signed in, and signs out',
    { timeout: 300_000 },
    async ({ expect, onTestFinished }) => {
      const port = await freePort();
      const appUrl = `http://localhost:${port}/`;
      const client = medplum.addClient({ name: 'google-portal', redirectUris: [appUrl] });
      const dir = await scaffoldWeb(await tempDir(onTestFinished), [
        '-m',
        'google-auth',
        '--ui',
        'plain',
        '--base-url',
        medplum.baseUrl,
        '--client-id',
        client.id,
        '--google-client-id',
        GOOGLE_CLIENT_ID,
      ]);
      const preview = await servePreview(dir, port);
      onTestFinished(() => void preview.stop());

      const browser = await launchChromium();
      onTestFinished(() => browser.close());
      const page = await browser.newPage();
      await page.route(GIS_SCRIPT, (route) => route.fulfill({ contentType: 'text/javascript', body: FAKE_GIS }));
      const since = medplum.log.length;

      await page.goto(appUrl);
      const googleButton = page.getByRole('button', { name: 'Sign in with Google' });
      await googleButton.waitFor();
      expect(await page.evaluate(() => (globalThis as unknown as FakeGoogleWindow).fakeGoogle.initializedWith)).toEqual([GOOGLE_CLIENT_ID]);

      // A Google account with no Medplum user: Medplum refuses it, the page says so, nobody is signed in.
      await setCredential(medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: 'stranger@example.com' }));
      await googleButton.click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toBe('User not found');

      // Grace's Google account: the credential goes to auth/google, its code to oauth2/token.
      const credential = medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: GRACE.email, name: 'Grace Hopper' });
      await setCredential(credential);
      const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url() === `${medplum.baseUrl}auth/google`);
      await googleButton.click();
      const body = jsonBody(await posted);
      expect(body).toMatchObject({ googleClientId: GOOGLE_CLIENT_ID, googleCredential: credential, clientId: client.id, codeChallengeMethod: 'S256' });
      expect(body.codeChallenge).toMatch(/^[\w-]{43}$/);
      await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 15_000 }).toContain('Grace Hopper');

      const log = medplum.log.slice(since).map((e) => [e.method, e.path, e.grantType, e.status].filter(Boolean).join(' '));
      expect(log.filter((e) => e.includes('/auth/google'))).toEqual(['POST /auth/google 400', 'POST /auth/google 200']);
      expect(log.filter((e) => e.includes('/oauth2/token'))).toEqual(['POST /oauth2/token authorization_code 200']);

      // A reload keeps the session; sign-out revokes it and brings Google's button back.
      await page.reload();
      await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 15_000 }).toContain('Grace Hopper');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await googleButton.waitFor();
      expect(medplum.log.slice(since).some((e) => e.path === '/oauth2/logout' && e.status === 200)).toBe(true);

      async function setCredential(value: string): Promise<void> {
        await page.evaluate((c) => void ((globalThis as unknown as FakeGoogleWindow).fakeGoogle.credential = c), value);
      }
    },
  );
});

interface FakeGoogleWindow {
  fakeGoogle: { credential: string; initializedWith: string[] };
}

function jsonBody(request: Request): Record<string, unknown> {
  return JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
}
