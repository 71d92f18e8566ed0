/**
 * The external-idp starter, generated with OpenID discovery, installed, and driven in Debian's Chromium
 * against the Medplum test double, which also plays the external IdP:
 * app -> IdP sign-in page -> {baseUrl}auth/external -> app?code=… -> signed in.
 * It runs under `vite` (dev), so React's StrictMode runs the app's effects twice: the code must
 * still be redeemed exactly once.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { hasChromium, launchChromium } from '../browser.js';
import { startMedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { freePort, scaffoldWeb, start, waitForHttp } from '../project.js';

const ADA = {
  email: 'ada@corp.example',
  password: 'unused: Ada signs in at her IdP',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
};

/** Serves `{issuer}/.well-known/openid-configuration` for the double's IdP, for the CLI's --discover. */
async function serveDiscovery(endpoints: { authorizeUrl: string; tokenUrl: string; userInfoUrl: string }): Promise<{ issuer: string; close: () => void }> {
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/openid-configuration') {
      res.writeHead(404).end();
      return;
    }
    const { port } = server.address() as AddressInfo;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        issuer: `http://127.0.0.1:${port}`,
        authorization_endpoint: endpoints.authorizeUrl,
        token_endpoint: endpoints.tokenUrl,
        userinfo_endpoint: endpoints.userInfoUrl,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { issuer: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('external-idp starter against the Medplum double and its IdP', () => {
  it.runIf(hasChromium)('signs in at the IdP, comes back through Medplum, and redeems the code once', { timeout: 300_000 }, async ({ expect, onTestFinished }) => {
    const medplum = await startMedplumDouble({ users: [ADA], externalIdp: { users: [{ email: ADA.email }] } });
    onTestFinished(() => medplum.close());
    const port = await freePort();
    const appUrl = `http://localhost:${port}/`;
    // identityProvider {} is the double's IdP, with usePkce off, as the README says.
    const client = medplum.addClient({ name: 'sso-portal', redirectUris: [appUrl], identityProvider: {} });
    const discovery = await serveDiscovery(medplum.idp);
    onTestFinished(discovery.close);

    const dir = await scaffoldWeb(await tempDir(onTestFinished), [
      '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', discovery.issuer, '--discover',
      '--idp-client-id', medplum.idp.clientId, '--base-url', medplum.baseUrl, '--client-id', client.id,
    ]);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    expect(readme).toContain(`\`${medplum.baseUrl}auth/external\``);
    expect(readme).toContain(`\`${medplum.idp.tokenUrl}\``);

    const dev = start(join(dir, 'node_modules/.bin/vite'), ['--port', String(port), '--strictPort'], dir);
    onTestFinished(() => void dev.stop());
    await waitForHttp(appUrl, dev);

    const browser = await launchChromium();
    onTestFinished(() => browser.close());
    const page = await browser.newPage();
    await page.goto(appUrl);

    // The app sends the browser to the IdP, whose redirect_uri is Medplum's callback.
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
    await page.waitForURL((url) => url.href.startsWith(medplum.idp.authorizeUrl));
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('client_id')).toBe(medplum.idp.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${medplum.baseUrl}auth/external`);
    expect(authorize.searchParams.get('code_challenge')).toBeNull();
    const state = JSON.parse(authorize.searchParams.get('state') ?? '{}') as Record<string, string>;
    expect(state).toMatchObject({ clientId: client.id, redirectUri: appUrl, codeChallengeMethod: 'S256' });

    // The user signs in at the IdP; the double's Medplum redeems the IdP code and sends the browser back.
    await page.getByLabel('Email').fill(ADA.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 20_000 }).toContain('Ada Lovelace');
    expect(new URL(page.url()).search).toBe(''); // code and login are gone from the address bar

    const callback = medplum.log.filter((e) => e.path === '/auth/external');
    expect(callback.map((e) => `${e.clientId} ${e.status}`)).toEqual([`${client.id} 302`]);
    const tokenCalls = () => medplum.log.filter((e) => e.path === '/oauth2/token').map((e) => `${e.grantType} ${e.status}`);
    expect(tokenCalls()).toEqual(['authorization_code 200']); // once, despite StrictMode

    // A reload keeps the session and redeems nothing.
    await page.reload();
    await expect.poll(() => page.getByText('Signed in as').textContent(), { timeout: 15_000 }).toContain('Ada Lovelace');
    expect(tokenCalls()).toEqual(['authorization_code 200']);

    // Sign out revokes the Medplum token; the button is back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
    expect(medplum.log.some((e) => e.path === '/oauth2/logout' && e.clientId === client.id && e.status === 200)).toBe(true);
  });
});
