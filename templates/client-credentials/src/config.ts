import { type Env, readBaseUrl, requireEnv } from './env.ts';
import { type ListenConfig, readListenConfig } from './listen.ts';

export interface Config {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  listen: ListenConfig;
}

/** Reads the configuration from the environment (`.env` when started with `npm start`). */
export function loadConfig(env: Env): Config {
  return {
    baseUrl: readBaseUrl(env),
    clientId: requireEnv(
      env,
      'MEDPLUM_CLIENT_ID',
      'create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env'
    ),
    clientSecret: requireEnv(
      env,
      'MEDPLUM_CLIENT_SECRET',
      "copy the ClientApplication's secret (Project Admin > Clients) into .env"
    ),
    listen: readListenConfig(env, 'Authorization: Bearer <API_KEY>'),
  };
}
