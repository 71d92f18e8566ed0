import { normalizeErrorString, type MedplumClient } from '@medplum/core';

/**
 * Finishes a sign-in that came back in the URL: `?code=…` from Medplum (its authorize page, or auth/external
 * after an identity provider), redeemed with this browser's PKCE verifier; or `?error=…`. `cleanUrl` is the
 * address without those parameters: put it in the address bar, so that a reload never replays a code.
 */
export async function finishRedirect(medplum: MedplumClient, href: string): Promise<{ cleanUrl?: string; error?: string }> {
  const url = new URL(href);
  const { code, error, error_description: description } = Object.fromEntries(url.searchParams);
  if (!code && !error) {
    return {};
  }
  ['code', 'login', 'state', 'error', 'error_description', 'error_uri'].forEach((name) => url.searchParams.delete(name));
  const cleanUrl = url.toString();
  if (error) {
    return { cleanUrl, error: description ? `${description} (${error})` : error };
  }
  try {
    await medplum.processCode(code);
    return { cleanUrl };
  } catch (err) {
    return { cleanUrl, error: normalizeErrorString(err) };
  }
}

/** finishRedirect, then the stored session, if any; resolves to an error to show. Once per page load: a code redeemed twice is refused *and* revokes its session. */
export async function restoreSession(medplum: MedplumClient): Promise<string | undefined> {
  const { cleanUrl, error } = await finishRedirect(medplum, window.location.href);
  if (cleanUrl) {
    window.history.replaceState(window.history.state, '', cleanUrl);
  }
  await medplum.getProfileAsync().catch(() => undefined); // an expired session is cleared: the sign-in shows
  return error;
}
