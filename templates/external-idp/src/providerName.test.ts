import assert from 'node:assert/strict';
import { test } from 'node:test';
import { providerName } from './providerName.ts';

test('the button names the well-known providers by their authorize URL', () => {
  assert.equal(providerName('https://example.us.auth0.com/authorize'), 'Auth0');
  assert.equal(providerName('https://example.okta.com/oauth2/default/v1/authorize'), 'Okta');
  assert.equal(providerName('https://example.oktapreview.com/oauth2/v1/authorize'), 'Okta');
  assert.equal(
    providerName('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize'),
    'Microsoft'
  );
  assert.equal(providerName('https://example.auth.us-east-1.amazoncognito.com/oauth2/authorize'), 'Amazon Cognito');
});

test('a custom domain, any other provider, or a look-alike host gets the generic "SSO"', () => {
  assert.equal(providerName('https://login.example.com/oauth2/authorize'), 'SSO');
  assert.equal(providerName('https://evil-okta.com/authorize'), 'SSO');
  assert.equal(providerName('https://okta.com.example.net/authorize'), 'SSO');
  assert.equal(providerName('not a url'), 'SSO');
});
