import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';

// A small fake of the Medplum server and of an external IdP, for the tests.
// - signInAtIdp() plays the IdP's authorize page: it checks the IdP client and that the redirect
//   goes to Medplum's callback, then sends the browser there with the IdP's code and the same state.
// - externalCallback() plays Medplum's GET auth/external: it reads the login request from `state`,
//   checks the ClientApplication, its project and Redirect URIs as the real server does, and sends the
//   browser back to the app with a Medplum code bound to the PKCE challenge from `state`.
// - oauth2/token, auth/me and oauth2/logout answer like a real server (v5.1.29): a code whose PKCE verifier
//   does not match is refused, and a code redeemed twice is refused and revokes the token it first produced.

export const BASE_URL = 'http://localhost:8103/';
const CALLBACK_URL = `${BASE_URL}auth/external`;
export const CLIENT_ID = '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a';
export const PROJECT_ID = 'project-starter';
export const IDP_AUTHORIZE_URL = 'https://example.okta.com/oauth2/default/v1/authorize';
export const IDP_CLIENT_ID = '0oa1b2c3d4e5f6g7h8i9';
/** A user known to both the IdP and Medplum (by email). */
export const ADA = 'ada@example.com';

/** The ClientApplication's Redirect URIs, registered as the README says. */
const REDIRECT_URIS = ['http://localhost:5173/', 'http://localhost:4173/'];

const PROJECT = { id: PROJECT_ID, name: 'Starter Test Project' };
const PRACTITIONERS: Readonly<Record<string, { id: string; given: string; family: string }>> = {
  [ADA]: { id: 'pr-ada', given: 'Ada', family: 'Lovelace' },
};

/** What Medplum reads from `state` (the SDK's login request, as JSON). */
interface LoginRequest {
  readonly clientId?: string;
  readonly projectId?: string;
  readonly redirectUri?: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
}

/** A Medplum authorization code: whose, its PKCE challenge, and the access token it was redeemed for, if any. */
interface Grant {
  readonly email: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
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
  const idpCodes = new Map<string, string>(); // IdP code -> email
  const grants = new Map<string, Grant>();
  const sessions = new Map<string, string>(); // access token -> email
  const revoked = new Set<string>();
  let offline = false;

  function session(headers: Headers): string | undefined {
    const token = bearer(headers);
    return revoked.has(token) ? undefined : sessions.get(token);
  }

  const routes: Record<string, (request: RecordedRequest) => Response> = {
    'POST /oauth2/token': ({ body }) => {
      if (body.grant_type !== 'authorization_code') {
        return tokenError('unsupported_grant_type', 'Unsupported grant type');
      }
      const grant = grants.get(body.code ?? '');
      if (!grant) {
        return tokenError('invalid_request', 'Invalid code');
      }
      if (grant.accessToken) {
        revoked.add(grant.accessToken);
        return tokenError('invalid_grant', 'Token already granted');
      }
      if (!grant.codeChallenge) {
        return tokenError('invalid_request', 'Missing verification context');
      }
      if (!body.code_verifier) {
        return tokenError('invalid_request', 'Missing code verifier');
      }
      const expected = grant.codeChallengeMethod === 'S256' ? s256(body.code_verifier) : body.code_verifier;
      if (expected !== grant.codeChallenge) {
        return tokenError('invalid_request', 'Invalid code verifier');
      }
      if (body.client_id && body.client_id !== CLIENT_ID) {
        return tokenError('invalid_request', 'Invalid client');
      }

      const practitioner = PRACTITIONERS[grant.email];
      const profile = `Practitioner/${practitioner.id}`;
      const now = Math.floor(Date.now() / 1000);
      const claims = { login_id: randomUUID(), client_id: CLIENT_ID, profile, iat: now, exp: now + 3600 };
      grant.accessToken = unsignedJwt(claims);
      sessions.set(grant.accessToken, grant.email);
      return json(200, {
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid offline_access',
        id_token: unsignedJwt({ fhirUser: profile, iat: now, exp: now + 3600 }),
        access_token: grant.accessToken,
        project: { reference: `Project/${PROJECT.id}`, display: PROJECT.name },
        profile: { reference: profile, display: `${practitioner.given} ${practitioner.family}` },
      });
    },

    'GET /auth/me': ({ headers }) => {
      const email = session(headers);
      if (!email) {
        return unauthorized();
      }
      const practitioner = PRACTITIONERS[email];
      return json(200, {
        project: { resourceType: 'Project', id: PROJECT.id, name: PROJECT.name },
        membership: {
          resourceType: 'ProjectMembership',
          id: `membership-${practitioner.id}`,
          project: { reference: `Project/${PROJECT.id}`, display: PROJECT.name },
          profile: { reference: `Practitioner/${practitioner.id}` },
        },
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
    /** Every request the app made to Medplum so far, as "METHOD /path". */
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

    /** The IdP's authorize page: the user signs in there, and the IdP sends the browser to Medplum's callback. */
    signInAtIdp(authorize: URL, email: string): URL {
      const params = authorize.searchParams;
      assert.equal(authorize.origin + authorize.pathname, IDP_AUTHORIZE_URL, 'not the IdP authorize URL');
      assert.equal(params.get('client_id'), IDP_CLIENT_ID, 'unknown client at the IdP');
      assert.equal(params.get('redirect_uri'), CALLBACK_URL, 'the IdP only redirects to the callback registered there');
      assert.equal(params.get('response_type'), 'code');
      const code = randomUUID();
      idpCodes.set(code, email);
      const callback = new URL(CALLBACK_URL);
      callback.searchParams.set('code', code);
      callback.searchParams.set('state', params.get('state') ?? '');
      return callback;
    },

    /**
     * Medplum's GET auth/external. The real server also redeems the IdP code at the IdP's token endpoint
     * and reads the user's email from the ID token; here the IdP code maps to the email directly.
     * Returns where Medplum redirects the browser, or throws with the error Medplum would show.
     */
    externalCallback(callback: URL): URL {
      const email = idpCodes.get(callback.searchParams.get('code') ?? '');
      assert.ok(email, 'Failed to verify code - check your identity provider configuration');
      idpCodes.delete(callback.searchParams.get('code') ?? '');
      const login = JSON.parse(callback.searchParams.get('state') ?? '') as LoginRequest;
      assert.equal(login.clientId, CLIENT_ID, 'Identity provider not found');
      assert.ok(login.projectId === undefined || login.projectId === PROJECT_ID, 'Invalid project');
      assert.ok(login.redirectUri, 'without a redirectUri Medplum sends the user to its own app, not this one');
      assert.ok(REDIRECT_URIS.includes(login.redirectUri), 'Invalid redirect URI');

      const code = randomUUID();
      grants.set(code, { email, codeChallenge: login.codeChallenge, codeChallengeMethod: login.codeChallengeMethod });
      const back = new URL(login.redirectUri);
      back.searchParams.set('login', randomUUID());
      back.searchParams.set('code', code);
      return back;
    },
  };
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
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
