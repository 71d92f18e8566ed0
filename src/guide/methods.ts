/**
 * One entry per auth method: what it is, which template layers make its starter, which env
 * vars it reads, where its secret may live, and what to do on the Medplum side.
 * Everything method-specific that is not a template lives here.
 */
import { PROVIDERS, type IdpSettings } from './idp.js';
import type { PolicyResource } from './policy.js';

/** The guide's first answer: what you are building. */
export const APPS = ['user-facing', 'backend', 'device'] as const;
export type App = (typeof APPS)[number];

export const METHOD_IDS = [
  'oauth-auth-code',
  'google-auth',
  'external-idp',
  'domain-idp',
  'client-credentials',
  'basic-auth',
  'token-exchange',
  'device-credentials',
  'jwt-assertion',
] as const;
export type MethodId = (typeof METHOD_IDS)[number];

/** Where a user-facing starter runs (--platform): a Vite web app, or an Expo app for iOS, Android and the web. */
export const PLATFORMS = ['web', 'mobile'] as const;
export type Platform = (typeof PLATFORMS)[number];
/**
 * The two UIs of a web starter (--ui): `medplum`, Medplum's own React components (SignInForm on
 * Mantine); `plain`, plain React on @medplum/react-hooks, for teams with their own design system.
 */
export const WEB_UIS = ['medplum', 'plain'] as const;
export type WebUi = (typeof WEB_UIS)[number];
export const DEFAULT_WEB_UI: WebUi = 'medplum';

/** How a web app gets its public settings: the bundler that inlines them, their names' prefix, the env file. */
export interface WebEnv {
  readonly bundler: 'Vite' | 'Next.js';
  readonly prefix: string;
  readonly file: string;
  /** Where the app runs in development: a redirect URI its ClientApplication needs. */
  readonly devServer: string;
}
/** The web starters are Vite apps; `add` also wires Next.js apps (src/add/kinds.ts). */
export const VITE_ENV: WebEnv = { bundler: 'Vite', prefix: 'VITE_', file: '.env', devServer: 'http://localhost:5173/' };
export const NEXT_ENV: WebEnv = { bundler: 'Next.js', prefix: 'NEXT_PUBLIC_', file: '.env.local', devServer: 'http://localhost:3000/' };
export const WEB_ENVS = [VITE_ENV, NEXT_ENV] as const;

/** A web method's variables in another bundler's dialect: VITE_MEDPLUM_BASE_URL becomes NEXT_PUBLIC_MEDPLUM_BASE_URL. */
export function inDialect(method: Method, webEnv: WebEnv): Method {
  if (webEnv === VITE_ENV) {
    return method;
  }
  return { ...method, env: method.env.map((v) => ({ ...v, name: v.name.replace(/^VITE_/, webEnv.prefix) })) };
}

/** The values a user gives, as they reach env files, READMEs and the checklist. */
export interface EnvInput {
  /** Absent or `web`: the web starter. */
  readonly platform?: Platform;
  /** The Expo app's URL scheme (--platform mobile), made from the project name by appScheme. */
  readonly appScheme?: string;
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly projectId: string;
  readonly googleClientId: string;
  readonly idp: IdpSettings;
  readonly jwt: { readonly keyId: string; readonly privateKeyPath: string };
  readonly deviceId: string;
}

export interface EnvVar {
  readonly name: string;
  /** Where the value comes from: the .env comment, the README table, the run-time error. */
  readonly where: string;
  readonly secret?: boolean;
  /** The code has a default or does without it: an empty value needs no filling in. */
  readonly optional?: boolean;
  /** The value written to .env; '' leaves it empty with `where` as a comment. */
  readonly value: (input: EnvInput) => string;
  /** The value in .env.example: a placeholder, never a real value. */
  readonly example: string;
  /**
   * How .env holds it: as a value (default), as a commented-out example, or not at all
   * (a secret that must never be on disk; the README still documents it).
   */
  readonly envFile?: 'value' | 'commented' | 'omitted';
}

