import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, verify } from 'node:crypto';
import { test } from 'node:test';
import type { Config } from './config.ts';
import { DeviceLogin } from './login.ts';

const config: Config = {
  baseUrl: 'https://medplum.test/',
  clientId: 'the-device-client',
  privateKeyPath: '/keys/medplum-device-key.pem',
  keyId: 'key-1',
  deviceId: undefined,
  intervalSeconds: 60,
  once: true,
};
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Medplum's token endpoint for private_key_jwt: it checks the assertion's signature with `publicKey`
 * and its `aud`, then issues tokens that live `lifetime` seconds. FHIR reads need its latest token.
 */
function medplum(publicKey: KeyObject, lifetime = 3600) {
  const grants: URLSearchParams[] = [];
  let current = '';
  const fetch = async (url: string, init: RequestInit) => {
    if (url.endsWith('oauth2/token')) {
      const form = new URLSearchParams(String(init.body));
      grants.push(form);
      const [header, claims, signature] = (form.get('client_assertion') ?? '').split('.');
      const signed = verify('sha256', Buffer.from(`${header}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature ?? '', 'base64url'));
      if (!signed) {
        return Response.json({ error: 'invalid_request', error_description: 'Invalid client assertion signature' }, { status: 400 });
      }
      const iat = Math.floor(Date.now() / 1000);
      current = `${base64url({})}.${base64url({ client_id: config.clientId, iat, exp: iat + lifetime, n: grants.length })}.s`;
      return Response.json({ token_type: 'Bearer', access_token: current });
    }
    const ok = new Headers(init.headers).get('authorization') === `Bearer ${current}`;
    return Response.json(ok ? { resourceType: 'Device', id: 'd1' } : { resourceType: 'OperationOutcome' }, { status: ok ? 200 : 401 });
  };
  return { grants, fetch, revoke: () => (current = 'revoked') };
}

function setUp(lifetime?: number) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const server = medplum(publicKey, lifetime);
  return { server, login: new DeviceLogin(config, privateKey, { fetch: server.fetch }) };
}

test('signs in with client_credentials and a signed client assertion for the token URL, no secret', async () => {
  const { server, login } = setUp();

  await login.signIn();

  const [grant] = server.grants;
  assert.deepEqual([...(grant?.keys() ?? [])], ['grant_type', 'client_assertion_type', 'client_assertion']);
  assert.equal(grant?.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const claims = JSON.parse(Buffer.from(grant?.get('client_assertion')?.split('.')[1] ?? '', 'base64url').toString());
  assert.equal(claims.aud, 'https://medplum.test/oauth2/token');
});

test('signs in again a minute before the token expires, and after a 401', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 });
  const { server, login } = setUp(3600);
  await login.signIn();

  t.mock.timers.tick((3600 - 61) * 1000);
  await login.client();
  assert.equal(server.grants.length, 1);
  t.mock.timers.tick(2_000);
  await login.client();
  assert.equal(server.grants.length, 2);

  server.revoke();
  assert.equal((await login.run((medplum) => medplum.readResource('Device', 'd1'))).id, 'd1');
  assert.equal(server.grants.length, 3);
});

test('a key Medplum does not know: one line that points at jwks.json and the device clock', async () => {
  const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const login = new DeviceLogin(config, newKey().privateKey, { fetch: medplum(newKey().publicKey).fetch });

  await assert.rejects(login.signIn(), {
    name: 'SignInError',
    message:
      'Could not sign in to Medplum at https://medplum.test/ as client the-device-client: Invalid client assertion signature. ' +
      "The jwks.json hosted at the ClientApplication's jwksUri must hold the public half of /keys/medplum-device-key.pem, " +
      'with "kid": "key-1" (MEDPLUM_KEY_ID). Also check the device clock: each assertion is valid for 5 minutes.',
  });
});
