/**
 * A strict local test double of a Medplum server (v5.1.29 as recorded in shared/medplum/wire/):
 * discovery, password login with PKCE, the token endpoint (authorization_code,
 * client_credentials with a secret or a private_key_jwt assertion, refresh_token, token exchange),
 * /auth/me, logout, a minimal authorize page, /auth/method with DomainConfigurations,
 * /auth/external, /auth/google, FHIR read/search/create behind per-client AccessPolicies, and the
 * project-admin API (/admin/projects/…, ClientApplication/AccessPolicy CRUD, $rotate-secret).
 * It also plays an external OpenID Connect IdP under /idp/ (see idp.ts). Statuses, content types,
 * error texts and OperationOutcomes follow the recordings (and the server source where they are
 * silent); anything it does not model is refused, not faked. Outbound calls (JWKS, IdP token and
 * userinfo) are real HTTP requests, to any URL (as a server with `allowUnsafeOutbound`).
 *
 * ```ts
 * const medplum = await startMedplumDouble({ users: [...], clients: [{ accessPolicy }], resources: [...] });
 * const { id, secret } = medplum.addClient();
 * // ... point the code under test at medplum.baseUrl ...
 * expect(medplum.log).toContainEqual(expect.objectContaining({ path: '/oauth2/token', grantType: 'client_credentials' }));
 * await medplum.close();
 * ```
 *
 * private_key_jwt (jwt-assertion starters): the JWK Set is fetched from `jwksUri` for EVERY assertion.
 * ```ts
 * const key = generateSigningKey('ES256');                       // or the CLI's jwks.json + PEM
 * const jwksUri = medplum.hostJwks({ keys: [key.jwk] });         // {baseUrl}test/jwks/<id>.json; or a function, re-read per fetch
 *                                                                // (or startJwksServer(jwks): own port, counts `fetches`)
 * const { id } = medplum.addClient({ jwksUri });
 * const assertion = signJwt(key, { iss: id, sub: id, aud: medplum.tokenUrl, exp: now + 300, jti: randomUUID() });
 * await new MedplumClient({ baseUrl: medplum.baseUrl }).startJwtAssertionLogin(assertion);
 * // log: { path: '/oauth2/token', grantType: 'client_credentials', clientAssertion: true, clientId: id, status: 200 }
 * ```
 *
 * External IdP (token-exchange, external-idp, domain-idp starters). `identityProvider: {}` means the
 * double's own IdP (any field given overrides: authorizeUrl, tokenUrl, userInfoUrl, clientId, clientSecret,
 * usePkce, useSubject, tokenAuthMethod).
 * ```ts
 * const medplum = await startMedplumDouble({
 *   users: [{ email: 'ada@corp.example', password: 'unused-password', profile: { resourceType: 'Practitioner' } }],
 *   externalIdp: { users: [{ email: 'ada@corp.example' }] },   // optional: autoApprove: 'ada@corp.example'
 *   clients: [{ redirectUris: ['http://localhost:5173/'], identityProvider: {} }],
 *   domains: [{ domain: 'corp.example', identityProvider: {} }],
 * });
 * const token = medplum.idp.issueAccessToken('ada@corp.example');  // an IdP access token, for exchangeExternalAccessToken
 * medplum.idp.authorizeUrl / tokenUrl / userInfoUrl / clientId     // for VITE_IDP_AUTHORIZE_URL, VITE_IDP_CLIENT_ID
 * // Browser: app -> medplum.idp.authorizeUrl (form: Email + "Sign in") -> {baseUrl}auth/external -> app?login=…&code=…
 * // The state must carry redirectUri (one of the client's redirectUris), else Medplum sends the browser to appBaseUrl/signin.
 * ```
 * PKCE caveat (server behaviour, modelled): the IdP enforces PKCE like Okta/Auth0/Entra ID (RFC 7636;
 * `externalIdp.enforcePkce: false` turns that off). signInWithExternalAuth's default `pkceEnabled = true`
 * sends the Medplum code_challenge to the IdP too, but Medplum then sends the IdP either no code_verifier
 * (usePkce unset) or the challenge itself (usePkce: true), so with S256 the IdP refuses the code and
 * /auth/external answers 400 "Failed to verify code - check your identity provider configuration".
 * What works: put your own `{codeChallenge, codeChallengeMethod: 'S256'}` (from `startPkce()`) in baseLogin
 * and pass `pkceEnabled = false`: the Medplum login stays bound to the challenge, the IdP leg has no PKCE.
 *
 * Project admin API (provisioning, as recorded in wire/07): a user or client with `admin: true` is a
 * project admin; its own login (password, or client credentials of an admin client) is the caller.
 * ```ts
 * const medplum = await startMedplumDouble({ users: [{ ...ADA, admin: true }], clients: [{ name: 'CI admin', admin: true }] });
 * const admin = new MedplumClient({ baseUrl: medplum.baseUrl }); // signed in as ADA or the admin client
 * const client = await admin.post(`admin/projects/${projectId}/client`, { name, redirectUris, jwksUri, identifier, accessPolicy });
 * // 201 application/json: the full ClientApplication, secret included, plus its ProjectMembership.
 * // A project admin's {projectId} in the path is ignored (its login's project is used); non-admins get 403 "Forbidden".
 * const policy = await admin.createResource({ resourceType: 'AccessPolicy', name, resource: [...], ipAccessRule: [...] });
 * const membership = await admin.searchOne('ProjectMembership', { user: `ClientApplication/${client.id}` });
 * await admin.post(`admin/projects/${projectId}/members/${membership.id}`, { ...membership, accessPolicy: { reference: `AccessPolicy/${policy.id}` } });
 * await admin.delete(`admin/projects/${projectId}/members/${membership.id}`);      // the client can no longer sign in
 * await admin.searchResources('ClientApplication', { name: 'My App' });            // also name:exact, identifier=system|value
 * await admin.updateResource({ ...client, redirectUris }); await admin.deleteResource('ClientApplication', id); // then 410 "Deleted"
 * await admin.post(admin.fhirUrl('ClientApplication', id, '$rotate-secret'), { secret });  // or Parameters; {retiringSecret} retires
 * medplum.setOperationSupported('rotate-secret', false);  // or option unsupportedOperations: 404 "Not found", like an older server
 * ```
 * A ClientApplication made by a plain FHIR create is only stored (no secret, no membership: its token
 * call fails with "Invalid client"); `medplum.client(id)` knows only real clients. AccessPolicies made
 * by FHIR are read live on every request; fields the double cannot enforce (compartment,
 * hidden/readonly fields, criteria beyond `_id` and references) are refused or not matched. Any member may read a client's secret (recorded); a PUT that
 * changes or drops `secret` is refused (use $rotate-secret).
 *
 * Failure injection: the next request matching method and path gets the given answer instead of
 * being handled (so nothing happens), and its log entry has `injected: true`. MedplumClient retries
 * a 5xx, so inject a 4xx or use `times`.
 * ```ts
 * medplum.failNext({ method: 'POST', path: /^\/admin\/projects\/[^/]+\/members\//, status: 400 });
 * medplum.failNext({ path: '/fhir/R4/AccessPolicy', status: 500, times: 3, body: { resourceType: 'OperationOutcome', issue: [...] } });
 * medplum.pendingFailures  // armed failures not yet used
 * ```
 * The log never holds secrets: admin answers carry them, the log keeps method, path (no query),
 * status, grant type, auth scheme and client id only.
 *
 * MFA (TOTP, see mfa.ts): a user with `mfaSecret` must give a code after the password; one with
 * `mfaRequired` and no secret is asked to enrol first.
 * ```ts
 * const medplum = await startMedplumDouble({ users: [{ ...ADA, mfaSecret: 'JBSWY3DPEHPK3PXP' }] });
 * const { login, mfaRequired } = await sdk.startLogin({ email, password });          // no code yet
 * const { code } = await sdk.post('auth/mfa/verify', { login, token: totp('JBSWY3DPEHPK3PXP') });
 * ```
 *
 * Google (google-auth starters): the double verifies credentials against its own test Google key.
 * ```ts
 * const medplum = await startMedplumDouble({ google: { clientIds: ['123-abc.apps.googleusercontent.com'] } });
 * const credential = medplum.google.signCredential({ googleClientId: '123-abc.apps.googleusercontent.com', email: DOC.email });
 * await sdk.startGoogleLogin({ googleClientId: '123-abc.apps.googleusercontent.com', googleCredential: credential });
 * ```
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin, membershipJson } from './admin.js';
import { getAppOauth, getAuthorize, postAuthorize } from './authorize.js';
import { healthcheck, jwks, openidConfiguration, smartConfiguration } from './discovery.js';
import { postAuthExchange } from './exchange.js';
import { getAuthExternal } from './external.js';
import { takeFailure, type ArmedFailure, type FailureSpec } from './faults.js';
import { ADMIN_FHIR_TYPES, handleAdminFhir, rotateSecret } from './fhir-admin.js';
import { FHIR_TYPES, handleFhir } from './fhir.js';
import { postAuthGoogle, signGoogleCredential, type GoogleCredentialInput } from './google.js';
import { badRequest, fhirJson, HttpError, internalError, json, notFound, type AuthScheme, type DoubleRequest, type Reply } from './http.js';
import {
  addIdpUser,
  createIdp,
  getIdpAuthorize,
  idpUserinfo,
  issueIdpAccessToken,
  postIdpAuthorize,
  postIdpToken,
  type ExternalIdpOptions,
  type ExternalIdpUserConfig,
} from './idp.js';
import type { JwkSet, TestSigningKey } from './jwks.js';
import { postAuthMethod, postLogin, postMfaLoginEnroll, postMfaVerify, postProfile } from './login.js';
import {
  addClient,
  addDomain,
  addUser,
  createPolicy,
  findUserByEmail,
  newResource,
  resolveIdentityProvider,
  storeResource,
  type Client,
  type ClientConfig,
  type DomainConfig,
  type DoubleState,
  type FhirResource,
  type Project,
  type Reference,
  type ServerVersion,
  type User,
  type UserConfig,
} from './model.js';
import { authenticate, clientApplicationJson, logout, me, userinfo, type LogNote } from './session.js';
import { postToken } from './token.js';
import { createSigner } from './tokens.js';

export type {
  AccessPolicyConfig,
  ClientConfig,
  DomainConfig,
  FhirResource,
  HumanName,
  Identifier,
  IdentityProviderConfig,
  Interaction,
  ProfileConfig,
  Project,
  Reference,
  UserConfig,
} from './model.js';
export type { ExternalIdpOptions, ExternalIdpUserConfig } from './idp.js';
export { SERVER_VERSIONS, type ServerVersion } from './model.js';
export type { GoogleCredentialInput } from './google.js';
export type { FailureSpec } from './faults.js';
export { decodeJwt, generateSigningKey, signJwt, type Jwk, type JwkSet, type JwtAlgorithm, type TestSigningKey } from './jwks.js';
export { signGoogleCredential } from './google.js';
export { startJwksServer, type JwksServer } from './jwks-server.js';
export { totp } from './totp.js';

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
  /** The fake external IdP under `{baseUrl}idp/` (always served; these set its users and client). */
  readonly externalIdp?: ExternalIdpOptions;
  /** DomainConfigurations (what /auth/method, /auth/google and /auth/external consult). */
  readonly domains?: readonly DomainConfig[];
  /** Google sign-in: the accepted Google OAuth client IDs, and the key set credentials are checked against (default: a key the double makes; sign with `medplum.google.signCredential`). */
  readonly google?: { readonly clientIds: readonly string[]; readonly jwks?: JwkSet };
  /**
   * The Medplum app: where /oauth2/authorize sends the browser (`{appBaseUrl}oauth?…`) and /auth/external
   * falls back to (`{appBaseUrl}signin?login=…`). Default: the double's own stand-in, `{baseUrl}app/`.
   */
  readonly appBaseUrl?: string;
  /** FHIR operations the server answers as unknown (404 "Not found", as FhirRouter does for an unregistered route), e.g. `['rotate-secret']`. */
  readonly unsupportedOperations?: readonly string[];
  /**
   * The server release the double plays: `/healthcheck` reports it, and resources are checked with
   * its definitions (see client-fields.ts). Default 5.1.29, the release the recordings come from.
   */
  readonly serverVersion?: ServerVersion;
}

