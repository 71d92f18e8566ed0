import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Config } from './config.ts';
import { DeviceLogin } from './medplum.ts';
import { PrivateKeyJwtMedplum, type PrivateKeyJwtMedplumOptions, testKeyPair } from './testing/fake-private-key-jwt.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const config: Config = {
  baseUrl: 'https://medplum.test/',
  clientId,
  privateKeyPath: '/keys/medplum-device-key.pem',
  keyId: 'test-key',
  deviceId: undefined,
  intervalSeconds: 60,
  once: true,
};

function setUp(options: Partial<PrivateKeyJwtMedplumOptions> = {}) {
  const key = testKeyPair('test-key');
  const fake = new PrivateKeyJwtMedplum({ clientId, jwks: key.jwks, ...options });
  const login = new DeviceLogin(config, key.privateKey, { fetch: fake.fetch });
  return { fake, login, key };
}

test('signing in posts client_credentials with a client assertion and no client secret', async () => {
  const { fake, login } = setUp();

  await login.signIn();

  const [grant] = fake.tokenGrants();
  assert.deepEqual([...grant.keys()], ['grant_type', 'client_assertion_type', 'client_assertion']);
  assert.equal(grant.get('grant_type'), 'client_credentials');
  assert.equal(grant.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  const [{ header, claims }] = fake.assertions();
  assert.deepEqual(header, { alg: 'ES256', kid: 'test-key', typ: 'JWT' });
  assert.equal(claims.aud, 'https://medplum.test/oauth2/token');
  assert.equal(claims.iss, clientId);
  assert.equal(claims.sub, clientId);
  assert.ok(login.medplum.getAccessToken());
  assert.equal(login.medplum.getProfile()?.id, clientId); // from GET auth/me, which the SDK calls after the grant
});

test('the token is renewed with a new assertion (new jti) shortly before it expires, not after', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const { fake, login } = setUp({ tokenLifetime: 3600 });
  await login.signIn();
  const firstToken = login.medplum.getAccessToken();

  t.mock.timers.tick((3600 - 61) * 1000);
  await login.client();
  assert.equal(fake.tokenGrants().length, 1); // more than a minute left: no new login

  t.mock.timers.tick(2_000); // 59 s left
  const medplum = await login.client();

  assert.equal(fake.tokenGrants().length, 2);
  assert.notEqual(medplum.getAccessToken(), firstToken);
  const [first, second] = fake.assertions();
  assert.notEqual(first.claims.jti, second.claims.jti);
  assert.ok(Number(second.claims.iat) > Number(first.claims.iat));
});

test('a short-lived token is renewed halfway through its life', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.now() });
  const { fake, login } = setUp({ tokenLifetime: 10 });
  await login.signIn();

  t.mock.timers.tick(4_000);
  await login.client();
  assert.equal(fake.tokenGrants().length, 1);
  t.mock.timers.tick(1_000);
  await login.client();
  assert.equal(fake.tokenGrants().length, 2);
});

test('a token Medplum revoked early: sign in again and run the call once more', async () => {
  const { fake, login } = setUp({
    routes: { 'GET fhir/R4/Device/d1': () => ({ status: 200, body: { resourceType: 'Device', id: 'd1' } }) },
  });
  await login.signIn();
  fake.revokeTokens();

  const device = await login.run((medplum) => medplum.readResource('Device', 'd1'));

  assert.equal(device.id, 'd1');
  assert.equal(fake.tokenGrants().length, 2);
  assert.deepEqual(
    fake.requestsTo('fhir/R4/Device/d1').map((r) => r.headers.get('authorization') === `Bearer ${login.medplum.getAccessToken()}`),
    [false, true]
  );
});

test('a key that is not in the JWKS: one line that points at jwks.json and the jwksUri', async () => {
  const { login } = setUp({ jwks: testKeyPair('test-key').jwks }); // same kid, another key

  await assert.rejects(login.signIn(), {
    name: 'SignInError',
    message:
      `Could not sign in to Medplum at https://medplum.test/ as client ${clientId}: Invalid client assertion signature. ` +
      "The jwks.json hosted at the ClientApplication's jwksUri must hold the public half of /keys/medplum-device-key.pem, " +
      'with "kid": "test-key" (MEDPLUM_KEY_ID). Also check the device clock: each assertion is valid for 5 minutes.',
  });
});

test('a device clock ten minutes slow signs expired assertions, which Medplum refuses like a wrong key', async () => {
  const key = testKeyPair('test-key');
  const fake = new PrivateKeyJwtMedplum({ clientId, jwks: key.jwks });
  const login = new DeviceLogin(config, key.privateKey, { fetch: fake.fetch, now: () => Date.now() - 600_000 });

  await assert.rejects(login.signIn(), /: Invalid client assertion signature\. .* Also check the device clock/);
  assert.ok(Number(fake.assertions()[0].claims.exp) < Date.now() / 1000);
});

test('a server that knows itself by another URL refuses the aud, and the message names both', async () => {
  const { login } = setUp({ tokenUrl: 'https://api.example.org/oauth2/token' });

  await assert.rejects(
    login.signIn(),
    /: Invalid client assertion audience\. The assertion's aud is https:\/\/medplum\.test\/oauth2\/token; it must be exactly the server's token URL\. Check MEDPLUM_BASE_URL\.$/
  );
});

test('an unknown client and a client without jwksUri each get their own hint', async () => {
  await assert.rejects(setUp({ clientId: 'another-client' }).login.signIn(), /: Client not found\. Check MEDPLUM_CLIENT_ID/);
  await assert.rejects(setUp({ jwks: undefined }).login.signIn(), /: Client must have a JWK Set URL\. Set the ClientApplication's JWK Set URL \(jwksUri\)/);
});

test('an unreachable server ends in one clear line', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));

  const baseUrl = `http://127.0.0.1:${port}/`;
  const login = new DeviceLogin({ ...config, baseUrl }, testKeyPair().privateKey);
  await assert.rejects(login.signIn(), {
    name: 'SignInError',
    message: `Could not reach Medplum at ${baseUrl} (ECONNREFUSED). Check MEDPLUM_BASE_URL and the device's network.`,
  });
});
