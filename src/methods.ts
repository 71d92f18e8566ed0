/**
 * One entry per auth method: what it is, which template layers make its starter, which env
 * vars it reads, where its secret may live, and what to do on the Medplum side.
 * Everything method-specific that is not a template lives here.
 */
import type { App } from './guide.js';

export const METHOD_IDS = ['oauth-auth-code', 'client-credentials', 'basic-auth', 'device-credentials'] as const;
export type MethodId = (typeof METHOD_IDS)[number];

/** The values a user gives, as they reach the env files. */
export interface EnvInput {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly projectId: string;
}

export interface EnvVar {
  readonly name: string;
  /** Where the value comes from: the .env comment, the README table, the run-time error. */
  readonly where: string;
  readonly secret?: boolean;
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
 * - `never`: the code runs where a secret would be public; giving one is an error.
 */
export type SecretPolicy = 'env-file' | 'runtime' | 'never';

export interface Method {
  readonly id: MethodId;
  readonly app: App;
  readonly title: string;
  readonly summary: string;
  readonly docsUrl: string;
  /** Template layers under templates/, applied in order. */
  readonly layers: readonly string[];
  readonly secret: SecretPolicy;
  readonly env: readonly EnvVar[];
  /** The package.json script that runs the starter. */
  readonly runScript: 'dev' | 'start';
  /** What to do in Medplum before the first run, printed at the end and written in the README. */
  readonly checklist: readonly string[];
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

export const METHODS: Readonly<Record<MethodId, Method>> = {
  'oauth-auth-code': {
    id: 'oauth-auth-code',
    app: 'user-facing',
    title: 'OAuth authorization code (Medplum as identity provider)',
    summary: 'A Vite + React app: email and password sign-in, or "Sign in with Medplum", both with PKCE.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/oauth-auth-code',
    layers: ['web', 'oauth-auth-code'],
    secret: 'never',
    env: [
      baseUrlVar('VITE_MEDPLUM_BASE_URL'),
      clientIdVar('VITE_MEDPLUM_CLIENT_ID'),
      {
        name: 'VITE_MEDPLUM_PROJECT_ID',
        where: 'optional: the project to sign in to, for users who belong to several (Project Admin > Details)',
        value: (input) => input.projectId,
        example: '',
      },
    ],
    runScript: 'dev',
    checklist: [
      `Create a ClientApplication ${CLIENTS_PAGE}.`,
      'Add http://localhost:5173/ (dev) and http://localhost:4173/ (preview) to its Redirect URIs.',
      'Keep "PKCE optional" off. Never give a browser app a client secret.',
      'Put its ID in .env as VITE_MEDPLUM_CLIENT_ID.',
    ],
  },
  'client-credentials': {
    id: 'client-credentials',
    app: 'backend',
    title: 'Client credentials (OAuth2, server to server)',
    summary: 'A Node HTTP API that signs in with its client ID and secret and renews its token by itself.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/client-credentials',
    layers: ['node', 'client-credentials'],
    secret: 'env-file',
    env: [
      baseUrlVar('MEDPLUM_BASE_URL'),
      clientIdVar('MEDPLUM_CLIENT_ID'),
      clientSecretVar,
      { name: 'PORT', where: 'optional: the port the API listens on', value: constant('3000'), example: '3000' },
    ],
    runScript: 'start',
    checklist: [
      `Create a ClientApplication ${CLIENTS_PAGE}.`,
      'Give its ProjectMembership an AccessPolicy with only the resources this service needs.',
      'Put its ID and secret in .env as MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.',
    ],
  },
  'basic-auth': {
    id: 'basic-auth',
    app: 'backend',
    title: 'HTTP Basic authentication (stateless)',
    summary: 'A stateless handler that sends the client ID and secret as HTTP Basic on each FHIR request.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/basic-auth',
    layers: ['node', 'basic-auth'],
    secret: 'env-file',
    env: [baseUrlVar('MEDPLUM_BASE_URL'), clientIdVar('MEDPLUM_CLIENT_ID'), clientSecretVar],
    runScript: 'start',
    checklist: [
      `Create a ClientApplication ${CLIENTS_PAGE}.`,
      'Give its ProjectMembership an AccessPolicy with only the resources this handler reads.',
      'Put its ID and secret in .env as MEDPLUM_CLIENT_ID and MEDPLUM_CLIENT_SECRET.',
    ],
  },
  'device-credentials': {
    id: 'device-credentials',
    app: 'device',
    title: 'Device credentials (client credentials, least privilege)',
    summary: 'A device agent that posts Observations with a restricted client whose secret is injected at run time.',
    docsUrl: 'https://www.medplum.com/docs/auth/methods/client-credentials',
    layers: ['node', 'device-credentials'],
    secret: 'runtime',
    env: [
      baseUrlVar('MEDPLUM_BASE_URL'),
      clientIdVar('MEDPLUM_CLIENT_ID'),
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
      {
        name: 'READING_INTERVAL_SECONDS',
        where: 'optional: seconds between two readings',
        value: constant('60'),
        example: '60',
      },
      {
        name: 'MEDPLUM_DEVICE_ID',
        where: 'optional: the id of this device\'s Device resource, referenced by each Observation',
        value: constant(''),
        example: '',
      },
    ],
    runScript: 'start',
    checklist: [
      `Create a ClientApplication ${CLIENTS_PAGE}.`,
      'Create the AccessPolicy in access-policy.json and attach it to the client\'s ProjectMembership.',
      'Restrict the policy to your device network with ipAccessRule entries.',
      'Put its ID in .env as MEDPLUM_CLIENT_ID; inject the secret at run time (MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE).',
    ],
  },
};

export function isMethodId(value: string): value is MethodId {
  return (METHOD_IDS as readonly string[]).includes(value);
}
