/** What the app needs to reach Medplum; no secret: everything here ships inside the app. */
export interface Config {
  readonly baseUrl: string;
  readonly clientId: string;
}

/** A configuration, or one line saying what to fix. */
export type ConfigResult<T = Config> = { readonly ok: true; readonly config: T } | { readonly ok: false; readonly problem: string };

/** Reads the EXPO_PUBLIC_ variables; a missing or bad one becomes one line saying what to fix. */
export function parseConfig(env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const baseUrl = env.EXPO_PUBLIC_MEDPLUM_BASE_URL?.trim() ?? '';
  const clientId = env.EXPO_PUBLIC_MEDPLUM_CLIENT_ID?.trim() ?? '';
  if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) {
    return { ok: false, problem: 'Set EXPO_PUBLIC_MEDPLUM_BASE_URL in .env to your Medplum server URL, e.g. https://api.medplum.com/' };
  }
  if (!clientId) {
    return { ok: false, problem: 'Set EXPO_PUBLIC_MEDPLUM_CLIENT_ID in .env to the ID of your ClientApplication (Project Admin > Clients).' };
  }
  return { ok: true, config: { baseUrl: baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`, clientId } };
}
