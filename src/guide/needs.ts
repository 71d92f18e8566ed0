/**
 * The answers some methods need beyond the common ones (methods.ts `needs`), and the
 * AccessPolicy of backend and device methods. One resolver per need: flag, else prompt, else
 * empty (left for .env) or an error naming the flag.
 */
import { resolve } from 'node:path';
import type { Flags } from '../cli/args.js';
import { UsageError } from '../errors.js';
import { shownValue } from '../scaffold/escape.js';
import { discover, IDP_PROVIDERS, idpFromPatterns, NO_IDP, PROVIDERS, plainHttpWarning, type IdpProvider, type IdpSettings } from './idp.js';
import { hasUi, METHOD_IDS, METHODS, type Method, type Need } from './methods.js';
import { buildPolicy, parseAllow, parseAllowIp, parseDeviceId, restrictToDevice, type AccessPolicy } from './policy.js';
import type { Prompter } from '../cli/prompts.js';
import type { GeneratedFile } from '../scaffold/render.js';

export interface NeedValues {
  readonly googleClientId: string;
  readonly idp: IdpSettings;
  readonly jwt: { readonly keyId: string; readonly privateKeyPath: string };
  readonly deviceId: string;
  readonly extraFiles: readonly GeneratedFile[];
}

interface NeedContext {
  readonly flags: Flags;
  readonly method: Method;
  readonly baseUrl: string;
  readonly cwd: string;
  readonly prompt: Prompter | undefined;
  readonly warn: (text: string) => void;
  /** The HTTP policy (http.ts), for OpenID discovery. */
  readonly http: typeof fetch;
}

/**
 * Which flags belong to which need (or to the access policy, or the UI), to refuse them elsewhere.
 * Built on each call (it is small, and checked once a run), so the tests that check flags run its entries.
 */
const flagOwners = (): readonly [keyof Flags, string, Need | 'policy' | 'ui'][] => [
  ['ui', '--ui', 'ui'],
  ['googleClientId', '--google-client-id', 'googleClientId'],
  ['idp', '--idp', 'idp'],
  ['idpIssuer', '--idp-issuer', 'idp'],
  ['idpDomain', '--idp-domain', 'idp'],
  ['idpClientId', '--idp-client-id', 'idp'],
  ['discover', '--discover', 'idp'],
  ['privateKeyPath', '--private-key-path', 'keyPair'],
  ['deviceId', '--device-id', 'deviceId'],
  ['allow', '--allow', 'policy'],
  ['allowIp', '--allow-ip', 'policy'],
];

/**
 * A flag given for a method that has no use for it, or one that only goes with --provision given
 * without it, is a usage error, not silently ignored.
 */
export function checkFlagsApply(flags: Flags, method: Method): void {
  for (const [key, flag, owner] of flagOwners()) {
    const value = flags[key];
    const given = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
    const appliesTo = (m: Method): boolean =>
      owner === 'policy'
        ? m.policy !== undefined
        : owner === 'ui'
          ? hasUi(m)
          : (m.needs ?? []).some((need) => need.replace('Optional', '') === owner);
    if (given && !appliesTo(method)) {
      const users = METHOD_IDS.filter((id) => appliesTo(METHODS[id])).join(', ');
      throw new UsageError(
        owner === 'ui' && method.app === 'user-facing'
          ? `${flag} is for the web starters; the Expo starter (--platform mobile) has one UI. Remove ${flag}.`
          : `${flag} does not apply to ${method.id}; ${owner === 'ui' ? `it only applies to user-facing methods (${users})` : `it is for ${users}`}.`,
      );
    }
  }
  if (!flags.provision) {
    const only = (
      [
        ['--admin-profile', flags.adminProfile !== undefined],
        ['--admin-client-id', flags.adminClientId !== undefined],
        ['--admin-client-secret', flags.adminClientSecret !== undefined],
        ['--jwks-uri', flags.jwksUri !== undefined],
        ['--secret-out', flags.secretOut !== undefined],
        ['--reveal-secret', flags.revealSecret],
        ['--idp-client-secret', flags.idpClientSecret !== undefined],
      ] as const
    ).filter(([, given]) => given);
    if (only.length > 0) {
      throw new UsageError(`${only.map(([flag]) => flag).join(', ')} only ${only.length === 1 ? 'goes' : 'go'} with --provision.`);
    }
  }
}

