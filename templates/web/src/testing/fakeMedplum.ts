import { ClientStorage, MedplumClient, MemoryStorage } from '@medplum/core';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

// A small fake of the Medplum server for the tests. Its answers to auth/login, auth/profile,
// oauth2/token, auth/me and oauth2/logout follow exchanges recorded on a real server (v5.1.29).
// Like the real server, it refuses a code whose PKCE verifier does not match, and a code redeemed twice.
// testing/fakeMedplumServer.ts adds what this starter's sign-in method needs (its routes and pages).

export const BASE_URL = 'http://localhost:8103/';
export const CLIENT_ID = '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a';
export const PASSWORD = 'correct-horse-battery-staple';
/** A user with one project membership. */
export const ADMIN = 'starter-admin@example.com';
/** A user with two project memberships. */
export const MULTI = 'wire-multi@example.com';

/** The ClientApplication's Redirect URIs, registered as the README says. */
export const REDIRECT_URIS = ['http://localhost:5173/', 'http://localhost:4173/'];

export interface Membership {
  readonly id: string;
  readonly project: { readonly id: string; readonly name: string };
  readonly practitioner: { readonly id: string; readonly given: string; readonly family: string };
}

export const STARTER_PROJECT = { id: 'project-starter', name: 'Starter Test Project' };
const SECOND_PROJECT = { id: 'project-second', name: 'Wire Capture Second Project' };

const ACCOUNTS: Readonly<Record<string, Membership[]>> = {
  [ADMIN]: [
    {
      id: 'membership-admin',
      project: STARTER_PROJECT,
      practitioner: { id: 'pr-admin', given: 'Starter', family: 'Admin' },
    },
  ],
  [MULTI]: [
    {
      id: 'membership-multi-starter',
      project: STARTER_PROJECT,
      practitioner: { id: 'pr-m1', given: 'Multi', family: 'Member' },
    },
    {
      id: 'membership-multi-second',
      project: SECOND_PROJECT,
      practitioner: { id: 'pr-m2', given: 'Multi', family: 'Member' },
    },
  ],
};

/** A sign-in in progress, with the PKCE challenge it started with. */
export interface Login {
  readonly email: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  /** The scope the token response echoes; "openid" unless the sign-in asked for more. */
  readonly scope?: string;
}

/** An authorization code: who it signs in, and the access token it was redeemed for, if any. */
interface Grant {
  readonly login: Login;
  readonly membership: Membership;
  accessToken?: string;
}

export interface RecordedRequest {
  /** Method and path, e.g. "POST /oauth2/token". */
  readonly call: string;
  readonly headers: Headers;
  /** The JSON or form body, as key/value pairs. */
  readonly body: Readonly<Record<string, string | undefined>>;
}

export type Route = (request: RecordedRequest) => Response;

export interface FakeMedplumOptions {
  /** Users besides ADMIN and MULTI, by email, with their project memberships. */
  readonly accounts?: Readonly<Record<string, Membership[]>>;
}

export type FakeMedplum = ReturnType<typeof fakeMedplum>;

