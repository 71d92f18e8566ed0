import { parseMedplumConfig } from './parseMedplumConfig.ts';
import type { ConfigResult, Env, MedplumConfig } from './parseMedplumConfig.ts';

/** This starter needs only what every starter needs to reach Medplum. */
export type Config = MedplumConfig;

/** Reads the config from env variables. Never throws: a problem comes back as one line for the page and the console. */
export function parseConfig(env: Env): ConfigResult<Config> {
  return parseMedplumConfig(env);
}
