/**
 * A small, strict external OpenID Connect provider on the double's own server, under /idp/:
 * the IdP a ClientApplication.identityProvider or a DomainConfiguration points at.
 * - GET /idp/authorize shows a sign-in form (Email + "Sign in"), or with `autoApprove` signs that
 *   user in at once; POST redirects to `redirect_uri?code=…&state=…` (state passed through verbatim).
 * - POST /idp/token (authorization_code; client_secret_basic or client_secret_post; PKCE enforced
 *   as RFC 7636 says: a code issued with a challenge needs the matching code_verifier) answers an
 *   opaque access token and an id_token with sub, email and email_verified.
 * - GET|POST /idp/userinfo with `Authorization: Bearer <its access token>`.
 * Its tokens are opaque random strings; it never accepts Medplum's tokens, nor Medplum its own.
 */
import { randomUUID } from 'node:crypto';
import { basicCredentials, escapeHtml, formBody, html, isFormRequest, json, redirect, type DoubleRequest, type Reply } from './http.js';
import { randomHex } from './model.js';
import { s256 } from './token.js';
import { createSigner, type Signer } from './tokens.js';

export interface ExternalIdpUserConfig {
  readonly email: string;
  /** The IdP's subject; default a random UUID. With `useSubject`, Medplum matches it against UserConfig.externalId. */
  readonly sub?: string;
  readonly name?: string;
}

export interface ExternalIdpOptions {
  readonly users?: readonly ExternalIdpUserConfig[];
  /** The client Medplum uses at this IdP; default "medplum-double-idp-client". */
  readonly clientId?: string;
  /** Default: random. */
  readonly clientSecret?: string;
  /** Where the IdP may send codes; default only `{baseUrl}auth/external`. */
  readonly redirectUris?: readonly string[];
  /** Sign this user (email) in without showing the form, as an IdP with a live session does. */
  readonly autoApprove?: string;
  /** Default 3600. */
  readonly accessTokenLifetimeSeconds?: number;
  /**
   * Default true, as RFC 7636 and Okta/Auth0/Entra ID: a code issued for a `code_challenge` needs the
   * matching `code_verifier`. false: the challenge is ignored, as by an IdP without PKCE support.
   */
  readonly enforcePkce?: boolean;
}

interface IdpUser {
  readonly sub: string;
  readonly email: string;
  readonly name?: string;
}

interface IdpCode {
  readonly user: IdpUser;
  readonly redirectUri: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
}

export interface FakeIdp {
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: string[];
  readonly autoApprove?: string;
  readonly lifetimeSeconds: number;
  readonly enforcePkce: boolean;
  readonly users: Map<string, IdpUser>;
  readonly codes: Map<string, IdpCode>;
  readonly tokens: Map<string, { readonly user: IdpUser; readonly exp: number }>;
  readonly signer: Signer;
  readonly now: () => number;
}

export function createIdp(baseUrl: string, now: () => number, options: ExternalIdpOptions = {}): FakeIdp {
  const idp: FakeIdp = {
    issuer: `${baseUrl}idp`,
    authorizeUrl: `${baseUrl}idp/authorize`,
    tokenUrl: `${baseUrl}idp/token`,
    userInfoUrl: `${baseUrl}idp/userinfo`,
    clientId: options.clientId ?? 'medplum-double-idp-client',
    clientSecret: options.clientSecret ?? randomHex(24),
    redirectUris: [...(options.redirectUris ?? [`${baseUrl}auth/external`])],
    autoApprove: options.autoApprove?.toLowerCase(),
    lifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    enforcePkce: options.enforcePkce ?? true,
    users: new Map(),
    codes: new Map(),
    tokens: new Map(),
    signer: createSigner(),
    now,
  };
  for (const user of options.users ?? []) {
    addIdpUser(idp, user);
  }
  if (idp.autoApprove && !idp.users.has(idp.autoApprove)) {
    throw new Error(`Medplum double: externalIdp.autoApprove names no IdP user: ${options.autoApprove}`);
  }
  return idp;
}

export function addIdpUser(idp: FakeIdp, user: ExternalIdpUserConfig): void {
  const email = user.email.toLowerCase();
  if (idp.users.has(email)) {
    throw new Error(`Medplum double: duplicate external IdP user ${user.email}`);
  }
  idp.users.set(email, { sub: user.sub ?? randomUUID(), email, ...(user.name ? { name: user.name } : {}) });
}

/** An access token of this IdP for one of its users, as if they had signed in there. */
export function issueIdpAccessToken(idp: FakeIdp, email: string, lifetimeSeconds = idp.lifetimeSeconds): string {
  const user = idp.users.get(email.toLowerCase());
  if (!user) {
    throw new Error(`Medplum double: no external IdP user ${email}`);
  }
  const token = `idp-at-${randomHex(24)}`;
  idp.tokens.set(token, { user, exp: idp.now() + lifetimeSeconds * 1000 });
  return token;
}

// ---- /idp/authorize ----

interface AuthorizeRequest {
  readonly query: URLSearchParams;
  readonly redirectUri: string;
}

function backTo(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) {
      url.searchParams.set(key, value);
    }
  }
  return url.toString();
}

