/**
 * Password sign-in: POST /auth/login, POST /auth/profile (choosing among several memberships)
 * and POST /auth/method. The checks run in the server's order, with its texts.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, HttpError, invalidFields, json, jsonBody, notFound, stringField, type DoubleRequest, type Reply } from './http.js';
import { findUserByEmail, ipAllowed, randomHex, type Client, type DoubleState, type Login, type Membership, type User } from './model.js';

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

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Creates a Login, with its membership set when only one fits. Throws HttpError with the recorded 400s. */
export function tryLogin(state: DoubleState, request: LoginRequest): Login {
  const errors = [
    ...(request.email && EMAIL.test(request.email) ? [] : [{ field: 'email', text: 'Valid email address is required' }]),
    ...(request.password && request.password.length >= 8 ? [] : [{ field: 'password', text: 'Password must be at least 8 characters' }]),
  ];
  if (errors.length > 0) {
    throw new HttpError(invalidFields(errors));
  }

  let projectId = request.projectId;
  let client: Client | undefined;
  if (request.clientId) {
    client = state.clients.get(request.clientId);
    if (!client) {
      throw new HttpError(notFound());
    }
    if (projectId !== undefined && projectId !== client.membership.project.id) {
      throw new HttpError(badRequest('Invalid projectId'));
    }
    projectId = client.membership.project.id;
  }
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

  const scope = request.scope ?? 'openid';
  const wantsRefresh = /\boffline(_access)?\b/.test(scope) || (client?.grantType.includes('refresh_token') ?? false);
  const login: Login = {
    id: randomUUID(),
    user,
    client,
    projectId,
    scope,
    nonce: request.nonce ?? randomUUID(),
    code: randomHex(16),
    cookie: randomHex(16),
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    refreshSecret: wantsRefresh ? randomHex(32) : undefined,
    authTime: state.now(),
    granted: false,
    revoked: false,
  };
  state.logins.set(login.id, login);
  const [only, ...others] = memberships;
  if (only && others.length === 0) {
    setMembership(login, only, request.remoteAddress);
  }
  return login;
}

function candidateMemberships(user: User, projectId: string | undefined): readonly Membership[] {
  return user.memberships.filter((m) => projectId === undefined || m.project.id === projectId);
}

function validatePkce({ codeChallenge, codeChallengeMethod }: LoginRequest): void {
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

export function postProfile(state: DoubleState, req: DoubleRequest): Reply {
  const body = jsonBody(req);
  const login = state.logins.get(stringField(body, 'login') ?? '');
  if (!login) {
    throw new HttpError(notFound());
  }
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

/** Never reveals whether a user exists; no domain-level identity providers in the double. */
export function postAuthMethod(req: DoubleRequest): Reply {
  const email = stringField(jsonBody(req), 'email');
  if (!email || !EMAIL.test(email)) {
    throw new HttpError(invalidFields([{ field: 'email', text: 'Valid email address is required' }]));
  }
  return json(200, {});
}