export interface LogEntry {
  readonly method: string;
  /** The URL path, without the query string. */
  readonly path: string;
  readonly grantType?: string;
  readonly authScheme?: AuthScheme;
  /** The client the request was made as (never its secret). */
  readonly clientId?: string;
  /** A token request that authenticated (or tried to) with a private_key_jwt client assertion. */
  readonly clientAssertion?: true;
  /** The answer came from `failNext`, not from the double's handlers. */
  readonly injected?: true;
  readonly status: number;
}

export interface DoubleIdp {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** An opaque access token of the IdP for one of its users (as after a sign-in there); default lifetime the IdP's. */
  issueAccessToken(email: string, lifetimeSeconds?: number): string;
  addUser(user: ExternalIdpUserConfig): void;
  /** Lets the IdP send codes to another redirect URI too (default only `{baseUrl}auth/external`). */
  addRedirectUri(uri: string): void;
}

export interface DoubleGoogle {
  readonly clientIds: readonly string[];
  /** A Google credential signed with the double's test Google key (iss, aud/azp, sub, email, email_verified, iat, exp). Not available with `google.jwks`. */
  signCredential(input: GoogleCredentialInput): string;
}

export interface DoubleClient {
  readonly id: string;
  readonly secret: string;
  readonly name: string;
  readonly projectId: string;
  readonly membershipId: string;
  /** The current retiring secret, during a rotation. */
  readonly retiringSecret?: string;
  readonly admin: boolean;
}

