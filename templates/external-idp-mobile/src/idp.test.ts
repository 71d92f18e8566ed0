import assert from 'node:assert/strict';
import { test } from 'node:test';
import { idpAuthorizeUrl, parseIdpConfig } from './idp.ts';

test("the IdP's sign-in URL asks for a code for Medplum's callback, with this app's client ID at the IdP", () => {
  const url = new URL(idpAuthorizeUrl({ authorizeUrl: 'https://example.okta.com/oauth2/v1/authorize?prompt=login', clientId: 'idp-app' }, 'https://medplum.test/'));
  assert.equal(url.origin + url.pathname, 'https://example.okta.com/oauth2/v1/authorize');
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    prompt: 'login',
    response_type: 'code',
    client_id: 'idp-app',
    redirect_uri: 'https://medplum.test/auth/external',
    scope: 'openid profile email',
  });
});

test('a missing or bad value names the variable to set', () => {
  const good = { EXPO_PUBLIC_IDP_AUTHORIZE_URL: ' https://idp.example/authorize ', EXPO_PUBLIC_IDP_CLIENT_ID: 'idp-app' };
  assert.deepEqual(parseIdpConfig(good), { ok: true, config: { authorizeUrl: 'https://idp.example/authorize', clientId: 'idp-app' } });
  const cases = [
    [{ ...good, EXPO_PUBLIC_IDP_AUTHORIZE_URL: 'idp.example/authorize' }, 'EXPO_PUBLIC_IDP_AUTHORIZE_URL'],
    [{ ...good, EXPO_PUBLIC_IDP_CLIENT_ID: undefined }, 'EXPO_PUBLIC_IDP_CLIENT_ID'],
  ] as const;
  for (const [env, name] of cases) {
    const result = parseIdpConfig(env);
    assert.match(result.ok ? 'ok' : result.problem, new RegExp(`^Set ${name} in \\.env`));
  }
});
