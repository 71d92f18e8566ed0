import type { LoginAuthenticationResponse, MedplumClient } from '@medplum/core';
import type { ProjectMembership } from '@medplum/fhirtypes';

/** A sign-in's steps, in the order of Medplum's SignInForm: each auth endpoint answers with the next one. */
export type Step =
  | { readonly name: 'email' }
  | { readonly name: 'password'; readonly email: string }
  /** `enroll`: MFA is required but not set up; `qrCode` holds a new secret for the authenticator app. */
  | { readonly name: 'mfa'; readonly login: string; readonly enroll: boolean; readonly qrCode?: string }
  /** The user's memberships (a profile in a project) to choose from, for auth/profile. */
  | { readonly name: 'project'; readonly login: string; readonly memberships: readonly ProjectMembership[] }
  | { readonly name: 'redirect'; readonly url: string }
  | { readonly name: 'signed-in' };

/** An answer of auth/method, auth/login, auth/google, auth/mfa/* or auth/profile. */
export type Answer = Partial<LoginAuthenticationResponse> & { readonly domain?: string; readonly authorizeUrl?: string };

/** This app's client and project, and its address, where Medplum sends the browser back after an identity provider. */
export type LoginRequest = { readonly clientId: string; readonly projectId?: string; readonly redirectUri: string };

/** The step after `answer`, or `otherwise` when it asks for nothing (auth/method's `{}`: a password). */
export async function nextStep(medplum: MedplumClient, answer: Answer, request: LoginRequest, otherwise?: Step): Promise<Step> {
  const { login, authorizeUrl, memberships, code } = answer;
  if (authorizeUrl) {
    // The email's domain signs in at its own identity provider, which hands `state` back to Medplum's
    // auth/external untouched: who asked, and the PKCE challenge. The verifier stays in this browser.
    const url = new URL(authorizeUrl);
    url.searchParams.set('state', JSON.stringify({ ...(await medplum.ensureCodeChallenge(request)), domain: answer.domain }));
    return { name: 'redirect', url: url.toString() };
  }
  if (login && (answer.mfaRequired || answer.mfaEnrollRequired)) {
    return { name: 'mfa', login, enroll: Boolean(answer.mfaEnrollRequired), qrCode: answer.enrollQrCode };
  }
  if (login && memberships) {
    return { name: 'project', login, memberships };
  }
  if (code) {
    await medplum.processCode(code); // with this browser's PKCE verifier
    return { name: 'signed-in' };
  }
  if (!otherwise) {
    throw new Error('Medplum asked for a sign-in step this app does not handle; Medplum’s own app does.');
  }
  return otherwise;
}

/** The authenticator app's code: verifies this login, or with `enroll` also turns MFA on. */
export function sendMfaCode(medplum: MedplumClient, { login, enroll }: { login: string; enroll: boolean }, token: string) {
  return medplum.post<Answer>(enroll ? 'auth/mfa/login-enroll' : 'auth/mfa/verify', { login, token });
}