function validateAuthorize(idp: FakeIdp, query: URLSearchParams): AuthorizeRequest | Reply {
  if (query.get('client_id') !== idp.clientId) {
    return html(400, 'Unknown client_id (external IdP of the Medplum test double)');
  }
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri || !idp.redirectUris.includes(redirectUri)) {
    return html(400, 'Invalid redirect_uri (external IdP of the Medplum test double)');
  }
  const state = query.get('state');
  if (query.get('response_type') !== 'code') {
    return redirect(backTo(redirectUri, { error: 'unsupported_response_type', state }));
  }
  const method = query.get('code_challenge_method');
  if (query.get('code_challenge') && method !== 'S256' && method !== 'plain') {
    return redirect(backTo(redirectUri, { error: 'invalid_request', error_description: 'Invalid code_challenge_method', state }));
  }
  return { query, redirectUri };
}

function signInPage(query: URLSearchParams, error?: string): string {
  const action = escapeHtml(`/idp/authorize?${query.toString()}`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - external IdP (Medplum test double)</title></head>
<body>
<h1>Sign in to the external identity provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="${action}">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}

function issueCode(idp: FakeIdp, request: AuthorizeRequest, user: IdpUser): Reply {
  const { query, redirectUri } = request;
  const code = randomHex(16);
  idp.codes.set(code, {
    user,
    redirectUri,
    scope: query.get('scope') ?? 'openid',
    nonce: query.get('nonce') ?? undefined,
    codeChallenge: query.get('code_challenge') || undefined,
    codeChallengeMethod: query.get('code_challenge_method') || undefined,
  });
  return redirect(backTo(redirectUri, { code, state: query.get('state') }));
}

export function getIdpAuthorize(idp: FakeIdp, req: DoubleRequest): Reply {
  const request = validateAuthorize(idp, req.url.searchParams);
  if ('status' in request) {
    return request;
  }
  const approved = idp.autoApprove && idp.users.get(idp.autoApprove);
  return approved ? issueCode(idp, request, approved) : html(200, signInPage(request.query));
}

export function postIdpAuthorize(idp: FakeIdp, req: DoubleRequest): Reply {
  const request = validateAuthorize(idp, req.url.searchParams);
  if ('status' in request) {
    return request;
  }
  const email = (isFormRequest(req) ? formBody(req).email : undefined)?.toLowerCase() ?? '';
  const user = idp.users.get(email);
  if (!user) {
    return html(400, signInPage(request.query, `No account for ${email || '(no email)'} at this identity provider`));
  }
  return issueCode(idp, request, user);
}

// ---- /idp/token ----

const oauthError = (status: number, error: string, description: string): Reply => json(status, { error, error_description: description });

function pkceVerified(code: IdpCode, verifier: string | undefined): boolean {
  if (!code.codeChallenge) {
    return true;
  }
  if (!verifier) {
    return false;
  }
  return code.codeChallengeMethod === 'plain' ? verifier === code.codeChallenge : s256(verifier) === code.codeChallenge;
}

export function postIdpToken(idp: FakeIdp, req: DoubleRequest): Reply {
  if (!isFormRequest(req)) {
    return oauthError(400, 'invalid_request', 'Expected application/x-www-form-urlencoded');
  }
  const form = formBody(req);
  const header = req.headers.authorization;
  const { id, secret } = header?.startsWith('Basic ') ? basicCredentials(header) : { id: form.client_id, secret: form.client_secret };
  if (id !== idp.clientId || secret !== idp.clientSecret) {
    return oauthError(401, 'invalid_client', 'Client authentication failed');
  }
  if (form.grant_type !== 'authorization_code') {
    return oauthError(400, 'unsupported_grant_type', 'Only authorization_code is supported');
  }
  const code = form.code ? idp.codes.get(form.code) : undefined;
  if (!code || !form.code) {
    return oauthError(400, 'invalid_grant', 'Invalid or used authorization code');
  }
  idp.codes.delete(form.code); // single use, even when the request fails below
  if (form.redirect_uri !== code.redirectUri) {
    return oauthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
  }
  if (idp.enforcePkce && !pkceVerified(code, form.code_verifier)) {
    return oauthError(400, 'invalid_grant', 'PKCE verification failed');
  }
  const accessToken = issueIdpAccessToken(idp, code.user.email);
  const iat = Math.floor(idp.now() / 1000);
  const idToken = idp.signer.sign({
    iss: idp.issuer,
    aud: idp.clientId,
    sub: code.user.sub,
    email: code.user.email,
    email_verified: true,
    ...(code.user.name ? { name: code.user.name } : {}),
    ...(code.nonce ? { nonce: code.nonce } : {}),
    iat,
    exp: iat + idp.lifetimeSeconds,
  });
  return json(200, { access_token: accessToken, token_type: 'Bearer', expires_in: idp.lifetimeSeconds, scope: code.scope, id_token: idToken });
}

// ---- /idp/userinfo ----

export function idpUserinfo(idp: FakeIdp, req: DoubleRequest): Reply {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  const issued = scheme === 'Bearer' && token ? idp.tokens.get(token) : undefined;
  if (!issued || issued.exp <= idp.now()) {
    return { ...json(401, { error: 'invalid_token' }), headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  const { sub, email, name } = issued.user;
  return json(200, { sub, email, email_verified: true, ...(name ? { name } : {}) });
}
