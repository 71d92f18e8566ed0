import { type Client, type Env, readClient, requireEnv } from './env.ts';
import { type ListenConfig, readListenConfig } from './listen.ts';

export interface Config extends Client {
  clientSecret: string;
  listen: ListenConfig;
}

/** Reads the configuration from the environment (`.env` when started with `npm start`). */
export function loadConfig(env: Env): Config {
  return {
    ...readClient(env),
    clientSecret: requireEnv(env, 'MEDPLUM_CLIENT_SECRET', "copy the ClientApplication's secret (Project Admin > Clients) into .env"),
    listen: readListenConfig(env, 'Authorization: Bearer <API_KEY>'),
  };
}
