/**
 * GET /auth/external: where an external IdP sends the browser back, as the server's
 * `externalCallbackHandler`. `state` is the app's login request as JSON ({clientId, projectId,
 * codeChallenge, codeChallengeMethod, redirectUri, domain, scope, nonce}). The double exchanges
 * the IdP code at the IdP's token endpoint (basic or post client auth; `code_verifier` = the
 * login's codeChallenge when `usePkce`), reads the id_token's claims (unverified, as the server
 * does), finds the Medplum user by email (or `sub` = externalId with `useSubject`) and makes a login
 * bound to the PKCE challenge from state. With a membership, a state `redirectUri` and a client,
 * it redirects to that URI (which must be one of the client's redirectUris exactly) with
 * `?login=…&code=…`; otherwise to the Medplum app's `/signin?login=…` (`appBaseUrl`).
 */
import { badRequest, HttpError, notFound, redirect, type DoubleRequest, type Reply } from './http.js';
import { decodeJwt } from './jwks.js';
import { tryIdentityLogin } from './login.js';
import { clientRedirectUris, type Client, type DoubleState, type IdentityProvider } from './model.js';
import type { LogNote } from './session.js';

const VERIFY_FAILED = 'Failed to verify code - check your identity provider configuration';

interface ExternalAuthState {
  readonly domain?: string;
  readonly projectId?: string;
  readonly clientId?: string;
  readonly scope?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly redirectUri?: string;
}

const fail = (text: string): HttpError => new HttpError(badRequest(text));

function parseState(text: string): ExternalAuthState {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      const str = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : undefined);
      return {
        domain: str('domain'),
        projectId: str('projectId'),
        clientId: str('clientId'),
        scope: str('scope'),
        nonce: str('nonce'),
        codeChallenge: str('codeChallenge'),
        codeChallengeMethod: str('codeChallengeMethod'),
        redirectUri: str('redirectUri'),
      };
    }
  } catch {
    // falls through
  }
  throw fail('Invalid state');
}

export async function getAuthExternal(state: DoubleState, req: DoubleRequest, note: LogNote): Promise<Reply> {
  const code = req.url.searchParams.get('code');
  if (!code) {
    throw fail('Missing code');
  }
  const stateParam = req.url.searchParams.get('state');
  if (!stateParam) {
    throw fail('Missing state');
  }
  const body = parseState(stateParam);
  const { idp, client } = identityProvider(state, body);
  note.clientId = client?.id;
  if (!idp) {
    throw fail('Identity provider not found');
  }
  const claims = await verifyExternalCode(state, idp, code, body.codeChallenge);

  let email: string | undefined;
  let externalId: string | undefined;
  if (idp.useSubject) {
    externalId = typeof claims.sub === 'string' ? claims.sub : undefined;
    if (!externalId) {
      throw fail('External token does not contain subject');
    }
  } else {
    email = typeof claims.email === 'string' ? claims.email.toLowerCase() : undefined;
    if (!email) {
      throw fail('External token does not contain email address');
    }
  }
  if (body.domain && !email?.endsWith(`@${body.domain}`)) {
    throw fail('Email address does not match domain');
  }
  let projectId = body.projectId;
  if (client) {
    if (projectId !== undefined && projectId !== client.membership.project.id) {
      throw fail('Invalid project');
    }
    projectId = client.membership.project.id;
  }

  const login = tryIdentityLogin(state, {
    authMethod: 'external',
    email,
    externalId,
    projectId,
    clientId: body.clientId,
    scope: body.scope ?? 'openid offline_access',
    nonce: body.nonce,
    codeChallenge: body.codeChallenge,
    codeChallengeMethod: body.codeChallengeMethod,
    remoteAddress: req.remoteAddress,
  });

  if (login.membership && body.redirectUri && client) {
    if (!clientRedirectUris(client).includes(body.redirectUri)) {
      throw fail('Invalid redirect URI');
    }
    const url = new URL(body.redirectUri);
    url.searchParams.set('login', login.id);
    url.searchParams.set('code', login.code);
    return redirect(url.toString());
  }
  const url = new URL('signin', state.appBaseUrl);
  url.searchParams.set('login', login.id);
  url.searchParams.set('scope', login.scope);
  url.searchParams.set('nonce', login.nonce ?? '');
  if (login.codeChallenge) {
    url.searchParams.set('code_challenge', login.codeChallenge);
  }
  if (login.codeChallengeMethod) {
    url.searchParams.set('code_challenge_method', login.codeChallengeMethod);
  }
  return redirect(url.toString());
}

/** The client's identityProvider first, else the DomainConfiguration of `domain`. An unknown clientId is a 404. */
function identityProvider(state: DoubleState, body: ExternalAuthState): { idp?: IdentityProvider; client?: Client } {
  let client: Client | undefined;
  if (body.clientId) {
    client = state.clients.get(body.clientId);
    if (!client) {
      throw new HttpError(notFound());
    }
    if (client.identityProvider) {
      return { idp: client.identityProvider, client };
    }
  }
  const domainIdp = body.domain ? state.domains.get(body.domain.toLowerCase()) : undefined;
  return { idp: domainIdp, client };
}

/** POSTs the code to the IdP token endpoint; the id_token's claims, unverified (as the server). */
async function verifyExternalCode(
  state: DoubleState,
  idp: IdentityProvider,
  code: string,
  codeVerifier: string | undefined,
): Promise<Readonly<Record<string, unknown>>> {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  const params = new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: `${state.baseUrl}auth/external`, code });
  if (idp.usePkce && codeVerifier) {
    params.append('code_verifier', codeVerifier);
  }
  if (idp.tokenAuthMethod === 'client_secret_post') {
    params.append('client_id', idp.clientId);
    params.append('client_secret', idp.clientSecret);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64')}`;
  }
  try {
    const response = await fetch(idp.tokenUrl, { method: 'POST', headers, body: params.toString(), signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { id_token?: unknown };
    const claims = response.ok && typeof body.id_token === 'string' ? decodeJwt(body.id_token)?.claims : undefined;
    if (claims) {
      return claims;
    }
  } catch {
    // as on the server: every failure is the same 400
  }
  throw fail(VERIFY_FAILED);
}