export interface DoubleUser {
  readonly id: string;
  readonly email: string;
  readonly memberships: readonly { readonly id: string; readonly projectId: string; readonly profile: Reference }[];
  /** The TOTP secret (configured, or made when a `mfaRequired` user was asked to enrol): `totp(secret)` is the current code. */
  readonly mfaSecret?: string;
  readonly mfaEnrolled: boolean;
}

export type ClientPatch = Pick<
  ClientConfig,
  'secret' | 'retiringSecret' | 'accessPolicy' | 'accessTokenLifetimeSeconds' | 'redirectUris' | 'redirectUri' | 'pkceOptional' | 'jwksUri' | 'identityProvider' | 'admin'
>;

export interface MedplumDouble {
  /** `http://127.0.0.1:<port>/`, trailing slash included (it is also the issuer). */
  readonly baseUrl: string;
  /** `{baseUrl}oauth2/token`: the exact `aud` a client assertion needs. */
  readonly tokenUrl: string;
  readonly idp: DoubleIdp;
  readonly google: DoubleGoogle;
  /** Every request except CORS preflights, in order. */
  readonly log: readonly LogEntry[];
  readonly project: Project;
  readonly projects: readonly Project[];
  client(id: string): DoubleClient;
  user(email: string): DoubleUser;
  addClient(config?: ClientConfig): DoubleClient;
  /** Changes a client in place (a rotation, a new policy, lifetime, jwksUri, identityProvider, admin). `retiringSecret: undefined` ends a rotation. */
  updateClient(id: string, patch: ClientPatch): DoubleClient;
  addUser(config: UserConfig): DoubleUser;
  addDomain(config: DomainConfig): void;
  /** Serves a JWK Set at `{baseUrl}test/jwks/<id>.json` and returns that URL; a function is called on every fetch. */
  hostJwks(jwks: JwkSet | (() => JwkSet)): string;
  /** For logins of clients without their own lifetime, from now on. */
  setAccessTokenLifetime(seconds: number): void;
  /**
   * Copies of the stored resources (full meta), optionally of one type. Clients (configured,
   * admin-made or FHIR-made) are listed as `ClientApplication`, secret included; memberships as
   * `ProjectMembership`.
   */
  resources(resourceType?: string): FhirResource[];
  /**
   * Makes the next request (or `times` requests) matching method and path fail with `status`
   * (and `body`), without being handled: nothing it would create or change happens.
   */
  failNext(spec: FailureSpec): void;
  /** Armed failures not used yet (e.g. to check that a test reached its step). */
  readonly pendingFailures: number;
  /** With `false`, the FHIR operation (e.g. `rotate-secret`) answers as on a server without it: 404 "Not found". */
  setOperationSupported(code: string, supported: boolean): void;
  clearLog(): void;
  close(): Promise<void>;
}