/**
 * Where a client secret may live.
 * - `env-file`: in the project's .env (0600, gitignored).
 * - `runtime`: only injected at run time; never written, even when given.
 * - `{ refuse }`: the method has no client secret (or it would be public); giving one is an
 *   error that says why.
 */
export type SecretPolicy = 'env-file' | 'runtime' | { readonly refuse: string };

/**
 * Answers a method needs beyond the common ones; each is resolved by one step in needs.ts.
 * `idp` must be given (or asked); `idpOptional` may stay empty and be filled in later.
 */
export type Need = 'googleClientId' | 'idp' | 'idpOptional' | 'keyPair' | 'deviceId';

/** Text for the checklist: fixed, or built from the user's values. */
export type Text = string | ((input: EnvInput) => string);

/**
 * A checklist step. `--provision` does some steps itself: `afterProvision` is what is left of such a
 * step once it has run ('' when nothing is).
 */
export type Step = Text | { readonly text: Text; readonly afterProvision: Text };

/** A step that `--provision` does in full. */
const provisioned = (text: Text): Step => ({ text, afterProvision: '' });

export interface Method {
  readonly id: MethodId;
  readonly app: App;
  readonly title: string;
  /** When to choose it, in a few words: the --help method list. */
  readonly when: string;
  readonly summary: string;
  readonly docsUrl: string;
  /**
   * Template layers under templates/, applied in order: the kind (`web`, `node`), layers shared by
   * some methods (`web-projects`: the plain UI's sign-in steps, MFA and the profile chooser;
   * `http-api`: listening safely, HOST and API_KEY; `agent`: the device's reading loop and its main.ts,
   * which takes the method's config.ts and login.ts; `sign-in`: the one-line sign-in failure;
   * `client-secret`: the client credentials grant), then the method's own. A web method has one list
   * per UI. A layer may also be one file of a directory (`web/vite.config.ts`).
   */
  readonly layers: readonly string[] | Readonly<Record<WebUi, readonly string[]>>;
  readonly secret: SecretPolicy;
  readonly env: readonly EnvVar[];
  /** The package.json script that runs the starter. */
  readonly runScript: 'dev' | 'start';
  /** What to do in Medplum before the first run, printed at the end and written in the README. */
  readonly checklist: readonly Step[];
  readonly needs?: readonly Need[];
  /** The AccessPolicy written as access-policy.json: the starter's own needs, and whose membership gets it. */
  readonly policy?: { readonly attachTo: 'client' | 'users'; readonly resources: readonly PolicyResource[] };
  /** The redirect URI of the user-facing starter's dev server, which `check` looks for (default: Vite's, http://localhost:5173/). */
  readonly devRedirectUri?: string;
  /** The Expo starter (--platform mobile), for the user-facing methods that have one: what differs from the web one. */
  readonly mobile?: Pick<Method, 'summary' | 'layers' | 'secret' | 'env' | 'runScript' | 'checklist' | 'devRedirectUri'>;
}

const CLIENTS_PAGE = 'in the Medplum app, Project Admin > Clients';

const baseUrlVar = (name: string): EnvVar => ({
  name,
  where: 'the Medplum server URL, with a trailing slash (hosted Medplum: https://api.medplum.com/)',
  value: (input) => input.baseUrl,
  example: 'https://api.medplum.com/',
});

const clientIdVar = (name: string): EnvVar => ({
  name,
  where: `the ID of your ClientApplication, ${CLIENTS_PAGE}`,
  value: (input) => input.clientId,
  example: 'your-client-application-id',
});

const clientSecretVar: EnvVar = {
  name: 'MEDPLUM_CLIENT_SECRET',
  where: `the secret of your ClientApplication, ${CLIENTS_PAGE}`,
  secret: true,
  value: (input) => input.clientSecret ?? '',
  example: 'your-client-secret',
};

const constant = (value: string) => () => value;

/** An answer the starter does without: left empty in .env until the user has one. */
const optionalVar = (name: string, where: string, value: EnvVar['value']): EnvVar => ({ name, where: `optional: ${where}`, optional: true, value, example: '' });

