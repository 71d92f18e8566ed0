/**
 * POST /auth/google, as the server's `googleHandler`: the Google ID token (`googleCredential`) is
 * verified like jose's `jwtVerify` (RS256, iss https://accounts.google.com, aud = googleClientId,
 * exp) — against the test's Google key instead of Google's published certs — and the user with
 * its email signs in (`{login, code}` or `{login, memberships}`), bound to the PKCE challenge.
 * A googleClientId the double was not configured with is "Invalid googleClientId"; an email in a
 * DomainConfiguration's domain answers `{domain, authorizeUrl}` instead, as on the server.
 */
import { randomInt } from 'node:crypto';
import { badRequest, HttpError, invalidFields, json, jsonBody, stringField, type DoubleRequest, type Reply } from './http.js';
import { signJwt, verifyJwt, type TestSigningKey } from './jwks.js';
import { clientAndProject, externalAuth, loginResult, tryIdentityLogin } from './login.js';
import { findUserByEmail, isUuid, type DoubleState } from './model.js';
import type { LogNote } from './session.js';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export function postAuthGoogle(state: DoubleState, req: DoubleRequest, note: LogNote): Reply {
  const body = jsonBody(req);
  const googleClientId = stringField(body, 'googleClientId');
  const credential = stringField(body, 'googleCredential');
  const errors = [
    ...(googleClientId ? [] : [{ field: 'googleClientId', text: 'Missing googleClientId' }]),
    ...(credential ? [] : [{ field: 'googleCredential', text: 'Missing googleCredential' }]),
  ];
  if (!googleClientId || !credential) {
    throw new HttpError(invalidFields(errors));
  }
  const requestedProject = stringField(body, 'projectId');
  const { client, projectId } = clientAndProject(state, stringField(body, 'clientId'), requestedProject && isUuid(requestedProject) ? requestedProject : undefined);
  note.clientId = client?.id;
  if (!state.google.clientIds.includes(googleClientId)) {
    throw new HttpError(badRequest('Invalid googleClientId'));
  }
  const result = verifyJwt(credential, state.google.jwks, {
    algorithms: ['RS256'],
    issuer: GOOGLE_ISSUER,
    audience: googleClientId,
    now: Math.floor(state.now() / 1000),
  });
  if (!result.ok) {
    throw new HttpError(badRequest(result.error));
  }
  const email = typeof result.claims.email === 'string' ? result.claims.email : '';
  const external = externalAuth(state, email);
  if (external) {
    return json(200, external);
  }
  if (!findUserByEmail(state, email)) {
    throw new HttpError(badRequest(body.createUser ? 'createUser is not modelled by the Medplum test double' : 'User not found'));
  }
  const login = tryIdentityLogin(state, {
    authMethod: 'google',
    email,
    projectId,
    clientId: client?.id,
    scope: stringField(body, 'scope') ?? 'openid offline_access',
    nonce: stringField(body, 'nonce'),
    codeChallenge: stringField(body, 'codeChallenge'),
    codeChallengeMethod: stringField(body, 'codeChallengeMethod'),
    remoteAddress: req.remoteAddress,
  });
  return loginResult(state, login);
}

export interface GoogleCredentialInput {
  /** The `aud`: the OAuth client ID of the Google button. */
  readonly googleClientId: string;
  readonly email: string;
  readonly name?: string;
  /** Default: now + 1 hour. */
  readonly expiresInSeconds?: number;
  /** Claims to add or override (e.g. `{ iss: 'accounts.google.com' }`, `{ exp: 0 }`). */
  readonly claims?: Readonly<Record<string, unknown>>;
}

/** A Google ID token ("credential" of Google Identity Services) signed with a test RS256 key. */
export function signGoogleCredential(key: Pick<TestSigningKey, 'alg' | 'kid' | 'privateKey'>, input: GoogleCredentialInput, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  return signJwt(key, {
    iss: GOOGLE_ISSUER,
    azp: input.googleClientId,
    aud: input.googleClientId,
    sub: String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10)),
    email: input.email,
    email_verified: true,
    ...(input.name ? { name: input.name } : {}),
    iat,
    exp: iat + (input.expiresInSeconds ?? 3600),
    ...input.claims,
  });
}
