import type { MedplumClient } from '@medplum/core';
import { nextStep, startPkce, type Step } from './auth.ts';

/** Email and password to Medplum's auth/login, with a PKCE S256 challenge; then what Medplum asks next. */
export async function signInWithPassword(medplum: MedplumClient, email: string, password: string): Promise<Step> {
  return nextStep(medplum, await medplum.startLogin({ email, password, ...(await startPkce(medplum)) }));
}
