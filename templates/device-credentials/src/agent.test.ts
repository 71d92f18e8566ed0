import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AccessDeniedError, type AgentOptions, loadDevice, runAgent } from './agent.ts';
import type { Config } from './config.ts';
import { connect } from './medplum.ts';
import { ClientSecretMedplum } from './testing/fake-client-secret.ts';
import { type FakeMedplumOptions, outcomes, type Route } from './testing/fake-medplum.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-device-secret';
const config: Config = {
  baseUrl: 'https://medplum.test/',
  clientId,
  clientSecret,
  secretSource: 'MEDPLUM_CLIENT_SECRET',
  warning: undefined,
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

async function setUp(routes: FakeMedplumOptions['routes']) {
  const fake = new ClientSecretMedplum({ clientId, clientSecret, routes });
  const medplum = await connect(config, fake.fetch);
  const lines: string[] = [];
  const options: AgentOptions = {
    medplum,
    readSensor: async () => reading,
    intervalSeconds: 60,
    once: true,
    signal: new AbortController().signal,
    log: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`error: ${line}`) },
  };
  return { fake, medplum, options, lines };
}

test('--once: one client_credentials grant, then exactly one Observation with the Bearer token', async () => {
  const { fake, medplum, options, lines } = await setUp({ 'POST fhir/R4/Observation': created });

  await runAgent(options);

  assert.deepEqual(
    fake.tokenGrants().map((grant) => Object.fromEntries(grant)),
    [{ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }]
  );
  const posts = fake.requestsTo('fhir/R4/Observation');
  assert.equal(posts.length, 1);
  assert.equal(posts[0].method, 'POST');
  assert.equal(posts[0].headers.get('authorization'), `Bearer ${medplum.getAccessToken()}`);
  const observation = JSON.parse(posts[0].body);
  assert.deepEqual(observation.code.coding, [
    { system: 'http://loinc.org', code: '8310-5', display: 'Body temperature' },
  ]);
  assert.deepEqual(observation.valueQuantity, {
    value: 36.8,
    unit: 'Cel',
    system: 'http://unitsofmeasure.org',
    code: 'Cel',
  });
  assert.equal(observation.effectiveDateTime, '2026-11-29T10:00:00.000Z');
  assert.equal(observation.device, undefined);
  assert.match(lines.join('\n'), /^Observation\/obs-\w+: 36\.8 Cel at 2026-11-29T10:00:00\.000Z$/);
});

test('with a device ID: reads Device/<id> and references it from the Observation', async () => {
  const { fake, options } = await setUp({
    'GET fhir/R4/Device/thermo-1': () => ({ status: 200, body: { resourceType: 'Device', id: 'thermo-1' } }),
    'POST fhir/R4/Observation': created,
  });

  const device = await loadDevice(options.medplum, 'thermo-1');
  await runAgent({ ...options, device });

  assert.equal(fake.requestsTo('fhir/R4/Device/thermo-1').length, 1);
  assert.deepEqual(JSON.parse(fake.requestsTo('fhir/R4/Observation')[0].body).device, { reference: 'Device/thermo-1' });
});

test('a 403 names the refused interaction and the AccessPolicy', async () => {
  const { options } = await setUp({
    'POST fhir/R4/Observation': () => ({ status: 403, body: outcomes.forbidden }),
    'GET fhir/R4/Device/thermo-1': () => ({ status: 403, body: outcomes.forbidden }),
  });

  await assert.rejects(runAgent(options), {
    name: 'AccessDeniedError',
    message:
      "Medplum refused create Observation: the client's AccessPolicy does not allow it. " +
      'Allow "create" on Observation (see access-policy.json) and attach the policy to the client.',
  });
  await assert.rejects(loadDevice(options.medplum, 'thermo-1'), (err: Error) => {
    assert.ok(err instanceof AccessDeniedError);
    assert.match(err.message, /^Medplum refused read Device: the client's AccessPolicy does not allow it\./);
    return true;
  });
});

test(
  'the loop stops between readings: an abort during a reading lets that reading finish',
  { timeout: 5000 },
  async () => {
    const stop = new AbortController();
    let posts = 0;
    const { options } = await setUp({
      'POST fhir/R4/Observation': (request) => {
        posts += 1;
        if (posts === 2) {
          stop.abort(); // as if SIGTERM arrived while the second reading was being sent
        }
        return created(request);
      },
    });

    await runAgent({ ...options, once: false, intervalSeconds: 0.01, signal: stop.signal });

    assert.equal(posts, 2);
  }
);

test('in the loop, a network failure is reported and the next reading is sent', { timeout: 5000 }, async () => {
  const stop = new AbortController();
  const fake = new ClientSecretMedplum({ clientId, clientSecret, routes: { 'POST fhir/R4/Observation': created } });
  let failures = 0;
  const medplum = await connect(config, async (url: string, init?: RequestInit) => {
    // The SDK retries a failed fetch twice by itself, so fail the first reading's three attempts.
    if (url.endsWith('fhir/R4/Observation') && failures < 3) {
      failures += 1;
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      });
    }
    const response = await fake.fetch(url, init);
    if (url.endsWith('fhir/R4/Observation')) {
      stop.abort();
    }
    return response;
  });
  const lines: string[] = [];

  await runAgent({
    medplum,
    readSensor: async () => reading,
    intervalSeconds: 0.01,
    once: false,
    signal: stop.signal,
    log: { log: (line: string) => lines.push(line), error: (line: string) => lines.push(`error: ${line}`) },
  });

  assert.equal(lines.length, 2);
  assert.equal(lines[0], 'error: Reading not sent (fetch failed); next try in 0.01 s.');
  assert.match(lines[1], /^Observation\/obs-/);
});
