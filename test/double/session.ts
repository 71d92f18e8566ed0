/**
 * Who is calling: a Bearer access token this double issued (signed, unexpired, login not revoked)
 * or HTTP Basic `clientId:secret` (current secret only, as recorded). Plus the endpoints that
 * only need that answer: /auth/me, /oauth2/userinfo and /oauth2/logout.
 */
import { randomUUID } from 'node:crypto';
import { allOk, basicCredentials, HttpError, json, unauthorized, type AuthScheme, type DoubleRequest, type Reply } from './http.js';
import { activeClient, ipAllowed, type Client, type DoubleState, type HumanName, type IdentityProvider, type Login, type Membership, type StoredResource } from './model.js';

export interface Session {
  readonly login: Login;
  readonly membership: Membership;
  readonly scheme: AuthScheme;
}

/** What a request adds to its log entry besides method, path, scheme and status. */
export interface LogNote {
  grantType?: string;
  clientId?: string;
  /** The token request authenticated (or tried to) with a private_key_jwt client assertion. */
  clientAssertion?: boolean;
}

export function authenticate(state: DoubleState, req: DoubleRequest, note: LogNote): Session {
  const header = req.headers.authorization ?? '';
  const [scheme, credentials] = header.split(' ');
  const session =
    scheme === 'Basic' ? basicSession(state, req, header, note) : scheme === 'Bearer' ? bearerSession(state, credentials, note) : undefined;
  if (!session) {
    throw new HttpError(unauthorized(scheme === 'Basic' ? 'Basic' : 'Bearer', state.baseUrl));
  }
  return session;
}

function bearerSession(state: DoubleState, token: string | undefined, note: LogNote): Session | undefined {
  const claims = token ? state.signer.verify(token) : undefined;
  // Only access tokens: id and refresh tokens also carry login_id but no username/scope.
  if (!claims || typeof claims.username !== 'string' || typeof claims.scope !== 'string') {
    return undefined;
  }
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= state.now()) {
    return undefined;
  }
  const login = typeof claims.login_id === 'string' ? state.logins.get(claims.login_id) : undefined;
  note.clientId = login?.client?.id;
  if (!login || login.revoked || !login.membership) {
    return undefined;
  }
  return { login, membership: login.membership, scheme: 'Bearer' };
}

/** Only the current secret works here, not a retiring one. */
function basicSession(state: DoubleState, req: DoubleRequest, header: string, note: LogNote): Session | undefined {
  const { id, secret } = basicCredentials(header);
  const client = activeClient(state, id);
  // The log names known clients only: an unknown "id" may be a secret sent in the wrong place.
  note.clientId = client?.id;
  if (!client || secret !== client.secret || !ipAllowed(client.membership.policy, req.remoteAddress)) {
    return undefined;
  }
  // The server makes an in-memory login for every Basic request.
  const login: Login = {
    id: randomUUID(),
    client,
    membership: client.membership,
    scope: 'openid',
    code: '',
    cookie: '',
    authTime: state.now(),
    granted: true,
    revoked: false,
  };
  return { login, membership: client.membership, scheme: 'Basic' };
}

// ---- /auth/me ----

const FAVORITES_MENU = {
  title: 'Favorites',
  link: ['Patient', 'Practitioner', 'Organization', 'ServiceRequest', 'DiagnosticReport', 'Questionnaire'].map((name) => ({
    name,
    target: `/${name}`,
  })),
};

const ADMIN_MENU = {
  title: 'Admin',
  link: [
    { name: 'Project', target: '/admin/project' },
    { name: 'AccessPolicy', target: '/AccessPolicy' },
    { name: 'Subscriptions', target: '/Subscription' },
    { name: 'Batch', target: '/batch' },
    { name: 'Config', target: '/admin/config' },
  ],
};

/** The merged policy as /auth/me shows it. (A real project admin also gets entries for Project, ProjectMembership, User…, not modelled.) */
function effectiveAccessPolicy(membership: Membership): Record<string, unknown> {
  const policy = membership.policy;
  return {
    resourceType: 'AccessPolicy',
    basedOn: policy ? [{ reference: `AccessPolicy/${policy.id}` }] : [],
    resource: [
      ...(policy ? policy.config.resource : [{ resourceType: '*' }]),
      { resourceType: 'SearchParameter', readonly: true },
      { resourceType: 'StructureDefinition', readonly: true },
    ],
    ...(policy?.config.ipAccessRule?.length ? { ipAccessRule: policy.config.ipAccessRule } : {}),
  };
}

function projectJson(membership: Membership): Record<string, unknown> {
  const { id, name, strictMode } = membership.project;
  return { resourceType: 'Project', id, name, ...(strictMode ? { strictMode } : {}) };
}

/**
 * The ClientApplication as the server returns it to project members: secret included. The admin
 * API and $rotate-secret answer with the full (extended) meta, FHIR reads without `X-Medplum:
 * extended` with versionId and lastUpdated only.
 */
