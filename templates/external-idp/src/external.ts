import type { MedplumClient } from '@medplum/core';
import type { Config } from './variables.ts';

//   app ─▶ IdP sign-in page ─▶ Medplum {baseUrl}auth/external ─▶ app?code=… (redeemed by main.tsx)
// Medplum redeems the IdP's code with the IdP client secret its ClientApplication keeps, finds the user by
// email (or subject), and sends the browser back here with a Medplum code for this browser's PKCE verifier.

/**
 * Sends the browser to the IdP. `state` carries the Medplum login request: the ClientApplication with the
 * IdP settings, where to come back (`appUrl`, one of its Redirect URIs), and the PKCE challenge, in `state`
 * only: Medplum cannot finish PKCE with an IdP (with `usePkce` it sends this challenge as the code_verifier,
 * which never matches). Between the IdP and Medplum, the client secret protects the code.
 */
export async function startExternalSignIn(medplum: MedplumClient, config: Config, appUrl: string): Promise<void> {
  const { clientId, projectId, idpAuthorizeUrl, idpClientId } = config;
  const login = await medplum.ensureCodeChallenge({ clientId, projectId, redirectUri: appUrl });
  await medplum.signInWithExternalAuth(idpAuthorizeUrl, idpClientId, `${medplum.getBaseUrl()}auth/external`, login, false);
}
