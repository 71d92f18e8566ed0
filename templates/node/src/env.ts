/** Reading configuration from the environment, with errors a person can act on. */

export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem. Its message is one line: what is missing or wrong, and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Returns the (trimmed) value of `name`, or throws a ConfigError that says where to get it. */
export function requireEnv(env: Env, name: string, where: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ConfigError(`Missing ${name}: ${where}.`);
  }
  return value;
}

/** The Medplum server, and the ClientApplication this starter is. */
export interface Client {
  baseUrl: string;
  clientId: string;
}

/**
 * Reads MEDPLUM_BASE_URL and MEDPLUM_CLIENT_ID. `createClient` says how to get the client ID, in the
 * error when it is missing.
 */
export function readClient(
  env: Env,
  createClient = 'create a ClientApplication in the Medplum app (Project Admin > Clients) and put its ID in .env'
): Client {
  return { baseUrl: readBaseUrl(env), clientId: requireEnv(env, 'MEDPLUM_CLIENT_ID', createClient) };
}

/** MEDPLUM_BASE_URL as an http(s) URL with the trailing slash MedplumClient expects. */
export function readBaseUrl(env: Env): string {
  const value = requireEnv(
    env,
    'MEDPLUM_BASE_URL',
    'set it in .env to your Medplum API server, e.g. https://api.medplum.com/'
  );
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`MEDPLUM_BASE_URL must be an http(s) URL such as https://api.medplum.com/ (got ${value}).`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
