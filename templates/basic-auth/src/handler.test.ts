import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from './config.ts';
import { handle } from './handler.ts';
import { createMedplum } from './medplum.ts';
import { BasicAuthMedplum } from './testing/fake-basic-auth.ts';
import type { Route } from './testing/fake-medplum.ts';

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-client-secret';
const config: Config = { baseUrl: 'https://medplum.test/', clientId, clientSecret };
const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;

const patients: Route = () => ({
  status: 200,
  body: {
    resourceType: 'Bundle',
    type: 'searchset',
    total: 2,
    entry: [
      { resource: patient('p2', 'Lovelace', '2026-11-29T10:42:43.521Z') },
      { resource: patient('p1', 'Hopper', '2026-11-28T08:00:00.000Z') },
    ],
  },
});

function patient(id: string, family: string, lastUpdated: string) {
  return { resourceType: 'Patient', id, name: [{ family }], meta: { versionId: '1', lastUpdated } };
}

test('every request carries the Basic credentials, and none goes to the token endpoint', async () => {
  const fake = new BasicAuthMedplum({ clientId, clientSecret, routes: { 'GET fhir/R4/Patient': patients } });
  const medplum = createMedplum(config, fake.fetch);

  await handle({}, medplum);
  await handle({ count: 2 }, medplum);

  assert.deepEqual(
    fake.requests.map((request) => [request.method, request.path, request.headers.get('authorization')]),
    [
      ['GET', 'fhir/R4/Patient', basic],
      ['GET', 'fhir/R4/Patient', basic],
    ]
  );
  assert.deepEqual(Object.fromEntries(fake.requests[0].query), {
    _count: '5',
    _sort: '-_lastUpdated',
    _summary: 'true',
    _total: 'accurate',
  });
  assert.equal(fake.requests[1].query.get('_count'), '2');
});

test('the summary has the total and the newest IDs, and no names', async () => {
  const fake = new BasicAuthMedplum({ clientId, clientSecret, routes: { 'GET fhir/R4/Patient': patients } });

  const summary = await handle({}, createMedplum(config, fake.fetch));

  assert.deepEqual(summary, {
    total: 2,
    newest: [
      { id: 'p2', lastUpdated: '2026-11-29T10:42:43.521Z' },
      { id: 'p1', lastUpdated: '2026-11-28T08:00:00.000Z' },
    ],
  });
  assert.doesNotMatch(JSON.stringify(summary), /Lovelace|Hopper/);
});

test('a wrong secret fails with one clear line and never falls back to oauth2/token', async () => {
  const fake = new BasicAuthMedplum({
    clientId,
    clientSecret: 'the-real-secret',
    routes: { 'GET fhir/R4/Patient': patients },
  });

  await assert.rejects(handle({}, createMedplum(config, fake.fetch)), {
    name: 'CredentialsRefusedError',
    message:
      `Medplum at https://medplum.test/ refused the credentials of client ${clientId} (401 Unauthorized). ` +
      "Check MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET (Project Admin > Clients), and any IP rules in the client's AccessPolicy.",
  });
  // The one 401 and nothing else: without the guard, MedplumClient would now POST oauth2/token.
  assert.deepEqual(
    fake.requests.map((request) => `${request.method} ${request.path}`),
    ['GET fhir/R4/Patient']
  );
});
