import { parseArgs } from 'node:util';
import { ConfigError, type Env } from './env.ts';

/** How the agent runs, whatever it signs in with. */
export interface AgentSettings {
  deviceId: string | undefined;
  intervalSeconds: number;
  once: boolean;
}

const USAGE = 'Options: --once (send one reading and exit), --interval <seconds>.';

/** Reads MEDPLUM_DEVICE_ID, READING_INTERVAL_SECONDS and the command line (`--once`, `--interval <s>`, which wins). */
export function readAgentSettings(env: Env, argv: readonly string[]): AgentSettings {
  const flags = parseFlags(argv);
  return {
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
