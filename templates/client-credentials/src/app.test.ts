import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { type TestContext, test } from 'node:test';
import { forbidden, OperationOutcomeError, unauthorized } from '@medplum/core';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { MockClient } from '@medplum/mock';
import { createApp } from './app.ts';

const API_KEY = 'k'.repeat(32);

/** The API on a free port, answered from MockClient's in-memory Medplum. */
async function startApp(t: TestContext, apiKey?: string) {
  const medplum = new MockClient();
  const server = createApp(medplum, apiKey);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const get = (path: string, init?: RequestInit) => fetch(`http://127.0.0.1:${port}${path}`, init);
  return { medplum, get };
}

test('GET /patients passes on only the allowed search parameters and returns the Bundle', async (t) => {
  const { medplum, get } = await startApp(t);
  const search = t.mock.method(medplum, 'search');

  const res = await get('/patients?name=Homer&_count=2&_revinclude=Observation:subject');

  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  const bundle = (await res.json()) as Bundle<Patient>;
  assert.equal(bundle.entry?.[0]?.resource?.name?.[0]?.given?.[0], 'Homer');
  assert.equal(String(search.mock.calls[0]?.arguments[1]), 'name=Homer&_count=2');
});

test('GET /health is 200, unknown paths 404, other methods 405', async (t) => {
  const { get } = await startApp(t);

  assert.equal((await get('/health')).status, 200);
  assert.equal((await get('/nope')).status, 404);
  const post = await get('/patients', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET');
});

test("Medplum's error keeps its status, but a 401 (this service's own credentials) becomes 502", async (t) => {
  const { medplum, get } = await startApp(t);
  t.mock.method(console, 'error', () => undefined);
  const search = t.mock.method(medplum, 'search', async () => {
    throw new OperationOutcomeError(forbidden);
  });

  assert.equal((await get('/patients')).status, 403);
  search.mock.mockImplementation(async () => {
    throw new OperationOutcomeError(unauthorized);
  });
  assert.equal((await get('/patients')).status, 502);
});

test('with API_KEY, each request needs Authorization: Bearer <API_KEY>', async (t) => {
  const { get } = await startApp(t, API_KEY);
  const withKey = (key: string) => get('/health', { headers: { authorization: `Bearer ${key}` } });

  assert.equal((await get('/health')).status, 401);
  assert.equal((await withKey(`${API_KEY}x`)).status, 401);
  assert.equal((await withKey(API_KEY)).status, 200);
});
