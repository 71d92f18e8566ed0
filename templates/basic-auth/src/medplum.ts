import { type FetchLike, MedplumClient } from '@medplum/core';
import type { Config } from './config.ts';
import { medplumFetch } from './fetch.ts';

/**
 * A MedplumClient that sends `Authorization: Basic base64(clientId:clientSecret)` on every request
 * to the Medplum server, and never asks for a token.
 *
 * Not `setBasicAuth`: it also keeps the ID and secret as client credentials, so after a 401 the SDK
 * would quietly run the client_credentials grant at `oauth2/token` and retry with a token, sending
 * the refused secret to a second endpoint and hiding the error. This client holds no credentials,
 * so a 401 is simply the error; the header is added here, and only for the server's origin.
 */
export function createMedplum(config: Config, fetchImpl: FetchLike = fetch): MedplumClient {
  const basic = `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`).toString('base64')}`;
  const origin = new URL(config.baseUrl).origin;
  const withBasic: FetchLike = (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (new URL(url).origin === origin) {
      headers.set('authorization', basic);
    }
    return fetchImpl(url, { ...init, headers });
  };
  return new MedplumClient({ baseUrl: config.baseUrl, fetch: medplumFetch(config.baseUrl, withBasic) });
}
