import assert from 'node:assert/strict';
import { CLIENT_ID, fakeMedplum, REDIRECT_URIS } from './fakeMedplum.ts';

// The fake Medplum server (testing/fakeMedplum.ts), plus Medplum's own sign-in page for the redirect flow.

export { ADMIN, BASE_URL, CLIENT_ID, MULTI, newClient, PASSWORD, s256 } from './fakeMedplum.ts';

export type FakeMedplumServer = ReturnType<typeof fakeMedplumServer>;

export function fakeMedplumServer() {
  const server = fakeMedplum();
  return {
    ...server,

    /**
     * What GET oauth2/authorize and Medplum's sign-in page do together: check the client and the
     * redirect URI, sign the user in, and return the URL the browser is sent back to.
     */
    signInOnMedplumPage(authorize: URL, email: string): string {
      const params = authorize.searchParams;
      assert.equal(params.get('client_id'), CLIENT_ID, 'Client not found');
      const redirectUri = params.get('redirect_uri') ?? '';
      assert.ok(REDIRECT_URIS.includes(redirectUri), `Invalid redirect URI: ${redirectUri}`);

      const login = {
        email,
        codeChallenge: params.get('code_challenge') ?? undefined,
        codeChallengeMethod: params.get('code_challenge_method') ?? undefined,
      };
      const back = new URL(redirectUri);
      back.searchParams.set('code', server.issueCode(login));
      back.searchParams.set('state', params.get('state') ?? '');
      return back.toString();
    },
  };
}
