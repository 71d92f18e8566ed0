import { type Client, type Env, readClient, requireEnv } from './env.ts';

export interface Config extends Client {
  clientSecret: string;
}

/** Reads the configuration from the environment (`.env` when started with `npm start`). */
export function loadConfig(env: Env): Config {
  return {
    ...readClient(env),
    clientSecret: requireEnv(env, 'MEDPLUM_CLIENT_SECRET', "copy the ClientApplication's secret (Project Admin > Clients) into .env"),
  };
}
