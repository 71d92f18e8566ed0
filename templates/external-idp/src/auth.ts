import { normalizeErrorString } from '@medplum/core';
import type { MedplumClient, ProfileResource } from '@medplum/core';
import type { Config } from './parseConfig.ts';

// The sign-in flow, without React and without touching the page, so it can be tested in Node.
//
//   app ─▶ IdP authorize page ─▶ Medplum {baseUrl}auth/external ─▶ app?code=… ─▶ processCode
//
// The IdP sends the user to Medplum, never to this app: Medplum redeems the IdP's code with the
// IdP client secret it keeps in the ClientApplication, finds the user by email (or by subject), and
// sends the browser back here with a Medplum code. This app redeems that code with its PKCE verifier.

/** Medplum's callback, the one redirect URI to register at the IdP. */
export function externalCallbackUrl(medplum: MedplumClient): string {
  return `${medplum.getBaseUrl()}auth/external`;
}

/**
 * Sends the browser to the IdP's sign-in page. `state` carries the Medplum login request: which
 * ClientApplication holds the IdP settings, where Medplum should send the user afterwards (`appUrl`,
 * one of the client's Redirect URIs), and the PKCE challenge that ties the Medplum code to this browser.
 */
export async function startExternalSignIn(medplum: MedplumClient, config: Config, appUrl: string): Promise<void> {
  // The PKCE challenge (S256 in browsers; the verifier stays in localStorage) goes in `state` only, not to the IdP.
  // Medplum cannot finish PKCE with an IdP: with `usePkce` it sends this challenge as the code_verifier, which
  // never matches. Between the IdP and Medplum, the client secret in the ClientApplication protects the code.
  const login = await medplum.ensureCodeChallenge({
    clientId: config.clientId,
    // Medplum refuses a projectId other than the client's own, even an empty one; undefined stays out of `state`.
    projectId: config.projectId,
    redirectUri: appUrl,
  });
  await medplum.signInWithExternalAuth(
    config.idpAuthorizeUrl,
    config.idpClientId,
    externalCallbackUrl(medplum),
    login,
    false // no PKCE parameters on the IdP's authorize URL (see above)
  );
}

export type ExternalReturn =
  | { readonly status: 'none' }
  | { readonly status: 'signed-in'; readonly profile: ProfileResource; readonly cleanUrl: string }
  | { readonly status: 'error'; readonly message: string; readonly cleanUrl: string };

/** What Medplum adds when it sends the browser back, removed once handled so a reload never replays a code. */
const RETURN_PARAMS = ['code', 'login'];

/**
 * Finishes the sign-in when the page URL carries Medplum's ?code=…: redeems it once with the PKCE verifier.
 * The caller puts `cleanUrl` in the address bar (history.replaceState).
 */
export async function handleExternalReturn(
  medplum: MedplumClient,
  location: { readonly href: string }
): Promise<ExternalReturn> {
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  if (!code) {
    return { status: 'none' };
  }
  const cleanUrl = withoutReturnParams(url);
  try {
    return { status: 'signed-in', profile: await medplum.processCode(code), cleanUrl };
  } catch (err) {
    return { status: 'error', message: normalizeErrorString(err), cleanUrl };
  }
}

function withoutReturnParams(url: URL): string {
  const clean = new URL(url);
  for (const name of RETURN_PARAMS) {
    clean.searchParams.delete(name);
  }
  return clean.toString();
}
