/**
 * Token exchange (RFC 8693 grant at /oauth2/token, and the older POST /auth/exchange): the
 * client's identityProvider.userInfoUrl is called with the external access token, and the user
 * it names (by email, or by `sub` = ProjectMembership.externalId with `useSubject`) is signed in
 * to the client's project, first membership. Default scope "openid offline_access" (as recorded),
 * so a refresh token comes back.
 */
import { badRequest, HttpError, invalidFields, json, jsonBody, notFound, stringField, tokenError, type DoubleRequest, type Reply } from './http.js';
import { tryIdentityLogin } from './login.js';
import type { DoubleState, IdentityProvider } from './model.js';
import type { LogNote } from './session.js';
import { tokenResponse } from './token.js';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const VERIFY_FAILED = 'Failed to verify code - check your identity provider configuration';

interface ExchangeRequest {
  readonly clientId?: string;
  readonly subjectToken?: string;
  readonly subjectTokenType?: string;
  readonly scope?: string;
  readonly nonce?: string;
  readonly membershipId?: string;
  readonly remoteAddress: string;
}

export function tokenExchange(state: DoubleState, req: DoubleRequest, form: Readonly<Record<string, string>>, note: LogNote): Promise<Reply> {
  return exchange(
    state,
    {
      clientId: form.client_id,
      subjectToken: form.subject_token,
      subjectTokenType: form.subject_token_type,
      scope: form.scope,
      nonce: form.nonce,
      membershipId: form.membership_id,
      remoteAddress: req.remoteAddress,
    },
    note,
  );
}

/** Deprecated by the server in favour of the grant, same behaviour. */
export function postAuthExchange(state: DoubleState, req: DoubleRequest, note: LogNote): Promise<Reply> {
  const body = jsonBody(req);
  const errors = [
    ...(stringField(body, 'externalAccessToken') ? [] : [{ field: 'externalAccessToken', text: 'Missing externalAccessToken' }]),
    ...(stringField(body, 'clientId') ? [] : [{ field: 'clientId', text: 'Missing clientId' }]),
  ];
  if (errors.length > 0) {
    throw new HttpError(invalidFields(errors));
  }
  return exchange(
    state,
    {
      clientId: stringField(body, 'clientId'),
      subjectToken: stringField(body, 'externalAccessToken'),
      subjectTokenType: ACCESS_TOKEN_TYPE,
      remoteAddress: req.remoteAddress,
    },
    note,
  );
}

async function exchange(state: DoubleState, request: ExchangeRequest, note: LogNote): Promise<Reply> {
  const { clientId, subjectToken } = request;
  if (!clientId) {
    return tokenError('invalid_request', 'Invalid client');
  }
  if (!subjectToken) {
    return tokenError('invalid_request', 'Invalid subject_token');
  }
  if (request.subjectTokenType !== ACCESS_TOKEN_TYPE) {
    return tokenError('invalid_request', 'Invalid subject_token_type');
  }
  const client = state.clients.get(clientId);
  if (!client) {
    return notFound();
  }
  note.clientId = client.id;
  const idp = client.identityProvider;
  if (!idp) {
    return tokenError('invalid_request', 'Invalid client');
  }
  if (request.membershipId) {
    throw new HttpError(badRequest('membership_id is not modelled by the Medplum test double'));
  }
  const userInfo = await externalUserInfo(idp, subjectToken);
  if (userInfo.error) {
    return userInfo.error;
  }
  const login = tryIdentityLogin(state, {
    authMethod: 'exchange',
    ...(idp.useSubject ? { externalId: stringOf(userInfo.claims.sub) } : { email: stringOf(userInfo.claims.email) }),
    projectId: client.membership.project.id,
    clientId: client.id,
    scope: request.scope || 'openid offline_access',
    nonce: request.nonce,
    remoteAddress: request.remoteAddress,
    forceUseFirstMembership: true,
  });
  return tokenResponse(state, login);
}

const stringOf = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The server's `getExternalUserInfo`: GET userInfoUrl with the token as Bearer; JSON or a JWT body. */
async function externalUserInfo(
  idp: IdentityProvider,
  token: string,
): Promise<{ readonly claims: Readonly<Record<string, unknown>>; readonly error?: undefined } | { readonly error: Reply }> {
  const fail = (description: string, status = 400) => ({ error: json(status, { error: 'invalid_request', error_description: description }) });
  if (!idp.userInfoUrl.startsWith('http:') && !idp.userInfoUrl.startsWith('https:')) {
    return fail('Invalid user info URL - check your identity provider configuration');
  }
  let response: Response;
  try {
    response = await fetch(idp.userInfoUrl, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return fail(VERIFY_FAILED);
  }
  if (response.status === 429) {
    return fail('Too many requests', 429);
  }
  if (response.status !== 200) {
    return fail(VERIFY_FAILED);
  }
  const contentType = response.headers.get('content-type');
  try {
    if (contentType?.includes('application/json')) {
      return { claims: (await response.json()) as Record<string, unknown> };
    }
    if (contentType?.includes('application/jwt')) {
      const payload = (await response.text()).split('.')[1] ?? '';
      return { claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown> };
    }
  } catch {
    return fail(VERIFY_FAILED);
  }
  return fail(`Failed to verify code - unsupported content type: ${contentType}`);
}
