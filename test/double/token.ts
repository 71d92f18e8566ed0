/**
 * POST /oauth2/token: authorization_code, client_credentials (client secret or private_key_jwt),
 * refresh_token and token exchange, with the recorded checks, their order and their texts.
 * Errors are 400 `{error, error_description}`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { clientFromAssertion } from './assertion.js';
import { tokenExchange, TOKEN_EXCHANGE } from './exchange.js';
import { basicCredentials, formBody, HttpError, isFormRequest, json, tokenError, type DoubleRequest, type Reply } from './http.js';
import { activeClient, findLoginByCode, ipAllowed, randomHex, type Client, type DoubleState, type Login } from './model.js';
import type { LogNote } from './session.js';

const ID_TOKEN_LIFETIME_SECONDS = 3600;
const REFRESH_TOKEN_LIFETIME_SECONDS = 14 * 24 * 3600;

type Form = Readonly<Record<string, string>>;

export async function postToken(state: DoubleState, req: DoubleRequest, note: LogNote): Promise<Reply> {
  if (!isFormRequest(req)) {
    return { status: 400, contentType: 'text/html; charset=utf-8', body: 'Unsupported content type' };
  }
  const form = formBody(req);
  note.grantType = form.grant_type || undefined;
  switch (form.grant_type) {
    case undefined:
    case '':
      return tokenError('invalid_request', 'Missing grant_type');
    case 'client_credentials':
      return clientCredentials(state, req, form, note);
    case 'authorization_code':
      return authorizationCode(state, req, form, note);
    case 'refresh_token':
      return refreshToken(state, req, form, note);
    case TOKEN_EXCHANGE:
      return tokenExchange(state, req, form, note);
    default:
      return tokenError('invalid_request', 'Unsupported grant_type');
  }
}

/**
 * A client assertion wins (its client's own secret then stands in, as on the server), then
 * `Authorization: Basic`, then the form fields; any other scheme is refused.
 */