export async function startMedplumDouble(options: MedplumDoubleOptions = {}): Promise<MedplumDouble> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const googleKey = googleSigningKey(options);
  let state: DoubleState;
  try {
    state = buildState(baseUrl, options, googleKey);
  } catch (err) {
    await closeServer(server);
    throw err;
  }
  const log: LogEntry[] = [];
  const failures: ArmedFailure[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    serve(state, options, req, res, log, failures).catch((err: unknown) => res.destroy(err as Error));
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
    tokenUrl: `${baseUrl}oauth2/token`,
    idp: {
      authorizeUrl: state.idp.authorizeUrl,
      tokenUrl: state.idp.tokenUrl,
      userInfoUrl: state.idp.userInfoUrl,
      clientId: state.idp.clientId,
      clientSecret: state.idp.clientSecret,
      issueAccessToken: (email, lifetimeSeconds) => issueIdpAccessToken(state.idp, email, lifetimeSeconds),
      addUser: (user) => addIdpUser(state.idp, user),
      addRedirectUri: (uri) => void state.idp.redirectUris.push(uri),
    },
    google: {
      clientIds: state.google.clientIds,
      signCredential(input) {
        if (!googleKey) {
          throw new Error('Medplum double: `google.jwks` was given, so sign credentials with its private key (signGoogleCredential)');
        }
        return signGoogleCredential(googleKey, input, state.now());
      },
    },
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
      client.jwksUri = patch.jwksUri ?? client.jwksUri;
      client.membership.admin = patch.admin ?? client.membership.admin;
      // These are cleared by an explicit `undefined`.
      if ('redirectUri' in patch) {
        client.redirectUri = patch.redirectUri;
      }
      if ('retiringSecret' in patch) {
        client.retiringSecret = patch.retiringSecret;
      }
      if ('accessPolicy' in patch) {
        client.membership.policy = createPolicy(patch.accessPolicy);
      }
      if ('accessTokenLifetimeSeconds' in patch) {
        client.accessTokenLifetimeSeconds = patch.accessTokenLifetimeSeconds;
      }
      if ('identityProvider' in patch) {
        client.identityProvider = patch.identityProvider && resolveIdentityProvider(state, patch.identityProvider);
      }
      return clientView(client);
    },
    addUser: (config) => userView(addUser(state, config)),
    addDomain: (config) => addDomain(state, config),
    hostJwks(jwks) {
      const id = randomUUID();
      state.hostedJwks.set(id, typeof jwks === 'function' ? jwks : () => jwks);
      return `${baseUrl}test/jwks/${id}.json`;
    },
    setAccessTokenLifetime(seconds) {
      state.accessTokenLifetimeSeconds = seconds;
    },
    resources: (resourceType) =>
      [
        ...[...state.clients.values()].map((c) => clientApplicationJson(c) as FhirResource),
        ...[...state.memberships.values()].map((m) => membershipJson(m) as FhirResource),
        ...state.resources.values(),
      ]
        .filter((r) => !resourceType || r.resourceType === resourceType)
        .map((r) => structuredClone(r)),
    failNext(spec) {
      failures.push({ spec, remaining: spec.times ?? 1 });
    },
    get pendingFailures() {
      return failures.length;
    },
    setOperationSupported(code, supported) {
      if (supported) {
        state.disabledOperations.delete(code);
      } else {
        state.disabledOperations.add(code);
      }
    },
    clearLog() {
      log.length = 0;
    },
    close: () => (closing ??= closeServer(server)),
  };
}