const projectIdVar = optionalVar(
  'VITE_MEDPLUM_PROJECT_ID',
  'the project to sign in to, for users who belong to several (Project Admin > Details)',
  (input) => input.projectId,
);

/** What every Node starter reads. */
const SERVER_ENV: readonly EnvVar[] = [baseUrlVar('MEDPLUM_BASE_URL'), clientIdVar('MEDPLUM_CLIENT_ID')];

/** What every web starter reads. */
const WEB_ENV: readonly EnvVar[] = [baseUrlVar('VITE_MEDPLUM_BASE_URL'), clientIdVar('VITE_MEDPLUM_CLIENT_ID'), projectIdVar];

/**
 * The medplum UI: the build files of the plain `web` layer (not its app), Medplum's React components
 * in `web-medplum`, then the method's own overlay, if it needs one.
 */
const medplumLayers = (...overlay: string[]): readonly string[] => [
  'web/index.html.hbs',
  'web/tsconfig.json',
  'web/vite.config.ts',
  'web-medplum',
  ...overlay,
];

const BROWSER_SECRET = {
  refuse: 'runs in the browser, where any secret is public. Remove --client-secret: the browser signs in with PKCE instead.',
};

const CREATE_CLIENT = provisioned(`Create a ClientApplication ${CLIENTS_PAGE}.`);
const REDIRECT_URIS = provisioned('Add http://localhost:5173/ (dev) and http://localhost:4173/ (preview) to its Redirect URIs.');
const ATTACH_POLICY = provisioned("Create the AccessPolicy in access-policy.json and attach it to the client's ProjectMembership.");

/** The backend starters whose secret is in .env. */
const SECRET_IN_ENV_STEPS: readonly Step[] = [CREATE_CLIENT, ATTACH_POLICY, provisioned('Put its ID and secret in .env as MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.')];

const WEB_CLIENT_STEPS: readonly Step[] = [CREATE_CLIENT, REDIRECT_URIS, provisioned('Put its ID in .env as VITE_MEDPLUM_CLIENT_ID.')];

/** What the Expo starter reads; Expo inlines EXPO_PUBLIC_ variables into the app, so none may be a secret. */
const MOBILE_ENV: readonly EnvVar[] = [baseUrlVar('EXPO_PUBLIC_MEDPLUM_BASE_URL'), clientIdVar('EXPO_PUBLIC_MEDPLUM_CLIENT_ID')];

/**
 * The app's URL scheme (app.json `scheme`), from the package name: a scheme is a letter, then letters,
 * digits, `+`, `-` and `.` (RFC 3986), so underscores become hyphens.
 */
