/**
 * What the double knows: projects, users, clients, their memberships and access policies, the
 * logins (one per sign-in, holding the code, PKCE challenge and refresh secret) and the FHIR
 * resources. Built from the test's configuration; handlers read and change it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FakeIdp } from './idp.js';
import type { JwkSet } from './jwks.js';
import type { Signer } from './tokens.js';

// ---- Configuration (what a test passes) ----

export type Interaction = 'read' | 'vread' | 'history' | 'search' | 'create' | 'update' | 'delete';

export interface AccessPolicyConfig {
  /** Resource types the holder may touch; `*` matches every type. No `interaction` (and not readonly) = all. */
  readonly resource: readonly {
    readonly resourceType: string;
    /** Modelled for read and create only, see `criteriaAllow`. */
    readonly criteria?: string;
    readonly interaction?: readonly Interaction[];
    readonly readonly?: boolean;
  }[];
  /** Evaluated in order; the first rule whose value is `*`, the address or a prefix of it wins. */
  readonly ipAccessRule?: readonly { readonly name?: string; readonly value: string; readonly action: 'allow' | 'block' }[];
}

export interface HumanName {
  readonly given?: readonly string[];
  readonly family?: string;
}

export interface ProfileConfig {
  readonly resourceType: 'Practitioner' | 'Patient';
  /** Id of the profile (in `profile`: of the first membership's; the others get random ids). */
  readonly id?: string;
  readonly name?: readonly HumanName[];
}

export interface UserConfig {
  readonly email: string;
  readonly password: string;
  readonly profile: ProfileConfig;
  /**
   * Ids of the projects the user is a member of, one membership each; default: the default project.
   * With two or more, a login without projectId answers `{login, memberships}`. A project may repeat:
   * the server keeps a user's memberships in one project apart by profile (a login's `profileType`),
   * and a login through a client (always in that client's project) then gets the choice too.
   */
  readonly projects?: readonly string[];
  /** The profile of each membership, by its index in `projects`; default `profile`. */
  readonly profiles?: readonly ProfileConfig[];
  readonly admin?: boolean;
  /** Super admins never get a refresh token. */
  readonly superAdmin?: boolean;
  readonly accessPolicy?: AccessPolicyConfig;
  /** ProjectMembership.externalId in every project of the user: what `identityProvider.useSubject` matches the IdP's `sub` against. */
  readonly externalId?: string;
  /** User.mfaSecret (base32; see totp.ts): the user is enrolled in TOTP MFA, so a password login asks for a code. */
  readonly mfaSecret?: string;
  /** User.mfaRequired: a password login of a user not yet enrolled answers `mfaEnrollRequired` (auth/mfa/login-enroll). */
  readonly mfaRequired?: boolean;
}

/**
 * ClientApplication.identityProvider / DomainConfiguration.identityProvider. Every URL and
 * credential left out defaults to the double's own fake IdP (`{baseUrl}idp/authorize`, `…/token`,
 * `…/userinfo` and its client id/secret), so `identityProvider: {}` means "the double's IdP".
 */
