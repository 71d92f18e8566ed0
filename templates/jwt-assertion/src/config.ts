import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, type Env, readClient, requireEnv } from './env.ts';
import { type AgentSettings, readAgentSettings } from './settings.ts';

/** The project's root folder (the one with package.json): relative key paths start here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const DEFAULT_PRIVATE_KEY_PATH = './medplum-device-key.pem';

export interface Config extends Client, AgentSettings {
  /** Absolute path of the PEM private key. */
  privateKeyPath: string;
  /** The `kid` of the public key in jwks.json. */
  keyId: string;
}

/** Reads the configuration from the environment and the command line (`--once`, `--interval <s>`). */
export function loadConfig(env: Env, argv: readonly string[] = [], projectRoot = PROJECT_ROOT): Config {
  const settings = readAgentSettings(env, argv);
  const keyPath = env.MEDPLUM_PRIVATE_KEY_PATH?.trim() || DEFAULT_PRIVATE_KEY_PATH;
  return {
    ...readClient(
      env,
      'create a ClientApplication for this device in the Medplum app (Project Admin > Clients), ' +
        'set its JWK Set URL to where jwks.json is hosted, and put its ID in .env'
    ),
    privateKeyPath: isAbsolute(keyPath) ? keyPath : resolve(projectRoot, keyPath),
    keyId: requireEnv(env, 'MEDPLUM_KEY_ID', 'copy the "kid" of your key from jwks.json into .env'),
    ...settings,
  };
}
