import { readFileSync } from 'node:fs';
import { type Client, ConfigError, type Env, readClient } from './env.ts';
import { type AgentSettings, readAgentSettings } from './settings.ts';

export interface Config extends Client, AgentSettings {
  clientSecret: string;
  /** Where the secret came from, for the start-up line. The secret itself is never printed. */
  secretSource: string;
  /** Set when both secret variables are present, to say which one is used. */
  warning: string | undefined;
}

/**
 * Reads the configuration from the environment and the command line (`--once`, `--interval <s>`).
 * The secret comes from the file named by MEDPLUM_CLIENT_SECRET_FILE, or from MEDPLUM_CLIENT_SECRET.
 */
export function loadConfig(env: Env, argv: readonly string[] = []): Config {
  const settings = readAgentSettings(env, argv);
  const client = readClient(
    env,
    'create a ClientApplication for this device in the Medplum app (Project Admin > Clients) and put its ID in .env'
  );
  const secret = readSecret(env);
  return {
    ...client,
    clientSecret: secret.value,
    secretSource: secret.source,
    warning: secret.warning,
    ...settings,
  };
}

/**
 * The file wins over the variable: a mounted secret (Docker, Kubernetes, systemd credentials) is the
 * deliberate production setting, while a stray MEDPLUM_CLIENT_SECRET may be inherited from a shell.
 */
function readSecret(env: Env): { value: string; source: string; warning: string | undefined } {
  const file = env.MEDPLUM_CLIENT_SECRET_FILE?.trim();
  const inline = env.MEDPLUM_CLIENT_SECRET?.trim();
  if (!file && !inline) {
    throw new ConfigError(
      'Missing MEDPLUM_CLIENT_SECRET_FILE or MEDPLUM_CLIENT_SECRET: point MEDPLUM_CLIENT_SECRET_FILE at a file ' +
        "holding the ClientApplication's secret (a Docker or Kubernetes secret, a systemd credential), " +
        'or set MEDPLUM_CLIENT_SECRET in the environment (not in .env).'
    );
  }
  if (!file) {
    return { value: inline as string, source: 'MEDPLUM_CLIENT_SECRET', warning: undefined };
  }
  return {
    value: readSecretFile(file),
    source: `MEDPLUM_CLIENT_SECRET_FILE (${file})`,
    warning: inline
      ? 'Both MEDPLUM_CLIENT_SECRET_FILE and MEDPLUM_CLIENT_SECRET are set: using the file, ignoring MEDPLUM_CLIENT_SECRET.'
      : undefined,
  };
}

function readSecretFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`Could not read MEDPLUM_CLIENT_SECRET_FILE (${file}): ${reason}.`);
  }
  // Secret files usually end with one newline (`echo ... > file`); it is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (!secret) {
    throw new ConfigError(`MEDPLUM_CLIENT_SECRET_FILE (${file}) is empty: put the ClientApplication's secret in it.`);
  }
  return secret;
}
