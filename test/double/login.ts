/**
 * Sign-in: POST /auth/login (password), POST /auth/mfa/verify and /auth/mfa/login-enroll (see
 * mfa.ts), POST /auth/profile (choosing among several memberships),
 * POST /auth/method (domain-level IdPs), and the login the server's `tryLogin` makes for Google,
 * external-IdP and token-exchange sign-ins. The checks run in the server's order, with its texts.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, HttpError, invalidFields, json, jsonBody, notFound, stringField, type DoubleRequest, type Reply } from './http.js';
import {
  findUserByEmail,
  findUserByExternalId,
  ipAllowed,
  randomHex,
  type Client,
  type DoubleState,
  type IdentityProvider,
  type Login,
  type Membership,
  type User,
} from './model.js';
import { enrollMfa, mfaChallenge, verifyMfaCode } from './mfa.js';

export interface LoginRequest {
  readonly email?: string;
  readonly password?: string;
  readonly projectId?: string;
  readonly clientId?: string;
  readonly scope?: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly remoteAddress: string;
}

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Creates a Login, with its membership set when only one fits. Throws HttpError with the recorded 400s. */
export function tryLogin(state: DoubleState, request: LoginRequest): Login {
  const errors = [
    ...(request.email && EMAIL.test(request.email) ? [] : [{ field: 'email', text: 'Valid email address is required' }]),
    ...(request.password && request.password.length >= 8 ? [] : [{ field: 'password', text: 'Password must be at least 8 characters' }]),
  ];
  if (errors.length > 0) {
    throw new HttpError(invalidFields(errors));
  }

  const { client, projectId } = clientAndProject(state, request.clientId, request.projectId);
  if (!client?.pkceOptional) {
    validatePkce(request);
  }

  const user = findUserByEmail(state, request.email ?? '');
  const memberships = user ? candidateMemberships(user, projectId) : [];
  if (!user || memberships.length === 0) {
    throw new HttpError(badRequest('User not found'));
  }
  if (user.password !== request.password) {
    throw new HttpError(badRequest('Email or password is invalid'));
  }
  return createLogin(state, user, memberships, { ...request, client, projectId, scope: request.scope ?? 'openid', authMethod: 'password' });
}

/** The client named by `clientId` (unknown: 404) and the project it implies (another projectId: "Invalid projectId"). */
export function clientAndProject(
  state: DoubleState,
  clientId: string | undefined,
  projectId: string | undefined,
): { readonly client?: Client; readonly projectId?: string } {
  if (!clientId) {
    return { projectId };
  }
  const client = state.clients.get(clientId);
  if (!client) {
    throw new HttpError(notFound());
  }
  if (projectId !== undefined && projectId !== client.membership.project.id) {
    throw new HttpError(badRequest('Invalid projectId'));
  }
  return { client, projectId: client.membership.project.id };
}

interface NewLogin {
  readonly client?: Client;
  readonly projectId?: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly remoteAddress: string;
  readonly authMethod: NonNullable<Login['authMethod']>;
  /** Token exchange: a user with several memberships gets the first one instead of a choice. */
  readonly forceUseFirstMembership?: boolean;
}

function createLogin(state: DoubleState, user: User, memberships: readonly Membership[], request: NewLogin): Login {
  const { client, scope } = request;
  const wantsRefresh = /\boffline(_access)?\b/.test(scope) || (client?.grantType.includes('refresh_token') ?? false);
  const login: Login = {
    id: randomUUID(),
    user,
    client,
    projectId: request.projectId,
    scope,
    nonce: request.nonce ?? randomUUID(),
    code: randomHex(16),
    cookie: randomHex(16),
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    refreshSecret: wantsRefresh ? randomHex(32) : undefined,
    authTime: state.now(),
    authMethod: request.authMethod,
    granted: false,
    revoked: false,
  };
  state.logins.set(login.id, login);
  const [first, ...others] = memberships;
  if (first && (others.length === 0 || request.forceUseFirstMembership)) {
    setMembership(login, first, request.remoteAddress);
  }
  return login;
}

