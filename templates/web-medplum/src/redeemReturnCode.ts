import type { MedplumClient } from '@medplum/core';
import { showError } from './showError.ts';

/**
 * After a sign-in at an identity provider (a domain's IdP, or your SSO), Medplum sends the browser
 * back here with ?code=…&login=…. Redeems the code with the PKCE verifier this browser kept, and takes
 * it out of the address bar first, so that a reload never replays it. Call it once per page load.
 */
export function redeemReturnCode(medplum: MedplumClient, { location, history }: Pick<Window, 'location' | 'history'>): void {
  const code = new URLSearchParams(location.search).get('code');
  if (!code) {
    return;
  }
  history.replaceState(history.state, '', location.pathname);
  medplum.processCode(code).catch(showError);
}
