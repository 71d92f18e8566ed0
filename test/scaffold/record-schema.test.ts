/**
 * src/scaffold/record-schema.ts in process: what `--from` accepts of a medplum-auth.json, and each
 * refusal word for word, one line per failure, each naming its JSON path (test/scaffold/from.test.ts
 * runs the same through the built bin).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { checkRecord } from '../../src/scaffold/record-schema.js';

const DEVICE = {
  format: 1,
  method: 'device-credentials',
  baseUrl: 'https://api.medplum.com/',
  clientId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  projectId: '',
  deviceId: 'thermo-1',
  accessPolicy: {
    resourceType: 'AccessPolicy',
    name: 'thermo',
    resource: [{ resourceType: 'Observation', interaction: ['create', 'read'] }],
    ipAccessRule: [{ name: 'lab', value: '10.20.', action: 'allow' }],
  },
};
const IDP = {
  format: 1,
  method: 'external-idp',
  platform: 'mobile',
  baseUrl: 'http://localhost:8103/',
  googleClientId: 'g.apps.googleusercontent.com',
  idp: {
    provider: 'okta',
    issuer: 'https://example.okta.com/oauth2/default',
    authorizeUrl: 'https://example.okta.com/oauth2/default/v1/authorize?prompt=login',
    tokenUrl: 'http://127.0.0.1:9000/token',
    userInfoUrl: '',
    clientId: '0oa1',
  },
};

/** The lines of checkRecord's refusal. */
function refusal(record: unknown): string[] {
  try {
    checkRecord(record, 'rec.json');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected a refusal');
}

describe('checkRecord', () => {
  it.each([
    ['a device record', DEVICE],
    ['an IdP record (mobile; an endpoint may carry a query, and be http on loopback or empty)', IDP],
    ['the least a record needs', { format: 1, method: 'basic-auth' }],
    ['a web record with its UI, and fields it does not know', { format: 1, method: 'oauth-auth-code', ui: 'plain', generator: 'x', later: { a: 1 } }],
  ])('accepts %s, as it is', (_what, record) => {
    expect(checkRecord(record, 'rec.json')).toEqual(record);
  });

  it.each([
    ['an array', [], '--from rec.json: $: Invalid type: Expected Object but received Array.'],
    ['null', null, '--from rec.json: $: Invalid type: Expected Object but received null.'],
    ['another format', { ...DEVICE, format: 2 }, '--from rec.json: $.format: unknown format (expected 1).'],
    [
      'an unknown method',
      { ...DEVICE, method: 'magic' },
      '--from rec.json: $.method: no known method (one of oauth-auth-code, google-auth, external-idp, domain-idp, client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion).',
    ],
    ['an unknown platform', { ...IDP, platform: 'watch' }, '--from rec.json: $.platform: unknown platform (one of web, mobile).'],
    ['an unknown ui', { ...IDP, ui: 'fancy' }, '--from rec.json: $.ui: unknown ui (one of medplum, plain).'],
    ['a base URL with a query', { ...DEVICE, baseUrl: 'https://x.example/?a=1' }, '--from rec.json: $.baseUrl must not have a query or fragment. Pass the server root, e.g. https://api.medplum.com/.'],
    [
      'a client ID that an .env cannot hold',
      { ...DEVICE, clientId: 'a\rb' },
      '--from rec.json: $.clientId contains a carriage return or NUL character, which an .env file cannot hold.',
    ],
    [
      'a project ID that an .env cannot hold',
      { ...DEVICE, projectId: `'"\`` },
      '--from rec.json: $.projectId contains all three quote characters (\' " `), which an .env file cannot hold together.',
    ],
    ['a Google client ID with a NUL', { ...IDP, googleClientId: 'a\0' }, '--from rec.json: $.googleClientId contains a carriage return or NUL character, which an .env file cannot hold.'],
    ['a device ID that is not a FHIR id', { ...DEVICE, deviceId: 'a b' }, '--from rec.json: $.deviceId: --device-id "a b" is not a FHIR id: 1 to 64 letters, digits, "-" or ".".'],
    [
      'an unknown identity provider',
      { ...IDP, idp: { ...IDP.idp, provider: 'acme' } },
      '--from rec.json: $.idp.provider: unknown identity provider (one of auth0, okta, entra-id, cognito, oidc).',
    ],
    ['an http issuer elsewhere', { ...IDP, idp: { ...IDP.idp, issuer: 'http://idp.example/' } }, '--from rec.json: $.idp.issuer must be an https URL (http only for localhost), not http.'],
    [
      'an issuer with a query',
      { ...IDP, idp: { ...IDP.idp, issuer: 'https://idp.example/?x=1' } },
      '--from rec.json: $.idp.issuer must be a plain issuer URL, without credentials, query or fragment.',
    ],
    [
      'an endpoint with a fragment',
      { ...IDP, idp: { ...IDP.idp, tokenUrl: 'https://idp.example/token#x' } },
      '--from rec.json: $.idp.tokenUrl must be a plain endpoint URL, without credentials or fragment.',
    ],
    [
      'an authorize URL with credentials',
      { ...IDP, idp: { ...IDP.idp, authorizeUrl: 'https://user:pw@idp.example/authorize' } },
      '--from rec.json: $.idp.authorizeUrl must be a plain endpoint URL, without credentials or fragment.',
    ],
    ['a user-info URL that is not one', { ...IDP, idp: { ...IDP.idp, userInfoUrl: 'nope' } }, '--from rec.json: $.idp.userInfoUrl "nope" is not a URL. Pass the issuer, e.g. https://example.okta.com/oauth2/default.'],
    ['an IdP client ID with a NUL', { ...IDP, idp: { ...IDP.idp, clientId: '\0' } }, '--from rec.json: $.idp.clientId contains a carriage return or NUL character, which an .env file cannot hold.'],
    [
      'a resource type that is not one',
      { ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, resource: [{ resourceType: 'observation', interaction: ['read'] }] } },
      '--from rec.json: $.accessPolicy.resource[0].resourceType: not a FHIR resource type.',
    ],
    [
      'a resource type that does not start with a capital',
      { ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, resource: [{ resourceType: 'xPatient', interaction: ['read'] }] } },
      '--from rec.json: $.accessPolicy.resource[0].resourceType: not a FHIR resource type.',
    ],
    [
      'a resource type with a digit at the end',
      { ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, resource: [{ resourceType: 'Patient1', interaction: ['read'] }] } },
      '--from rec.json: $.accessPolicy.resource[0].resourceType: not a FHIR resource type.',
    ],
    [
      'an interaction that is not one',
      { ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, resource: [{ resourceType: 'Observation', interaction: ['read', 'patch'] }] } },
      '--from rec.json: $.accessPolicy.resource[0].interaction[1]: not an interaction (one of read, vread, history, search, create, update, delete).',
    ],
    [
      'an IP rule that neither allows nor blocks',
      { ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, ipAccessRule: [{ name: 'x', value: '10.', action: 'permit' }] } },
      '--from rec.json: $.accessPolicy.ipAccessRule[0].action: not allow or block.',
    ],
  ])('refuses %s, in one line naming the path', (_what, record, line) => {
    expect(refusal(record)).toEqual([line]);
  });

  it('several failures: one line each, in the record\'s order', () => {
    expect(refusal({ format: 1, method: 'nope', baseUrl: 7, clientId: 'a\0' })).toEqual([
      expect.stringMatching(/^--from rec\.json: \$\.method: no known method /),
      '--from rec.json: $.baseUrl: Invalid type: Expected string but received 7.',
      '--from rec.json: $.clientId contains a carriage return or NUL character, which an .env file cannot hold.',
    ]);
  });
});
