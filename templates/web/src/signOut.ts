import type { MedplumClient } from '@medplum/core';

/**
 * Revokes the Medplum session on the server and always forgets it locally, even if the server could not
 * be reached. A session the user has at Google or an identity provider is not touched: the next sign-in
 * there may go through without a password.
 */
export async function signOut(medplum: MedplumClient): Promise<void> {
  try {
    await medplum.signOut();
  } finally {
    medplum.clear();
  }
}
