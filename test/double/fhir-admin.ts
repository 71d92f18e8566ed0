/**
 * FHIR for the resources a provisioning tool touches: ClientApplication and AccessPolicy (create,
 * read, search by name and identifier, update, delete, behind the caller's AccessPolicy as on the
 * server), ProjectMembership (read and search by user or profile, project admins only; it is
 * changed through the admin API) and `ClientApplication/{id}/$rotate-secret`.
 *
 * A ClientApplication made by the admin API (or configured) is a real client: secret, membership,
 * sign-in. One made by a plain FHIR create is only stored: no secret, no membership, so its token
 * call fails with "Invalid client", as recorded. Every member can read a client's secret (recorded).
 */
import { randomUUID } from 'node:crypto';
import { applyClientFields, isProjectAdmin, membershipJson } from './admin.js';
import { checkAccessPolicy, clientFields } from './client-fields.js';
import { present, searchset, unsupported, versionHeaders, type SearchCandidate, type SearchFilters } from './fhir.js';
import { allOk, badRequest, fhirJson, forbidden, gone, HttpError, jsonBody, notFound, type DoubleRequest, type Reply } from './http.js';
import { newMeta, newResource, policyAllows, randomHex, storeResource, type Client, type DoubleState, type Interaction, type StoredResource } from './model.js';
import { clientApplicationJson, type Session } from './session.js';

export const ADMIN_FHIR_TYPES: readonly string[] = ['ClientApplication', 'AccessPolicy', 'ProjectMembership'];

function interactionOf(method: string, id: string | undefined): Interaction | undefined {
  switch (method) {
    case 'GET':
      return id === undefined ? 'search' : 'read';
    case 'POST':
      return id === undefined ? 'create' : undefined;
    case 'PUT':
      return id === undefined ? undefined : 'update';
    case 'DELETE':
      return id === undefined ? undefined : 'delete';
    default:
      return undefined;
  }
}

export function handleAdminFhir(state: DoubleState, req: DoubleRequest, session: Session, resourceType: string, id?: string): Reply {
  const interaction = interactionOf(req.method, id);
  if (!interaction) {
    throw unsupported(`${req.method} ${req.url.pathname}`);
  }
  const extended = req.headers['x-medplum'] === 'extended';
  if (resourceType === 'ProjectMembership') {
    return projectMemberships(state, req, session, interaction, id);
  }
  if (!policyAllows(session.membership.policy, resourceType, interaction)) {
    return forbidden();
  }
  const project = session.membership.project.id;
  const key = `${resourceType}/${id}`;
  const client = resourceType === 'ClientApplication' && id !== undefined ? projectClient(state, project, id) : undefined;
  switch (interaction) {
    case 'search':
      return searchset(state, resourceType, req.url.searchParams, candidates(state, project, resourceType, extended), FILTERS);
    case 'create':
      return create(state, req, session, resourceType, extended);
    case 'read':
      if (client) {
        return fhirJson(200, clientApplicationJson(client, extended), versionHeaders(client));
      }
      return fhirJson(200, present(stored(state, project, key), extended), versionHeaders(stored(state, project, key)));
    case 'update':
      return client ? updateClient(state, req, client, extended) : update(state, req, session, stored(state, project, key), extended);
    default:
      if (client) {
        state.clients.delete(client.id);
      } else {
        stored(state, project, key);
        state.resources.delete(key);
      }
      state.deleted.add(key);
      return allOk();
  }
}

/** A configured or admin-made client of the project. */
function projectClient(state: DoubleState, projectId: string, id: string): Client | undefined {
  const client = state.clients.get(id);
  return client?.membership.project.id === projectId ? client : undefined;
}

function stored(state: DoubleState, projectId: string, key: string): StoredResource {
  const resource = state.resources.get(key);
  if (!resource || resource.meta.project !== projectId) {
    throw new HttpError(state.deleted.has(key) ? gone() : notFound());
  }
  return resource;
}

function candidates(state: DoubleState, projectId: string, resourceType: string, extended: boolean): SearchCandidate[] {
  const clients =
    resourceType === 'ClientApplication'
      ? [...state.clients.values()].filter((c) => c.membership.project.id === projectId).map((c) => clientApplicationJson(c, extended) as SearchCandidate)
      : [];
  const resources = [...state.resources.values()]
    .filter((r) => r.resourceType === resourceType && r.meta.project === projectId)
    .map((r) => present(r, extended) as SearchCandidate);
  return [...clients, ...resources];
}

const nameOf = (resource: SearchCandidate): string => (typeof resource.name === 'string' ? resource.name : '').toLowerCase();

/** Token search: `value`, `system|value`, `|value` (no system) or `system|`. */
function identifierMatches(resource: SearchCandidate, token: string): boolean {
  const identifiers = Array.isArray(resource.identifier) ? (resource.identifier as { system?: string; value?: string }[]) : [];
  const bar = token.indexOf('|');
  if (bar < 0) {
    return identifiers.some((i) => i.value === token);
  }
  const system = token.slice(0, bar);
  const value = token.slice(bar + 1);
  return identifiers.some((i) => (system === '' ? i.system === undefined : i.system === system) && (value === '' || i.value === value));
}

/** String search as on the server: case-insensitive "starts with", or :exact / :contains. */
const FILTERS: SearchFilters = {
  name: (r, value) => nameOf(r).startsWith(value.toLowerCase()),
  'name:exact': (r, value) => r.name === value,
  'name:contains': (r, value) => nameOf(r).includes(value.toLowerCase()),
  identifier: identifierMatches,
};

