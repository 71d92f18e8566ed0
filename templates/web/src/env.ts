// The app's settings come from .env. Vite copies every VITE_* variable into the JavaScript bundle,
// so all of them are public: anyone who loads the app can read them. Never put a secret here.

/** `howTo`: where to get the value, for the line shown when it is missing (none: optional); `url`: http(s) only. */
export type Variable = { readonly name: string; readonly howTo?: string; readonly url?: boolean };

export const MEDPLUM_VARIABLES = {
  baseUrl: { name: 'VITE_MEDPLUM_BASE_URL', howTo: "put your Medplum server's URL (e.g. https://api.medplum.com/)", url: true },
  clientId: { name: 'VITE_MEDPLUM_CLIENT_ID', howTo: 'create a ClientApplication in the Medplum app (Project Admin > Clients), put its ID' },
  /** Optional, and then the ClientApplication's own project: Medplum refuses any other. */
  projectId: { name: 'VITE_MEDPLUM_PROJECT_ID' },
} as const;

type Env = Readonly<Record<string, unknown>>;
export type Values<V> = { readonly [K in keyof V]: V[K] extends { readonly howTo: string } ? string : string | undefined };

/** The values, or one line naming the first variable to fix and how. Never throws. */
export function readEnv<V extends Record<string, Variable>>(env: Env, variables: V): { config: Values<V> } | { problem: string } {
  const config: Record<string, string | undefined> = {};
  for (const [key, { name, howTo, url }] of Object.entries(variables)) {
    const raw = env[name];
    const value = typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : undefined; // .env files often hold `NAME=`
    if (value === undefined && howTo) {
      return { problem: `Missing ${name}: ${howTo} in .env, then restart the dev server` };
    }
    if (value !== undefined && url && !(URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))) {
      return { problem: `Invalid ${name} "${value}": it must be an http(s) URL; fix it in .env, then restart the dev server` };
    }
    config[key] = value;
  }
  return { config: config as Values<V> };
}