export function fakeMedplum(options: FakeMedplumOptions = {}) {
  const accounts: Readonly<Record<string, Membership[]>> = { ...ACCOUNTS, ...options.accounts };
  const requests: RecordedRequest[] = [];
  const logins = new Map<string, Login>();
  const grants = new Map<string, Grant>();
  const sessions = new Map<string, Membership>();
  const revoked = new Set<string>();
  let offline = false;

  /**
   * A one-time code that signs `login.email` in to `membership` (by default, the user's first),
   * bound to the login's PKCE challenge.
   */
  function issueCode(login: Login, membership: Membership = accounts[login.email][0]): string {
    const code = randomUUID();
    grants.set(code, { login, membership });
    return code;
  }

  function codeAnswer(loginId: string, login: Login, membership: Membership): Response {
    return json(200, { login: loginId, code: issueCode(login, membership) });
  }

  /**
   * What the server does once it knows who is signing in (after the password, or Google's credential):
   * a code for a user in one project, the memberships to choose from for a user in several.
   */
  function startLogin(email: string, body: RecordedRequest['body']): Response {
    const memberships = accounts[email];
    if (!memberships) {
      return outcome(400, 'User not found');
    }
    const loginId = randomUUID();
    const login = { email, codeChallenge: body.codeChallenge, codeChallengeMethod: body.codeChallengeMethod };
    logins.set(loginId, login);
    const choices = body.projectId ? memberships.filter((m) => m.project.id === body.projectId) : memberships;
    if (choices.length === 0) {
      return outcome(400, 'User not found');
    }
    if (choices.length > 1) {
      return json(200, { login: loginId, memberships: choices.map(membershipResource) });
    }
    return codeAnswer(loginId, login, choices[0]);
  }

  function session(headers: Headers): Membership | undefined {
    const token = bearer(headers);
    return revoked.has(token) ? undefined : sessions.get(token);
  }

  const routes: Record<string, Route> = {
    'POST /auth/login': ({ body }) => {
      if (!accounts[body.email ?? '']) {
        return outcome(400, 'User not found');
      }
      if (body.password !== PASSWORD) {
        return outcome(400, 'Email or password is invalid');
      }
      return startLogin(body.email ?? '', body);
    },

    'POST /auth/profile': ({ body }) => {
      const login = logins.get(body.login ?? '');
      const membership = login && accounts[login.email].find((m) => m.id === body.profile);
      if (!login || !membership) {
        return outcome(400, 'Profile not found');
      }
      return codeAnswer(body.login ?? '', login, membership);
    },

    'POST /oauth2/token': ({ body }) => {
      if (body.grant_type !== 'authorization_code') {
        return tokenError('unsupported_grant_type', 'Unsupported grant type');
      }
      const grant = grants.get(body.code ?? '');
      if (!grant) {
        return tokenError('invalid_request', 'Invalid code');
      }
      if (grant.accessToken) {
        // A replayed code: refused, and the token it first produced is revoked.
        revoked.add(grant.accessToken);
        return tokenError('invalid_grant', 'Token already granted');
      }
      const { codeChallenge, codeChallengeMethod, scope = 'openid' } = grant.login;
      if (!codeChallenge) {
        return tokenError('invalid_request', 'Missing verification context');
      }
      if (!body.code_verifier) {
        return tokenError('invalid_request', 'Missing code verifier');
      }
      const expected = codeChallengeMethod === 'S256' ? s256(body.code_verifier) : body.code_verifier;
      if (expected !== codeChallenge) {
        return tokenError('invalid_request', 'Invalid code verifier');
      }
      if (body.client_id && body.client_id !== CLIENT_ID) {
        return tokenError('invalid_request', 'Invalid client');
      }

      const { project, practitioner } = grant.membership;
      const profile = `Practitioner/${practitioner.id}`;
      const now = Math.floor(Date.now() / 1000);
      const claims = { login_id: randomUUID(), client_id: CLIENT_ID, profile, scope, iat: now, exp: now + 3600 };
      grant.accessToken = unsignedJwt(claims);
      sessions.set(grant.accessToken, grant.membership);
      return json(200, {
        token_type: 'Bearer',
        expires_in: 3600,
        scope,
        id_token: unsignedJwt({ fhirUser: profile, iat: now, exp: now + 3600 }),
        access_token: grant.accessToken,
        project: { reference: `Project/${project.id}`, display: project.name },
        profile: { reference: profile, display: `${practitioner.given} ${practitioner.family}` },
      });
    },

    'GET /auth/me': ({ headers }) => {
      const membership = session(headers);
      if (!membership) {
        return unauthorized();
      }
      const { project, practitioner } = membership;
      return json(200, {
        project: { resourceType: 'Project', id: project.id, name: project.name },
        membership: { resourceType: 'ProjectMembership', ...membershipResource(membership) },
        profile: {
          resourceType: 'Practitioner',
          id: practitioner.id,
          name: [{ given: [practitioner.given], family: practitioner.family }],
        },
      });
    },

    'POST /oauth2/logout': ({ headers }) => {
      if (!session(headers)) {
        return unauthorized();
      }
      revoked.add(bearer(headers));
      return fhirJson(200, {
        resourceType: 'OperationOutcome',
        id: 'ok',
        issue: [{ severity: 'information', code: 'informational', details: { text: 'All OK' } }],
      });
    },
  };

  /** The `fetch` handed to MedplumClient. */
  async function fetch(url: string, init: RequestInit = {}): Promise<Response> {
    if (offline) {
      throw new TypeError('Failed to fetch');
    }
    const headers = new Headers(init.headers);
    const text = typeof init.body === 'string' ? init.body : '';
    let body: Record<string, string> = {};
    if (headers.get('content-type')?.includes('x-www-form-urlencoded')) {
      body = Object.fromEntries(new URLSearchParams(text));
    } else if (text) {
      body = JSON.parse(text);
    }
    const request = { call: `${init.method ?? 'GET'} ${new URL(url).pathname}`, headers, body };
    requests.push(request);
    return routes[request.call]?.(request) ?? outcome(404, 'Not found');
  }

  function last(call: string): RecordedRequest {
    const request = requests.findLast((r) => r.call === call);
    assert.ok(request, `expected a ${call} request`);
    return request;
  }

  return {
    fetch,
    /** Every request so far, as "METHOD /path". */
    calls: () => requests.map((r) => r.call),
    /** The body of the last such request. */
    body: (call: string) => last(call).body,
    /** A header of the last such request. */
    header: (call: string, name: string) => last(call).headers.get(name),
    lastAccessToken: () => [...sessions.keys()].at(-1) ?? '',
    isRevoked: (token: string) => revoked.has(token),
    goOffline: () => {
      offline = true;
    },

    // For testing/fakeMedplumServer.ts: the pieces a sign-in method builds its own answers from.
    /** Answers `call` (e.g. "POST /auth/google") with `route`. */
    route: (call: string, route: Route) => {
      routes[call] = route;
    },
    issueCode,
    startLogin,
  };
}

