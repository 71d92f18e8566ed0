import { createServer } from 'node:http';

/**
 * A stand-in for a Medplum server and your identity provider, for tests and local experiments.
 *
 * It answers the token-exchange grant at `oauth2/token` the way a real Medplum 5 server does
 * (status codes, error texts and JSON shapes were recorded from one), plus `auth/me` and the FHIR
 * routes a test registers. Where the real server calls the ClientApplication's
 * `identityProvider.userInfoUrl`, the fake looks the external token up in `identityProvider`.
 * It records every request so a test can assert on exactly what MedplumClient sent.
 *
 * Pass `fake.fetch` as MedplumClient's `fetch` option, or call `fake.listen()` for a real HTTP server.
 */

export interface FakeUser {
  email: string;
  /** The user's profile in the project, e.g. `{ reference: 'Practitioner/123', display: 'Ada Lovelace' }`. */
  profile: { reference: string; display: string };
}

export interface RecordedRequest {
  method: string;
  /** The path below the base URL, e.g. `fhir/R4/Patient` or `oauth2/token`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** The user whose Medplum token authenticated the request. */
  caller?: FakeUser;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeMedplumOptions {
  /** The ClientApplication that has the identity provider configured. */
  clientId: string;
  /** The identity provider's side: which user each external access token belongs to. Other tokens are refused. */
  identityProvider: Record<string, FakeUser>;
  /** `expires_in` of the tokens it issues, in seconds. Medplum's default is 3600. */
  tokenLifetime?: number;
  /** FHIR routes keyed by method and path, e.g. `GET fhir/R4/Patient`. Other FHIR paths get 404. */
  routes?: Record<string, Route>;
}

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** OperationOutcomes exactly as Medplum sends them (minus the per-request tracing extension). */
export const outcomes = {
  unauthorized: issue('unauthorized', 'login', 'Unauthorized'),
  forbidden: issue('forbidden', 'forbidden', 'Forbidden'),
  notFound: issue('not-found', 'not-found', 'Not found'),
};

export class FakeMedplum {
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  readonly routes: Record<string, Route>;
  private readonly options: FakeMedplumOptions;
  /** Medplum access tokens that are currently valid: who they act as, and until when (ms since epoch). */
  private readonly tokens = new Map<string, { user: FakeUser; expires: number }>();

  constructor(options: FakeMedplumOptions) {
    this.options = options;
    this.routes = { ...options.routes };
  }

  /** A `fetch` for MedplumClient: requests are answered in memory, nothing touches the network. */
  readonly fetch = (url: string | URL | Request, init?: RequestInit): Promise<Response> =>
    this.handle(new Request(url, init));

  /** The requests made to a path, e.g. `oauth2/token`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** The token grants received so far, as form fields. */
  tokenGrants(): URLSearchParams[] {
    return this.requestsTo('oauth2/token').map((request) => new URLSearchParams(request.body));
  }

