import { MedplumClient } from '@medplum/core';

// Vite copies every VITE_* variable into the bundle: all of this is public, never put a secret in .env.
const env = import.meta.env;

/**
 * The app's one MedplumClient. It keeps the session in localStorage, so a reload stays signed in.
 * An empty setting takes Medplum's default: https://api.medplum.com/, and no ClientApplication.
 */
export const medplum = new MedplumClient({
  baseUrl: env.VITE_MEDPLUM_BASE_URL || undefined,
  clientId: env.VITE_MEDPLUM_CLIENT_ID || undefined,
});
