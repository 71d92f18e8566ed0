import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from './medplum.ts';

const config = { baseUrl: 'https://medplum.test/', clientId: 'the-client-id', clientSecret: 'the-secret' };
const jwt = (claims: object) => ['{}', JSON.stringify(claims), 'sig'].map((part) => Buffer.from(part).toString('base64url')).join('.');

/** Medplum's token endpoint and `auth/me`, as sign-in uses them. Records each token request's form. */
function medplum(tokenError?: string) {
  const grants: Record<string, string>[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    if (url.endsWith('auth/me')) {
      return Response.json({ profile: { resourceType: 'ClientApplication', id: config.clientId } });
    }
    grants.push(Object.fromEntries(new URLSearchParams(String(init.body))));
    if (tokenError) {
      return Response.json({ error: 'invalid_request', error_description: tokenError }, { status: 400 });
    }
    // Lives 2 s, shorter than the SDK's default renewal window: signing in must still happen once.
    const exp = Math.floor(Date.now() / 1000) + 2;
    return Response.json({ token_type: 'Bearer', access_token: jwt({ client_id: config.clientId, exp }) });
  };
  return { grants, fetch };
}

test('start-up signs in once with grant_type=client_credentials', async () => {
  const server = medplum();

  const client = await connect(config, server.fetch);

  assert.deepEqual(server.grants, [{ grant_type: 'client_credentials', client_id: 'the-client-id', client_secret: 'the-secret' }]);
  assert.ok(client.getAccessToken());
});

test('a wrong secret is one line that names what to check and not the secret', async () => {
  const server = medplum('Invalid secret');

  await assert.rejects(connect(config, server.fetch), {
    name: 'SignInError',
    message:
      'Could not sign in to Medplum at https://medplum.test/ as client the-client-id: Invalid secret. ' +
      "Check MEDPLUM_CLIENT_SECRET: it must be the ClientApplication's current secret (Project Admin > Clients).",
  });
  assert.equal(server.grants.length, 1);
});

test('a refused secret names where it came from', async () => {
  const fromFile = { ...config, secretSource: 'MEDPLUM_CLIENT_SECRET_FILE (/run/secrets/medplum-client-secret)' };

  await assert.rejects(connect(fromFile, medplum('Invalid secret').fetch), {
    name: 'SignInError',
    message: /: Invalid secret\. Check MEDPLUM_CLIENT_SECRET_FILE \(\/run\/secrets\/medplum-client-secret\): it must be/,
  });
});

test('an unreachable server is one line', async () => {
  const refused = async () => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
  };
  await assert.rejects(connect({ ...config, baseUrl: 'http://127.0.0.1:9/' }, refused), {
    message: 'Could not reach Medplum at http://127.0.0.1:9/ (ECONNREFUSED). Check MEDPLUM_BASE_URL and your network.',
  });
});
