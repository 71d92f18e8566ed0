import { createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * A stand-in for a Medplum server, for tests and local experiments.
 *
 * It answers the private_key_jwt client-credentials grant at `oauth2/token` the way a real Medplum 5
 * server does (checks in the same order, the same error texts; recorded from one): it verifies each
 * client assertion's `aud`, `iss`/`sub`, ES256 signature and `exp` against the JWKS it is given, as
 * the server does with the JWKS at the ClientApplication's `jwksUri`. Also `auth/me` and the FHIR
 * routes a test registers. It records every request so a test can assert on what MedplumClient sent.
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
  /** The public keys the ClientApplication's jwksUri serves. Undefined: the client has no jwksUri. */
  jwks: { keys: JsonWebKey[] } | undefined;
  /** The token URL the server knows itself by. Default: the URL the request was sent to. */
  tokenUrl?: string;
  /** `expires_in` of the tokens it issues, in seconds. Medplum's default is 3600. */
  tokenLifetime?: number;
  /** FHIR routes keyed by method and path, e.g. `POST fhir/R4/Observation`. Other FHIR paths get 404. */
  routes?: Record<string, Route>;
}

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** OperationOutcomes exactly as Medplum sends them (minus the per-request tracing extension). */
export const outcomes = {
  unauthorized: issue('unauthorized', 'login', 'Unauthorized'),
  forbidden: issue('forbidden', 'forbidden', 'Forbidden'),
  notFound: issue('not-found', 'not-found', 'Not found'),
};

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export class FakeMedplum {
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[] = [];
  readonly routes: Record<string, Route>;
  readonly options: FakeMedplumOptions;
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

  /** The token grants received so far, as form fields. */
  tokenGrants(): URLSearchParams[] {
    return this.requestsTo('oauth2/token').map((request) => new URLSearchParams(request.body));
  }

  /** The client assertions received so far, decoded (whether they were accepted or not). */
  assertions(): DecodedJwt[] {
    return this.tokenGrants().flatMap((grant) => {
      const jwt = grant.get('client_assertion');
      return jwt ? [decodeJwt(jwt)] : [];
    });
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
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
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
    return toResponse(await this.reply(recorded, `${url.origin}${url.pathname}`), url.origin);
  }

  private async reply(request: RecordedRequest, requestUrl: string): Promise<Reply> {
    if (request.method === 'POST' && request.path === 'oauth2/token') {
      return this.grantToken(request, this.options.tokenUrl ?? requestUrl);
    }
    if (!this.isAuthenticated(request)) {
      return { status: 401, body: outcomes.unauthorized, headers: { 'www-authenticate': 'Bearer' } };
    }
    if (request.method === 'GET' && request.path === 'auth/me') {
      return { status: 200, body: this.me() };
    }
    const route = this.routes[`${request.method} ${request.path}`];
    return route ? route(request) : { status: 404, body: outcomes.notFound };
  }

  /** `POST oauth2/token`, client_credentials with a client assertion, checked in the server's order. */
  private grantToken(request: RecordedRequest, tokenUrl: string): Reply {
    const form = new URLSearchParams(request.body);
    const json = { 'content-type': 'application/json; charset=utf-8' };
    const error = (description: string): Reply => ({
      status: 400,
      body: { error: 'invalid_request', error_description: description },
      headers: json,
    });

    if (!form.get('grant_type')) return error('Missing grant_type');
    if (form.get('grant_type') !== 'client_credentials') return error('Unsupported grant_type');
    if (!form.get('client_assertion_type')) return error('Missing client_id'); // this fake knows no secrets
    if (form.get('client_assertion_type') !== JWT_BEARER) return error('Unsupported client assertion type');
    const assertion = form.get('client_assertion') ?? '';
    let jwt: DecodedJwt;
    try {
      jwt = decodeJwt(assertion);
    } catch {
      return error('Invalid client assertion');
    }
    const { claims } = jwt;
    if (claims.aud !== tokenUrl) return error('Invalid client assertion audience');
    if (claims.iss !== claims.sub) return error('Invalid client assertion issuer');
    if (claims.iss !== this.options.clientId) return error('Client not found');
    if (!this.options.jwks) return error('Client must have a JWK Set URL');
    if (!this.verifies(assertion, jwt)) return error('Invalid client assertion signature');

    const clientId = this.options.clientId;
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
        profile: { reference: `ClientApplication/${clientId}`, display: 'Fake Device' },
      },
    };
  }

  /** As jose's jwtVerify: a key with the header's `kid`, an ES256 signature, and an `exp` in the future. */
  private verifies(assertion: string, { header, claims }: DecodedJwt): boolean {
    const jwk = this.options.jwks?.keys.find((key) => key.kid === header.kid);
    if (!jwk || header.alg !== 'ES256') {
      return false;
    }
    const [encodedHeader, encodedClaims, signature] = assertion.split('.');
    const valid = verify(
      'sha256',
      Buffer.from(`${encodedHeader}.${encodedClaims}`),
      { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url')
    );
    return valid && (typeof claims.exp !== 'number' || claims.exp > Date.now() / 1000);
  }

  private isAuthenticated(request: RecordedRequest): boolean {
    const header = request.headers.get('authorization') ?? '';
    const expires = header.startsWith('Bearer ') ? this.tokens.get(header.slice('Bearer '.length)) : undefined;
    return expires !== undefined && expires > Date.now();
  }

  private me(): unknown {
    const client = { reference: `ClientApplication/${this.options.clientId}`, display: 'Fake Device' };
    return {
      project: { resourceType: 'Project', id: 'fake-project', name: 'Fake Project' },
      membership: { resourceType: 'ProjectMembership', id: 'fake-membership', user: client, profile: client },
      profile: { resourceType: 'ClientApplication', id: this.options.clientId, name: 'Fake Device' },
    };
  }
}

/** The header and claims of a JWT, without checking anything. Throws if it is not shaped like one. */
export function decodeJwt(jwt: string): DecodedJwt {
  const parts = jwt.split('.');
  if (parts.length !== 3) {
    throw new Error('not a JWT');
  }
  const [header, claims] = parts.slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  return { header, claims };
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
function fakeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'ES384', typ: 'JWT' })}.${encode(claims)}.fake-signature`;
}

/** A new EC P-256 key pair as create-medplum-auth makes one: the private key (and PEM), and the public JWKS. */
export function testKeyPair(kid = 'test-key'): { privateKey: KeyObject; privatePem: string; jwks: { keys: JsonWebKey[] } } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privateKey, privatePem, jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] } };
}
