import type { LoginAuthenticationResponse, MedplumClient, ProfileResource } from '@medplum/core';

// The sign-in steps without React Native, so they run under node:test. Each answer from Medplum's
// auth/ endpoints (the method's first step, then these) says what comes next: an MFA code, a project
// to choose, or a code to redeem.

/** One of the user's project memberships: the project, and the profile when there are several in it. */
export interface Membership {
  readonly id: string;
  readonly label: string;
}

export type Step =
  | { readonly kind: 'mfa'; readonly login: string }
  | { readonly kind: 'choose-project'; readonly login: string; readonly memberships: readonly Membership[] }
  | { readonly kind: 'signed-in'; readonly profile: ProfileResource };

/**
 * PKCE S256. MedplumClient keeps the verifier for processCode; its SHA-256 comes from
 * crypto.subtle, which the polyfills back with expo-crypto on iOS and Android. MedplumClient
 * would quietly fall back to "plain" if hashing failed: refuse that instead.
 */
export async function startPkce(medplum: MedplumClient): Promise<{ codeChallenge: string; codeChallengeMethod: 'S256' }> {
  const { codeChallenge, codeChallengeMethod } = await medplum.startPkce();
  if (codeChallengeMethod !== 'S256') {
    throw new Error('Could not hash the PKCE verifier with SHA-256. Is src/polyfills.ts imported first?');
  }
  return { codeChallenge, codeChallengeMethod };
}

/** The 6-digit code from the user's authenticator app (TOTP). */
export async function verifyMfa(medplum: MedplumClient, login: string, token: string): Promise<Step> {
  return nextStep(medplum, await medplum.post<LoginAuthenticationResponse>('auth/mfa/verify', { login, token }));
}

export async function chooseProject(medplum: MedplumClient, login: string, membership: string): Promise<Step> {
  return nextStep(medplum, await medplum.post<LoginAuthenticationResponse>('auth/profile', { login, profile: membership }));
}

/** The step after an answer of auth/login, auth/google, auth/mfa/verify or auth/profile. */
export async function nextStep(medplum: MedplumClient, response: LoginAuthenticationResponse): Promise<Step> {
  if (response.mfaRequired) {
    return { kind: 'mfa', login: response.login };
  }
  if (response.mfaEnrollRequired) {
    throw new Error('This account must set up multi-factor authentication first: sign in once to the Medplum app to do it.');
  }
  if (response.code) {
    return { kind: 'signed-in', profile: await medplum.processCode(response.code) };
  }
  const memberships = (response.memberships ?? []).map((m) => ({
    id: m.id as string,
    label: [m.project?.display ?? m.project?.reference ?? 'Unnamed project', m.profile?.display].filter(Boolean).join(' · '),
  }));
  if (memberships.length === 0) {
    throw new Error('Medplum answered with neither a code nor a project to choose.');
  }
  return { kind: 'choose-project', login: response.login, memberships };
}
