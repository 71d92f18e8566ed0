/**
 * The public metadata documents, as recorded (wire/08), relative to the double's base URL.
 */
import type { DoubleState } from './model.js';

const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'];
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/** `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server` (identical). */
export function openidConfiguration({ baseUrl }: DoubleState): Record<string, unknown> {
  return {
    issuer: baseUrl,
    authorization_endpoint: `${baseUrl}oauth2/authorize`,
    token_endpoint: `${baseUrl}oauth2/token`,
    userinfo_endpoint: `${baseUrl}oauth2/userinfo`,
    jwks_uri: `${baseUrl}.well-known/jwks.json`,
    introspection_endpoint: `${baseUrl}oauth2/introspect`,
    registration_endpoint: `${baseUrl}oauth2/register`,
    id_token_signing_alg_values_supported: ['ES256', 'ES384', 'HS256', 'RS256'],
    grant_types_supported: GRANT_TYPES,
    response_types_supported: ['code', 'id_token', 'token id_token'],
    subject_types_supported: ['pairwise', 'public'],
    scopes_supported: ['openid', 'profile', 'email', 'phone', 'address'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    request_object_signing_alg_values_supported: ['none'],
    code_challenge_methods_supported: ['S256', 'plain'],
  };
}

/** `/.well-known/smart-configuration`, also under `/fhir/R4/`. Note: S256 only here. */
export function smartConfiguration({ baseUrl }: DoubleState): Record<string, unknown> {
  return {
    issuer: baseUrl,
    jwks_uri: `${baseUrl}.well-known/jwks.json`,
    authorization_endpoint: `${baseUrl}oauth2/authorize`,
    grant_types_supported: GRANT_TYPES,
    token_endpoint: `${baseUrl}oauth2/token`,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'RS384', 'ES384'],
    scopes_supported: ['patient/*.rs', 'user/*.cruds', 'openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access'],
    response_types_supported: ['code'],
    introspection_endpoint: `${baseUrl}oauth2/introspect`,
    capabilities: [
      'authorize-post',
      'permission-v1',
      'permission-v2',
      'client-confidential-asymmetric',
      'client-confidential-symmetric',
      'client-public',
      'context-banner',
      'context-ehr-patient',
      'context-ehr-encounter',
      'context-standalone-patient',
      'context-style',
      'launch-ehr',
      'launch-standalone',
      'permission-offline',
      'permission-patient',
      'permission-user',
      'sso-openid-connect',
    ],
    code_challenge_methods_supported: ['S256'],
  };
}

export function jwks({ signer }: DoubleState): Record<string, unknown> {
  return { keys: [signer.jwk] };
}

/** As recorded (wire/08): the release, then a build hash. */
export function healthcheck({ serverVersion }: DoubleState): Record<string, unknown> {
  return {
    ok: true,
    version: `${serverVersion}-medplum-double`,
    platform: process.platform,
    runtime: process.version,
    postgres: true,
    redis: true,
    redisInstances: { default: true },
  };
}
