import type { LoginAuthenticationResponse, MedplumClient } from '@medplum/core';
import { nextStep, startPkce, type Step } from './auth.ts';

/** Google's OAuth client IDs: one per platform, each of them known to Medplum (Project Admin > Sites). */
export interface GoogleClientIds {
  readonly web?: string;
  readonly ios?: string;
  readonly android?: string;
}

/** The client ID for `os` (React Native's Platform.OS); Google has no "web" client on a phone, nor the reverse. */
export function googleClientIdFor(os: string, ids: GoogleClientIds): string | undefined {
  const id = os === 'ios' ? ids.ios : os === 'android' ? ids.android : ids.web;
  return id?.trim() || undefined;
}

/**
 * Medplum's auth/google checks the ID token Google signed for `googleClientId` (its audience) and answers
 * like auth/login, bound to this app's PKCE challenge: a code, or a project to choose.
 */
export async function signInWithGoogle(medplum: MedplumClient, googleClientId: string, googleCredential: string): Promise<Step> {
  const answer: LoginAuthenticationResponse & { domain?: string } = await medplum.startGoogleLogin({ googleClientId, googleCredential, ...(await startPkce(medplum)) });
  if (answer.domain) {
    // A DomainConfiguration wins over Google: Medplum answers with the domain's identity provider instead of a code.
    throw new Error(`${answer.domain} accounts sign in with their organization's identity provider, not with Google.`);
  }
  return nextStep(medplum, answer);
}
