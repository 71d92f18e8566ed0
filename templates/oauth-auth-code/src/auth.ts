import { normalizeErrorString } from '@medplum/core';
import type { LoginAuthenticationResponse, MedplumClient, ProfileResource } from '@medplum/core';
import type { ProjectMembership } from '@medplum/fhirtypes';

// The sign-in flows, without React and without touching the page, so they can be tested in Node.
// Both are OAuth2 Authorization Code with PKCE: get a one-time code, then redeem it (processCode)
// with the code_verifier that only this browser holds.

export interface PasswordCredentials {
  readonly email: string;
  readonly password: string;
  /** Sign straight in to this project when the user belongs to several. */
  readonly projectId?: string;
}

/** A project the user may sign in to, from the server's membership list. */
export interface MembershipChoice {
  readonly id: string;
  readonly project: string;
  readonly profile: string;
}

export type PasswordSignInResult =
  | { readonly status: 'signed-in'; readonly profile: ProfileResource }
  | { readonly status: 'choose-project'; readonly login: string; readonly memberships: MembershipChoice[] };

/**
 * Embedded sign-in: the form's email and password go to Medplum's auth/login.
 * startLogin adds the PKCE challenge (S256 in browsers); processCode redeems the code with the verifier.
 * A user in several projects gets a membership list instead of a code: call chooseMembership next.
 */
export async function signInWithPassword(
  medplum: MedplumClient,
  credentials: PasswordCredentials
): Promise<PasswordSignInResult> {
  const response = await medplum.startLogin(credentials);
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
 * Redirect sign-in ("Sign in with Medplum"): sends the browser to Medplum's authorize page with a PKCE challenge.
 * Medplum then returns to this page (redirect_uri = the page's origin plus "/") with ?code=… or ?error=….
 */
export async function startRedirectSignIn(medplum: MedplumClient): Promise<void> {
  await medplum.signInWithRedirect();
}

export type RedirectReturn =
  | { readonly status: 'none' }
  | { readonly status: 'signed-in'; readonly profile: ProfileResource; readonly cleanUrl: string }
  | { readonly status: 'error'; readonly message: string; readonly cleanUrl: string };

/** The parameters Medplum adds when it redirects back, removed once handled so a reload never replays a code. */
const REDIRECT_PARAMS = ['code', 'state', 'error', 'error_description', 'error_uri'];

/**
 * Finishes a redirect sign-in when the page URL carries ?code=… (or reports ?error=…).
 * The caller puts `cleanUrl` in the address bar (history.replaceState).
 * The `state` parameter is not checked: PKCE already ties the code to this browser's code_verifier.
 */
export async function handleRedirectReturn(
  medplum: MedplumClient,
  location: { readonly href: string }
): Promise<RedirectReturn> {
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');

  if (error) {
    const description = url.searchParams.get('error_description');
    return {
      status: 'error',
      message: description ? `${description} (${error})` : error,
      cleanUrl: withoutRedirectParams(url),
    };
  }
  if (code) {
    const cleanUrl = withoutRedirectParams(url);
    try {
      return { status: 'signed-in', profile: await medplum.processCode(code), cleanUrl };
    } catch (err) {
      return { status: 'error', message: normalizeErrorString(err), cleanUrl };
    }
  }
  return { status: 'none' };
}

async function redeem(medplum: MedplumClient, response: LoginAuthenticationResponse): Promise<ProfileResource> {
  if (!response.code) {
    // For example multi-factor authentication, which this form does not implement; Medplum's own page does.
    throw new Error('This account needs another sign-in step: use "Sign in with Medplum" instead.');
  }
  return medplum.processCode(response.code);
}

function withoutRedirectParams(url: URL): string {
  const clean = new URL(url);
  for (const name of REDIRECT_PARAMS) {
    clean.searchParams.delete(name);
  }
  return clean.toString();
}

function toChoice(membership: ProjectMembership): MembershipChoice {
  return {
    id: membership.id as string,
    project: membership.project?.display ?? membership.project?.reference ?? 'Unnamed project',
    profile: membership.profile?.display ?? membership.profile?.reference ?? '',
  };
}
