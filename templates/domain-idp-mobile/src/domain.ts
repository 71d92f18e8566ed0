import type { MedplumClient } from '@medplum/core';
import { withLoginState, type LoginRequest } from './sso.ts';

/**
 * Medplum's auth/method decides by the email: a domain with its own identity provider (a DomainConfiguration)
 * answers that IdP's sign-in URL, which gets the login request in `state`; any other email answers `{}`,
 * undefined here: that user signs in with a password.
 */
export async function domainSignInUrl(medplum: MedplumClient, email: string, request: Omit<LoginRequest, 'domain'>): Promise<string | undefined> {
  const { domain, authorizeUrl } = await medplum.post<{ domain?: string; authorizeUrl?: string }>('auth/method', { email });
  return authorizeUrl ? withLoginState(medplum, authorizeUrl, { ...request, domain }) : undefined;
}
