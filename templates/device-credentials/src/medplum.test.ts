import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from './config.ts';
import { connect } from './medplum.ts';

const config: Config = {
  baseUrl: 'https://medplum.test/',
  clientId: 'the-device-client',
  clientSecret: 'the-secret',
  secretSource: 'MEDPLUM_CLIENT_SECRET_FILE (/run/secrets/medplum-client-secret)',
  warning: undefined,
  deviceId: undefined,
  intervalSeconds: 60,
  once: true,
};

/** Medplum's token endpoint answering `error` (or a token), and `auth/me`; records each grant. */
function medplum(error?: string) {
  const grants: Record<string, string>[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    if (url.endsWith('auth/me')) {
      return Response.json({ profile: { resourceType: 'ClientApplication', id: config.clientId } });
    }
    grants.push(Object.fromEntries(new URLSearchParams(String(init.body))));
    return error
      ? Response.json({ error: 'invalid_request', error_description: error }, { status: 400 })
      : Response.json({ token_type: 'Bearer', access_token: 'opaque-token', expires_in: 3600 });
  };
  return { grants, fetch };
}

test('signs in once with the client credentials grant', async () => {
  const server = medplum();

  const client = await connect(config, server.fetch);

  assert.deepEqual(server.grants, [{ grant_type: 'client_credentials', client_id: 'the-device-client', client_secret: 'the-secret' }]);
  assert.equal(client.getAccessToken(), 'opaque-token');
});

test('a wrong secret is one line that says where the secret came from, and never the secret', async () => {
  await assert.rejects(connect(config, medplum('Invalid secret').fetch), {
    name: 'SignInError',
    message:
      'Could not sign in to Medplum at https://medplum.test/ as client the-device-client: Invalid secret. ' +
      "Check the secret from MEDPLUM_CLIENT_SECRET_FILE (/run/secrets/medplum-client-secret): it must be the ClientApplication's current secret.",
  });
});
