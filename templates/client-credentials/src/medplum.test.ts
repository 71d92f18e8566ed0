import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Config } from './config.ts';
import { connect } from './medplum.ts';
import { ClientSecretMedplum } from './testing/fake-client-secret.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-client-secret';
const config: Config = { baseUrl: 'https://medplum.test/', clientId, clientSecret, port: 0 };

test('start-up signs in once with grant_type=client_credentials', async () => {
  const fake = new ClientSecretMedplum({ clientId, clientSecret });
  const medplum = await connect(config, fake.fetch);

  assert.deepEqual(
    fake.tokenGrants().map((grant) => Object.fromEntries(grant)),
    [{ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }]
  );
  assert.ok(medplum.getAccessToken());
  assert.equal(medplum.getProfile()?.id, clientId); // from GET auth/me, which the SDK calls after the grant
});

test('short-lived tokens do not make sign-in loop', { timeout: 5000 }, async (t) => {
  // With the SDK's default five-minute renewal window, a token that lives no longer than that is
  // "expiring" as soon as it arrives, and MedplumClient would request new ones without end.
  const fake = new ClientSecretMedplum({ clientId, clientSecret, tokenLifetime: 2 });
  const { baseUrl, close } = await fake.listen();
  t.after(close);

  await connect({ ...config, baseUrl });

  assert.equal(fake.tokenGrants().length, 1);
});

test('a wrong secret ends in one clear line that does not echo the secret', async () => {
  const fake = new ClientSecretMedplum({ clientId, clientSecret: 'the-real-secret' });
  await assert.rejects(connect(config, fake.fetch), {
    name: 'SignInError',
    message:
      `Could not sign in to Medplum at https://medplum.test/ as client ${clientId}: Invalid secret. ` +
      "Check MEDPLUM_CLIENT_SECRET: it must be the ClientApplication's current secret (Project Admin > Clients).",
  });
  assert.equal(fake.tokenGrants().length, 1); // no retry loop against the token endpoint
});

test('an unknown client ID points at MEDPLUM_CLIENT_ID', async () => {
  const fake = new ClientSecretMedplum({ clientId: 'another-client', clientSecret });
  await assert.rejects(connect(config, fake.fetch), /as client .+: Invalid client\. Check MEDPLUM_CLIENT_ID/);
});

test('an unreachable server ends in one clear line', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));

  const baseUrl = `http://127.0.0.1:${port}/`;
  await assert.rejects(connect({ ...config, baseUrl }), {
    name: 'SignInError',
    message: `Could not reach Medplum at ${baseUrl} (ECONNREFUSED). Check MEDPLUM_BASE_URL and your network.`,
  });
});
