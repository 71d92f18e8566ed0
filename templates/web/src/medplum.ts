import { MedplumClient } from '@medplum/core';
import { config } from './config.ts';

/**
 * The app's one MedplumClient, or undefined while the configuration is incomplete (App shows what is missing).
 * In the browser it keeps the session in localStorage, so a reload stays signed in.
 */
export const medplum = config && new MedplumClient({ baseUrl: config.baseUrl, clientId: config.clientId });
