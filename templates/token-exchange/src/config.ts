import { type Client, type Env, readClient } from './env.ts';
import { type ListenConfig, readListenConfig } from './listen.ts';

/** The client is the ClientApplication that has your identity provider configured. There is no client secret. */
export interface Config extends Client {
  listen: ListenConfig;
}

/** Reads the configuration from the environment (`.env` when started with `npm start`). */
export function loadConfig(env: Env): Config {
  return {
    ...readClient(
      env,
      'create a ClientApplication with your identity provider in the Medplum app (Project Admin > Clients) and put its ID in .env'
    ),
    // Callers' Authorization header carries their IdP token, so the API key has a header of its own.
    listen: readListenConfig(env, 'X-API-Key: <API_KEY>'),
  };
}