async function clientIdAndSecret(
  state: DoubleState,
  req: DoubleRequest,
  form: Form,
  note: LogNote,
): Promise<{ clientId?: string; clientSecret?: string }> {
  if (form.client_assertion_type) {
    note.clientAssertion = true;
    const client = await clientFromAssertion(state, form.client_assertion_type, form.client_assertion, (known) => {
      note.clientId = known.id;
    });
    return { clientId: client.id, clientSecret: client.secret };
  }
  const header = req.headers.authorization;
  if (header) {
    if (!header.startsWith('Basic ')) {
      throw new HttpError(tokenError('invalid_request', 'Invalid authorization header'));
    }
    const { id, secret } = basicCredentials(header);
    return { clientId: id, clientSecret: secret };
  }
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

/** The current secret, or the retiring one during a rotation. */
function secretMatches(client: Client, secret: string): boolean {
  return secret === client.secret || (client.retiringSecret !== undefined && secret === client.retiringSecret);
}

async function clientCredentials(state: DoubleState, req: DoubleRequest, form: Form, note: LogNote): Promise<Reply> {
  const { clientId, clientSecret } = await clientIdAndSecret(state, req, form, note);
  if (!clientId) {
    return tokenError('invalid_request', 'Missing client_id');
  }
  if (!clientSecret) {
    return tokenError('invalid_request', 'Missing client_secret');
  }
  const client = activeClient(state, clientId);
  note.clientId = client?.id;
  if (!client) {
    return tokenError('invalid_request', 'Invalid client');
  }
  if (!secretMatches(client, clientSecret)) {
    return tokenError('invalid_request', 'Invalid secret');
  }
  if (!ipAllowed(client.membership.policy, req.remoteAddress)) {
    return tokenError('invalid_request', 'IP address not allowed');
  }
  const login: Login = {
    id: randomUUID(),
    client,
    membership: client.membership,
    scope: form.scope || 'openid',
    code: randomHex(16),
    cookie: randomHex(16),
    authTime: state.now(),
    granted: true,
    revoked: false,
  };
  state.logins.set(login.id, login);
  return tokenResponse(state, login);
}

async function authorizationCode(state: DoubleState, req: DoubleRequest, form: Form, note: LogNote): Promise<Reply> {
  const { clientId, clientSecret } = await clientIdAndSecret(state, req, form, note);
  if (!form.code) {
    return tokenError('invalid_request', 'Missing code');
  }
  const login = findLoginByCode(state, form.code);
  if (!login) {
    return tokenError('invalid_request', 'Invalid code');
  }
  note.clientId = login.client?.id;
  // Checked against the client the login was made for; redirect_uri is never checked.
  if (clientId && login.client?.id !== clientId) {
    return tokenError('invalid_request', 'Invalid client');
  }
  if (!login.membership) {
    return tokenError('invalid_request', 'Invalid profile');
  }
  if (login.granted) {
    // A replayed code revokes everything issued for it.
    login.revoked = true;
    return tokenError('invalid_grant', 'Token already granted');
  }
  if (login.revoked) {
    return tokenError('invalid_grant', 'Token revoked');
  }
  const client = login.client;
  if (!client?.pkceOptional) {
    if (!login.codeChallenge) {
      return tokenError('invalid_request', 'Missing verification context');
    }
    if (!form.code_verifier) {
      return tokenError('invalid_request', 'Missing code verifier');
    }
    if (!verifierMatches(login.codeChallenge, login.codeChallengeMethod, form.code_verifier)) {
      return tokenError('invalid_request', 'Invalid code verifier');
    }
  } else if (clientSecret && !secretMatches(client, clientSecret)) {
    return tokenError('invalid_request', 'Invalid secret');
  }
  return tokenResponse(state, login);
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function verifierMatches(challenge: string, method: string | undefined, verifier: string): boolean {
  return (method === 'plain' && challenge === verifier) || (method === 'S256' && challenge === s256(verifier));
}

function refreshToken(state: DoubleState, req: DoubleRequest, form: Form, note: LogNote): Reply {
  const claims = form.refresh_token ? state.signer.verify(form.refresh_token) : undefined;
  const expired = typeof claims?.exp !== 'number' || claims.exp * 1000 <= state.now();
  const login = typeof claims?.login_id === 'string' ? state.logins.get(claims.login_id) : undefined;
  note.clientId = login?.client?.id;
  if (!claims || expired || !login || login.refreshSecret === undefined || typeof claims.refresh_secret !== 'string') {
    return tokenError('invalid_request', 'Invalid refresh token');
  }
  if (login.revoked) {
    return tokenError('invalid_grant', 'Token revoked');
  }
  if (claims.refresh_secret !== login.refreshSecret) {
    return tokenError('invalid_request', 'Invalid token');
  }
  const header = req.headers.authorization;
  if (header) {
    if (!header.startsWith('Basic ')) {
      return tokenError('invalid_request', 'Invalid authorization header');
    }
    const { id, secret } = basicCredentials(header);
    if (id !== login.client?.id) {
      return tokenError('invalid_grant', 'Incorrect client');
    }
    if (!secret) {
      return tokenError('invalid_grant', 'Incorrect client secret');
    }
  }
  // Rotation: the old refresh token stops working, earlier access tokens do not.
  login.refreshSecret = randomHex(32);
  return tokenResponse(state, login);
}

/** The recorded token response, with access, id and (when earned) refresh tokens signed by the double. */
export function tokenResponse(state: DoubleState, login: Login): Reply {
  const membership = login.membership;
  if (!membership) {
    throw new Error('Medplum double: token response for a login without a membership');
  }
  login.granted = true;
  const clientId = login.client?.id;
  const sub = login.user?.id ?? clientId;
  const lifetime = login.client?.accessTokenLifetimeSeconds ?? state.accessTokenLifetimeSeconds;
  const iat = Math.floor(state.now() / 1000);
  const issued = () => ({ jti: randomUUID(), iat, nbf: iat, iss: state.baseUrl });
  const withClient = clientId ? { client_id: clientId } : {};
  const withEmail = login.user && login.scope.split(' ').includes('email') ? { email: login.user.email } : {};

  const accessToken = state.signer.sign({
    aud: state.baseUrl,
    ...withClient,
    login_id: login.id,
    sub,
    username: sub,
    scope: login.scope,
    profile: membership.profile.reference,
    ...withEmail,
    ...issued(),
    exp: iat + lifetime,
  });
  const idToken = state.signer.sign({
    ...withClient,
    login_id: login.id,
    fhirUser: membership.profile.reference,
    ...withEmail,
    ...(clientId ? { aud: clientId } : {}),
    sub,
    ...(login.user ? { nonce: login.nonce } : {}),
    auth_time: login.authTime / 1000,
    ...issued(),
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
  });
  const refresh =
    login.refreshSecret && !login.user?.superAdmin
      ? state.signer.sign({
          aud: state.baseUrl,
          ...withClient,
          login_id: login.id,
          refresh_secret: login.refreshSecret,
          ...issued(),
          exp: iat + REFRESH_TOKEN_LIFETIME_SECONDS,
        })
      : undefined;

  const patientId = membership.profile.reference.startsWith('Patient/') ? membership.profile.reference.slice('Patient/'.length) : undefined;
  return json(200, {
    token_type: 'Bearer',
    expires_in: lifetime,
    scope: login.scope,
    id_token: idToken,
    access_token: accessToken,
    ...(refresh ? { refresh_token: refresh } : {}),
    project: { reference: `Project/${membership.project.id}`, display: membership.project.name },
    profile: membership.profile,
    ...(patientId ? { patient: patientId } : {}),
    smart_style_url: `${state.baseUrl}fhir/R4/.well-known/smart-styles.json`,
    need_patient_banner: patientId !== undefined,
  });
}
