/**
 * A strict local test double of a Medplum server (v5.1.29 as recorded in shared/medplum/wire/):
 * discovery, password login with PKCE, the token endpoint (authorization_code,
 * client_credentials, refresh_token), /auth/me, logout, a minimal authorize page, and FHIR
 * read/search/create behind per-client AccessPolicies. Statuses, content types, error texts and
 * OperationOutcomes follow the recordings; anything it does not model is refused, not faked.
 *
 * ```ts
 * const medplum = await startMedplumDouble({ users: [...], clients: [{ accessPolicy }], resources: [...] });
 * const { id, secret } = medplum.addClient();
 * // ... point the code under test at medplum.baseUrl ...
 * expect(medplum.log).toContainEqual(expect.objectContaining({ path: '/oauth2/token', grantType: 'client_credentials' }));
 * await medplum.close();
 * ```
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getAuthorize, postAuthorize } from './authorize.js';
import { healthcheck, jwks, openidConfiguration, smartConfiguration } from './discovery.js';
import { FHIR_TYPES, handleFhir } from './fhir.js';
import { badRequest, fhirJson, HttpError, internalError, json, notFound, type AuthScheme, type DoubleRequest, type Reply } from './http.js';
import { postAuthMethod, postLogin, postProfile } from './login.js';
import {
  addClient,
  addUser,
  createPolicy,
  findUserByEmail,
  newResource,
  storeResource,
  type Client,
  type ClientConfig,
  type DoubleState,
  type FhirResource,
  type Project,
  type Reference,
  type User,
  type UserConfig,
} from './model.js';
import { authenticate, logout, me, userinfo, type LogNote } from './session.js';
import { postToken } from './token.js';
import { createSigner } from './tokens.js';

export type { AccessPolicyConfig, ClientConfig, FhirResource, HumanName, Interaction, ProfileConfig, Project, Reference, UserConfig } from './model.js';

export interface MedplumDoubleOptions {
  readonly users?: readonly UserConfig[];
  readonly clients?: readonly ClientConfig[];
  /** The first one is the default project. Default: a single "Test Project". `strictMode` defaults to true. */
  readonly projects?: readonly { readonly id?: string; readonly name: string; readonly strictMode?: boolean }[];
  /** Seed data (Patient, Observation, Device, Practitioner), in the default project unless `meta.project` names another. */
  readonly resources?: readonly FhirResource[];
  /** Default 3600, as on the server. */
  readonly accessTokenLifetimeSeconds?: number;
  /** Browser origins CORS lets in. Default: any origin, reflected with credentials. */
  readonly allowedOrigins?: readonly string[];
  /** The double's clock in ms since the epoch (default `Date.now`), so a test can expire tokens without waiting. */
  readonly now?: () => number;
}

export interface LogEntry {
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  readonly grantType?: string;
  readonly authScheme?: AuthScheme;
  /** The client the request was made as (never its secret). */
  readonly clientId?: string;
  readonly status: number;
}

export interface DoubleClient {
  readonly id: string;
  readonly secret: string;
  readonly name: string;
  readonly projectId: string;
  readonly membershipId: string;
}

export interface DoubleUser {
  readonly id: string;
  readonly email: string;
  readonly memberships: readonly { readonly id: string; readonly projectId: string; readonly profile: Reference }[];
}

export type ClientPatch = Pick<
  ClientConfig,
  'secret' | 'retiringSecret' | 'accessPolicy' | 'accessTokenLifetimeSeconds' | 'redirectUris' | 'pkceOptional'
>;

export interface MedplumDouble {
  /** `http://127.0.0.1:<port>/`, trailing slash included (it is also the issuer). */
  readonly baseUrl: string;
  /** Every request except CORS preflights, in order. */
  readonly log: readonly LogEntry[];
  readonly project: Project;
  readonly projects: readonly Project[];
  client(id: string): DoubleClient;
  user(email: string): DoubleUser;
  addClient(config?: ClientConfig): DoubleClient;
  /** Changes a client in place (a rotation, a new policy, a new lifetime). `retiringSecret: undefined` ends a rotation. */
  updateClient(id: string, patch: ClientPatch): DoubleClient;
  addUser(config: UserConfig): DoubleUser;
  /** For logins of clients without their own lifetime, from now on. */
  setAccessTokenLifetime(seconds: number): void;
  /** Copies of the stored resources (full meta), optionally of one type. */
  resources(resourceType?: string): FhirResource[];
  clearLog(): void;
  close(): Promise<void>;
}

