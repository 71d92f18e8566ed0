/**
 * The project-admin API under /admin/projects/ (as recorded in wire/07 and in the server's
 * admin/project.ts and admin/client.ts): create a client, read a project, read, update and delete
 * a ProjectMembership. Every route needs a signed-in project admin (else 403 "Forbidden"); a
 * project admin always acts on the project of its login, whatever `{projectId}` the path names
 * (only a super admin's path project counts).
 */
import { clientFields, type ClientFields } from './client-fields.js';
import { allOk, badRequest, forbidden, gone, HttpError, invalidFields, json, jsonBody, notFound, type DoubleRequest, type Reply } from './http.js';
import {
  addClient,
  newMeta,
  resolveIdentityProvider,
  storedPolicy,
  type Client,
  type DoubleState,
  type Membership,
  type Policy,
  type Project,
} from './model.js';
import { authenticate, clientApplicationJson, type LogNote, type Session } from './session.js';

const PROJECT_PATH = /^\/admin\/projects\/([^/]+)$/;
const CLIENT_PATH = /^\/admin\/projects\/([^/]+)\/client$/;
const MEMBER_PATH = /^\/admin\/projects\/([^/]+)\/members\/([^/]+)$/;

export function isProjectAdmin(session: Session): boolean {
  return session.membership.admin || (session.login.user?.superAdmin ?? false);
}

export function handleAdmin(state: DoubleState, req: DoubleRequest, note: LogNote): Reply {
  const path = req.url.pathname;
  const session = authenticate(state, req, note);
  if (!isProjectAdmin(session)) {
    return forbidden();
  }
  const clientPath = CLIENT_PATH.exec(path);
  if (clientPath && req.method === 'POST') {
    return createClient(state, req, session, decodeURIComponent(clientPath[1] ?? ''));
  }
  if (PROJECT_PATH.test(path) && req.method === 'GET') {
    const { id, name } = session.membership.project;
    return json(200, { project: { id, name } });
  }
  const memberId = MEMBER_PATH.exec(path)?.[2];
  if (memberId !== undefined) {
    const id = decodeURIComponent(memberId);
    switch (req.method) {
      case 'GET':
        return json(200, membershipJson(projectMembership(state, session, id)));
      case 'POST':
        return updateMembership(state, req, session, id);
      case 'DELETE':
        return deleteMembership(state, session, id);
    }
  }
  return badRequest(`${req.method} ${path} is not supported by the Medplum test double`);
}

/** The ProjectMembership resource as the server stores it. */
export function membershipJson(membership: Membership): Record<string, unknown> {
  return {
    meta: { ...membership.meta },
    resourceType: 'ProjectMembership',
    project: { reference: `Project/${membership.project.id}`, display: membership.project.name },
    user: membership.user,
    profile: membership.profile,
    ...(membership.policy ? { accessPolicy: { reference: `AccessPolicy/${membership.policy.id}` } } : {}),
    ...(membership.admin ? { admin: true } : {}),
    ...(membership.externalId ? { externalId: membership.externalId } : {}),
    id: membership.id,
  };
}

/** `{reference: "AccessPolicy/<id>"}` of the project as a live policy; the membership's current policy stays as it is. */
export function policyFromReference(state: DoubleState, project: Project, value: unknown, current?: Policy): Policy | undefined {
  if (value === undefined) {
    return undefined;
  }
  const reference = (value as { reference?: unknown } | null)?.reference;
  const id = typeof reference === 'string' ? /^AccessPolicy\/([^/]+)$/.exec(reference)?.[1] : undefined;
  if (id !== undefined && id === current?.id) {
    return current;
  }
  const stored = id === undefined ? undefined : state.resources.get(`AccessPolicy/${id}`);
  if (!id || !stored || stored.meta.project !== project.id) {
    throw new HttpError(badRequest(`accessPolicy ${JSON.stringify(value)} is not an AccessPolicy of the project (the Medplum test double refuses a dangling reference)`));
  }
  return storedPolicy(state, id);
}

