import { createServer } from 'node:http';

/**
 * A stand-in for a Medplum server, for tests and local experiments.
 *
 * It answers the way a real Medplum 5 server does (status codes, error texts and JSON shapes were
 * recorded from one): the client_credentials grant at `oauth2/token`, `auth/me`, and the FHIR
 * routes a test registers. It checks Bearer tokens and Basic credentials like the server, and it
 * records every request so a test can assert on exactly what MedplumClient sent.
 *
 * Pass `fake.fetch` as MedplumClient's `fetch` option, or call `fake.listen()` for a real HTTP server.
 */

export interface RecordedRequest {
  method: string;
  /** The path below the base URL, e.g. `fhir/R4/Patient` or `oauth2/token`. */
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Route = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface FakeMedplumOptions {
  clientId: string;
  clientSecret: string;
  /** `expires_in` of the tokens it issues, in seconds. Medplum's default is 3600. */
  tokenLifetime?: number;
  /** FHIR routes keyed by method and path, e.g. `GET fhir/R4/Patient`. Other FHIR paths get 404. */
  routes?: Record<string, Route>;
}

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
  /** Access tokens that are currently valid, with their expiry time (ms since epoch). */
  private readonly tokens = new Map<string, number>();

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

  /** The client_credentials grants received so far. */
  tokenGrants(): URLSearchParams[] {
    return this.requestsTo('oauth2/token').map((request) => new URLSearchParams(request.body));
  }

  /** Makes every token issued so far invalid, as a logout or a server-side expiry would. */
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
      return this.grantToken(request);
    }
    if (!this.isAuthenticated(request)) {
      const scheme = request.headers.get('authorization')?.startsWith('Basic ') ? 'Basic' : 'Bearer';
      return { status: 401, body: outcomes.unauthorized, headers: { 'www-authenticate': scheme } };
    }
    if (request.method === 'GET' && request.path === 'auth/me') {
      return { status: 200, body: this.me() };
    }
    const route = this.routes[`${request.method} ${request.path}`];
    return route ? route(request) : { status: 404, body: outcomes.notFound };
  }

  /** `POST oauth2/token` for client_credentials, with the server's error texts. */
  private grantToken(request: RecordedRequest): Reply {
    const form = new URLSearchParams(request.body);
    const basic = parseBasic(request.headers.get('authorization'));
    const clientId = basic?.id ?? form.get('client_id');
    const clientSecret = basic?.secret ?? form.get('client_secret');
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const error = (description: string): Reply => ({
      status: 400,
      body: { error: 'invalid_request', error_description: description },
      headers: json,
    });

    if (!form.get('grant_type')) return error('Missing grant_type');
    if (form.get('grant_type') !== 'client_credentials') return error('Unsupported grant_type');
    if (!clientId) return error('Missing client_id');
    if (clientId !== this.options.clientId) return error('Invalid client');
    if (!clientSecret) return error('Missing client_secret');
    if (clientSecret !== this.options.clientSecret) return error('Invalid secret');

    const expiresIn = this.options.tokenLifetime ?? 3600;
    const now = Math.floor(Date.now() / 1000);
    const accessToken = fakeJwt({
      client_id: clientId,
      login_id: crypto.randomUUID(),
      sub: clientId,
      profile: `ClientApplication/${clientId}`,
      iat: now,
      exp: now + expiresIn,
    });
    this.tokens.set(accessToken, (now + expiresIn) * 1000);
    return {
      status: 200,
      headers: json,
      body: {
        token_type: 'Bearer',
        expires_in: expiresIn,
        scope: 'openid',
        id_token: fakeJwt({ sub: clientId, aud: clientId, iat: now, exp: now + expiresIn }),
        access_token: accessToken,
        project: { reference: 'Project/fake-project', display: 'Fake Project' },
        profile: { reference: `ClientApplication/${clientId}`, display: 'Fake Client' },
      },
    };
  }

  private isAuthenticated(request: RecordedRequest): boolean {
    const header = request.headers.get('authorization') ?? '';
    if (header.startsWith('Bearer ')) {
      const expires = this.tokens.get(header.slice('Bearer '.length));
      return expires !== undefined && expires > Date.now();
    }
    const basic = parseBasic(header);
    return basic?.id === this.options.clientId && basic.secret === this.options.clientSecret;
  }

  private me(): unknown {
    const client = { reference: `ClientApplication/${this.options.clientId}`, display: 'Fake Client' };
    return {
      project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
      membership: { resourceType: 'ProjectMembership', id: 'fake-membership', user: client, profile: client },
      profile: { resourceType: 'ClientApplication', id: this.options.clientId, name: 'Fake Client' },
    };
  }
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

function parseBasic(header: string | null): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** An unsigned JWT: MedplumClient reads `exp` and `client_id` from it but does not check signatures. */
function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES384', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
}
