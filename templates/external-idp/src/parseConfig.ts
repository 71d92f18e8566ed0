import { isHttpUrl, parseMedplumConfig, problem, read, RESTART } from './parseMedplumConfig.ts';
import type { ConfigResult, Env, MedplumConfig } from './parseMedplumConfig.ts';

/**
 * What the app needs to send users to their identity provider (IdP) and back to Medplum.
 * Vite copies every VITE_* variable into the JavaScript bundle, so all of this is public:
 * anyone who loads the app can read it. The IdP's client secret belongs only in Medplum's
 * ClientApplication, never here.
 */
export interface Config extends MedplumConfig {
  /** ID of the Medplum ClientApplication that holds the identityProvider settings. */
  readonly clientId: string;
  /** Optional: the project to sign in to. Must be the ClientApplication's own project. */
  readonly projectId?: string;
  /** The IdP's authorize endpoint, e.g. https://example.okta.com/oauth2/default/v1/authorize */
  readonly idpAuthorizeUrl: string;
  /** This app's client ID at the IdP (the same one Medplum's identityProvider.clientId holds). */
  readonly idpClientId: string;
}

/** Reads the config from env variables. Never throws: a problem comes back as one line for the page and the console. */
export function parseConfig(env: Env): ConfigResult<Config> {
  const medplum = parseMedplumConfig(env);
  if (!medplum.ok) {
    return medplum;
  }

  const idpAuthorizeUrl = read(env, 'VITE_IDP_AUTHORIZE_URL');
  if (!idpAuthorizeUrl) {
    return problem(
      `Missing VITE_IDP_AUTHORIZE_URL: put your identity provider's authorize endpoint (authorization_endpoint in its /.well-known/openid-configuration) in .env, ${RESTART}`
    );
  }
  if (!isHttpUrl(idpAuthorizeUrl)) {
    return problem(
      `Invalid VITE_IDP_AUTHORIZE_URL "${idpAuthorizeUrl}": it must be an http(s) URL such as https://example.okta.com/oauth2/default/v1/authorize; fix it in .env, ${RESTART}`
    );
  }

  const idpClientId = read(env, 'VITE_IDP_CLIENT_ID');
  if (!idpClientId) {
    return problem(
      `Missing VITE_IDP_CLIENT_ID: register an application at your identity provider, put its client ID in .env, ${RESTART}`
    );
  }

  return { ok: true, config: { ...medplum.config, idpAuthorizeUrl, idpClientId } };
}
