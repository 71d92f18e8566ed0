/**
 * What the app needs to reach Medplum and Google. Vite copies every VITE_* variable into the JavaScript
 * bundle, so all of this is public: anyone who loads the app can read it. Never put a secret here
 * (the Google client *secret* included: this app never needs it).
 */
export interface Config {
  /** Medplum server, e.g. https://api.medplum.com/ */
  readonly baseUrl: string;
  /** ID of the ClientApplication this app signs in through. */
  readonly clientId: string;
  /** Optional: the project to sign in to, for users who belong to several. */
  readonly projectId?: string;
  /** The Google OAuth client ID; the same value must be set on the Medplum project's site. */
  readonly googleClientId: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problem: string };

/** A variable bag like `import.meta.env` (Vite adds a few booleans such as DEV and PROD). */
export type Env = Readonly<Record<string, string | boolean | undefined>>;

const RESTART = 'then restart the dev server';

/** Reads the config from env variables. Never throws: a problem comes back as one line for the page and the console. */
export function parseConfig(env: Env): ConfigResult {
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

  const googleClientId = read(env, 'VITE_GOOGLE_CLIENT_ID');
  if (!googleClientId) {
    return problem(
      `Missing VITE_GOOGLE_CLIENT_ID: create an OAuth client ID (Web application) in Google Cloud Console (APIs & Services > Credentials), put it in .env, ${RESTART}`
    );
  }

  return {
    ok: true,
    config: { baseUrl, clientId, projectId: read(env, 'VITE_MEDPLUM_PROJECT_ID'), googleClientId },
  };
}

/** A variable's trimmed value; empty counts as missing, because .env files often hold `NAME=`. */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function isHttpUrl(value: string): boolean {
  return URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
}

function problem(message: string): ConfigResult {
  return { ok: false, problem: message };
}