export interface IdentityLoginRequest {
  readonly authMethod: 'google' | 'external' | 'exchange';
  /** Who the IdP (or Google) vouched for: an email, or with `useSubject` the `sub` as externalId. */
  readonly email?: string;
  readonly externalId?: string;
  readonly projectId?: string;
  readonly clientId?: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly remoteAddress: string;
  readonly forceUseFirstMembership?: boolean;
}

/** The server's `tryLogin` for a user the identity provider already authenticated (no password). */
export function tryIdentityLogin(state: DoubleState, request: IdentityLoginRequest): Login {
  if (!request.externalId && !request.email) {
    throw new HttpError(badRequest('Missing email or externalId', 'externalId'));
  }
  if (request.externalId && !request.projectId) {
    throw new HttpError(badRequest('Project ID is required for external ID', 'projectId'));
  }
  const client = request.clientId ? state.clients.get(request.clientId) : undefined;
  if (request.clientId && !client) {
    throw new HttpError(notFound());
  }
  if (!client?.pkceOptional) {
    validatePkce(request);
  }
  const user = request.externalId
    ? findUserByExternalId(state, request.externalId, request.projectId ?? '')
    : findUserByEmail(state, request.email ?? '');
  const memberships = user ? candidateMemberships(user, request.projectId) : [];
  if (!user || memberships.length === 0) {
    throw new HttpError(badRequest('User not found'));
  }
  return createLogin(state, user, memberships, { ...request, client });
}

function candidateMemberships(user: User, projectId: string | undefined): readonly Membership[] {
  return user.memberships.filter((m) => projectId === undefined || m.project.id === projectId);
}

function validatePkce({ codeChallenge, codeChallengeMethod }: Pick<LoginRequest, 'codeChallenge' | 'codeChallengeMethod'>): void {
  if (!codeChallenge && codeChallengeMethod) {
    throw new HttpError(badRequest('Invalid code challenge', 'code_challenge'));
  }
  if (codeChallenge && codeChallengeMethod !== 'plain' && codeChallengeMethod !== 'S256') {
    throw new HttpError(badRequest('Invalid code challenge method', 'code_challenge_method'));
  }
}

function setMembership(login: Login, membership: Membership, remoteAddress: string): void {
  if (!ipAllowed(membership.policy, remoteAddress)) {
    throw new HttpError(badRequest('IP address not allowed'));
  }
  login.membership = membership;
}

/** The session cookie the server sets when a login names a client (the double never reads it back). */
function loginCookie(state: DoubleState, login: Login): Reply['headers'] {
  if (!login.client) {
    return undefined;
  }
  const expires = new Date(state.now() + 3600_000).toUTCString();
  return {
    'set-cookie': [`medplum-${login.client.id}=${login.cookie}; Max-Age=3600; Path=/; Expires=${expires}; HttpOnly; Secure; SameSite=None`],
  };
}

/**
 * The server's `sendLoginResult` (auth/utils.ts): an MFA step first (mfa.ts), then `{login, code}`,
 * or `{login, memberships}` when the user must choose (as /auth/login, /auth/google, /auth/mfa/verify).
 */
export function loginResult(state: DoubleState, login: Login): Reply {
  const challenge = mfaChallenge(login);
  if (challenge) {
    return json(200, challenge);
  }
  if (login.membership) {
    return json(200, { login: login.id, code: login.code }, loginCookie(state, login));
  }
  const memberships = login.user ? candidateMemberships(login.user, login.projectId) : [];
  return json(
    200,
    {
      login: login.id,
      memberships: memberships.map((m) => ({
        id: m.id,
        project: { reference: `Project/${m.project.id}`, display: m.project.name },
        profile: m.profile,
      })),
    },
    loginCookie(state, login),
  );
}

