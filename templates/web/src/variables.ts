import { MEDPLUM_VARIABLES, type Values } from './env.ts';

/** The .env variables this app reads (see env.ts). */
export const VARIABLES = MEDPLUM_VARIABLES;
export type Config = Values<typeof VARIABLES>;
