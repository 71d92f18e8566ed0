import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessDeniedError, type AgentOptions, loadDevice, runAgent } from './agent.ts';
import type { Config } from './config.ts';
import { DeviceLogin } from './medplum.ts';
import { outcomes, type Route } from './testing/fake-medplum.ts';
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

/** Answers a create like Medplum: 201 with the stored resource. */
const created: Route = (request) => ({
  status: 201,
  body: { ...JSON.parse(request.body), id: `obs-${Math.random().toString(16).slice(2, 8)}`, meta: { versionId: '1' } },
});

const reading = { celsius: 36.8, takenAt: new Date('2026-11-29T10:00:00.000Z') };

async function setUp(options: Partial<PrivateKeyJwtMedplumOptions>) {
  const key = testKeyPair('test-key');
  const fake = new PrivateKeyJwtMedplum({ clientId, jwks: key.jwks, ...options });
  const login = new DeviceLogin(config, key.privateKey, { fetch: fake.fetch });
  await login.signIn();
  const lines: string[] = [];
  const agent: AgentOptions = {
    login,
    readSensor: async () => reading,
    intervalSeconds: 60,
    once: true,
    signal: new AbortController().signal,
    log: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`error: ${line}`) },
  };
  return { fake, login, agent, lines };
}

test('--once: one private_key_jwt login, then exactly one Observation with the Bearer token', async () => {
  const { fake, login, agent, lines } = await setUp({ routes: { 'POST fhir/R4/Observation': created } });

  await runAgent(agent);

  assert.equal(fake.tokenGrants().length, 1);
  const posts = fake.requestsTo('fhir/R4/Observation');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].headers.get('authorization'), `Bearer ${login.medplum.getAccessToken()}`);
  const observation = JSON.parse(posts[0].body);
  assert.deepEqual(observation.code.coding, [{ system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' }]);
  assert.equal(observation.valueQuantity.value, 36.8);
  assert.match(lines.join('\n'), /^Observation\/obs-\w+: 36\.8 Cel at 2026-11-29T10:00:00\.000Z$/);
});

test('in the loop, readings keep going across token expiry: each renewal is a new login with a new jti', { timeout: 10_000 }, async () => {
  const stop = new AbortController();
  let posts = 0;
  // A 2-second token is renewed after 1 second; readings every 0.4 s span several tokens.
  const { fake, agent } = await setUp({
    tokenLifetime: 2,
    routes: {
      'POST fhir/R4/Observation': (request) => {
        if (++posts === 8) stop.abort();
        return created(request);
      },
    },
  });

  await runAgent({ ...agent, once: false, intervalSeconds: 0.4, signal: stop.signal });

  assert.equal(posts, 8);
  const logins = fake.tokenGrants().length;
  assert.ok(logins >= 3, `expected at least 3 logins, got ${logins}`);
  const jtis = new Set(fake.assertions().map((a) => a.claims.jti));
  assert.equal(jtis.size, logins);
  // Renewed before expiry: Medplum never had to refuse a token.
  assert.equal(fake.requests.filter((r) => r.path.startsWith('fhir/')).length, 8);
});

test('with a device ID: reads Device/<id> and references it from the Observation', async () => {
  const { fake, agent, login } = await setUp({
    routes: {
      'GET fhir/R4/Device/thermo-1': () => ({ status: 200, body: { resourceType: 'Device', id: 'thermo-1' } }),
      'POST fhir/R4/Observation': created,
    },
  });

  const device = await loadDevice(login, 'thermo-1');
  await runAgent({ ...agent, device });

  assert.deepEqual(JSON.parse(fake.requestsTo('fhir/R4/Observation')[0].body).device, { reference: 'Device/thermo-1' });
});

test('a 403 names the refused interaction and the AccessPolicy', async () => {
  const { agent, login } = await setUp({
    routes: {
      'POST fhir/R4/Observation': () => ({ status: 403, body: outcomes.forbidden }),
      'GET fhir/R4/Device/thermo-1': () => ({ status: 403, body: outcomes.forbidden }),
    },
  });

  await assert.rejects(runAgent(agent), {
    name: 'AccessDeniedError',
    message:
      "Medplum refused create Observation: the client's AccessPolicy does not allow it. " +
      'Allow "create" on Observation (see access-policy.json) and attach the policy to the client.',
  });
  await assert.rejects(loadDevice(login, 'thermo-1'), (err: Error) => err instanceof AccessDeniedError && /read Device/.test(err.message));
});