/** A real MedplumClient, the one the app uses, talking to the fake server. */
export function newClient(
  server: Pick<FakeMedplum, 'fetch'>,
  storage = new ClientStorage(new MemoryStorage())
): MedplumClient {
  // Memory storage keeps tests independent of whether this Node version has a localStorage global.
  return new MedplumClient({ baseUrl: BASE_URL, clientId: CLIENT_ID, fetch: server.fetch, storage });
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Shaped like Medplum's tokens; MedplumClient reads the claims but cannot check the signature. */
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES384', typ: 'JWT' })}.${part(claims)}.unsigned`;
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

/** An OperationOutcome error, as Medplum answers a request it refuses. */
export function outcome(status: number, text: string): Response {
  return fhirJson(status, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invalid', details: { text } }],
  });
}

function fhirJson(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
  });
}

function unauthorized(): Response {
  return fhirJson(401, {
    resourceType: 'OperationOutcome',
    id: 'unauthorized',
    issue: [{ severity: 'error', code: 'login', details: { text: 'Unauthorized' } }],
  });
}

function tokenError(error: string, description: string): Response {
  return json(400, { error, error_description: description });
}

function membershipResource({ id, project, practitioner }: Membership) {
  return {
    id,
    project: { reference: `Project/${project.id}`, display: project.name },
    profile: { reference: `Practitioner/${practitioner.id}`, display: `${practitioner.given} ${practitioner.family}` },
  };
}

function bearer(headers: Headers): string {
  return headers.get('authorization')?.replace(/^Bearer /, '') ?? '';
}