export const appScheme = (projectName: string): string => projectName.replace(/^@[^/]*\//, '').replaceAll('_', '-').replace(/^[^a-z]+/, '') || 'medplum-app';

/** Expo's dev server for the web target (`expo start --web`). */
const EXPO_WEB = 'http://localhost:8081';

/** The Expo starter's redirect URIs: the app's scheme on a phone, Expo's dev server on the web. */
const MOBILE_REDIRECT_URIS = provisioned((input) => `Add ${input.appScheme ?? 'your-app'}:// (the app) and ${EXPO_WEB} (Expo web) to its Redirect URIs.`);

/**
 * A method's Expo starter: the `mobile` layer and the method's own, the app's EXPO_PUBLIC_ variables, and
 * the mobile ClientApplication's steps among the method's own: `before` it, on it (`client`), `after` it.
 */
function mobileStarter(options: {
  readonly summary: string;
  readonly layers: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly before?: readonly Step[];
  readonly client?: readonly Step[];
  readonly after?: readonly Step[];
}): NonNullable<Method['mobile']> {
  return {
    summary: options.summary,
    layers: ['mobile', ...options.layers],
    secret: { refuse: 'ships inside the app, where any secret can be read out of it. Remove --client-secret: the app signs in with PKCE instead.' },
    env: [...MOBILE_ENV, ...(options.env ?? [])],
    runScript: 'start',
    devRedirectUri: EXPO_WEB,
    checklist: [
      ...(options.before ?? []),
      CREATE_CLIENT,
      ...(options.client ?? []),
      MOBILE_REDIRECT_URIS,
      provisioned('Put its ID in .env as EXPO_PUBLIC_MEDPLUM_CLIENT_ID.'),
      ...(options.after ?? []),
    ],
  };
}

/** A Google OAuth client ID of the Expo starter, one per platform; --google-client-id fills in the web one. */
const googleClientIdVar = (platform: 'WEB' | 'IOS' | 'ANDROID', where: string, value: EnvVar['value'] = constant('')): EnvVar => ({
  name: `EXPO_PUBLIC_GOOGLE_${platform}_CLIENT_ID`,
  where,
  optional: platform !== 'WEB',
  value,
  example: platform === 'WEB' ? 'your-google-client-id.apps.googleusercontent.com' : '',
});

/** What the backend starters do: search Patients, nothing else. */
const SEARCH_PATIENTS: readonly PolicyResource[] = [{ resourceType: 'Patient', interaction: ['search'] }];
const DEVICE_NEEDS: readonly PolicyResource[] = [
  { resourceType: 'Observation', interaction: ['create'] },
  { resourceType: 'Device', interaction: ['read'] },
];

const idpLabel = (input: EnvInput): string => (input.idp.provider ? PROVIDERS[input.idp.provider].label : 'your identity provider');
const orPlaceholder = (value: string, placeholder: string): string => value || placeholder;

/** external-idp: the IdP's authorize endpoint and the app's client ID there, as the web (VITE_) or Expo (EXPO_PUBLIC_) app reads them. */
const idpVars = (prefix: 'VITE_' | 'EXPO_PUBLIC_'): readonly EnvVar[] => [
  {
    name: `${prefix}IDP_AUTHORIZE_URL`,
    where: "your identity provider's authorize endpoint (from its OpenID discovery document)",
    value: (input) => input.idp.authorizeUrl,
    example: 'https://your-idp.example.com/authorize',
  },
  {
    name: `${prefix}IDP_CLIENT_ID`,
    where: "this app's client ID at your identity provider",
    value: (input) => input.idp.clientId,
    example: 'your-idp-client-id',
  },
];

const IDP_CALLBACK_STEP: Step = (input) => `At ${idpLabel(input)}, register ${input.idp.callbackUrl} as the app's callback (redirect) URL.`;
const IDENTITY_PROVIDER_STEP = provisioned(
  (input) =>
    `Set its identityProvider to ${JSON.stringify(identityProviderFields(input))}, then replace the clientSecret placeholder with the client secret from ${idpLabel(input)}, in the Medplum app only (Project Admin > Clients > your client).`,
);

/** domain-idp: the domain's identity provider, set up by a super admin, and its callback. */
const DOMAIN_STEPS: readonly Step[] = [
  (input) =>
    `Create a DomainConfiguration for your email domain with identityProvider ${JSON.stringify(identityProviderFields(input))}, replacing the clientSecret placeholder with the client secret from ${idpLabel(input)} (a super admin's step, which --provision cannot do as a project admin; an enterprise plan on hosted Medplum).`,
  (input) => `At ${idpLabel(input)}, register ${input.baseUrl}auth/external as the callback (redirect) URL.`,
];

/**
 * The exact `identityProvider` object to set in Medplum, with placeholders for what is not known yet.
 * `usePkce` stays false: Medplum redeems the IdP's code itself, with the app's challenge as the
 * verifier, so PKCE toward the IdP cannot match; the app's own S256 challenge travels in `state`.
 */
export function identityProviderFields(input: EnvInput): Record<string, string | boolean> {
  return {
    authorizeUrl: orPlaceholder(input.idp.authorizeUrl, '<authorize URL>'),
    tokenUrl: orPlaceholder(input.idp.tokenUrl, '<token URL>'),
    userInfoUrl: orPlaceholder(input.idp.userInfoUrl, '<userinfo URL>'),
    clientId: orPlaceholder(input.idp.clientId, '<client ID at the IdP>'),
    clientSecret: IDP_SECRET_PLACEHOLDER,
    usePkce: false,
  };
}

/** Where the IdP's client secret goes: typed into Medplum by hand, never into a file of ours. */
export const IDP_SECRET_PLACEHOLDER = '<PASTE the client secret from your IdP here, in the Medplum app only>';

/** What token exchange never uses but Medplum 5.1 requires in identityProvider (clientSecret, and clientId when not given). */
export const UNUSED_BY_EXCHANGE = 'unused-by-token-exchange';

/**
 * token-exchange's `identityProvider`. The exchange calls only `userInfoUrl`; `full` adds every field
 * Medplum 5.1 requires (see src/medplum/server.ts), filling those the exchange never uses with UNUSED_BY_EXCHANGE.
 * Without `full`, only what is known is sent.
 */
export function exchangeIdentityProvider(idp: Pick<IdpSettings, 'authorizeUrl' | 'tokenUrl' | 'userInfoUrl' | 'clientId'>, full: boolean): Record<string, string> {
  const known = { authorizeUrl: idp.authorizeUrl, tokenUrl: idp.tokenUrl, userInfoUrl: idp.userInfoUrl, clientId: idp.clientId };
  return full
    ? { ...known, clientId: idp.clientId || UNUSED_BY_EXCHANGE, clientSecret: UNUSED_BY_EXCHANGE }
    : Object.fromEntries(Object.entries(known).filter(([, value]) => value !== ''));
}

/** What the HTTP starters read to listen: PORT, HOST, and API_KEY, which HOST beyond loopback requires. */
const HTTP_API_ENV = (apiKeyHeader: string): readonly EnvVar[] => [
  {
    name: 'PORT',
    where: 'optional: the port the API listens on',
    optional: true,
    value: constant('3000'),
    example: '3000',
  },
  {
    name: 'HOST',
    where: 'optional: the address the API listens on; anything but loopback (127.0.0.1, ::1, localhost) needs API_KEY',
    optional: true,
    value: constant('127.0.0.1'),
    example: '127.0.0.1',
  },
  {
    name: 'API_KEY',
    where: `optional, required when HOST is not loopback: at least 32 characters (openssl rand -hex 32) that every caller sends as ${apiKeyHeader}`,
    secret: true,
    optional: true,
    value: constant(''),
    example: '',
  },
];

const readingIntervalVar: EnvVar = {
  name: 'READING_INTERVAL_SECONDS',
  where: 'optional: seconds between two readings',
  optional: true,
  value: constant('60'),
  example: '60',
};

const deviceIdVar = optionalVar(
  'MEDPLUM_DEVICE_ID',
  "the id of this device's Device resource, referenced by each Observation (--device-id also limits the AccessPolicy to it)",
  (input) => input.deviceId,
);

export const METHODS: Readonly<Record<MethodId, Method>> = {
  'oauth-auth-code': {
    id: 'oauth-auth-code',
    when: 'a web or mobile app where users sign in with Medplum (start here)',
    app: 'user-facing',
    title: 'OAuth authorization code (Medplum as identity provider)',
    summary: 'A Vite + React app whose users sign in with their Medplum account, with PKCE.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/oauth-auth-code',
    layers: { plain: ['web', 'web-projects', 'oauth-auth-code'], medplum: medplumLayers() },
    secret: BROWSER_SECRET,
    env: WEB_ENV,
    runScript: 'dev',
    checklist: [...WEB_CLIENT_STEPS, provisioned('Keep "PKCE optional" off. Never give a browser app a client secret.')],
    mobile: mobileStarter({
      summary:
        'An Expo (React Native) app for iOS, Android and the web: email and password sign-in with MFA, or Medplum\'s sign-in page in the system browser, both with PKCE; tokens in the secure store.',
      layers: ['mobile-password', 'oauth-auth-code-mobile'],
      after: [provisioned('Keep "PKCE optional" off. Never give a mobile app a client secret.')],
    }),
  },
  'google-auth': {
    id: 'google-auth',
    when: 'a consumer app whose users sign in with Google',
    app: 'user-facing',
    title: 'Google authentication',
    summary: 'A Vite + React app with the Google sign-in button; Medplum turns the Google credential into a session.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/google-auth',
    layers: { plain: ['web', 'web-projects', 'google-auth'], medplum: medplumLayers() },
    secret: BROWSER_SECRET,
    needs: ['googleClientId'],
    env: [
      ...WEB_ENV,
      {
        name: 'VITE_GOOGLE_CLIENT_ID',
        where: 'the OAuth client ID from Google Cloud Console (APIs & Services > Credentials), ending in .apps.googleusercontent.com',
        value: (input) => input.googleClientId,
        example: 'your-google-client-id.apps.googleusercontent.com',
      },
    ],
    runScript: 'dev',
    checklist: [
      'In Google Cloud Console, create an OAuth client ID (Web application) with Authorized JavaScript origins http://localhost:5173 and http://localhost:4173.',
      (input) =>
        `Set the same Google client ID (${orPlaceholder(input.googleClientId, 'VITE_GOOGLE_CLIENT_ID')}) on the Medplum project: Project Admin > Sites, Google Client ID.`,
      ...WEB_CLIENT_STEPS,
    ],
    mobile: mobileStarter({
      summary:
        "An Expo (React Native) app for iOS, Android and the web: Google's page in the system browser (expo-auth-session), whose ID token Medplum's auth/google checks, or email and password; PKCE; tokens in the secure store.",
      layers: ['mobile-password', 'google-auth-mobile'],
      env: [
        googleClientIdVar('WEB', 'the OAuth client ID (Web application) from Google Cloud Console, for the web target', (input) => input.googleClientId),
        googleClientIdVar('IOS', 'optional: the OAuth client ID (iOS) from Google Cloud Console, for the iOS app'),
        googleClientIdVar('ANDROID', 'optional: the OAuth client ID (Android) from Google Cloud Console, for the Android app'),
      ],
      before: [
        `In Google Cloud Console, create an OAuth client ID per platform: Web application (Authorized JavaScript origin and redirect URI ${EXPO_WEB}), iOS (your bundle ID), Android (your package name and signing certificate).`,
        (input) =>
          `Add each Google client ID (${orPlaceholder(input.googleClientId, 'EXPO_PUBLIC_GOOGLE_WEB_CLIENT_ID')}, and the iOS and Android ones) to the Medplum project: Project Admin > Sites, one site per client ID.`,
      ],
    }),
  },
  'external-idp': {
    id: 'external-idp',
    when: 'enterprise SSO: Auth0, Okta, Entra ID, Cognito, any OIDC (also Firebase migration)',
    app: 'user-facing',
    title: 'External identity provider (enterprise SSO)',
    summary: 'A Vite + React app that signs users in at your IdP (Auth0, Okta, Entra ID, Cognito, any OIDC); Medplum federates.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/external-identity-providers',
    layers: { plain: ['web', 'external-idp'], medplum: medplumLayers('external-idp-medplum') },
    secret: BROWSER_SECRET,
    needs: ['idp'],
    env: [
      ...WEB_ENV,
      ...idpVars('VITE_'),
    ],
    runScript: 'dev',
    checklist: [IDP_CALLBACK_STEP, CREATE_CLIENT, IDENTITY_PROVIDER_STEP, REDIRECT_URIS, provisioned('Put its ID in .env as VITE_MEDPLUM_CLIENT_ID.')],
    mobile: mobileStarter({
      summary:
        "An Expo (React Native) app for iOS, Android and the web: your IdP's page in the system browser (expo-web-browser), back through Medplum's auth/external to the app, with PKCE; tokens in the secure store.",
      layers: ['mobile-sso', 'external-idp/src/providerName.ts', 'external-idp/src/providerName.test.ts', 'external-idp-mobile'],
      env: idpVars('EXPO_PUBLIC_'),
      before: [IDP_CALLBACK_STEP],
      client: [IDENTITY_PROVIDER_STEP],
    }),
  },
  'domain-idp': {
    id: 'domain-idp',
    when: 'domain-wide SSO: an email domain must use its own IdP',
    app: 'user-facing',
    title: 'Domain-level identity provider (domain-wide SSO)',
    summary: "A Vite + React app that asks for the email first and sends users of an SSO domain to their domain's IdP.",
    docsUrl: 'https://www.medplum.com/docs/auth/methods/domain-level-identity-providers',
    layers: { plain: ['web', 'web-projects', 'domain-idp'], medplum: medplumLayers() },
    secret: BROWSER_SECRET,
    needs: ['idpOptional'],
    env: WEB_ENV,
    runScript: 'dev',
    checklist: [...DOMAIN_STEPS, ...WEB_CLIENT_STEPS],
    mobile: mobileStarter({
      summary:
        "An Expo (React Native) app for iOS, Android and the web that asks for the email first: SSO domains sign in at their IdP in the system browser, back through Medplum's auth/external; everyone else with a password and MFA; PKCE; tokens in the secure store.",
      layers: ['mobile-password', 'mobile-sso', 'domain-idp-mobile'],
      before: DOMAIN_STEPS,
    }),
  },
  'client-credentials': {
    id: 'client-credentials',
    when: 'a long-running backend, API or proxy (recommended server auth)',
    app: 'backend',
    title: 'Client credentials (OAuth2, server to server)',
    summary: 'A Node HTTP API that signs in with its client ID and secret and renews its token by itself.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/client-credentials',
    layers: ['node', 'http-api', 'sign-in', 'client-secret', 'client-credentials'],
    secret: 'env-file',
    env: [...SERVER_ENV, clientSecretVar, ...HTTP_API_ENV('Authorization: Bearer <API_KEY>')],
    runScript: 'start',
    policy: { attachTo: 'client', resources: SEARCH_PATIENTS },
    checklist: SECRET_IN_ENV_STEPS,
  },
  'basic-auth': {
    id: 'basic-auth',
    when: 'a stateless function: serverless, webhook consumer, edge',
    app: 'backend',
    title: 'HTTP Basic authentication (stateless)',
    summary: 'A stateless handler that sends the client ID and secret as HTTP Basic on each FHIR request.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/basic-auth',
    layers: ['node', 'basic-auth'],
    secret: 'env-file',
    env: [...SERVER_ENV, clientSecretVar],
    runScript: 'start',
    policy: { attachTo: 'client', resources: SEARCH_PATIENTS },
    checklist: SECRET_IN_ENV_STEPS,
  },
  'token-exchange': {
    id: 'token-exchange',
    when: "a backend that receives users' tokens from an IdP you already have",
    app: 'backend',
    title: 'Token exchange (your IdP\'s tokens for Medplum tokens)',
    summary: "A Node API that accepts your existing IdP's access tokens and exchanges each for a Medplum token, per user.",
    docsUrl: 'https://www.medplum.com/docs/auth/methods/token-exchange',
    layers: ['node', 'http-api', 'token-exchange'],
    secret: { refuse: 'exchanges the users\' own IdP tokens and has no client secret. Remove --client-secret.' },
    needs: ['idpOptional'],
    env: [...SERVER_ENV, ...HTTP_API_ENV('X-API-Key: <API_KEY>')],
    runScript: 'start',
    policy: { attachTo: 'users', resources: SEARCH_PATIENTS },
    checklist: [
      CREATE_CLIENT,
      provisioned((input) => {
        const fields = exchangeIdentityProvider(
          {
            authorizeUrl: orPlaceholder(input.idp.authorizeUrl, '<authorize URL>'),
            tokenUrl: orPlaceholder(input.idp.tokenUrl, '<token URL>'),
            userInfoUrl: orPlaceholder(input.idp.userInfoUrl, '<userinfo URL>'),
            clientId: input.idp.clientId,
          },
          true,
        );
        return `Set its identityProvider to ${JSON.stringify(fields)} (Medplum 5.1 requires clientSecret, which the exchange never uses; add "useSubject": true if users are not matched by email).`;
      }),
      "Invite each user to the project, and give their ProjectMemberships the AccessPolicy in access-policy.json.",
      provisioned('Put its ID in .env as MEDPLUM_CLIENT_ID.'),
    ],
  },
  'device-credentials': {
    id: 'device-credentials',
    when: 'a device or automation with a secret injected at run time',
    app: 'device',
    title: 'Device credentials (client credentials, least privilege)',
    summary: 'A device agent that posts Observations with a restricted client whose secret is injected at run time.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/client-credentials',
    layers: ['node', 'agent', 'sign-in', 'client-secret', 'device-credentials'],
    secret: 'runtime',
    needs: ['deviceId'],
    env: [
      ...SERVER_ENV,
      {
        ...clientSecretVar,
        where: 'injected at run time only, never stored in the project: set it in the environment',
        envFile: 'omitted',
      },
      {
        name: 'MEDPLUM_CLIENT_SECRET_FILE',
        where: 'or: a file that holds the secret (Docker or Kubernetes secret, systemd credential)',
        value: constant('/run/secrets/medplum-client-secret'),
        example: '/run/secrets/medplum-client-secret',
        envFile: 'commented',
      },
      readingIntervalVar,
      deviceIdVar,
    ],
    runScript: 'start',
    policy: { attachTo: 'client', resources: DEVICE_NEEDS },
    checklist: [
      CREATE_CLIENT,
      ATTACH_POLICY,
      'Restrict the policy to your device network with ipAccessRule entries (--allow-ip).',
      {
        text: 'Put its ID in .env as MEDPLUM_CLIENT_ID; inject the secret at run time (MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE).',
        afterProvision: 'Inject the secret that --provision handed over at run time (MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE); keep it off the device\'s disk.',
      },
    ],
  },
  'jwt-assertion': {
    id: 'jwt-assertion',
    when: 'a device that holds a private key: no shared secret at all',
    app: 'device',
    title: 'Private-key JWT (client assertion, no shared secret)',
    summary: 'A device agent that signs a short-lived JWT with its own private key for each login; Medplum checks it against your JWKS.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/client-credentials',
    layers: ['node', 'agent', 'sign-in', 'jwt-assertion'],
    secret: { refuse: 'signs in with a private key and has no client secret. Remove --client-secret.' },
    needs: ['keyPair', 'deviceId'],
    env: [
      ...SERVER_ENV,
      { name: 'MEDPLUM_PRIVATE_KEY_PATH', where: "the device's private key (PEM, mode 600, never committed); its public half is in jwks.json", value: (input) => input.jwt.privateKeyPath, example: './medplum-device-key.pem' },
      { name: 'MEDPLUM_KEY_ID', where: 'the kid of that key in jwks.json', value: (input) => input.jwt.keyId, example: 'your-key-id' },
      readingIntervalVar,
      deviceIdVar,
    ],
    runScript: 'start',
    policy: { attachTo: 'client', resources: DEVICE_NEEDS },
    checklist: [
      { text: 'Host jwks.json at an HTTPS URL that Medplum can reach.', afterProvision: 'Host jwks.json at the --jwks-uri URL, where Medplum will fetch it.' },
      provisioned(`Create a ClientApplication ${CLIENTS_PAGE}, with its JWK Set URL (jwksUri) set to that URL.`),
      ATTACH_POLICY,
      provisioned('Put its ID in .env as MEDPLUM_CLIENT_ID. The private key stays on the device.'),
    ],
  },
};

/** The method as it is built for `platform`: its Expo starter for `mobile`. */
export function forPlatform(method: Method, platform: Platform | undefined): Method {
  return platform === 'mobile' && method.mobile ? { ...method, ...method.mobile } : method;
}

/** Whether the method's starter has a UI, and so takes --ui. */
export function hasUi(method: Method): boolean {
  return !isLayerList(method.layers);
}

/** The method's template layers; `ui` matters only for the web methods. */
export function layersFor(method: Method, ui: WebUi | undefined): readonly string[] {
  const { layers } = method;
  return isLayerList(layers) ? layers : layers[ui ?? DEFAULT_WEB_UI];
}

function isLayerList(layers: Method['layers']): layers is readonly string[] {
  return Array.isArray(layers);
}

export function isMethodId(value: string): value is MethodId {
  return (METHOD_IDS as readonly string[]).includes(value);
}