export function clientApplicationJson(client: Client, extended = true): Record<string, unknown> {
  const projectId = client.membership.project.id;
  return {
    meta: extended
      ? { project: projectId, author: { reference: 'system' }, ...client.meta, compartment: [{ reference: `Project/${projectId}` }] }
      : { ...client.meta },
    resourceType: 'ClientApplication',
    secret: client.secret,
    ...(client.retiringSecret ? { retiringSecret: client.retiringSecret } : {}),
    name: client.name,
    ...(client.description ? { description: client.description } : {}),
    ...(client.identifier ? { identifier: client.identifier } : {}),
    ...(client.redirectUri ? { redirectUri: client.redirectUri } : {}),
    ...(client.redirectUris.length > 0 ? { redirectUris: client.redirectUris } : {}),
    ...(client.pkceOptional ? { pkceOptional: true } : {}),
    ...(client.grantType.length > 0 ? { grantType: client.grantType } : {}),
    ...(client.accessTokenLifetimeSeconds === undefined ? {} : { accessTokenLifetime: `${client.accessTokenLifetimeSeconds}s` }),
    ...(client.jwksUri ? { jwksUri: client.jwksUri } : {}),
    ...(client.identityProvider ? { identityProvider: identityProviderJson(client.identityProvider) } : {}),
    id: client.id,
  };
}

/** As stored: only the fields that are set (the double fills defaults, the server does not). */
function identityProviderJson(idp: IdentityProvider): Record<string, unknown> {
  const { authorizeUrl, tokenUrl, userInfoUrl, clientId, clientSecret, usePkce, useSubject, tokenAuthMethod } = idp;
  return {
    authorizeUrl,
    tokenUrl,
    userInfoUrl,
    clientId,
    clientSecret,
    ...(usePkce ? { usePkce } : {}),
    ...(useSubject ? { useSubject } : {}),
    ...(tokenAuthMethod === 'client_secret_post' ? { tokenAuthMethod } : {}),
  };
}

function profileResource(state: DoubleState, membership: Membership): StoredResource {
  const resource = state.resources.get(membership.profile.reference);
  if (!resource) {
    throw new Error(`Medplum double: missing profile ${membership.profile.reference}`);
  }
  return resource;
}

export function me(state: DoubleState, session: Session): Reply {
  const { login, membership } = session;
  const common = {
    project: projectJson(membership),
    membership: {
      resourceType: 'ProjectMembership',
      id: membership.id,
      user: membership.user,
      profile: membership.profile,
      ...(login.user || membership.admin ? { admin: membership.admin } : {}),
    },
  };
  const config = { resourceType: 'UserConfiguration', menu: membership.admin ? [FAVORITES_MENU, ADMIN_MENU] : [FAVORITES_MENU] };
  if (!login.user) {
    const client = login.client as Client;
    return json(200, { ...common, profile: clientApplicationJson(client), config, accessPolicy: effectiveAccessPolicy(membership) });
  }
  const user = login.user;
  return json(200, {
    user: { resourceType: 'User', id: user.id, email: user.email },
    ...common,
    profile: profileResource(state, membership),
    config,
    accessPolicy: effectiveAccessPolicy(membership),
    security: {
      mfaEnrolled: false,
      mfaRequired: false,
      sessions: [...state.logins.values()]
        .filter((l) => l.user === user && l.membership && !l.revoked)
        .map((l) => ({
          id: l.id,
          lastUpdated: new Date(l.authTime).toISOString(),
          authMethod: l.authMethod ?? 'password',
          remoteAddress: '127.0.0.1',
          browser: '',
          project: { reference: `Project/${l.membership?.project.id}`, display: l.membership?.project.name },
        })),
      memberships: [{ resourceType: 'ProjectMembership', id: membership.id, profile: membership.profile, admin: membership.admin }],
    },
  });
}

// ---- /oauth2/userinfo ----

export function userinfo(state: DoubleState, session: Session): Reply {
  const { login, membership } = session;
  const scopes = login.scope.split(' ');
  const info: Record<string, unknown> = { sub: login.user?.id ?? login.client?.id };
  const profile = login.user ? profileResource(state, membership) : undefined;
  if (profile && scopes.includes('profile')) {
    const name = (profile.name as readonly HumanName[] | undefined)?.[0];
    Object.assign(info, {
      profile: membership.profile.reference,
      locale: 'en-US',
      updated_at: Date.parse(profile.meta.lastUpdated) / 1000,
      ...(name ? { name: membership.profile.display, family_name: name.family ?? '', given_name: name.given?.join(' ') ?? '', middle_name: '' } : {}),
      preferred_username: login.user?.email.split('@')[0],
    });
  }
  if (login.user && scopes.includes('email')) {
    Object.assign(info, { email: login.user.email, email_verified: false });
  }
  return json(200, info);
}

// ---- /oauth2/logout ----

export function logout(session: Session): Reply {
  session.login.revoked = true;
  const client = session.login.client;
  // A login made for a client also had its session cookie cleared.
  const clearCookie =
    client && session.scheme === 'Bearer'
      ? { 'set-cookie': [`medplum-${client.id}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=None`] }
      : undefined;
  return allOk(clearCookie);
}
