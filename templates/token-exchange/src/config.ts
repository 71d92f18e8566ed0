import { type Env, readBaseUrl, requireEnv } from './env.ts';
import { type ListenConfig, readListenConfig } from './listen.ts';

export interface Config {
  baseUrl: string;
  /** The ClientApplication that has your identity provider configured. There is no client secret. */
  clientId: string;
  listen: ListenConfig;
}

/** Reads the configuration from the environment (`.env` when started with `npm start`). */
export function loadConfig(env: Env): Config {
  return {
    baseUrl: readBaseUrl(env),
    clientId: requireEnv(
      env,
      'MEDPLUM_CLIENT_ID',
      'create a ClientApplication with your identity provider in the Medplum app (Project Admin > Clients) and put its ID in .env'
    ),
    // Callers' Authorization header carries their IdP token, so the API key has a header of its own.
    listen: readListenConfig(env, 'X-API-Key: <API_KEY>'),
  };
}
