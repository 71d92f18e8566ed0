import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type TestContext, test } from 'node:test';
import { TokenExchangeMedplum } from './testing/fake-token-exchange.ts';
import { startMain } from './testing/start-main.ts';

// These tests run `src/main.ts` the way `npm start` does, against a fake Medplum served over HTTP.

const clientId = '0d7b4c3e-5f61-4a8e-9c2d-3b1f6e8a9c01';
const ADA_TOKEN = 'idp-access-token-of-ada';

async function fakeServer(t: TestContext) {
  const fake = new TokenExchangeMedplum({
    clientId,
    identityProvider: { [ADA_TOKEN]: { email: 'ada@example.com', profile: { reference: 'Practitioner/ada', display: 'Ada' } } },
  });
  const { baseUrl, close } = await fake.listen();
  t.after(close);
  return { fake, baseUrl };
}

test('missing configuration: one line, exit 1', async () => {
  const { code, stdout, stderr } = await startMain({ MEDPLUM_BASE_URL: 'https://api.medplum.com/' }).exited;

  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /^Missing MEDPLUM_CLIENT_ID: create a ClientApplication with your identity provider [^\n]+\n$/);
});

test('serves /me for a bearer token, then stops cleanly on SIGTERM', async (t) => {
  const { fake, baseUrl } = await fakeServer(t);
  const app = startMain({ MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId, PORT: '0' });
  t.after(() => app.child.kill());

  while (!/Listening on http:\/\/localhost:(\d+)/.test(app.output.stdout)) {
    await Promise.race([once(app.child.stdout, 'data'), app.exited]);
    assert.equal(app.child.exitCode, null, app.output.stderr);
  }
  const port = /Listening on http:\/\/localhost:(\d+)/.exec(app.output.stdout)?.[1];
  const me = await fetch(`http://127.0.0.1:${port}/me`, { headers: { authorization: `Bearer ${ADA_TOKEN}` } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as { profile: { reference: string } }).profile.reference, 'Practitioner/ada');
  assert.equal(fake.tokenGrants().length, 1);

  app.child.kill('SIGTERM');
  const { code, stdout, stderr } = await app.exited;
  assert.equal(code, 0);
  assert.doesNotMatch(stdout + stderr, new RegExp(ADA_TOKEN));
});
