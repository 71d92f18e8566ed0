import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { ClientSecretMedplum } from './testing/fake-client-secret.ts';
import { startMain } from './testing/start-main.ts';

// These tests run `src/main.ts` the way `npm start` does, against a fake Medplum served over HTTP.

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const clientSecret = 'the-client-secret';

async function fakeServer(t: TestContext, secret = clientSecret) {
  const { baseUrl, close } = await new ClientSecretMedplum({ clientId, clientSecret: secret }).listen();
  t.after(close);
  return baseUrl;
}

test('missing configuration: one line, exit 1', async () => {
  const { code, stdout, stderr } = await startMain({}).exited;

  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(
    stderr,
    'Missing MEDPLUM_BASE_URL: set it in .env to your Medplum API server, e.g. https://api.medplum.com/.\n'
  );
});

test('wrong secret: one line without a stack trace, exit 1', async (t) => {
  const baseUrl = await fakeServer(t, 'the-real-secret');

  const { code, stderr } = await startMain({
    MEDPLUM_BASE_URL: baseUrl,
    MEDPLUM_CLIENT_ID: clientId,
    MEDPLUM_CLIENT_SECRET: clientSecret,
  }).exited;

  assert.equal(code, 1);
  assert.match(
    stderr,
    /^Could not sign in to Medplum at http:\/\/127\.0\.0\.1:\d+\/ as client \S+: Invalid secret\. Check MEDPLUM_CLIENT_SECRET/
  );
  assert.equal(stderr.trimEnd().split('\n').length, 1);
});

test('serves requests, then stops cleanly on SIGTERM', async (t) => {
  const baseUrl = await fakeServer(t);
  const app = startMain({
    MEDPLUM_BASE_URL: baseUrl,
    MEDPLUM_CLIENT_ID: clientId,
    MEDPLUM_CLIENT_SECRET: clientSecret,
    PORT: '0',
  });
  t.after(() => app.child.kill());

  while (!/Listening on http:\/\/localhost:(\d+)/.test(app.output.stdout)) {
    await Promise.race([once(app.child.stdout, 'data'), app.exited]);
    assert.equal(app.child.exitCode, null, app.output.stderr);
  }
  const port = /Listening on http:\/\/localhost:(\d+)/.exec(app.output.stdout)?.[1];
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(health.status, 200);

  app.child.kill('SIGTERM');
  const { code } = await app.exited;
  assert.equal(code, 0);
});
