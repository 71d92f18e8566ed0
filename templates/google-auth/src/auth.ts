import type { LoginAuthenticationResponse, MedplumClient, ProfileResource } from '@medplum/core';
import type { ProjectMembership } from '@medplum/fhirtypes';

// The sign-in flow, without React and without Google's script, so it can be tested in Node.
// Google's button hands the page a credential (an ID token Google signed for VITE_GOOGLE_CLIENT_ID).
// Medplum's auth/google checks it and answers with a one-time code; processCode redeems the code
// with the PKCE code_verifier that only this browser holds.

export interface GoogleSignIn {
  /** The Google OAuth client ID the button was initialized with. */
  readonly googleClientId: string;
  /** The `credential` from Google's callback: a signed JWT naming the user's Google account. */
  readonly credential: string;
  /** Sign straight in to this project when the user belongs to several. */
  readonly projectId?: string;
}

/** A project the user may sign in to, from the server's membership list. */
export interface MembershipChoice {
  readonly id: string;
  readonly project: string;
  readonly profile: string;
}

export type SignInResult =
  | { readonly status: 'signed-in'; readonly profile: ProfileResource }
  | { readonly status: 'choose-project'; readonly login: string; readonly memberships: MembershipChoice[] };

/**
 * Sends Google's credential to Medplum's auth/google. startGoogleLogin adds this app's client ID and the
 * PKCE challenge (S256 in browsers); processCode redeems the code with the verifier.
 * A user in several projects gets a membership list instead of a code: call chooseMembership next.
 */
export async function signInWithGoogle(medplum: MedplumClient, signIn: GoogleSignIn): Promise<SignInResult> {
  const response = await medplum.startGoogleLogin({
    googleClientId: signIn.googleClientId,
    googleCredential: signIn.credential,
    projectId: signIn.projectId,
  });
  if (!response.code && response.memberships?.length) {
    return { status: 'choose-project', login: response.login, memberships: response.memberships.map(toChoice) };
  }
  return { status: 'signed-in', profile: await redeem(medplum, response) };
}

/** Second step for users in several projects: auth/profile picks the membership and returns the code. */
export async function chooseMembership(
  medplum: MedplumClient,
  login: string,
  membershipId: string
): Promise<ProfileResource> {
  const response = await medplum.post<LoginAuthenticationResponse>('auth/profile', { login, profile: membershipId });
  return redeem(medplum, response);
}

/**
 * What auth/google answers when the Google account's email domain has a domain-level identity provider:
 * that provider, not Google, must sign this user in.
 */
interface DomainRedirect {
  readonly domain?: string;
  readonly authorizeUrl?: string;
}

async function redeem(
  medplum: MedplumClient,
  response: LoginAuthenticationResponse & DomainRedirect
): Promise<ProfileResource> {
  if (response.authorizeUrl) {
    throw new Error(
      `Accounts at ${response.domain ?? 'this domain'} must sign in with their organization's identity provider, not Google.`
    );
  }
  if (!response.code) {
    // For example multi-factor authentication, which this app does not implement; Medplum's own app does.
    throw new Error('This account needs another sign-in step that this app does not support yet.');
  }
  return medplum.processCode(response.code);
}

function toChoice(membership: ProjectMembership): MembershipChoice {
  return {
    id: membership.id as string,
    project: membership.project?.display ?? membership.project?.reference ?? 'Unnamed project',
    profile: membership.profile?.display ?? membership.profile?.reference ?? '',
  };
}