const RESOLVERS: Readonly<Record<Need, (ctx: NeedContext) => Promise<Partial<NeedValues>>>> = {
  googleClientId: async ({ flags, prompt, warn }) => {
    const googleClientId =
      flags.googleClientId ??
      (prompt ? await prompt.input({ message: 'Google OAuth client ID (empty: fill in .env later)', default: '' }) : '');
    if (googleClientId && !googleClientId.endsWith('.apps.googleusercontent.com')) {
      warn(`--google-client-id ${shownValue(googleClientId)} does not end in .apps.googleusercontent.com; check that it is the OAuth client ID.`);
    }
    return { googleClientId };
  },

  // Checked by resolvePolicy, which every device method has; empty: any Device (set it later in .env).
  deviceId: async ({ flags }) => ({ deviceId: flags.deviceId ?? '' }),

  idp: (ctx) => resolveIdp(ctx, true),
  idpOptional: (ctx) => resolveIdp(ctx, false),

  keyPair: async ({ flags, cwd }) => {
    // node:crypto is loaded only by the method that makes or reads a key.
    const { generateDeviceKey, loadDeviceKey, PRIVATE_KEY_FILE } = await import('./keys.js');
    if (flags.privateKeyPath !== undefined) {
      const privateKeyPath = resolve(cwd, flags.privateKeyPath);
      const key = await loadDeviceKey(privateKeyPath);
      return { jwt: { keyId: key.keyId, privateKeyPath }, extraFiles: [jwksFile(key.jwks)] };
    }
    const key = generateDeviceKey();
    return {
      jwt: { keyId: key.keyId, privateKeyPath: `./${PRIVATE_KEY_FILE}` },
      extraFiles: [
        jwksFile(key.jwks),
        { path: PRIVATE_KEY_FILE, content: Buffer.from(key.privateKeyPem as string), mode: 0o600 },
      ],
    };
  },
};

/** The IdP: --idp, else a prompt; endpoints by the provider's URL patterns, or --discover. */
async function resolveIdp(
  { flags, method, baseUrl, prompt, warn, http }: NeedContext,
  required: boolean,
): Promise<Partial<NeedValues>> {
  const provider: IdpProvider | undefined =
    flags.idp ??
    (prompt
      ? await prompt.select({
          message: 'Which identity provider?',
          choices: IDP_PROVIDERS.map((p) => ({ value: p, name: PROVIDERS[p].label })),
        })
      : undefined);
  if (!provider) {
    if (required) {
      throw new UsageError(`${method.id} needs --idp ${IDP_PROVIDERS.join('|')}, with --idp-domain or --idp-issuer.`);
    }
    return { idp: { ...NO_IDP, callbackUrl: `${baseUrl}auth/external` } };
  }
  const info = PROVIDERS[provider];
  let { idpIssuer: issuer, idpDomain: domain, idpClientId: clientId } = flags;
  if (prompt && issuer === undefined && domain === undefined) {
    const answer = info.domainHint
      ? await prompt.input({ message: `${info.label} domain (${info.domainHint}; empty: fill in later)`, default: '' })
      : await prompt.input({ message: 'Issuer URL (empty: fill in later)', default: '' });
    if (answer) {
      if (info.domainHint) {
        domain = answer;
      } else {
        issuer = answer;
      }
    }
  }
  if (prompt && clientId === undefined && method.app === 'user-facing') {
    clientId = await prompt.input({ message: `Client ID at ${info.label} (empty: fill in .env later)`, default: '' });
  }
  let settings = idpFromPatterns({ provider, issuer, domain, clientId, baseUrl });
  if (flags.idpEndpoints) {
    settings = { ...settings, ...flags.idpEndpoints };
  } else if (flags.discover) {
    settings = await discover(settings, http);
  } else if (!settings.authorizeUrl) {
    warn(
      `No endpoints for ${info.label} yet: pass ${info.domainHint ? '--idp-domain, ' : ''}--idp-issuer with --discover, or fill them in later (see the README).`,
    );
  }
  const plain = plainHttpWarning(settings);
  if (plain) {
    warn(plain);
  }
  return { idp: settings };
}

function jwksFile(jwks: unknown): GeneratedFile {
  return { path: 'jwks.json', content: Buffer.from(`${JSON.stringify(jwks, null, 2)}\n`), mode: 0o644 };
}

export async function resolveNeeds(ctx: NeedContext): Promise<NeedValues> {
  let values: NeedValues = {
    googleClientId: '',
    idp: NO_IDP,
    jwt: { keyId: '', privateKeyPath: '' },
    deviceId: '',
    extraFiles: [],
  };
  for (const need of ctx.method.needs ?? []) {
    const found = await RESOLVERS[need](ctx);
    values = { ...values, ...found, extraFiles: [...values.extraFiles, ...(found.extraFiles ?? [])] };
  }
  return values;
}

/** The method's AccessPolicy: its own needs, or --allow, narrowed to --device-id; IP rules from --allow-ip. */
export function resolvePolicy(flags: Flags, method: Method, projectName: string): AccessPolicy | null {
  if (!method.policy) {
    return null;
  }
  const allowed = flags.allow.length > 0 ? parseAllow(flags.allow) : method.policy.resources;
  const resources = flags.deviceId === undefined ? allowed : restrictToDevice(allowed, parseDeviceId(flags.deviceId));
  return buildPolicy(`${projectName} (${method.id})`, resources, flags.allowIp.map(parseAllowIp));
}
