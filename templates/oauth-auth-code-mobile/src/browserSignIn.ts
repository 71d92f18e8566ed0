import type { MedplumClient } from '@medplum/core';
import { AuthRequest } from 'expo-auth-session';
import { startPkce } from './auth.ts';
import { redirectUri } from './redirect.ts';

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
