import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

// A small fake of the Medplum server for the tests. Its answers to auth/method, auth/login, auth/profile,
// oauth2/token, auth/me and oauth2/logout follow exchanges recorded on a real server (v5.1.29); the
// identity provider's round trip through {baseUrl}auth/external follows the server's source
// (packages/server/src/auth/external.ts). Like the real server, it refuses a code whose PKCE verifier
// does not match, and a code redeemed twice.

export const BASE_URL = 'http://localhost:8103/';
export const CLIENT_ID = '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a';
export const PASSWORD = 'correct-horse-battery-staple';
/** A user with one project membership. */
export const ADMIN = 'starter-admin@example.com';
/** A user with two project memberships. */
export const MULTI = 'wire-multi@example.com';
/** An email domain with a domain-level identity provider (a DomainConfiguration). */
export const SSO_DOMAIN = 'wire-sso.example';
/** A user of that domain, who signs in at the identity provider, never with a Medplum password. */
export const SSO_USER = `grace@${SSO_DOMAIN}`;
/** The DomainConfiguration's identityProvider.authorizeUrl. */
export const IDP_AUTHORIZE_URL = 'https://idp.wire-sso.example/oauth2/authorize';
const IDP_CLIENT_ID = 'wire-sso-client';

/** The ClientApplication's Redirect URIs, registered as the README says. */
const REDIRECT_URIS = ['http://localhost:5173/', 'http://localhost:4173/'];

interface Membership {
  readonly id: string;
  readonly project: { readonly id: string; readonly name: string };
  readonly practitioner: { readonly id: string; readonly given: string; readonly family: string };
}

const STARTER = { id: 'project-starter', name: 'Starter Test Project' };
const SECOND = { id: 'project-second', name: 'Wire Capture Second Project' };

const ACCOUNTS: Readonly<Record<string, Membership[]>> = {
  [SSO_USER]: [
    { id: 'membership-sso', project: STARTER, practitioner: { id: 'pr-sso', given: 'Grace', family: 'Hopper' } },
  ],
  [ADMIN]: [
    { id: 'membership-admin', project: STARTER, practitioner: { id: 'pr-admin', given: 'Starter', family: 'Admin' } },
  ],
  [MULTI]: [
    {
      id: 'membership-multi-starter',
      project: STARTER,
      practitioner: { id: 'pr-m1', given: 'Multi', family: 'Member' },
    },
    { id: 'membership-multi-second', project: SECOND, practitioner: { id: 'pr-m2', given: 'Multi', family: 'Member' } },
  ],
};

/** A sign-in in progress, with the PKCE challenge it started with. */
interface Login {
  readonly email: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
}

/** An authorization code: who it signs in, and the access token it was redeemed for, if any. */
interface Grant {
  readonly login: Login;
  readonly membership: Membership;
  accessToken?: string;
}

interface RecordedRequest {
  /** Method and path, e.g. "POST /oauth2/token". */
  readonly call: string;
  readonly headers: Headers;
  /** The JSON or form body, as key/value pairs. */
  readonly body: Readonly<Record<string, string | undefined>>;
}

export type FakeMedplumServer = ReturnType<typeof fakeMedplumServer>;

