import { normalizeErrorString } from '@medplum/core';
import type { LoginAuthenticationResponse, MedplumClient, ProfileResource } from '@medplum/core';
import type { ProjectMembership } from '@medplum/fhirtypes';

// The sign-in flows, without React and without touching the page, so they can be tested in Node.
// The email comes first: Medplum says whether its domain signs in through the organization's own
// identity provider (a DomainConfiguration) or with a Medplum password. Both end the same way:
// a one-time code, redeemed (processCode) with the PKCE code_verifier that only this browser holds.

/** How an email signs in, as Medplum's auth/method answers. */
export type SignInMethod =
  { readonly kind: 'password' } | { readonly kind: 'domain'; readonly domain: string; readonly authorizeUrl: string };

/** POST auth/method { email }: `{}` for a password, or `{ domain, authorizeUrl }` for a domain-level identity provider. */
export async function lookUpSignInMethod(medplum: MedplumClient, email: string): Promise<SignInMethod> {
  const answer = await medplum.post<{ domain?: string; authorizeUrl?: string }>('auth/method', { email });
  if (answer.authorizeUrl) {
    return {
      kind: 'domain',
      domain: answer.domain ?? email.split('@').at(-1) ?? '',
      authorizeUrl: answer.authorizeUrl,
    };
  }
  return { kind: 'password' };
}

export interface DomainSignIn {
  /** This app's ClientApplication. Medplum redirects back only to one of its Redirect URIs. */
  readonly clientId: string;
  /** Where Medplum sends the browser back with ?code=…: this app's origin plus "/". */
  readonly appUrl: string;
  /** Optional: must be the client's own project if set. */
  readonly projectId?: string;
}

/**
 * The identity provider's authorize URL, as auth/method gave it (client_id, redirect_uri = {baseUrl}auth/external,
 * response_type, scope), plus a `state`. The provider hands `state` back to Medplum's callback untouched, and
 * Medplum reads from it who asked: the domain, this app's client ID and return URL, and the PKCE challenge it
 * will check when this browser redeems the code. The verifier stays in this browser's storage.
 */
export async function domainSignInUrl(
  medplum: MedplumClient,
  method: { readonly domain: string; readonly authorizeUrl: string },
  { clientId, appUrl, projectId }: DomainSignIn
): Promise<string> {
  const loginRequest = await medplum.ensureCodeChallenge({ clientId, projectId, redirectUri: appUrl });
  const url = new URL(method.authorizeUrl);
  url.searchParams.set('state', JSON.stringify({ ...loginRequest, domain: method.domain }));
  return url.toString();
}

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
 * The fallback for emails without a domain-level identity provider: startLogin sends the email, the password
 * and a PKCE challenge to auth/login; processCode redeems the code with the verifier.
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

export type RedirectReturn =
  | { readonly status: 'none' }
  | { readonly status: 'signed-in'; readonly profile: ProfileResource; readonly cleanUrl: string }
  | { readonly status: 'error'; readonly message: string; readonly cleanUrl: string };

/** What Medplum adds when it sends the browser back, removed once handled so a reload never replays a code. */
const REDIRECT_PARAMS = ['code', 'login', 'state', 'error', 'error_description', 'error_uri'];

/**
 * Finishes a domain sign-in when the page URL carries ?code=… (or reports ?error=…).
 * The caller puts `cleanUrl` in the address bar (history.replaceState).
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
    // For example multi-factor authentication, which this form does not implement; Medplum's own app does.
    throw new Error('This account needs another sign-in step that this app does not support yet.');
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
