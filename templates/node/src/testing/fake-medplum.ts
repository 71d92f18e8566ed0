import { createServer } from 'node:http';

/**
 * A stand-in for a Medplum server, for tests and local experiments.
 *
 * It answers the way a real Medplum 5 server does (status codes, error texts and JSON shapes were
 * recorded from one). This base class serves `oauth2/token` for the grant types a subclass
 * registers in `grants`, accepts the Bearer tokens it issued, and answers the routes a subclass or
 * a test registers (`auth/me`, `fhir/R4/...`). It records every request so a test can assert on
 * exactly what MedplumClient sent.
 *
 * Pass `fake.fetch` as MedplumClient's `fetch` option, or call `fake.listen()` for a real HTTP server.
 */

export interface RecordedRequest<Caller = unknown> {
  method: string;
  /** The URL it was sent to, without the query, e.g. `http://127.0.0.1:8103/oauth2/token`. */
  url: string;
  /** The path below the base URL, e.g. `fhir/R4/Patient` or `oauth2/token`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
  /** Who the request's credentials act for, once the fake has accepted them. */
  caller?: Caller;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers a request whose credentials the fake accepted: `request.caller` is who they act for. */
export type Route<Caller = unknown> = (request: RecordedRequest<Caller> & { caller: Caller }) => Reply | Promise<Reply>;

/** The JSON body of a successful `oauth2/token` response. */
export type TokenResponse = Record<string, unknown>;

/**
 * Answers one grant type at `oauth2/token`, given the form fields: a token response, or the
 * `error_description` of the 400 the server refuses the grant with.
 */
export type Grant<Caller = unknown> = (
  form: URLSearchParams,
  request: RecordedRequest<Caller>
) => TokenResponse | string;

/** Whom `signIn` issues a token to. */
export interface Login<Caller> {
  caller: Caller;
  /** The tokens' `sub`: the client ID when a client signs in as itself, else the user's ID. */
  subject: string;
  /** The profile the token acts as, e.g. `{ reference: 'Practitioner/123', display: 'Ada Lovelace' }`. */
  profile: { reference: string; display: string };
  /** The granted scope, e.g. `openid` (the server's default). */
  scope: string;
}

export interface FakeMedplumOptions<Caller = unknown> {
  /** The ID of the ClientApplication this server knows. */
  clientId: string;
  /** `expires_in` of the tokens it issues, in seconds. Medplum's default is 3600. */
  tokenLifetime?: number;
  /** Routes keyed by method and path, e.g. `GET fhir/R4/Patient`. Other paths get 404. */
  routes?: Record<string, Route<Caller>>;
}

/** OperationOutcomes exactly as Medplum sends them (minus the per-request tracing extension). */
export const outcomes = {
  unauthorized: issue('unauthorized', 'login', 'Unauthorized'),
  forbidden: issue('forbidden', 'forbidden', 'Forbidden'),
  notFound: issue('not-found', 'not-found', 'Not found'),
};

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export class FakeMedplum<Caller = unknown> {
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest<Caller>[] = [];
  readonly routes: Record<string, Route<Caller>>;
  protected readonly clientId: string;
  /** What `oauth2/token` answers, by `grant_type`. Other grant types are refused as the server does. */
  protected readonly grants = new Map<string, Grant<Caller>>();
  private readonly tokenLifetime: number;
  /** Access tokens that are currently valid: whom they act for, and until when (ms since epoch). */
  private readonly tokens = new Map<string, { caller: Caller; expires: number }>();

  constructor(options: FakeMedplumOptions<Caller>) {
    this.clientId = options.clientId;
    this.tokenLifetime = options.tokenLifetime ?? 3600;
    this.routes = { ...options.routes };
  }

  /** A `fetch` for MedplumClient: requests are answered in memory, nothing touches the network. */
  readonly fetch = (url: string | URL | Request, init?: RequestInit): Promise<Response> =>
    this.handle(new Request(url, init));

  /** The requests made to a path, e.g. `oauth2/token`. */
  requestsTo(path: string): RecordedRequest<Caller>[] {
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
        new Request(new URL(req.url ?? '/', `http://127.0.0.1:${port}`), {
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

  /** Issues an access token for `login`, and returns the token response the server sends with it. */
  protected signIn({ caller, subject, profile, scope }: Login<Caller>): TokenResponse {
    const expiresIn = this.tokenLifetime;
    const now = Math.floor(Date.now() / 1000);
    const accessToken = fakeJwt({
      client_id: this.clientId,
      login_id: crypto.randomUUID(),
      sub: subject,
      scope,
      profile: profile.reference,
      iat: now,
      exp: now + expiresIn,
    });
    this.tokens.set(accessToken, { caller, expires: (now + expiresIn) * 1000 });
    return {
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope,
      id_token: fakeJwt({ sub: subject, aud: this.clientId, iat: now, exp: now + expiresIn }),
      access_token: accessToken,
      project: { reference: 'Project/fake-project', display: 'Fake Project' },
      profile,
    };
  }

  /** Whom the request's credentials act for, or undefined if the server answers 401. Here: Bearer tokens. */
  protected authenticate(request: RecordedRequest<Caller>): Caller | undefined {
    const header = request.headers.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? this.tokens.get(header.slice('Bearer '.length)) : undefined;
    return token && token.expires > Date.now() ? token.caller : undefined;
  }

  /** The scheme a 401 asks for in `WWW-Authenticate`. */
  protected challenge(_request: RecordedRequest<Caller>): string {
    return 'Bearer';
  }

  private async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const recorded: RecordedRequest<Caller> = {
      method: request.method,
      url: `${url.origin}${url.pathname}`,
      path: url.pathname.replace(/^\/+/, ''),
      query: url.searchParams,
      headers: request.headers,
      body: await request.text(),
    };
    this.requests.push(recorded);
    return toResponse(await this.reply(recorded), url.origin);
  }

  private async reply(request: RecordedRequest<Caller>): Promise<Reply> {
    if (request.method === 'POST' && request.path === 'oauth2/token') {
      return this.grantToken(request);
    }
    const caller = this.authenticate(request);
    if (caller === undefined) {
      return { status: 401, body: outcomes.unauthorized, headers: { 'www-authenticate': this.challenge(request) } };
    }
    const authenticated = Object.assign(request, { caller });
    const route = this.routes[`${request.method} ${request.path}`];
    return route ? route(authenticated) : { status: 404, body: outcomes.notFound };
  }

  /** `POST oauth2/token`: the registered grant for its `grant_type`, with the server's error texts. */
  private grantToken(request: RecordedRequest<Caller>): Reply {
    const form = new URLSearchParams(request.body);
    const grantType = form.get('grant_type');
    const grant = grantType ? this.grants.get(grantType) : undefined;
    const result = !grantType ? 'Missing grant_type' : !grant ? 'Unsupported grant_type' : grant(form, request);
    if (typeof result === 'string') {
      return { status: 400, body: { error: 'invalid_request', error_description: result }, headers: JSON_HEADERS };
    }
    return { status: 200, body: result, headers: JSON_HEADERS };
  }
}

/** An unsigned JWT: MedplumClient reads `exp` and `client_id` from it but does not check signatures. */
export function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES384', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
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
