/** Well-known IdPs, by how the authorize URL's host name ends. */
const KNOWN_HOSTS: readonly (readonly [hostSuffix: string, name: string])[] = [
  ['.auth0.com', 'Auth0'],
  ['.okta.com', 'Okta'],
  ['.oktapreview.com', 'Okta'],
  ['.login.microsoftonline.com', 'Microsoft'],
  ['.amazoncognito.com', 'Amazon Cognito'],
];

/**
 * The name on the sign-in button, from the IdP's authorize URL: "Okta" for https://example.okta.com/…
 * A custom domain or any other OpenID Connect provider gets the generic "SSO".
 */
export function providerName(authorizeUrl: string): string {
  if (!URL.canParse(authorizeUrl)) {
    return 'SSO';
  }
  // The leading dot makes ".login.microsoftonline.com" match that host itself, and never "evil-okta.com".
  const host = `.${new URL(authorizeUrl).hostname}`;
  return KNOWN_HOSTS.find(([suffix]) => host.endsWith(suffix))?.[1] ?? 'SSO';
}
