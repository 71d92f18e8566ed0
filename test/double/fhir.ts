/**
 * FHIR R4 read, search and create for a few resource types, per project, behind the caller's
 * AccessPolicy. Anything the double does not model is refused with a message saying so, so a
 * test never passes by accident.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, fhirJson, forbidden, hasContentType, HttpError, jsonBody, notFound, type DoubleRequest, type Reply } from './http.js';
import { criteriaAllow, newResource, policyAllows, storeResource, type DoubleState, type FhirResource, type Interaction, type StoredResource } from './model.js';
import type { Session } from './session.js';

export const FHIR_TYPES: readonly string[] = ['Patient', 'Observation', 'Device', 'Practitioner'];

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;

export function unsupported(what: string): HttpError {
  return new HttpError(badRequest(`${what} is not supported by the Medplum test double`));
}

/** Without `X-Medplum: extended`, meta carries only versionId and lastUpdated. */
export function present(resource: StoredResource, extended: boolean): Record<string, unknown> {
  if (extended) {
    return resource;
  }
  const { versionId, lastUpdated } = resource.meta;
  return { ...resource, meta: { versionId, lastUpdated } };
}

export function versionHeaders(resource: { readonly meta: { readonly versionId: string; readonly lastUpdated: string } }): Record<string, string> {
  return {
    etag: `W/"${resource.meta.versionId}"`,
    'last-modified': new Date(resource.meta.lastUpdated).toUTCString(),
  };
}

export function handleFhir(state: DoubleState, req: DoubleRequest, session: Session, resourceType: string, id?: string): Reply {
  if (!FHIR_TYPES.includes(resourceType)) {
    throw unsupported(`Resource type ${resourceType}`);
  }
  const interaction: Interaction | undefined =
    req.method === 'GET' ? (id === undefined ? 'search' : 'read') : req.method === 'POST' && id === undefined ? 'create' : undefined;
  if (!interaction) {
    throw unsupported(`${req.method} ${req.url.pathname}`);
  }
  if (!policyAllows(session.membership.policy, resourceType, interaction)) {
    return forbidden();
  }
  const extended = req.headers['x-medplum'] === 'extended';
  switch (interaction) {
    case 'read':
      return read(state, session, `${resourceType}/${id}`, extended);
    case 'search':
      return search(state, session, resourceType, req.url.searchParams, extended);
    default:
      return create(state, req, session, resourceType, extended);
  }
}

function read(state: DoubleState, session: Session, key: string, extended: boolean): Reply {
  const resource = state.resources.get(key);
  if (!resource || resource.meta.project !== session.membership.project.id || !criteriaAllow(session.membership.policy, 'read', resource)) {
    return notFound();
  }
  return fhirJson(200, present(resource, extended), versionHeaders(resource));
}

function nonNegativeInt(value: string | null, fallback: number, name: string): number {
  if (value === null) {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new HttpError(badRequest(`Invalid ${name} (Medplum test double)`));
  }
  return n;
}

/**
 * Supports _count, _offset, _id, _sort=(-)_lastUpdated, _total and _summary=true; links as recorded
 * (params sorted, _count always). `_summary=true` keeps only id and meta here (the real server also
 * keeps each type's summary elements), tagged SUBSETTED as FHIR requires.
 */
function search(state: DoubleState, session: Session, resourceType: string, params: URLSearchParams, extended: boolean): Reply {
  const candidates = [...state.resources.values()]
    .filter((r) => r.resourceType === resourceType && r.meta.project === session.membership.project.id)
    .map((r) => present(r, extended) as SearchCandidate);
  return searchset(state, resourceType, params, candidates, {});
}

/** A resource as it would be returned, with the id and meta.lastUpdated a search needs. */
export type SearchCandidate = Record<string, unknown> & { readonly id: string; readonly meta: { readonly lastUpdated: string } };

/** Search parameters beyond the common ones: each keeps the resources that match its value. */
export type SearchFilters = Readonly<Record<string, (resource: SearchCandidate, value: string) => boolean>>;

