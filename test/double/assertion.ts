/**
 * private_key_jwt (RFC 7523) at the token endpoint, as the server's `parseClientAssertion`:
 * assertion type, JWT shape, `aud` = exactly `{baseUrl}oauth2/token`, `iss` = `sub`, a known
 * client with a `jwksUri`, then the JWK Set is fetched (every time, no cache) and the signature,
 * issuer, audience, nbf and exp verified. Every failure of that last step is
 * "Invalid client assertion signature". The jti is not tracked: a replayed assertion is accepted.
 */
import { HttpError, internalError, tokenError } from './http.js';
import { ASSERTION_ALGORITHMS, decodeJwt, fetchJwks, verifyJwt, type JwkSet } from './jwks.js';
import type { Client, DoubleState } from './model.js';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The client the assertion proves, or HttpError with the recorded 400. */
export async function clientFromAssertion(
  state: DoubleState,
  assertionType: string,
  assertion: string | undefined,
  onClient: (client: Client) => void,
): Promise<Client> {
  const fail = (description: string): HttpError => new HttpError(tokenError('invalid_request', description));
  if (assertionType !== JWT_BEARER_ASSERTION) {
    throw fail('Unsupported client assertion type');
  }
  if (!assertion || assertion.split('.').length !== 3) {
    throw fail('Invalid client assertion');
  }
  const claims = decodeJwt(assertion)?.claims;
  if (!claims) {
    // The server's parseJWTPayload throws here, uncaught.
    throw new HttpError(internalError(new Error('client assertion payload is not base64url JSON (the server fails too)')));
  }
  const tokenUrl = `${state.baseUrl}oauth2/token`;
  if (claims.aud !== tokenUrl) {
    throw fail('Invalid client assertion audience');
  }
  if (claims.iss !== claims.sub) {
    throw fail('Invalid client assertion issuer');
  }
  const client = typeof claims.iss === 'string' ? state.clients.get(claims.iss) : undefined;
  if (!client) {
    throw fail('Client not found');
  }
  onClient(client);
  if (!client.jwksUri) {
    throw fail('Client must have a JWK Set URL');
  }
  let jwks: JwkSet;
  try {
    jwks = await fetchJwks(client.jwksUri);
  } catch {
    throw fail('Invalid client assertion signature');
  }
  const result = verifyJwt(assertion, jwks, {
    algorithms: ASSERTION_ALGORITHMS,
    issuer: client.id,
    audience: tokenUrl,
    now: Math.floor(state.now() / 1000),
  });
  if (!result.ok) {
    throw fail('Invalid client assertion signature');
  }
  return client;
}
