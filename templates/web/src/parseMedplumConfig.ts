/**
 * What every starter needs to reach Medplum. Vite copies every VITE_* variable into the JavaScript bundle,
 * so all of this is public: anyone who loads the app can read it. Never put a secret here.
 */
export interface MedplumConfig {
  /** Medplum server, e.g. https://api.medplum.com/ */
  readonly baseUrl: string;
  /** ID of the ClientApplication this app signs in through. */
  readonly clientId: string;
  /** Optional: the project to sign in to, for users who belong to several. */
  readonly projectId?: string;
}

/** The config, or one line for the page and the console: which variable to fix, and where to get its value. */
export type ConfigResult<T> = { ok: true; config: T } | { ok: false; problem: string };

/** A variable bag like `import.meta.env` (Vite adds a few booleans such as DEV and PROD). */
export type Env = Readonly<Record<string, string | boolean | undefined>>;

/** How each problem line ends: Vite reads .env only when the dev server starts. */
export const RESTART = 'then restart the dev server';

/** Reads the Medplum variables. Never throws: a problem comes back as one line. */
export function parseMedplumConfig(env: Env): ConfigResult<MedplumConfig> {
  const baseUrl = read(env, 'VITE_MEDPLUM_BASE_URL');
  if (!baseUrl) {
    return problem(
      `Missing VITE_MEDPLUM_BASE_URL: put your Medplum server's URL (e.g. https://api.medplum.com/) in .env, ${RESTART}`
    );
  }
  if (!isHttpUrl(baseUrl)) {
    return problem(
      `Invalid VITE_MEDPLUM_BASE_URL "${baseUrl}": it must be an http(s) URL such as https://api.medplum.com/; fix it in .env, ${RESTART}`
    );
  }

  const clientId = read(env, 'VITE_MEDPLUM_CLIENT_ID');
  if (!clientId) {
    return problem(
      `Missing VITE_MEDPLUM_CLIENT_ID: create a ClientApplication in the Medplum app (Project Admin > Clients), put its ID in .env, ${RESTART}`
    );
  }

  return { ok: true, config: { baseUrl, clientId, projectId: read(env, 'VITE_MEDPLUM_PROJECT_ID') } };
}

/** A variable's trimmed value; empty counts as missing, because .env files often hold `NAME=`. */
export function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

export function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

export function problem(message: string): { ok: false; problem: string } {
  return { ok: false, problem: message };
}
