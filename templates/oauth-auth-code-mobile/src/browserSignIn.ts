import type { MedplumClient } from '@medplum/core';
import { AuthRequest, makeRedirectUri } from 'expo-auth-session';
import { maybeCompleteAuthSession } from 'expo-web-browser';
import { startPkce } from './auth.ts';

// On the web, Medplum's sign-in page runs in a popup that comes back to this app: this hands
// the result to the window that opened it and closes the popup.
maybeCompleteAuthSession();

/** Where Medplum sends the code back: the app's scheme on a phone (app.json), the page's origin on the web. */
const redirectUri = makeRedirectUri();

/** "Open Medplum sign-in": Medplum's own page (MFA and all) in the system browser, then processCode. */
export async function signInWithBrowser(medplum: MedplumClient, clientId: string): Promise<void> {
  const { codeChallenge, codeChallengeMethod } = await startPkce(medplum);
  const request = new AuthRequest({
    clientId,
    redirectUri,
    scopes: ['openid'],
    // MedplumClient made the PKCE pair and keeps the verifier for processCode.
    usePKCE: false,
    extraParams: { code_challenge: codeChallenge, code_challenge_method: codeChallengeMethod },
  });
  const result = await request.promptAsync({ authorizationEndpoint: medplum.getAuthorizeUrl() });
  if (result.type === 'error') {
    throw new Error(result.error?.description ?? result.error?.message ?? 'Sign-in failed.');
  }
  if (result.type === 'success') {
    await medplum.processCode(result.params.code as string, { redirectUri });
  }
}
