import { OperationOutcomeError } from '@medplum/core';
import { ConfigError } from './env.ts';
import { networkErrorCode } from './fetch.ts';

/** Signing in failed. The message is one printable line; it never contains a secret, a key or a token. */
export class SignInError extends Error {
  override name = 'SignInError';
}

/**
 * Why signing in failed, as one line: the network, or the token endpoint's `error_description`
 * followed by what to check for it (`hint`). A ConfigError (a redirect off the server's origin, see
 * fetch.ts) already is one line, and is returned as it is.
 */
export function signInFailure(
  err: unknown,
  { baseUrl, clientId }: { baseUrl: string; clientId: string },
  hint: (reason: string) => string
): Error {
  if (err instanceof ConfigError) {
    return err;
  }
  const networkError = networkErrorCode(err);
  if (networkError) {
    return new SignInError(`Could not reach Medplum at ${baseUrl} (${networkError}). Check MEDPLUM_BASE_URL and your network.`, { cause: err });
  }
  const reason =
    err instanceof OperationOutcomeError ? (err.outcome.issue?.[0]?.details?.text ?? err.message) : String(err);
  return new SignInError(`Could not sign in to Medplum at ${baseUrl} as client ${clientId}: ${reason}. ${hint(reason)}`, { cause: err });
}
