import { ClientStorage, type FetchLike, MedplumClient, MemoryStorage, OperationOutcomeError } from '@medplum/core';
import type { Config } from './config.ts';
import { ConfigError } from './env.ts';
import { medplumFetch } from './fetch.ts';

/**
 * Renew the token once it has expired (MedplumClient checks before each request) or when Medplum
 * answers 401. No early-renewal window: with one as long as the token's lifetime (the SDK's default
 * is five minutes), MedplumClient requests new tokens without end, so short lifetimes would hang.
 */
const REFRESH_GRACE_PERIOD_MS = 0;

/** Signing in failed. The message is one printable line; it never contains the secret. */
export class SignInError extends Error {
  override name = 'SignInError';
}

/**
 * Returns a MedplumClient signed in with the OAuth client credentials grant.
 *
 * This grant has no refresh token. The client keeps the ID and secret in memory and runs the grant
 * again by itself when the access token is about to expire, or when Medplum answers 401.
 */
export async function connect(config: Omit<Config, 'listen'>, fetchImpl?: FetchLike): Promise<MedplumClient> {
  const medplum = new MedplumClient({
    baseUrl: config.baseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    refreshGracePeriod: REFRESH_GRACE_PERIOD_MS,
    // Tokens live in this process only, whatever Web Storage the Node version offers.
    storage: new ClientStorage(new MemoryStorage()),
    fetch: medplumFetch(config.baseUrl, fetchImpl),
  });
  try {
    await medplum.startClientLogin(config.clientId, config.clientSecret);
  } catch (err) {
    throw err instanceof ConfigError ? err : new SignInError(describeSignInFailure(err, config), { cause: err });
  }
  return medplum;
}

/** What to check for each `error_description` the token endpoint answers with. */
const HINTS: Record<string, string> = {
  'Invalid secret':
    "Check MEDPLUM_CLIENT_SECRET: it must be the ClientApplication's current secret (Project Admin > Clients).",
  'Invalid client':
    'Check MEDPLUM_CLIENT_ID: it must be the ID of a ClientApplication created under Project Admin > Clients.',
  'IP address not allowed': "The IP rules in the client's AccessPolicy block this machine's address.",
  'Failed to fetch tokens':
    'Check that MEDPLUM_BASE_URL is the Medplum API server (e.g. https://api.medplum.com/), not the web app.',
};

function describeSignInFailure(err: unknown, { baseUrl, clientId }: Omit<Config, 'listen'>): string {
  const networkError = networkErrorCode(err);
  if (networkError) {
    return `Could not reach Medplum at ${baseUrl} (${networkError}). Check MEDPLUM_BASE_URL and your network.`;
  }
  const reason =
    err instanceof OperationOutcomeError ? (err.outcome.issue?.[0]?.details?.text ?? err.message) : String(err);
  const hint = HINTS[reason] ?? 'Check MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.';
  return `Could not sign in to Medplum at ${baseUrl} as client ${clientId}: ${reason}. ${hint}`;
}

/** Node's fetch rejects with `TypeError: fetch failed` and puts the system error in `cause`. */
function networkErrorCode(err: unknown): string | undefined {
  if (err instanceof TypeError && err.cause instanceof Error) {
    return (err.cause as NodeJS.ErrnoException).code ?? err.cause.message;
  }
  return undefined;
}
