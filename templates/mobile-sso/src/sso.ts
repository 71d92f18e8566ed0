import type { MedplumClient } from '@medplum/core';
import { startPkce, type Step } from './auth.ts';

//   app ─▶ IdP sign-in page ─▶ Medplum {baseUrl}auth/external ─▶ app's redirect URI ?login=…&code=…
// Medplum redeems the IdP's code with the IdP client secret it keeps, finds the user by email, and sends
// the browser back to the app with a Medplum code for the app's PKCE verifier. Without React Native, so
// it runs under node:test.

/** Who signs in, as Medplum's auth/external reads it from `state`. */
export interface LoginRequest {
  readonly clientId: string;
  /** One of the ClientApplication's Redirect URIs, exactly. */
  readonly redirectUri: string;
  /** domain-idp: the email's domain, whose DomainConfiguration holds the IdP. */
  readonly domain?: string;
}

/**
 * The IdP's sign-in URL with `state`: the login request and the PKCE challenge, which the IdP hands back
 * to Medplum untouched. The challenge goes in `state` only: Medplum cannot finish PKCE with the IdP.
 */
export async function withLoginState(medplum: MedplumClient, authorizeUrl: string, request: LoginRequest): Promise<string> {
  const url = new URL(authorizeUrl);
  url.searchParams.set('state', JSON.stringify({ ...request, ...(await startPkce(medplum)) }));
  return url.toString();
}

/** The address Medplum sent the browser back to: its code, redeemed with this app's verifier. */
export async function finishSso(medplum: MedplumClient, returnedUrl: string, redirectUri: string): Promise<Step> {
  const code = new URL(returnedUrl).searchParams.get('code');
  if (!code) {
    throw new Error('Medplum sent the browser back without a code. Does your ClientApplication list this app\'s redirect URI?');
  }
  return { kind: 'signed-in', profile: await medplum.processCode(code, { redirectUri }) };
}