export async function startMedplumDouble(options: MedplumDoubleOptions = {}): Promise<MedplumDouble> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let state: DoubleState;
  try {
    state = buildState(baseUrl, options);
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  const log: LogEntry[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serve(state, options, req, res, log).catch((err: unknown) => res.destroy(err as Error));
  });

  const clientOf = (id: string): Client => {
    const client = state.clients.get(id);
    if (!client) {
      throw new Error(`Medplum double: no client ${id}`);
    }
    return client;
  };

  let closing: Promise<void> | undefined;
  return {
    baseUrl,
    log,
    project: state.defaultProject,
    projects: [...state.projects.values()],
    client: (id) => clientView(clientOf(id)),
    user(email) {
      const user = findUserByEmail(state, email);
      if (!user) {
        throw new Error(`Medplum double: no user ${email}`);
      }
      return userView(user);
    },
    addClient: (config = {}) => clientView(addClient(state, config)),
    updateClient(id, patch) {
      const client = clientOf(id);
      client.secret = patch.secret ?? client.secret;
      client.redirectUris = patch.redirectUris ?? client.redirectUris;
      client.pkceOptional = patch.pkceOptional ?? client.pkceOptional;
      // These three are cleared by an explicit `undefined`.
      if ('retiringSecret' in patch) {
        client.retiringSecret = patch.retiringSecret;
      }
      if ('accessPolicy' in patch) {
        client.membership.policy = createPolicy(patch.accessPolicy);
      }
      if ('accessTokenLifetimeSeconds' in patch) {
        client.accessTokenLifetimeSeconds = patch.accessTokenLifetimeSeconds;
      }
      return clientView(client);
    },
    addUser: (config) => userView(addUser(state, config)),
    setAccessTokenLifetime(seconds) {
      state.accessTokenLifetimeSeconds = seconds;
    },
    resources: (resourceType) =>
      [...state.resources.values()].filter((r) => !resourceType || r.resourceType === resourceType).map((r) => structuredClone(r)),
    clearLog() {
      log.length = 0;
    },
    close: () => (closing ??= closeServer(server)),
  };
}

function buildState(baseUrl: string, options: MedplumDoubleOptions): DoubleState {
  const projects = (options.projects ?? [{ name: 'Test Project' }]).map((p) => ({
    id: p.id ?? randomUUID(),
    name: p.name,
    strictMode: p.strictMode ?? true,
  }));
  const [defaultProject] = projects;
  if (!defaultProject) {
    throw new Error('Medplum double: `projects` must not be empty');
  }
  const state: DoubleState = {
    baseUrl,
    now: options.now ?? Date.now,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    signer: createSigner(),
    defaultProject,
    projects: new Map(projects.map((p) => [p.id, p])),
    users: new Map(),
    clients: new Map(),
    memberships: new Map(),
    logins: new Map(),
    resources: new Map(),
  };
  for (const seed of options.resources ?? []) {
    if (!FHIR_TYPES.includes(seed.resourceType)) {
      throw new Error(`Medplum double: cannot seed ${seed.resourceType} (supported: ${FHIR_TYPES.join(', ')})`);
    }
    const projectId = typeof seed.meta?.project === 'string' ? seed.meta.project : defaultProject.id;
    storeResource(state, newResource(state, seed, projectId, { reference: 'system' }, seed.id ?? randomUUID()));
  }
  for (const user of options.users ?? []) {
    addUser(state, user);
  }
  for (const client of options.clients ?? []) {
    addClient(state, client);
  }
  return state;
}

function clientView(client: Client): DoubleClient {
  const { id, secret, name, membership } = client;
  return { id, secret, name, projectId: membership.project.id, membershipId: membership.id };
}

function userView(user: User): DoubleUser {
  return {
    id: user.id,
    email: user.email,
    memberships: user.memberships.map((m) => ({ id: m.id, projectId: m.project.id, profile: m.profile })),
  };
}

async function closeServer(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  server.closeAllConnections();
  await closed;
}

