import { type FetchLike, MedplumClient } from '@medplum/core';
import type { Config } from './config.ts';

/** Medplum answered 401 to the Basic credentials. The message is one printable line, without the secret. */
export class CredentialsRefusedError extends Error {
  override name = 'CredentialsRefusedError';
}

/**
 * A MedplumClient that sends `Authorization: Basic base64(clientId:clientSecret)` on every request
 * and never asks for a token.
 */
export function createMedplum(config: Config, fetchImpl: FetchLike = fetch): MedplumClient {
  const medplum = new MedplumClient({
    baseUrl: config.baseUrl,
    fetch: refuseTokenRequests(fetchImpl, config),
  });
  medplum.setBasicAuth(config.clientId, config.clientSecret);
  return medplum;
}

/**
 * `setBasicAuth` also keeps the ID and secret as client credentials, so after a 401 MedplumClient
 * would quietly try `grant_type=client_credentials` at `oauth2/token` and retry with a token. Basic
 * auth must not do that: it would send the refused secret to a second endpoint and hide the error.
 * This client has no token to renew, so that fallback is the only way it can reach `oauth2/`. We
 * refuse it here, before anything is sent, and the request fails with the 401 it got.
 */
function refuseTokenRequests(fetchImpl: FetchLike, { baseUrl, clientId }: Config): FetchLike {
  const oauthUrl = new URL('oauth2/', baseUrl).href;
  return (url, options) => {
    if (url.startsWith(oauthUrl)) {
      return Promise.reject(
        new CredentialsRefusedError(
          `Medplum at ${baseUrl} refused the credentials of client ${clientId} (401 Unauthorized). ` +
            "Check MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET (Project Admin > Clients), and any IP rules in the client's AccessPolicy."
        )
      );
    }
    return fetchImpl(url, options);
  };
}
