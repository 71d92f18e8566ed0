import assert from 'node:assert/strict';
import { test } from 'node:test';
import { handle } from './handler.ts';
import { createMedplum } from './medplum.ts';

const config = { baseUrl: 'https://medplum.test/', clientId: 'the-client-id', clientSecret: 'the-secret' };
const BASIC = `Basic ${btoa('the-client-id:the-secret')}`;
const patient = (id: string, family: string, lastUpdated: string) => ({
  resource: { resourceType: 'Patient', id, name: [{ family }], meta: { lastUpdated } },
});
const bundle = {
  resourceType: 'Bundle',
  type: 'searchset',
  total: 2,
  entry: [patient('p2', 'Lovelace', '2026-11-29T10:42:43.521Z'), patient('p1', 'Hopper', '2026-11-28T08:00:00.000Z')],
};

/** A Medplum that answers every request with `status` and `body`, and records each one. */
function medplum(status: number, body: unknown) {
  const requests: string[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    requests.push(`${init.method} ${url} ${new Headers(init.headers).get('authorization')}`);
    return Response.json(body, { status });
  };
  return { requests, client: createMedplum(config, fetch) };
}

test('one search with the Basic credentials; the summary has the total and the newest IDs, no names', async () => {
  const { requests, client } = medplum(200, bundle);

  const summary = await handle({ count: 2 }, client);

  assert.deepEqual(summary, {
    total: 2,
    newest: [
      { id: 'p2', lastUpdated: '2026-11-29T10:42:43.521Z' },
      { id: 'p1', lastUpdated: '2026-11-28T08:00:00.000Z' },
    ],
  });
  assert.deepEqual(requests, [
    `GET https://medplum.test/fhir/R4/Patient?_count=2&_sort=-_lastUpdated&_summary=true&_total=accurate ${BASIC}`,
  ]);
});

test('a 401 is the error: no client_credentials fallback, and other oauth2/ URLs still work', async () => {
  const refused = medplum(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });

  await assert.rejects(handle({}, refused.client), { name: 'OperationOutcomeError', message: 'Unauthorized' });
  assert.equal(refused.requests.length, 1); // without the fix: POST oauth2/token, then the search again

  const ok = medplum(200, { sub: 'the-client-id' });
  await ok.client.get('oauth2/userinfo');
  assert.deepEqual(ok.requests, [`GET https://medplum.test/oauth2/userinfo ${BASIC}`]);
});
