import { readUrlAndClientId, type ConfigResult } from './parseConfig.ts';

/** This app at its identity provider. No secret: the IdP's client secret lives only in Medplum's ClientApplication. */
export interface IdpConfig {
  /** The IdP's authorize endpoint, e.g. https://example.okta.com/oauth2/default/v1/authorize */
  readonly authorizeUrl: string;
  /** This app's client ID at the IdP (the one Medplum's identityProvider.clientId holds). */
  readonly clientId: string;
}

/** Reads the EXPO_PUBLIC_IDP_ variables; a missing or bad one becomes one line saying what to fix. */
export function parseIdpConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult<IdpConfig> {
  const read = readUrlAndClientId(
    env,
    ['EXPO_PUBLIC_IDP_AUTHORIZE_URL', "your identity provider's authorize endpoint (authorization_endpoint in its /.well-known/openid-configuration)."],
    ['EXPO_PUBLIC_IDP_CLIENT_ID', 'the client ID of this app at your identity provider.'],
  );
  return read.ok ? { ok: true, config: { authorizeUrl: read.config.url, clientId: read.config.clientId } } : read;
}

/** The IdP's sign-in URL whose redirect URI is Medplum's {baseUrl}auth/external; sso.ts adds `state`. */
export function idpAuthorizeUrl(idp: IdpConfig, medplumBaseUrl: string): string {
  const url = new URL(idp.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', idp.clientId);
  url.searchParams.set('redirect_uri', `${medplumBaseUrl}auth/external`);
  url.searchParams.set('scope', 'openid profile email');
  return url.toString();
}
