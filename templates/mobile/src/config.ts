import { parseConfig } from './parseConfig.ts';

// Expo inlines EXPO_PUBLIC_ variables at build time, and only where they are written out in full.
const result = parseConfig({
  EXPO_PUBLIC_MEDPLUM_BASE_URL: process.env.EXPO_PUBLIC_MEDPLUM_BASE_URL,
  EXPO_PUBLIC_MEDPLUM_CLIENT_ID: process.env.EXPO_PUBLIC_MEDPLUM_CLIENT_ID,
});

export const config = result.ok ? result.config : undefined;
export const configProblem = result.ok ? undefined : result.problem;
