import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, type Env, readBaseUrl, requireEnv } from './env.ts';

/** The project's root folder (the one with package.json): relative key paths start here. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

const DEFAULT_PRIVATE_KEY_PATH = './medplum-device-key.pem';

export interface Config {
  baseUrl: string;
  clientId: string;
  /** Absolute path of the PEM private key. */
  privateKeyPath: string;
  /** The `kid` of the public key in jwks.json. */
  keyId: string;
  deviceId: string | undefined;
  intervalSeconds: number;
  once: boolean;
}

const USAGE = 'Options: --once (send one reading and exit), --interval <seconds>.';

/** Reads the configuration from the environment and the command line (`--once`, `--interval <s>`). */
export function loadConfig(env: Env, argv: readonly string[] = [], projectRoot = PROJECT_ROOT): Config {
  const flags = parseFlags(argv);
  const keyPath = env.MEDPLUM_PRIVATE_KEY_PATH?.trim() || DEFAULT_PRIVATE_KEY_PATH;
  return {
    baseUrl: readBaseUrl(env),
    clientId: requireEnv(
      env,
      'MEDPLUM_CLIENT_ID',
      'create a ClientApplication for this device in the Medplum app (Project Admin > Clients), ' +
        'set its JWK Set URL to where jwks.json is hosted, and put its ID in .env'
    ),
    privateKeyPath: isAbsolute(keyPath) ? keyPath : resolve(projectRoot, keyPath),
    keyId: requireEnv(env, 'MEDPLUM_KEY_ID', 'copy the "kid" of your key from jwks.json into .env'),
    deviceId: env.MEDPLUM_DEVICE_ID?.trim() || undefined,
    intervalSeconds:
      flags.interval === undefined
        ? readInterval('READING_INTERVAL_SECONDS', env.READING_INTERVAL_SECONDS?.trim() || '60')
        : readInterval('--interval', flags.interval),
    once: flags.once ?? false,
  };
}

function parseFlags(argv: readonly string[]): { once?: boolean; interval?: string } {
  try {
    return parseArgs({
      args: [...argv],
      options: { once: { type: 'boolean' }, interval: { type: 'string' } },
    }).values;
  } catch (err) {
    // parseArgs explains the problem in its first sentence, e.g. "Unknown option '--onse'".
    throw new ConfigError(`${(err as Error).message.split('. ')[0]}. ${USAGE}`);
  }
}

/** Between one second and one day: longer waits overflow Node's timers. */
function readInterval(name: string, value: string): number {
  const seconds = Number(value);
  if (!value || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) {
    throw new ConfigError(`${name} must be a number of seconds from 1 to 86400 (got "${value}").`);
  }
  return seconds;
}