export function fakeMedplumServer() {
  const requests: RecordedRequest[] = [];
  const logins = new Map<string, Login>();
  const grants = new Map<string, Grant>();
  const sessions = new Map<string, Membership>();
  const revoked = new Set<string>();
  let offline = false;

  function codeAnswer(loginId: string, login: Login, membership: Membership): Response {
    const code = randomUUID();
    grants.set(code, { login, membership });
    return json(200, { login: loginId, code });
  }

  function session(headers: Headers): Membership | undefined {
    const token = bearer(headers);
    return revoked.has(token) ? undefined : sessions.get(token);
  }

  const routes: Record<string, (request: RecordedRequest) => Response> = {
    'POST /auth/method': ({ body }) => {
      const email = body.email ?? '';
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
        return outcome(400, 'Valid email address is required');
      }
      if (email.split('@')[1]?.toLowerCase() !== SSO_DOMAIN) {
        return json(200, {}); // the same answer whether or not the user exists
      }
      const authorizeUrl = new URL(IDP_AUTHORIZE_URL);
      authorizeUrl.searchParams.set('client_id', IDP_CLIENT_ID);
      authorizeUrl.searchParams.set('redirect_uri', `${BASE_URL}auth/external`);
      authorizeUrl.searchParams.set('response_type', 'code');
      authorizeUrl.searchParams.set('scope', 'openid profile email');
      return json(200, { domain: SSO_DOMAIN, authorizeUrl: authorizeUrl.toString() });
    },

    'POST /auth/login': ({ body }) => {
      const memberships = ACCOUNTS[body.email ?? ''];
      if (!memberships) {
        return outcome(400, 'User not found');
      }
      if (body.password !== PASSWORD) {
        return outcome(400, 'Email or password is invalid');
      }
      const loginId = randomUUID();
      const login = {
        email: body.email ?? '',
        codeChallenge: body.codeChallenge,
        codeChallengeMethod: body.codeChallengeMethod,
      };
      logins.set(loginId, login);
      const choices = body.projectId ? memberships.filter((m) => m.project.id === body.projectId) : memberships;
      if (choices.length === 0) {
        return outcome(400, 'User not found');
      }
      if (choices.length > 1) {
        return json(200, { login: loginId, memberships: choices.map(membershipResource) });
      }
      return codeAnswer(loginId, login, choices[0]);
    },

    'POST /auth/profile': ({ body }) => {
      const login = logins.get(body.login ?? '');
      const membership = login && ACCOUNTS[login.email].find((m) => m.id === body.profile);
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
      const { codeChallenge, codeChallengeMethod } = grant.login;
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
      const claims = {
        login_id: randomUUID(),
        client_id: CLIENT_ID,
        profile,
        scope: 'openid',
        iat: now,
        exp: now + 3600,
      };
      grant.accessToken = unsignedJwt(claims);
      sessions.set(grant.accessToken, grant.membership);
      return json(200, {
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
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

    /**
     * What the identity provider and Medplum's callback do together: the user signs in at the provider,
     * which sends the browser to {baseUrl}auth/external?code=…&state=…; Medplum reads the login request
     * back from `state`, checks it, and redirects to the app's URL with ?login=…&code=….
     * Returns that URL. Throws with the server's message where the server would refuse.
     */
    signInAtIdentityProvider(idpUrl: URL, email: string): string {
      const params = idpUrl.searchParams;
      assert.equal(idpUrl.origin + idpUrl.pathname, IDP_AUTHORIZE_URL);
      assert.equal(params.get('client_id'), IDP_CLIENT_ID);
      assert.equal(params.get('redirect_uri'), `${BASE_URL}auth/external`);

      const state = JSON.parse(params.get('state') ?? 'null') as Record<string, string | undefined> | null;
      assert.ok(state, 'Missing state');
      assert.equal(state.domain, SSO_DOMAIN, 'Identity provider not found');
      assert.ok(email.endsWith(`@${state.domain}`), 'Email address does not match domain');
      assert.equal(state.clientId, CLIENT_ID, 'Client not found');
      assert.ok(state.projectId === undefined || state.projectId === STARTER.id, 'Invalid project');
      const redirectUri = state.redirectUri ?? '';
      assert.ok(REDIRECT_URIS.includes(redirectUri), 'Invalid redirect URI');

      const code = randomUUID();
      const loginId = randomUUID();
      grants.set(code, {
        login: { email, codeChallenge: state.codeChallenge, codeChallengeMethod: state.codeChallengeMethod },
        membership: ACCOUNTS[email][0],
      });
      const back = new URL(redirectUri);
      back.searchParams.set('login', loginId);
      back.searchParams.set('code', code);
      return back.toString();
    },
  };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
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

/** Shaped like Medplum's tokens; MedplumClient reads the claims but cannot check the signature. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES384', typ: 'JWT' })}.${part(claims)}.unsigned`;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

function fhirJson(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/fhir+json; charset=utf-8' },
  });
}

function outcome(status: number, text: string): Response {
  return fhirJson(status, {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invalid', details: { text } }],
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
