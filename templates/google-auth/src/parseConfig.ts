import { parseMedplumConfig, problem, read, RESTART } from './parseMedplumConfig.ts';
import type { ConfigResult, Env, MedplumConfig } from './parseMedplumConfig.ts';

/**
 * What the app needs to reach Medplum and Google. Vite copies every VITE_* variable into the JavaScript
 * bundle, so all of this is public: anyone who loads the app can read it. Never put a secret here
 * (the Google client *secret* included: this app never needs it).
 */
export interface Config extends MedplumConfig {
  /** The Google OAuth client ID; the same value must be set on the Medplum project's site. */
  readonly googleClientId: string;
}

/** Reads the config from env variables. Never throws: a problem comes back as one line for the page and the console. */
export function parseConfig(env: Env): ConfigResult<Config> {
  const medplum = parseMedplumConfig(env);
  if (!medplum.ok) {
    return medplum;
  }

  const googleClientId = read(env, 'VITE_GOOGLE_CLIENT_ID');
  if (!googleClientId) {
    return problem(
      `Missing VITE_GOOGLE_CLIENT_ID: create an OAuth client ID (Web application) in Google Cloud Console (APIs & Services > Credentials), put it in .env, ${RESTART}`
    );
  }

  return { ok: true, config: { ...medplum.config, googleClientId } };
}
