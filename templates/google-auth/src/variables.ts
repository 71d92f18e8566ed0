import { MEDPLUM_VARIABLES, type Values } from './env.ts';

/** The .env variables this app reads (see env.ts). No Google client secret: this app never needs it. */
export const VARIABLES = {
  ...MEDPLUM_VARIABLES,
  googleClientId: { name: 'VITE_GOOGLE_CLIENT_ID', howTo: 'create an OAuth client ID (Web application) in Google Cloud Console, put it' },
} as const;
export type Config = Values<typeof VARIABLES>;
