import { fakeMedplum, json, outcome, unsignedJwt } from './fakeMedplum.ts';

// The fake Medplum server (testing/fakeMedplum.ts), plus auth/google as the server's source answers it
// (packages/server/src/auth/google.ts).

export { ADMIN, BASE_URL, CLIENT_ID, MULTI, newClient, s256 } from './fakeMedplum.ts';

/** The Google OAuth client ID set on the project's site (Project Admin > Sites). */
export const GOOGLE_CLIENT_ID = '123456789012-starter.apps.googleusercontent.com';
/** An email domain with a domain-level identity provider (a DomainConfiguration). */
export const SSO_DOMAIN = 'sso.example';

export type FakeMedplumServer = ReturnType<typeof fakeMedplumServer>;

export function fakeMedplumServer() {
  const server = fakeMedplum();
  server.route('POST /auth/google', ({ body }) => {
    if (!body.googleClientId || !body.googleCredential) {
      return outcome(400, body.googleClientId ? 'Missing googleCredential' : 'Missing googleClientId');
    }
    if (body.googleClientId !== GOOGLE_CLIENT_ID) {
      return outcome(400, 'Invalid googleClientId'); // no project's site has this Google client ID
    }
    // The real server verifies Google's signature (RS256, Google's JWKS). The fake checks the claims.
    const claims = jwtClaims(body.googleCredential);
    if (claims?.iss !== 'https://accounts.google.com') {
      return outcome(400, 'unexpected "iss" claim value');
    }
    if (claims.aud !== body.googleClientId) {
      return outcome(400, 'unexpected "aud" claim value');
    }
    const email = String(claims.email);
    if (email.endsWith(`@${SSO_DOMAIN}`)) {
      return json(200, { domain: SSO_DOMAIN, authorizeUrl: 'https://idp.sso.example/oauth2/authorize?client_id=x' });
    }
    return server.startLogin(email, body);
  });
  return server;
}

/**
 * A credential as Google's button hands it to the page, for `email`, issued to `googleClientId`.
 * Unsigned: the fake server checks its claims, not Google's signature.
 */
export function googleCredential(email: string, googleClientId = GOOGLE_CLIENT_ID): string {
  const now = Math.floor(Date.now() / 1000);
  return unsignedJwt({
    iss: 'https://accounts.google.com',
    aud: googleClientId,
    sub: '1093847561029384756',
    email,
    email_verified: true,
    iat: now,
    exp: now + 3600,
  });
}

function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