  /** Makes every token issued so far invalid, as a logout or a server-side revocation would. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Serves the fake over HTTP on a free loopback port. */
  async listen(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) {
        chunks.push(chunk as Buffer);
      }
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) {
          headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
      }
      const response = await this.handle(
        new Request(new URL(req.url ?? '/', 'http://127.0.0.1'), {
          method: req.method,
          headers,
          body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
        })
      );
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      baseUrl: `http://127.0.0.1:${port}/`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname.replace(/^\/+/, ''),
      query: url.searchParams,
      headers: request.headers,
      body: await request.text(),
    };
    this.requests.push(recorded);
    return toResponse(await this.reply(recorded), url.origin);
  }

  private async reply(request: RecordedRequest): Promise<Reply> {
    if (request.method === 'POST' && request.path === 'oauth2/token') {
      return this.exchange(request);
    }
    request.caller = this.caller(request);
    if (!request.caller) {
      return { status: 401, body: outcomes.unauthorized, headers: { 'www-authenticate': 'Bearer' } };
    }
    if (request.method === 'GET' && request.path === 'auth/me') {
      return { status: 200, body: me(request.caller) };
    }
    const route = this.routes[`${request.method} ${request.path}`];
    return route ? route(request) : { status: 404, body: outcomes.notFound };
  }

  /** `POST oauth2/token` for the token-exchange grant, with the server's checks and error texts. */
  private exchange(request: RecordedRequest): Reply {
    const form = new URLSearchParams(request.body);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const error = (description: string): Reply => ({
      status: 400,
      body: { error: 'invalid_request', error_description: description },
      headers: json,
    });

    if (!form.get('grant_type')) return error('Missing grant_type');
    if (form.get('grant_type') !== TOKEN_EXCHANGE) return error('Unsupported grant_type');
    if (form.get('client_id') !== this.options.clientId) return error('Invalid client');
    const subjectToken = form.get('subject_token');
    if (!subjectToken) return error('Invalid subject_token');
    if (form.get('subject_token_type') !== ACCESS_TOKEN_TYPE) return error('Invalid subject_token_type');
    // The real server calls identityProvider.userInfoUrl with the token here.
    const user = this.options.identityProvider[subjectToken];
    if (!user) return error('Failed to verify code - check your identity provider configuration');

    const expiresIn = this.options.tokenLifetime ?? 3600;
    const now = Math.floor(Date.now() / 1000);
    const userId = userIdOf(user);
    const accessToken = fakeJwt({
      client_id: this.options.clientId,
      login_id: crypto.randomUUID(),
      sub: userId,
      scope: 'openid offline_access',
      profile: user.profile.reference,
      iat: now,
      exp: now + expiresIn,
    });
    this.tokens.set(accessToken, { user, expires: (now + expiresIn) * 1000 });
    return {
      status: 200,
      headers: json,
      body: {
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: 'openid offline_access',
        id_token: fakeJwt({ sub: userId, aud: this.options.clientId, iat: now, exp: now + expiresIn }),
        access_token: accessToken,
        refresh_token: fakeJwt({ login_id: crypto.randomUUID(), iat: now }),
        project: { reference: 'Project/fake-project', display: 'Fake Project' },
        profile: user.profile,
      },
    };
  }

  private caller(request: RecordedRequest): FakeUser | undefined {
    const header = request.headers.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? this.tokens.get(header.slice('Bearer '.length)) : undefined;
    return token && token.expires > Date.now() ? token.user : undefined;
  }
}

function me(user: FakeUser): unknown {
  const [resourceType, id] = user.profile.reference.split('/');
  const userRef = { reference: `User/${userIdOf(user)}`, display: user.email };
  return {
    user: { resourceType: 'User', id: userIdOf(user), email: user.email },
    project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
    membership: { resourceType: 'ProjectMembership', id: `membership-${id}`, user: userRef, profile: user.profile },
    profile: { resourceType, id },
  };
}

function userIdOf(user: FakeUser): string {
  return `user-${user.email.replace(/[^a-z0-9]/gi, '-')}`;
}

function issue(id: string, code: string, text: string): unknown {
  return { resourceType: 'OperationOutcome', id, issue: [{ severity: 'error', code, details: { text } }] };
}

function toResponse(reply: Reply, origin: string): Response {
  const headers = new Headers(reply.headers);
  if (headers.has('www-authenticate')) {
    headers.set('www-authenticate', `${headers.get('www-authenticate')} realm="${origin}/"`);
  }
  if (reply.body === undefined) {
    return new Response(null, { status: reply.status, headers });
  }
  if (!headers.has('content-type')) {
    headers.set('content-type', 'application/fhir+json; charset=utf-8');
  }
  return new Response(JSON.stringify(reply.body), { status: reply.status, headers });
}

/** An unsigned JWT: MedplumClient reads `exp` and `client_id` from it but does not check signatures. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES384', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
}