// ---- Serving ----

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpError(fhirJson(413, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'too-long' }] }));
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** As the recorded server (trust proxy = 1): the last X-Forwarded-For hop, else the socket address. */
function remoteAddress(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').map((hop) => hop.trim());
  return hops.filter(Boolean).at(-1) ?? (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function corsHeaders(options: MedplumDoubleOptions, req: IncomingMessage): Record<string, string> | undefined {
  const origin = req.headers.origin;
  if (!origin || (options.allowedOrigins && !options.allowedOrigins.includes(origin))) {
    return undefined;
  }
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': 'Location, ETag, Last-Modified, WWW-Authenticate',
    vary: 'Origin',
  };
}

function schemeOf(req: IncomingMessage): AuthScheme | undefined {
  const scheme = req.headers.authorization?.split(' ')[0];
  return scheme === 'Bearer' || scheme === 'Basic' ? scheme : undefined;
}

async function serve(state: DoubleState, options: MedplumDoubleOptions, req: IncomingMessage, res: ServerResponse, log: LogEntry[]): Promise<void> {
  const cors = corsHeaders(options, req);
  if (req.method === 'OPTIONS' && cors) {
    res.writeHead(204, {
      ...cors,
      'access-control-allow-methods': 'GET, HEAD, PUT, PATCH, POST, DELETE',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, X-Medplum',
      'access-control-max-age': '600',
    });
    res.end();
    return;
  }

  const url = new URL(req.url ?? '/', state.baseUrl);
  const note: LogNote = {};
  let reply: Reply;
  try {
    const request: DoubleRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body: await readBody(req),
      remoteAddress: remoteAddress(req),
    };
    reply = route(state, request, note);
  } catch (err) {
    reply = err instanceof HttpError ? err.reply : internalError(err);
  }

  res.writeHead(reply.status, {
    'cache-control': 'no-store, no-cache, must-revalidate',
    pragma: 'no-cache',
    ...(reply.contentType ? { 'content-type': reply.contentType } : {}),
    ...(reply.headers as Record<string, string | string[]> | undefined),
    ...cors,
  });
  res.end(reply.body);

  const authScheme = schemeOf(req);
  log.push({
    method: req.method ?? 'GET',
    path: url.pathname,
    ...(note.grantType ? { grantType: note.grantType } : {}),
    ...(authScheme ? { authScheme } : {}),
    ...(note.clientId ? { clientId: note.clientId } : {}),
    status: reply.status,
  });
}

const FHIR_RESOURCE_PATH = /^\/fhir\/R4\/([A-Za-z]+)(?:\/([^/$]+))?$/;

function route(state: DoubleState, req: DoubleRequest, note: LogNote): Reply {
  switch (`${req.method} ${req.url.pathname}`) {
    case 'GET /.well-known/openid-configuration':
    case 'GET /.well-known/oauth-authorization-server':
      return json(200, openidConfiguration(state));
    case 'GET /.well-known/smart-configuration':
    case 'GET /fhir/R4/.well-known/smart-configuration':
      return json(200, smartConfiguration(state));
    case 'GET /.well-known/jwks.json':
      return json(200, jwks(state));
    case 'GET /healthcheck':
      return json(200, healthcheck());
    case 'POST /auth/login':
      return postLogin(state, req);
    case 'POST /auth/profile':
      return postProfile(state, req);
    case 'POST /auth/method':
      return postAuthMethod(req);
    case 'GET /auth/me':
      return me(state, authenticate(state, req, note));
    case 'POST /oauth2/token':
      return postToken(state, req, note);
    case 'GET /oauth2/authorize':
      return getAuthorize(state, req);
    case 'POST /oauth2/authorize':
      return postAuthorize(state, req);
    case 'GET /oauth2/userinfo':
    case 'POST /oauth2/userinfo':
      return userinfo(state, authenticate(state, req, note));
    case 'GET /oauth2/logout':
    case 'POST /oauth2/logout':
      return logout(authenticate(state, req, note));
  }
  if (req.url.pathname.startsWith('/fhir/R4/')) {
    const session = authenticate(state, req, note); // as on the server, every FHIR path needs credentials first
    const [, resourceType, id] = FHIR_RESOURCE_PATH.exec(req.url.pathname) ?? [];
    if (!resourceType) {
      throw new HttpError(badRequest(`${req.method} ${req.url.pathname} is not supported by the Medplum test double`));
    }
    return handleFhir(state, req, session, resourceType, id && decodeURIComponent(id));
  }
  return notFound();
}
