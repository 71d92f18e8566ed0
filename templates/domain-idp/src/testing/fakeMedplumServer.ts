import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BASE_URL, CLIENT_ID, fakeMedplum, json, outcome, REDIRECT_URIS, STARTER_PROJECT } from './fakeMedplum.ts';

// The fake Medplum server (testing/fakeMedplum.ts), plus auth/method as recorded on a real server (v5.1.29)
// and the identity provider's round trip through {baseUrl}auth/external, which follows the server's source
// (packages/server/src/auth/external.ts).

export { ADMIN, BASE_URL, CLIENT_ID, MULTI, newClient, PASSWORD, s256 } from './fakeMedplum.ts';

/** An email domain with a domain-level identity provider (a DomainConfiguration). */
export const SSO_DOMAIN = 'wire-sso.example';
/** A user of that domain, who signs in at the identity provider, never with a Medplum password. */
export const SSO_USER = `grace@${SSO_DOMAIN}`;
/** The DomainConfiguration's identityProvider.authorizeUrl. */
export const IDP_AUTHORIZE_URL = 'https://idp.wire-sso.example/oauth2/authorize';
const IDP_CLIENT_ID = 'wire-sso-client';

export type FakeMedplumServer = ReturnType<typeof fakeMedplumServer>;

export function fakeMedplumServer() {
  const server = fakeMedplum({
    accounts: {
      [SSO_USER]: [
        {
          id: 'membership-sso',
          project: STARTER_PROJECT,
          practitioner: { id: 'pr-sso', given: 'Grace', family: 'Hopper' },
        },
      ],
    },
  });

  server.route('POST /auth/method', ({ body }) => {
    const email = body.email ?? '';
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
      return outcome(400, 'Valid email address is required');
    }
    if (email.split('@')[1]?.toLowerCase() !== SSO_DOMAIN) {
      return json(200, {}); // the same answer whether or not the user exists
    }
    const authorizeUrl = new URL(IDP_AUTHORIZE_URL);
    authorizeUrl.searchParams.set('client_id', IDP_CLIENT_ID);
    authorizeUrl.searchParams.set('redirect_uri', `${BASE_URL}auth/external`);
    authorizeUrl.searchParams.set('response_type', 'code');
    authorizeUrl.searchParams.set('scope', 'openid profile email');
    return json(200, { domain: SSO_DOMAIN, authorizeUrl: authorizeUrl.toString() });
  });

  return {
    ...server,

    /**
     * What the identity provider and Medplum's callback do together: the user signs in at the provider,
     * which sends the browser to {baseUrl}auth/external?code=…&state=…; Medplum reads the login request
     * back from `state`, checks it, and redirects to the app's URL with ?login=…&code=….
     * Returns that URL. Throws with the server's message where the server would refuse.
     */
    signInAtIdentityProvider(idpUrl: URL, email: string): string {
      const params = idpUrl.searchParams;
      assert.equal(idpUrl.origin + idpUrl.pathname, IDP_AUTHORIZE_URL);
      assert.equal(params.get('client_id'), IDP_CLIENT_ID);
      assert.equal(params.get('redirect_uri'), `${BASE_URL}auth/external`);

      const state = JSON.parse(params.get('state') ?? 'null') as Record<string, string | undefined> | null;
      assert.ok(state, 'Missing state');
      assert.equal(state.domain, SSO_DOMAIN, 'Identity provider not found');
      assert.ok(email.endsWith(`@${state.domain}`), 'Email address does not match domain');
      assert.equal(state.clientId, CLIENT_ID, 'Client not found');
      assert.ok(state.projectId === undefined || state.projectId === STARTER_PROJECT.id, 'Invalid project');
      const redirectUri = state.redirectUri ?? '';
      assert.ok(REDIRECT_URIS.includes(redirectUri), 'Invalid redirect URI');

      const code = server.issueCode({
        email,
        codeChallenge: state.codeChallenge,
        codeChallengeMethod: state.codeChallengeMethod,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('login', randomUUID());
      back.searchParams.set('code', code);
      return back.toString();
    },
  };
}