export function postLogin(state: DoubleState, req: DoubleRequest): Reply {
  const body = jsonBody(req);
  const login = tryLogin(state, {
    email: stringField(body, 'email'),
    password: stringField(body, 'password'),
    projectId: stringField(body, 'projectId'),
    clientId: stringField(body, 'clientId'),
    scope: stringField(body, 'scope'),
    nonce: stringField(body, 'nonce'),
    codeChallenge: stringField(body, 'codeChallenge'),
    codeChallengeMethod: stringField(body, 'codeChallengeMethod'),
    remoteAddress: req.remoteAddress,
  });
  return loginResult(state, login);
}

/** The Login a `login` field names (the server's `readResource('Login', id)`: 404 when unknown). */
function loginOf(state: DoubleState, id: string | undefined): Login {
  const login = state.logins.get(id ?? '');
  if (!login) {
    throw new HttpError(notFound());
  }
  return login;
}

/** packages/server/src/auth/mfa.ts `/verify`: express-validator first, then `verifyMfaToken`. */
export function postMfaVerify(state: DoubleState, req: DoubleRequest): Reply {
  const body = jsonBody(req);
  const loginId = stringField(body, 'login');
  const token = stringField(body, 'token');
  const errors = [
    ...(loginId ? [] : [{ field: 'login', text: 'Missing login' }]),
    ...(token ? [] : [{ field: 'token', text: 'Missing token' }]),
  ];
  if (errors.length > 0) {
    throw new HttpError(invalidFields(errors));
  }
  const login = loginOf(state, loginId);
  verifyMfaCode(state, login, token ?? '');
  return loginResult(state, login);
}

/** packages/server/src/auth/mfa.ts `/login-enroll`: what SignInForm posts for `mfaEnrollRequired`. */
export function postMfaLoginEnroll(state: DoubleState, req: DoubleRequest): Reply {
  const body = jsonBody(req);
  const loginId = stringField(body, 'login');
  if (!loginId) {
    throw new HttpError(invalidFields([{ field: 'login', text: 'Missing login' }]));
  }
  const login = loginOf(state, loginId);
  enrollMfa(state, login, stringField(body, 'method'), stringField(body, 'token'));
  return loginResult(state, login);
}

export function postProfile(state: DoubleState, req: DoubleRequest): Reply {
  const body = jsonBody(req);
  const login = loginOf(state, stringField(body, 'login'));
  if (login.revoked) {
    throw new HttpError(badRequest('Login revoked'));
  }
  if (login.granted) {
    throw new HttpError(badRequest('Login granted'));
  }
  if (login.membership) {
    throw new HttpError(badRequest('Login profile already set'));
  }
  const membership = state.memberships.get(stringField(body, 'profile') ?? '');
  if (!membership) {
    throw new HttpError(badRequest('Profile not found'));
  }
  if (!login.user || membership.user.reference !== `User/${login.user.id}`) {
    throw new HttpError(badRequest('Invalid profile'));
  }
  setMembership(login, membership, req.remoteAddress);
  return json(200, { login: login.id, code: login.code });
}

/** Never reveals whether a user exists, only whether the email's domain has a DomainConfiguration. */
export function postAuthMethod(state: DoubleState, req: DoubleRequest): Reply {
  const email = stringField(jsonBody(req), 'email');
  if (!email || !EMAIL.test(email)) {
    throw new HttpError(invalidFields([{ field: 'email', text: 'Valid email address is required' }]));
  }
  return json(200, externalAuth(state, email) ?? {});
}

/** The server's `isExternalAuth`: `{domain, authorizeUrl}` when a DomainConfiguration matches the email's domain. */
export function externalAuth(state: DoubleState, email: string): { domain: string; authorizeUrl: string } | undefined {
  const domain = email.split('@')[1] ?? '';
  const idp: IdentityProvider | undefined = state.domains.get(domain.toLowerCase());
  if (!idp) {
    return undefined;
  }
  const url = new URL(idp.authorizeUrl);
  url.searchParams.set('client_id', idp.clientId);
  url.searchParams.set('redirect_uri', `${state.baseUrl}auth/external`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', 'openid profile email');
  return { domain, authorizeUrl: url.toString() };
}
