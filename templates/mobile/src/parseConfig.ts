/** What the app needs to reach Medplum; no secret: everything here ships inside the app. */
export interface Config {
  readonly baseUrl: string;
  readonly clientId: string;
}

/** A configuration, or one line saying what to fix. */
export type ConfigResult<T = Config> = { readonly ok: true; readonly config: T } | { readonly ok: false; readonly problem: string };

type Env = Readonly<Record<string, string | undefined>>;
/** A variable's name, and what to set it to (the end of the line saying what to fix). */
type Wanted = readonly [name: string, setTo: string];

/** An http(s) URL and a client ID from two variables; a missing or bad one becomes one line saying what to fix. */
export function readUrlAndClientId(env: Env, [urlName, urlSetTo]: Wanted, [idName, idSetTo]: Wanted): ConfigResult<{ url: string; clientId: string }> {
  const url = env[urlName]?.trim() ?? '';
  const clientId = env[idName]?.trim() ?? '';
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) {
    return { ok: false, problem: `Set ${urlName} in .env to ${urlSetTo}` };
  }
  if (!clientId) {
    return { ok: false, problem: `Set ${idName} in .env to ${idSetTo}` };
  }
  return { ok: true, config: { url, clientId } };
}

/** Reads the EXPO_PUBLIC_MEDPLUM_ variables. */
export function parseConfig(env: Env): ConfigResult {
  const read = readUrlAndClientId(
    env,
    ['EXPO_PUBLIC_MEDPLUM_BASE_URL', 'your Medplum server URL, e.g. https://api.medplum.com/'],
    ['EXPO_PUBLIC_MEDPLUM_CLIENT_ID', 'the ID of your ClientApplication (Project Admin > Clients).'],
  );
  if (!read.ok) {
    return read;
  }
  const { url, clientId } = read.config;
  return { ok: true, config: { baseUrl: url.endsWith('/') ? url : `${url}/`, clientId } };
}