export interface IdentityProviderConfig {
  readonly authorizeUrl?: string;
  readonly tokenUrl?: string;
  readonly userInfoUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Medplum then sends `code_verifier` = the login's codeChallenge to the IdP token endpoint (server behaviour). */
  readonly usePkce?: boolean;
  /** Match the IdP's `sub` against ProjectMembership.externalId (UserConfig.externalId) instead of its email. */
  readonly useSubject?: boolean;
  /** How Medplum authenticates at the IdP token endpoint; default client_secret_basic. */
  readonly tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** A DomainConfiguration (super-admin resource): users whose email is in `domain` sign in at its IdP. */
export interface DomainConfig {
  readonly domain: string;
  readonly identityProvider: IdentityProviderConfig;
}

export interface ClientConfig {
  /** A UUID, as on a real server (which answers "Invalid client" to anything else); default random. */
  readonly id?: string;
  /** Default: 64 random hex characters, like a server-generated secret. */
  readonly secret?: string;
  /** The previous secret during a rotation: still good at /oauth2/token, not as Basic on FHIR. */
  readonly retiringSecret?: string;
  readonly name?: string;
  readonly description?: string;
  readonly redirectUris?: readonly string[];
  readonly pkceOptional?: boolean;
  readonly accessPolicy?: AccessPolicyConfig;
  /** Overrides the double's access-token lifetime for this client's logins. */
  readonly accessTokenLifetimeSeconds?: number;
  /** `refresh_token` here gives refresh tokens without the offline_access scope. */
  readonly grantType?: readonly string[];
  /** Default: the default project. */
  readonly projectId?: string;
  /** For private_key_jwt: fetched by the double for every client assertion (see `hostJwks`). */
  readonly jwksUri?: string;
  /** For token exchange and /auth/external. */
  readonly identityProvider?: IdentityProviderConfig;
  /** A project admin client: its login may call /admin/projects/… and $rotate-secret. */
  readonly admin?: boolean;
  /** The deprecated single redirect URI (still honoured by /oauth2/authorize, as recorded). */
  readonly redirectUri?: string;
  readonly identifier?: readonly Identifier[];
}

export interface Identifier {
  readonly system?: string;
  readonly value?: string;
}

export interface FhirResource {
  readonly resourceType: string;
  readonly id?: string;
  readonly meta?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

// ---- State ----

export interface Project {
  readonly id: string;
  readonly name: string;
  readonly strictMode: boolean;
}

export interface Reference {
  readonly reference: string;
  readonly display?: string;
}

/** A configured policy, or a FHIR AccessPolicy whose `config` is read live from the store on every use (see storedPolicy). */
export interface Policy {
  readonly id: string;
  readonly config: AccessPolicyConfig;
}

export interface Membership {
  readonly id: string;
  readonly project: Project;
  /** `User/<id>` or `ClientApplication/<id>`. */
  readonly user: Reference;
  readonly profile: Reference;
  admin: boolean;
  policy?: Policy;
  readonly externalId?: string;
  meta: { readonly versionId: string; readonly lastUpdated: string };
}

export interface User {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly superAdmin: boolean;
  readonly memberships: readonly Membership[];
  mfaSecret?: string;
  mfaEnrolled: boolean;
  readonly mfaRequired: boolean;
}

export interface Client {
  readonly id: string;
  name: string;
  description?: string;
  secret: string;
  retiringSecret?: string;
  redirectUris: readonly string[];
  redirectUri?: string;
  identifier?: readonly Identifier[];
  pkceOptional: boolean;
  accessTokenLifetimeSeconds?: number;
  grantType: readonly string[];
  jwksUri?: string;
  identityProvider?: IdentityProvider;
  readonly membership: Membership;
  meta: { readonly versionId: string; readonly lastUpdated: string };
}

/** One sign-in, as the server's Login resource. */
export interface Login {
  readonly id: string;
  readonly user?: User;
  /** The client the login was made for (`clientId` at /auth/login, or the client itself). */
  readonly client?: Client;
  membership?: Membership;
  readonly projectId?: string;
  readonly scope: string;
  readonly nonce?: string;
  readonly code: string;
  readonly cookie: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  refreshSecret?: string;
  readonly authTime: number;
  /** Default 'password'. */
  readonly authMethod?: 'password' | 'google' | 'external' | 'exchange';
  /** Set by /auth/mfa/verify or /auth/mfa/login-enroll. */
  mfaVerified?: boolean;
  granted: boolean;
  revoked: boolean;
}

/** An identityProvider with the defaults filled in. */
export interface IdentityProvider {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly usePkce: boolean;
  readonly useSubject: boolean;
  readonly tokenAuthMethod: 'client_secret_basic' | 'client_secret_post';
}

export interface GoogleState {
  readonly clientIds: readonly string[];
  readonly jwks: JwkSet;
}

export interface DoubleState {
  readonly baseUrl: string;
  /** The Medplum app, where /auth/external sends a login it cannot send back to a client. */
  readonly appBaseUrl: string;
  readonly now: () => number;
  accessTokenLifetimeSeconds: number;
  readonly signer: Signer;
  readonly defaultProject: Project;
  readonly projects: ReadonlyMap<string, Project>;
  readonly users: Map<string, User>;
  readonly clients: Map<string, Client>;
  readonly memberships: Map<string, Membership>;
  readonly logins: Map<string, Login>;
  /** FHIR resources by `Type/id`, each with its full (extended) meta. */
  readonly resources: Map<string, StoredResource>;
  /** DomainConfigurations by lower-case domain. */
  readonly domains: Map<string, IdentityProvider>;
  readonly idp: FakeIdp;
  readonly google: GoogleState;
  /** JWK Sets served at `/test/jwks/<id>.json` (see `hostJwks`). */
  readonly hostedJwks: Map<string, () => JwkSet>;
  /** `Type/id` of what a FHIR or admin delete removed: reads then answer 410 Gone. */
  readonly deleted: Set<string>;
  /** FHIR operations answered as by a server without them (404 "Not found"), e.g. `rotate-secret`. */
  readonly disabledOperations: Set<string>;
  readonly serverVersion: ServerVersion;
}

/** A Medplum server release, as /healthcheck reports it (before the build hash). */
export type ServerVersion = `${number}.${number}.${number}`;

/** The releases the CLI supports, each of whose rules the double models (client-fields.ts); any other plays the nearest. */
export const SERVER_VERSIONS = ['5.1.29', '5.2.13'] as const satisfies readonly ServerVersion[];

export interface StoredResource {
  readonly resourceType: string;
  readonly id: string;
  readonly meta: ResourceMeta;
  readonly [key: string]: unknown;
}

// A type alias (not an interface) so it stays assignable to FhirResource's open meta.
export type ResourceMeta = {
  readonly versionId: string;
  readonly lastUpdated: string;
  readonly author: Reference;
  readonly project: string;
  readonly compartment: readonly Reference[];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Random hex, like the server's `generateSecret(bytes)`. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function formatName(names: readonly HumanName[] | undefined): string | undefined {
  const name = names?.[0];
  if (!name) {
    return undefined;
  }
  return [...(name.given ?? []), ...(name.family ? [name.family] : [])].join(' ') || undefined;
}

export function createPolicy(config: AccessPolicyConfig | undefined): Policy | undefined {
  return config && { id: randomUUID(), config };
}

// ---- Access rules ----

const READ_ONLY: readonly Interaction[] = ['read', 'vread', 'history', 'search'];

/** No policy allows everything; otherwise some entry for the type (or `*`) must allow the interaction. */
export function policyAllows(policy: Policy | undefined, resourceType: string, interaction: Interaction): boolean {
  return !policy || allowingEntries(policy, resourceType, interaction).length > 0;
}

/**
 * Whether `resource` meets the `criteria` of some entry that allows the interaction (an entry
 * without criteria allows every resource of its type). Medplum evaluates any search there
 * (core's satisfiedAccessPolicy, matchesSearchRequest; packages/server/src/fhir/repo.ts answers a
 * read outside the criteria 404 and a write 403). The double knows `Type?param=value[&...]` with
 * `_id`, or a reference element named like the parameter: `Observation?device=Device/123`.
 */
export function criteriaAllow(policy: Policy | undefined, interaction: Interaction, resource: Readonly<Record<string, unknown>>): boolean {
  return (
    !policy ||
    allowingEntries(policy, String(resource.resourceType), interaction).some(
      ({ criteria }) => criteria === undefined || matchesCriteria(criteria, resource),
    )
  );
}

function matchesCriteria(criteria: string, resource: Readonly<Record<string, unknown>>): boolean {
  const [resourceType, query = ''] = criteria.split('?');
  return (
    resourceType === resource.resourceType &&
    [...new URLSearchParams(query)].every(([param, value]) =>
      param === '_id' ? resource.id === value : (resource[param] as { reference?: string } | undefined)?.reference === value,
    )
  );
}

function allowingEntries(policy: Policy, resourceType: string, interaction: Interaction): AccessPolicyConfig['resource'] {
  return policy.config.resource.filter((entry) => {
    if (entry.resourceType !== resourceType && entry.resourceType !== '*') {
      return false;
    }
    if (entry.readonly && !READ_ONLY.includes(interaction)) {
      return false;
    }
    return entry.interaction === undefined || entry.interaction.includes(interaction);
  });
}

export function ipAllowed(policy: Policy | undefined, address: string): boolean {
  for (const rule of policy?.config.ipAccessRule ?? []) {
    if (rule.value === '*' || rule.value === address || address.startsWith(rule.value)) {
      return rule.action === 'allow';
    }
  }
  return true;
}

// ---- Building the state ----

export function profileReference(resource: StoredResource): Reference {
  const display = formatName(resource.name as readonly HumanName[] | undefined);
  return { reference: `${resource.resourceType}/${resource.id}`, ...(display ? { display } : {}) };
}

export function storeResource(state: DoubleState, resource: StoredResource): void {
  state.resources.set(`${resource.resourceType}/${resource.id}`, resource);
}

/** The compartments the server lists: the project, and the patient the resource is or points at. */
export function compartments(projectId: string, resource: FhirResource & { readonly id: string }): Reference[] {
  const result: Reference[] = [{ reference: `Project/${projectId}` }];
  if (resource.resourceType === 'Patient') {
    result.push({ reference: `Patient/${resource.id}` });
  }
  for (const key of ['subject', 'patient']) {
    const ref = (resource[key] as Reference | undefined)?.reference;
    if (typeof ref === 'string' && ref.startsWith('Patient/') && !result.some((r) => r.reference === ref)) {
      result.push({ reference: ref });
    }
  }
  return result;
}

export function newResource(
  state: DoubleState,
  body: FhirResource,
  projectId: string,
  author: Reference,
  id: string,
): StoredResource {
  const { id: _ignoredId, meta, ...fields } = body;
  const resource = { ...fields, id };
  return {
    ...resource,
    meta: {
      versionId: typeof meta?.versionId === 'string' ? meta.versionId : randomUUID(),
      lastUpdated: typeof meta?.lastUpdated === 'string' ? meta.lastUpdated : new Date(state.now()).toISOString(),
      author: (meta?.author as Reference | undefined) ?? author,
      project: projectId,
      compartment: compartments(projectId, resource),
    },
  };
}

export function addUser(state: DoubleState, config: UserConfig): User {
  const email = config.email.toLowerCase();
  if ([...state.users.values()].some((u) => u.email === email)) {
    throw new Error(`Medplum double: duplicate user ${config.email}`);
  }
  const id = randomUUID();
  const userRef: Reference = { reference: `User/${id}`, display: email };
  const memberships = (config.projects ?? [state.defaultProject.id]).map((projectId, index) => {
    const project = projectOf(state, projectId);
    const own = config.profiles?.[index];
    const { resourceType, name } = own ?? config.profile;
    // A configured id belongs to one membership: the first, or the one it was given for.
    const configuredId = own ? own.id : index === 0 ? config.profile.id : undefined;
    const profileId = configuredId ?? randomUUID();
    const profile = newResource(
      state,
      { resourceType, ...(name ? { name } : {}), telecom: [{ system: 'email', use: 'work', value: email }] },
      project.id,
      { reference: 'system' },
      profileId,
    );
    storeResource(state, profile);
    const membership: Membership = {
      id: randomUUID(),
      project,
      user: userRef,
      profile: profileReference(profile),
      admin: config.admin ?? false,
      policy: createPolicy(config.accessPolicy),
      ...(config.externalId ? { externalId: config.externalId } : {}),
      meta: newMeta(state),
    };
    state.memberships.set(membership.id, membership);
    return membership;
  });
  const user: User = {
    id,
    email,
    password: config.password,
    superAdmin: config.superAdmin ?? false,
    memberships,
    mfaSecret: config.mfaSecret,
    mfaEnrolled: config.mfaSecret !== undefined,
    mfaRequired: config.mfaRequired ?? false,
  };
  state.users.set(id, user);
  return user;
}

export function addClient(state: DoubleState, config: ClientConfig): Client {
  const id = config.id ?? randomUUID();
  if (!isUuid(id)) {
    throw new Error(`Medplum double: client id must be a UUID (a real server answers "Invalid client"): ${id}`);
  }
  if (state.clients.has(id)) {
    throw new Error(`Medplum double: duplicate client ${id}`);
  }
  const name = config.name ?? 'Test client';
  const reference: Reference = { reference: `ClientApplication/${id}`, display: name };
  const membership: Membership = {
    id: randomUUID(),
    project: projectOf(state, config.projectId ?? state.defaultProject.id),
    user: reference,
    profile: reference,
    admin: config.admin ?? false,
    policy: createPolicy(config.accessPolicy),
    meta: newMeta(state),
  };
  state.memberships.set(membership.id, membership);
  const client: Client = {
    id,
    name,
    description: config.description,
    redirectUri: config.redirectUri,
    identifier: config.identifier,
    secret: config.secret ?? randomHex(32),
    retiringSecret: config.retiringSecret,
    redirectUris: config.redirectUris ?? [],
    pkceOptional: config.pkceOptional ?? false,
    accessTokenLifetimeSeconds: config.accessTokenLifetimeSeconds,
    grantType: config.grantType ?? [],
    jwksUri: config.jwksUri,
    identityProvider: config.identityProvider && resolveIdentityProvider(state, config.identityProvider),
    membership,
    meta: newMeta(state),
  };
  state.clients.set(id, client);
  return client;
}

/** Where /oauth2/authorize may send a client's browser: redirectUris and the deprecated redirectUri. */
export function clientRedirectUris(client: Client): readonly string[] {
  return client.redirectUri ? [...client.redirectUris, client.redirectUri] : client.redirectUris;
}

/** A fresh versionId and lastUpdated, as every write gets. */
export function newMeta(state: DoubleState): { readonly versionId: string; readonly lastUpdated: string } {
  return { versionId: randomUUID(), lastUpdated: new Date(state.now()).toISOString() };
}

/** A client that can sign in: its ProjectMembership still exists (the admin API can delete it). */
export function activeClient(state: DoubleState, id: string | undefined): Client | undefined {
  const client = id === undefined ? undefined : state.clients.get(id);
  return client && state.memberships.get(client.membership.id) === client.membership ? client : undefined;
}

/** The FHIR AccessPolicy `AccessPolicy/<id>` of a project as a live Policy (a deleted one then allows nothing). */
export function storedPolicy(state: DoubleState, id: string): Policy {
  return {
    id,
    get config(): AccessPolicyConfig {
      const stored = state.resources.get(`AccessPolicy/${id}`);
      const resource = (Array.isArray(stored?.resource) ? stored.resource : []) as AccessPolicyConfig['resource'];
      const ipAccessRule = stored?.ipAccessRule as AccessPolicyConfig['ipAccessRule'];
      return { resource, ...(ipAccessRule ? { ipAccessRule } : {}) };
    },
  };
}

function projectOf(state: DoubleState, projectId: string): Project {
  const project = state.projects.get(projectId);
  if (!project) {
    throw new Error(`Medplum double: unknown project ${projectId}`);
  }
  return project;
}

export function findUserByEmail(state: DoubleState, email: string): User | undefined {
  const wanted = email.toLowerCase();
  return [...state.users.values()].find((user) => user.email === wanted);
}

export function findLoginByCode(state: DoubleState, code: string): Login | undefined {
  return [...state.logins.values()].find((login) => login.code === code);
}

export function resolveIdentityProvider(state: DoubleState, config: IdentityProviderConfig): IdentityProvider {
  const idp = state.idp;
  return {
    authorizeUrl: config.authorizeUrl ?? idp.authorizeUrl,
    tokenUrl: config.tokenUrl ?? idp.tokenUrl,
    userInfoUrl: config.userInfoUrl ?? idp.userInfoUrl,
    clientId: config.clientId ?? idp.clientId,
    clientSecret: config.clientSecret ?? idp.clientSecret,
    usePkce: config.usePkce ?? false,
    useSubject: config.useSubject ?? false,
    tokenAuthMethod: config.tokenAuthMethod ?? 'client_secret_basic',
  };
}

export function addDomain(state: DoubleState, config: DomainConfig): void {
  state.domains.set(config.domain.toLowerCase(), resolveIdentityProvider(state, config.identityProvider));
}

/** The user with this ProjectMembership.externalId in the project. */
export function findUserByExternalId(state: DoubleState, externalId: string, projectId: string): User | undefined {
  return [...state.users.values()].find((user) => user.memberships.some((m) => m.externalId === externalId && m.project.id === projectId));
}