/** The searchset Bundle of `candidates` (already in the project, as they are returned) for these parameters. */
export function searchset(state: DoubleState, resourceType: string, params: URLSearchParams, candidates: readonly SearchCandidate[], custom: SearchFilters): Reply {
  const count = Math.min(nonNegativeInt(params.get('_count'), DEFAULT_COUNT, '_count'), MAX_COUNT);
  const offset = nonNegativeInt(params.get('_offset'), 0, '_offset');
  const filters = new URLSearchParams();
  for (const [key, value] of params) {
    if (key === '_id' || key === '_sort' || key === '_total' || key === '_summary' || key in custom) {
      filters.append(key, value);
    } else if (key !== '_count' && key !== '_offset' && key !== '_medplum-prompt-basic-auth') {
      throw unsupported(`Search parameter ${key}`);
    }
  }
  const ids = filters.get('_id')?.split(',');
  const sort = filters.get('_sort');
  if (sort !== null && sort !== '_lastUpdated' && sort !== '-_lastUpdated') {
    throw unsupported(`_sort=${sort}`);
  }
  const total = filters.get('_total');
  if (total !== null && total !== 'accurate' && total !== 'estimate' && total !== 'none') {
    throw unsupported(`_total=${total}`);
  }
  const summary = filters.get('_summary');
  if (summary !== null && summary !== 'true' && summary !== 'false') {
    throw unsupported(`_summary=${summary}`);
  }

  const matches = candidates.filter(
    (r) => (!ids || ids.includes(r.id)) && [...filters].every(([key, value]) => custom[key]?.(r, value) ?? true),
  );
  if (sort) {
    const direction = sort.startsWith('-') ? -1 : 1;
    matches.sort((a, b) => direction * a.meta.lastUpdated.localeCompare(b.meta.lastUpdated));
  }
  const page = matches.slice(offset, offset + count);

  const link = (relation: string, pageOffset: number) => {
    const query = new URLSearchParams([['_count', String(count)], ...(pageOffset > 0 ? [['_offset', String(pageOffset)]] : []), ...filters]);
    query.sort();
    return { relation, url: `${state.baseUrl}fhir/R4/${resourceType}?${query.toString()}` };
  };
  const links = [link('self', offset)];
  if (page.length > 0) {
    links.push(link('first', 0));
  }
  if (matches.length > offset + count) {
    links.push(link('next', offset + count));
  }
  return fhirJson(200, {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.length > 0
      ? {
          entry: page.map((r) => ({
            fullUrl: `${state.baseUrl}fhir/R4/${resourceType}/${r.id}`,
            search: { mode: 'match' },
            resource: summary === 'true' ? subsetted(r) : r,
          })),
        }
      : {}),
    ...(total === 'accurate' || total === 'estimate' ? { total: matches.length } : {}),
    link: links,
  });
}

function create(state: DoubleState, req: DoubleRequest, session: Session, resourceType: string, extended: boolean): Reply {
  if (!hasContentType(req, 'application/fhir+json', 'application/json')) {
    throw unsupported(`Content type ${req.headers['content-type'] ?? '(none)'}`);
  }
  const body = jsonBody(req);
  if (body.resourceType !== resourceType) {
    return badRequest('Incorrect resource type');
  }
  const { meta: _ignoredMeta, ...fields } = body;
  if (!criteriaAllow(session.membership.policy, 'create', fields)) {
    return forbidden();
  }
  const resource = newResource(state, { ...(fields as FhirResource), resourceType }, session.membership.project.id, session.membership.profile, randomUUID());
  storeResource(state, resource);
  return fhirJson(201, present(resource, extended), {
    location: `${state.baseUrl}fhir/R4/${resourceType}/${resource.id}`,
    ...versionHeaders(resource),
  });
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function subsetted(resource: Record<string, unknown>): Record<string, unknown> {
  const meta = (resource.meta ?? {}) as Record<string, unknown>;
  const tag: unknown[] = Array.isArray(meta.tag) ? meta.tag : [];
  return { resourceType: resource.resourceType, id: resource.id, meta: { ...meta, tag: [...tag, SUBSETTED] } };
}
