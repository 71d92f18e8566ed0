import type { MedplumClient } from '@medplum/core';
import { openAuthSessionAsync } from 'expo-web-browser';
import type { Step } from './auth.ts';
import { redirectUri } from './redirect.ts';
import { finishSso } from './sso.ts';

/** Opens the IdP's page in the system browser (a popup on the web); done when Medplum sends it back to the app. */
export async function signInAtIdp(medplum: MedplumClient, url: string): Promise<Step | void> {
  const result = await openAuthSessionAsync(url, redirectUri);
  // Anything else is the user closing the browser: back to the sign-in screen, with nothing to report.
  return result.type === 'success' ? finishSso(medplum, result.url, redirectUri) : undefined;
}
