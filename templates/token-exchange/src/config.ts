import { ConfigError, type Env, readBaseUrl, requireEnv } from './env.ts';

export interface Config {
  baseUrl: string;
  /** The ClientApplication that has your identity provider configured. There is no client secret. */
  clientId: string;
  port: number;
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
    port: readPort(env),
  };
}

function readPort(env: Env): number {
  const value = env.PORT?.trim();
  if (!value) {
    return 3000;
  }
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got ${value}).`);
  }
  return port;
}
