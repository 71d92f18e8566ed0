import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BASE_URL, CLIENT_ID, fakeMedplum, REDIRECT_URIS, STARTER_PROJECT } from './fakeMedplum.ts';

// The fake Medplum server (testing/fakeMedplum.ts), plus an external IdP and Medplum's callback:
// - signInAtIdp() plays the IdP's authorize page: it checks the IdP client and that the redirect
//   goes to Medplum's callback, then sends the browser there with the IdP's code and the same state.
// - externalCallback() plays Medplum's GET auth/external: it reads the login request from `state`,
//   checks the ClientApplication, its project and Redirect URIs as the real server does, and sends the
//   browser back to the app with a Medplum code bound to the PKCE challenge from `state`.

export { BASE_URL, CLIENT_ID, newClient, s256 } from './fakeMedplum.ts';

const CALLBACK_URL = `${BASE_URL}auth/external`;
export const PROJECT_ID = STARTER_PROJECT.id;
export const IDP_AUTHORIZE_URL = 'https://example.okta.com/oauth2/default/v1/authorize';
export const IDP_CLIENT_ID = '0oa1b2c3d4e5f6g7h8i9';
/** A user known to both the IdP and Medplum (by email). */
export const ADA = 'ada@example.com';

/** What Medplum reads from `state` (the SDK's login request, as JSON). */
interface LoginRequest {
  readonly clientId?: string;
  readonly projectId?: string;
  readonly redirectUri?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
}

export type FakeMedplumServer = ReturnType<typeof fakeMedplumServer>;

export function fakeMedplumServer() {
  const server = fakeMedplum({
    accounts: {
      [ADA]: [
        {
          id: 'membership-ada',
          project: STARTER_PROJECT,
          practitioner: { id: 'pr-ada', given: 'Ada', family: 'Lovelace' },
        },
      ],
    },
  });
  const idpCodes = new Map<string, string>(); // IdP code -> email

  return {
    ...server,

    /** The IdP's authorize page: the user signs in there, and the IdP sends the browser to Medplum's callback. */
    signInAtIdp(authorize: URL, email: string): URL {
      const params = authorize.searchParams;
      assert.equal(authorize.origin + authorize.pathname, IDP_AUTHORIZE_URL, 'not the IdP authorize URL');
      assert.equal(params.get('client_id'), IDP_CLIENT_ID, 'unknown client at the IdP');
      assert.equal(params.get('redirect_uri'), CALLBACK_URL, 'the IdP only redirects to the callback registered there');
      assert.equal(params.get('response_type'), 'code');
      const code = randomUUID();
      idpCodes.set(code, email);
      const callback = new URL(CALLBACK_URL);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', params.get('state') ?? '');
      return callback;
    },

    /**
     * Medplum's GET auth/external. The real server also redeems the IdP code at the IdP's token endpoint
     * and reads the user's email from the ID token; here the IdP code maps to the email directly.
     * Returns where Medplum redirects the browser, or throws with the error Medplum would show.
     */
    externalCallback(callback: URL): URL {
      const email = idpCodes.get(callback.searchParams.get('code') ?? '');
      assert.ok(email, 'Failed to verify code - check your identity provider configuration');
      idpCodes.delete(callback.searchParams.get('code') ?? '');
      const login = JSON.parse(callback.searchParams.get('state') ?? '') as LoginRequest;
      assert.equal(login.clientId, CLIENT_ID, 'Identity provider not found');
      assert.ok(login.projectId === undefined || login.projectId === PROJECT_ID, 'Invalid project');
      assert.ok(login.redirectUri, 'without a redirectUri Medplum sends the user to its own app, not this one');
      assert.ok(REDIRECT_URIS.includes(login.redirectUri), 'Invalid redirect URI');

      // The login request names no scope, so Medplum uses its default one.
      const code = server.issueCode({
        email,
        codeChallenge: login.codeChallenge,
        codeChallengeMethod: login.codeChallengeMethod,
        scope: 'openid offline_access',
      });
      const back = new URL(login.redirectUri);
      back.searchParams.set('login', randomUUID());
      back.searchParams.set('code', code);
      return back;
    },
  };
}
