import { ClientStorage, type FetchLike, MedplumClient, MemoryStorage } from '@medplum/core';
import { medplumFetch } from './fetch.ts';
import { signInFailure } from './sign-in.ts';

/**
 * Renew the token once it has expired (MedplumClient checks before each request) or when Medplum
 * answers 401. No early-renewal window: with one as long as the token's lifetime (the SDK's default
 * is five minutes), MedplumClient requests new tokens without end, so short lifetimes would hang.
 */
const REFRESH_GRACE_PERIOD_MS = 0;

export interface ClientCredentials {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Where the secret came from, named when Medplum refuses it (default MEDPLUM_CLIENT_SECRET). Never the secret. */
  secretSource?: string;
}

/**
 * Returns a MedplumClient signed in with the OAuth client credentials grant.
 *
 * This grant has no refresh token. The client keeps the ID and secret in memory and runs the grant
 * again by itself when the access token is about to expire, or when Medplum answers 401.
 */
export async function connect(client: ClientCredentials, fetchImpl?: FetchLike): Promise<MedplumClient> {
  const medplum = new MedplumClient({
    baseUrl: client.baseUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    refreshGracePeriod: REFRESH_GRACE_PERIOD_MS,
    // Tokens stay in this process's memory: nothing is written to disk, on any Node version.
    storage: new ClientStorage(new MemoryStorage()),
    fetch: medplumFetch(client.baseUrl, fetchImpl),
  });
  try {
    await medplum.startClientLogin(client.clientId, client.clientSecret);
  } catch (err) {
    throw signInFailure(err, client, (reason) => hint(reason, client.secretSource ?? 'MEDPLUM_CLIENT_SECRET'));
  }
  return medplum;
}

/** What to check for each `error_description` the token endpoint answers with. */
function hint(reason: string, secretSource: string): string {
  switch (reason) {
    case 'Invalid secret':
      return `Check ${secretSource}: it must be the ClientApplication's current secret (Project Admin > Clients).`;
    case 'Invalid client':
      return 'Check MEDPLUM_CLIENT_ID: it must be the ID of a ClientApplication created under Project Admin > Clients.';
    case 'IP address not allowed':
      return "The IP rules in the client's AccessPolicy block this machine's address.";
    case 'Failed to fetch tokens':
      return 'Check that MEDPLUM_BASE_URL is the Medplum API server (e.g. https://api.medplum.com/), not the web app.';
    default:
      return `Check MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID and ${secretSource}.`;
  }
}
