import { MEDPLUM_VARIABLES, type Values } from './env.ts';

/** The .env variables this app reads (see env.ts). The IdP's client secret belongs only in Medplum's ClientApplication. */
export const VARIABLES = {
  ...MEDPLUM_VARIABLES,
  /** The IdP's authorize endpoint, e.g. https://example.okta.com/oauth2/default/v1/authorize */
  idpAuthorizeUrl: {
    name: 'VITE_IDP_AUTHORIZE_URL',
    howTo: "put your identity provider's authorize endpoint (authorization_endpoint in its /.well-known/openid-configuration)",
    url: true,
  },
  /** This app's client ID at the IdP (the one Medplum's identityProvider.clientId holds). */
  idpClientId: { name: 'VITE_IDP_CLIENT_ID', howTo: 'register an application at your identity provider, put its client ID' },
} as const;
export type Config = Values<typeof VARIABLES>;