/** Sets the modelled fields of a client from a create or a full update. */
export function applyClientFields(state: DoubleState, client: Client, fields: ClientFields): void {
  client.name = fields.name ?? client.name;
  client.description = fields.description;
  client.identifier = fields.identifier;
  client.redirectUri = fields.redirectUri;
  client.redirectUris = fields.redirectUris ?? [];
  client.jwksUri = fields.jwksUri;
  client.pkceOptional = fields.pkceOptional ?? false;
  client.identityProvider = fields.identityProvider && resolveIdentityProvider(state, fields.identityProvider);
  client.accessTokenLifetimeSeconds = fields.accessTokenLifetimeSeconds;
}

function createClient(state: DoubleState, req: DoubleRequest, session: Session, pathProjectId: string): Reply {
  const body = jsonBody(req);
  if (typeof body.name !== 'string' || body.name === '') {
    return invalidFields([{ field: 'name', text: 'Client name is required' }]);
  }
  const project = session.login.user?.superAdmin ? state.projects.get(pathProjectId) : session.membership.project;
  if (!project) {
    return badRequest(`Project ${pathProjectId} is not known to the Medplum test double`);
  }
  const { accessPolicy, ...rest } = body;
  const fields = clientFields(rest, state.serverVersion);
  const policy = policyFromReference(state, project, accessPolicy);
  const client = addClient(state, { projectId: project.id, name: fields.name });
  applyClientFields(state, client, fields);
  client.membership.policy = policy;
  return json(201, clientApplicationJson(client));
}

/** The membership, read as the signed-in project admin: 404 unknown, 410 deleted, 403 in another project. */
function projectMembership(state: DoubleState, session: Session, id: string): Membership {
  const membership = state.memberships.get(id);
  if (!membership) {
    throw new HttpError(state.deleted.has(`ProjectMembership/${id}`) ? gone() : notFound());
  }
  if (membership.project !== session.membership.project) {
    throw new HttpError(forbidden());
  }
  return membership;
}

const MEMBERSHIP_FIELDS = new Set(['resourceType', 'id', 'meta', 'project', 'user', 'profile', 'accessPolicy', 'admin', 'externalId']);

function sameReference(value: unknown, expected: string): boolean {
  return (value as { reference?: unknown } | null)?.reference === expected;
}

/** Full update of a membership: the double models changing its accessPolicy and admin flag. */
function updateMembership(state: DoubleState, req: DoubleRequest, session: Session, id: string): Reply {
  const membership = projectMembership(state, session, id);
  const body = jsonBody(req);
  if (body.resourceType !== 'ProjectMembership' || body.id !== id) {
    return forbidden();
  }
  const unsupported = Object.keys(body).filter((key) => !MEMBERSHIP_FIELDS.has(key));
  const moved =
    !sameReference(body.project, `Project/${membership.project.id}`) ||
    !sameReference(body.user, membership.user.reference) ||
    !sameReference(body.profile, membership.profile.reference) ||
    (body.externalId ?? undefined) !== membership.externalId;
  if (unsupported.length > 0 || moved) {
    const what = unsupported.length > 0 ? unsupported.join(', ') : 'changing project, user, profile or externalId';
    return badRequest(`ProjectMembership update: ${what} is not supported by the Medplum test double`);
  }
  if (body.admin !== undefined && typeof body.admin !== 'boolean') {
    return badRequest('ProjectMembership.admin must be a boolean (Medplum test double)');
  }
  membership.policy = policyFromReference(state, membership.project, body.accessPolicy, membership.policy);
  membership.admin = body.admin ?? false;
  membership.meta = newMeta(state);
  return json(200, membershipJson(membership));
}

function deleteMembership(state: DoubleState, session: Session, id: string): Reply {
  const membership = projectMembership(state, session, id);
  if (!membership.user.reference.startsWith('ClientApplication/')) {
    return badRequest("Deleting a user's ProjectMembership is not supported by the Medplum test double");
  }
  state.memberships.delete(id);
  state.deleted.add(`ProjectMembership/${id}`);
  return allOk();
}