/** The test Google key: RS256, made only when Google sign-in is configured without a key set. */
function googleSigningKey(options: MedplumDoubleOptions): TestSigningKey | undefined {
  if (!options.google || options.google.jwks) {
    return undefined;
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return { alg: 'RS256', kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } as TestSigningKey['jwk'] };
}

function buildState(baseUrl: string, options: MedplumDoubleOptions, googleKey: TestSigningKey | undefined): DoubleState {
  const projects = (options.projects ?? [{ name: 'Test Project' }]).map((p) => ({
    id: p.id ?? randomUUID(),
    name: p.name,
    strictMode: p.strictMode ?? true,
  }));
  const [defaultProject] = projects;
  if (!defaultProject) {
    throw new Error('Medplum double: `projects` must not be empty');
  }
  const now = options.now ?? Date.now;
  const state: DoubleState = {
    baseUrl,
    appBaseUrl: options.appBaseUrl ?? `${baseUrl}app/`,
    now,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    signer: createSigner(),
    defaultProject,
    projects: new Map(projects.map((p) => [p.id, p])),
    users: new Map(),
    clients: new Map(),
    memberships: new Map(),
    logins: new Map(),
    resources: new Map(),
    domains: new Map(),
    idp: createIdp(baseUrl, now, options.externalIdp),
    google: { clientIds: options.google?.clientIds ?? [], jwks: options.google?.jwks ?? { keys: googleKey ? [googleKey.jwk] : [] } },
    hostedJwks: new Map(),
    deleted: new Set(),
    disabledOperations: new Set(options.unsupportedOperations ?? []),
    serverVersion: options.serverVersion ?? '5.1.29',
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
  for (const domain of options.domains ?? []) {
    addDomain(state, domain);
  }
  return state;
}

function clientView(client: Client): DoubleClient {
  const { id, secret, retiringSecret, name, membership } = client;
  return {
    id,
    secret,
    ...(retiringSecret ? { retiringSecret } : {}),
    name,
    projectId: membership.project.id,
    membershipId: membership.id,
    admin: membership.admin,
  };
}

function userView(user: User): DoubleUser {
  return {
    id: user.id,
    email: user.email,
    memberships: user.memberships.map((m) => ({ id: m.id, projectId: m.project.id, profile: m.profile })),
    ...(user.mfaSecret ? { mfaSecret: user.mfaSecret } : {}),
    mfaEnrolled: user.mfaEnrolled,
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

async function serve(
  state: DoubleState,
  options: MedplumDoubleOptions,
  req: IncomingMessage,
  res: ServerResponse,
  log: LogEntry[],
  failures: ArmedFailure[],
): Promise<void> {
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
  const injected = takeFailure(failures, req.method ?? 'GET', url, state.baseUrl);
  try {
    const request: DoubleRequest = {
      method: req.method ?? 'GET',
      url,
      headers: req.headers,
      body: await readBody(req),
      remoteAddress: remoteAddress(req),
    };
    reply = injected ?? (await route(state, request, note));
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
    ...(note.clientAssertion ? { clientAssertion: true as const } : {}),
    ...(injected ? { injected: true as const } : {}),
    status: reply.status,
  });
}

const FHIR_RESOURCE_PATH = /^\/fhir\/R4\/([A-Za-z]+)(?:\/([^/$]+))?$/;

const FHIR_OPERATION_PATH = /^\/fhir\/R4\/([A-Za-z]+)\/([^/$]+)\/\$([A-Za-z-]+)$/;

const HOSTED_JWKS_PATH = /^\/test\/jwks\/([0-9a-f-]+)\.json$/;

async function route(state: DoubleState, req: DoubleRequest, note: LogNote): Promise<Reply> {
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
      return json(200, healthcheck(state));
    case 'POST /auth/login':
      return postLogin(state, req);
    case 'POST /auth/mfa/verify':
      return postMfaVerify(state, req);
    case 'POST /auth/mfa/login-enroll':
      return postMfaLoginEnroll(state, req);
    case 'POST /auth/profile':
      return postProfile(state, req);
    case 'POST /auth/method':
      return postAuthMethod(state, req);
    case 'POST /auth/exchange':
      return postAuthExchange(state, req, note);
    case 'GET /auth/external':
      return getAuthExternal(state, req, note);
    case 'POST /auth/google':
      return postAuthGoogle(state, req, note);
    case 'GET /idp/authorize':
      return getIdpAuthorize(state.idp, req);
    case 'POST /idp/authorize':
      return postIdpAuthorize(state.idp, req);
    case 'POST /idp/token':
      return postIdpToken(state.idp, req);
    case 'GET /idp/userinfo':
    case 'POST /idp/userinfo':
      return idpUserinfo(state.idp, req);
    case 'GET /auth/me':
      return me(state, authenticate(state, req, note));
    case 'POST /oauth2/token':
      return postToken(state, req, note);
    case 'GET /oauth2/authorize':
      return getAuthorize(state, req);
    case 'POST /oauth2/authorize':
    case 'POST /app/oauth':
      return postAuthorize(state, req);
    case 'GET /app/oauth':
      return getAppOauth(state, req);
    case 'GET /oauth2/userinfo':
    case 'POST /oauth2/userinfo':
      return userinfo(state, authenticate(state, req, note));
    case 'GET /oauth2/logout':
    case 'POST /oauth2/logout':
      return logout(authenticate(state, req, note));
  }
  const hosted = req.method === 'GET' ? HOSTED_JWKS_PATH.exec(req.url.pathname)?.[1] : undefined;
  const hostedJwks = hosted ? state.hostedJwks.get(hosted) : undefined;
  if (hostedJwks) {
    return json(200, hostedJwks());
  }
  if (req.url.pathname.startsWith('/admin/')) {
    return handleAdmin(state, req, note);
  }
  if (req.url.pathname.startsWith('/fhir/R4/')) {
    const session = authenticate(state, req, note); // as on the server, every FHIR path needs credentials first
    const [, opType, opId, operation] = FHIR_OPERATION_PATH.exec(req.url.pathname) ?? [];
    if (opType && opId && operation && state.disabledOperations.has(operation)) {
      return notFound(); // FhirRouter: no route
    }
    if (req.method === 'POST' && opType === 'ClientApplication' && opId && operation === 'rotate-secret') {
      return rotateSecret(state, req, session, decodeURIComponent(opId));
    }
    const [, resourceType, id] = FHIR_RESOURCE_PATH.exec(req.url.pathname) ?? [];
    if (resourceType && ADMIN_FHIR_TYPES.includes(resourceType)) {
      return handleAdminFhir(state, req, session, resourceType, id && decodeURIComponent(id));
    }
    if (!resourceType) {
      throw new HttpError(badRequest(`${req.method} ${req.url.pathname} is not supported by the Medplum test double`));
    }
    return handleFhir(state, req, session, resourceType, id && decodeURIComponent(id));
  }
  return notFound();
}