function reference(value: unknown): string | undefined {
  const ref = (value as { reference?: unknown } | undefined)?.reference;
  return typeof ref === 'string' ? ref : undefined;
}

function projectMemberships(state: DoubleState, req: DoubleRequest, session: Session, interaction: Interaction, id?: string): Reply {
  if (!isProjectAdmin(session)) {
    return forbidden();
  }
  const memberships = [...state.memberships.values()].filter((m) => m.project === session.membership.project);
  if (interaction === 'read') {
    const membership = memberships.find((m) => m.id === id);
    if (!membership) {
      return state.deleted.has(`ProjectMembership/${id}`) ? gone() : notFound();
    }
    return fhirJson(200, membershipJson(membership), versionHeaders(membership));
  }
  if (interaction === 'search') {
    const filters: SearchFilters = {
      user: (m, value) => reference(m.user) === value,
      profile: (m, value) => reference(m.profile) === value,
    };
    return searchset(state, 'ProjectMembership', req.url.searchParams, memberships.map((m) => membershipJson(m) as SearchCandidate), filters);
  }
  throw unsupported(`FHIR ${interaction} of ProjectMembership (use /admin/projects/{projectId}/members/{membershipId})`);
}

/** The body of a create or update, checked; `id` and `meta` are the server's. */
function checkedBody(state: DoubleState, req: DoubleRequest, resourceType: string, id?: string): Record<string, unknown> {
  const body = jsonBody(req);
  if (body.resourceType !== resourceType) {
    throw new HttpError(badRequest('Incorrect resource type'));
  }
  if (id !== undefined && body.id !== id) {
    throw new HttpError(badRequest('Incorrect ID'));
  }
  if (resourceType === 'AccessPolicy') {
    checkAccessPolicy(body);
  } else {
    clientFields(body, state.serverVersion);
  }
  const { id: _id, meta: _meta, ...fields } = body;
  return fields;
}

function create(state: DoubleState, req: DoubleRequest, session: Session, resourceType: string, extended: boolean): Reply {
  const fields = checkedBody(state, req, resourceType);
  const resource = newResource(state, { ...fields, resourceType }, session.membership.project.id, session.membership.profile, randomUUID());
  storeResource(state, resource);
  return fhirJson(201, present(resource, extended), { location: `${state.baseUrl}fhir/R4/${resourceType}/${resource.id}`, ...versionHeaders(resource) });
}

function update(state: DoubleState, req: DoubleRequest, session: Session, current: StoredResource, extended: boolean): Reply {
  const fields = checkedBody(state, req, current.resourceType, current.id);
  const resource = newResource(state, { ...fields, resourceType: current.resourceType }, current.meta.project, session.membership.profile, current.id);
  storeResource(state, resource);
  return fhirJson(200, present(resource, extended), versionHeaders(resource));
}

/** A full update of a real client. Its secrets are changed only by $rotate-secret, so they must come back unchanged. */
function updateClient(state: DoubleState, req: DoubleRequest, client: Client, extended: boolean): Reply {
  const body = jsonBody(req);
  if (body.resourceType !== 'ClientApplication') {
    return badRequest('Incorrect resource type');
  }
  if (body.id !== client.id) {
    return badRequest('Incorrect ID');
  }
  const fields = clientFields(body, state.serverVersion, new Set(['secret', 'retiringSecret']));
  if (body.secret !== client.secret || body.retiringSecret !== client.retiringSecret) {
    return badRequest('An update that changes or drops ClientApplication.secret or retiringSecret is not supported by the Medplum test double (use $rotate-secret)');
  }
  if (fields.name === undefined) {
    return badRequest('An update without ClientApplication.name is not supported by the Medplum test double');
  }
  applyClientFields(state, client, fields);
  client.meta = newMeta(state);
  return fhirJson(200, clientApplicationJson(client, extended), versionHeaders(client));
}

/**
 * POST ClientApplication/{id}/$rotate-secret (rotatesecret.ts): project admins only; one of
 * `secret` (the current one: a new secret is made and the old one retires) or `retiringSecret`
 * (drops it), as Parameters or plain JSON. The answer is the ClientApplication itself.
 */
export function rotateSecret(state: DoubleState, req: DoubleRequest, session: Session, id: string): Reply {
  if (!isProjectAdmin(session)) {
    return forbidden();
  }
  const body = jsonBody(req);
  const params: Record<string, unknown> =
    body.resourceType === 'Parameters'
      ? Object.fromEntries(((Array.isArray(body.parameter) ? body.parameter : []) as { name?: string; valueString?: unknown }[]).map((p) => [p.name, p.valueString]))
      : body;
  const secret = typeof params.secret === 'string' && params.secret !== '' ? params.secret : undefined;
  const retiring = typeof params.retiringSecret === 'string' && params.retiringSecret !== '' ? params.retiringSecret : undefined;
  if (!secret && !retiring) {
    return badRequest('Secret to rotate must be provided');
  }
  if (secret && retiring) {
    return badRequest('Only one secret can be rotated at a time');
  }
  // The server reads the client with its system repository.
  const client = state.clients.get(id);
  if (!client) {
    return state.resources.has(`ClientApplication/${id}`) ? badRequest('Provided secret does not match client') : notFound();
  }
  if (secret && secret === client.secret) {
    client.retiringSecret = client.secret;
    client.secret = randomHex(32);
  } else if (retiring && retiring === client.retiringSecret) {
    client.retiringSecret = undefined;
  } else {
    return badRequest('Provided secret does not match client');
  }
  client.meta = newMeta(state);
  return fhirJson(200, clientApplicationJson(client), versionHeaders(client));
}
