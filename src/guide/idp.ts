/**
 * External identity providers: their known URL patterns, and OpenID discovery.
 * What a Medplum ClientApplication (or DomainConfiguration) needs in `identityProvider`.
 */
import { CliError, Interrupted, UsageError } from '../errors.js';
import { shownValue } from '../scaffold/escape.js';
import { isLoopbackHost } from './validate.js';

export const IDP_PROVIDERS = ['auth0', 'okta', 'entra-id', 'cognito', 'oidc'] as const;
export type IdpProvider = (typeof IDP_PROVIDERS)[number];

export interface IdpEndpoints {
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly userInfoUrl: string;
}

export interface IdpSettings extends IdpEndpoints {
  readonly provider: IdpProvider | '';
  readonly clientId: string;
  /** Where the IdP sends users back: Medplum's own callback, `{baseUrl}auth/external`. */
  readonly callbackUrl: string;
}

export const NO_IDP: IdpSettings = {
  provider: '',
  issuer: '',
  authorizeUrl: '',
  tokenUrl: '',
  userInfoUrl: '',
  clientId: '',
  callbackUrl: '',
};

interface ProviderInfo {
  readonly label: string;
  /** What `--idp-domain` is for this provider, for help and errors. */
  readonly domainHint?: string;
  readonly issuerFromDomain?: (domain: string) => string;
  /** Endpoints from the issuer, as the provider documents them; absent where no pattern holds. */
  readonly endpoints?: (issuer: string, domain: string | undefined) => Omit<IdpEndpoints, 'issuer'>;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

export const PROVIDERS: Readonly<Record<IdpProvider, ProviderInfo>> = {
  auth0: {
    label: 'Auth0',
    domainHint: 'your tenant domain, e.g. example.us.auth0.com',
    issuerFromDomain: (domain) => `https://${domain}/`,
    endpoints: (issuer) => ({
      authorizeUrl: `${trimSlash(issuer)}/authorize`,
      tokenUrl: `${trimSlash(issuer)}/oauth/token`,
      userInfoUrl: `${trimSlash(issuer)}/userinfo`,
    }),
  },
  okta: {
    label: 'Okta',
    domainHint: 'your Okta domain, e.g. example.okta.com (uses the "default" authorization server)',
    issuerFromDomain: (domain) => `https://${domain}/oauth2/default`,
    endpoints: (issuer) => ({
      authorizeUrl: `${trimSlash(issuer)}/v1/authorize`,
      tokenUrl: `${trimSlash(issuer)}/v1/token`,
      userInfoUrl: `${trimSlash(issuer)}/v1/userinfo`,
    }),
  },
  'entra-id': {
    label: 'Microsoft Entra ID',
    domainHint: 'your tenant ID or primary domain, e.g. contoso.onmicrosoft.com',
    issuerFromDomain: (tenant) => `https://login.microsoftonline.com/${tenant}/v2.0`,
    endpoints: (issuer) => {
      const tenantRoot = trimSlash(issuer).replace(/\/v2\.0$/, '');
      return {
        authorizeUrl: `${tenantRoot}/oauth2/v2.0/authorize`,
        tokenUrl: `${tenantRoot}/oauth2/v2.0/token`,
        userInfoUrl: 'https://graph.microsoft.com/oidc/userinfo',
      };
    },
  },
  cognito: {
    label: 'Amazon Cognito',
    domainHint: 'your user pool domain, e.g. example.auth.us-east-1.amazoncognito.com',
    // The endpoints live on the hosted-UI domain, not on the issuer (cognito-idp.<region>.amazonaws.com/<pool>).
    endpoints: (issuer, domain) => {
      if (!domain) {
        return { authorizeUrl: '', tokenUrl: '', userInfoUrl: '' };
      }
      return {
        authorizeUrl: `https://${domain}/oauth2/authorize`,
        tokenUrl: `https://${domain}/oauth2/token`,
        userInfoUrl: `https://${domain}/oauth2/userInfo`,
      };
    },
  },
  oidc: { label: 'OpenID Connect provider' },
};

export interface IdpInput {
  readonly provider: IdpProvider;
  readonly issuer?: string;
  readonly domain?: string;
  readonly clientId?: string;
  readonly baseUrl: string;
}

/** The IdP settings from flags alone, by the provider's known URL patterns (no network). */
export function idpFromPatterns(input: IdpInput): IdpSettings {
  const info = PROVIDERS[input.provider];
  const domain = input.domain === undefined ? undefined : checkDomain(input.domain);
  const issuer = input.issuer !== undefined ? checkHttpsUrl(input.issuer, '--idp-issuer') : domain && info.issuerFromDomain ? info.issuerFromDomain(domain) : '';
  const endpoints = issuer || domain ? info.endpoints?.(issuer, domain) : undefined;
  return {
    provider: input.provider,
    issuer,
    authorizeUrl: endpoints?.authorizeUrl ?? '',
    tokenUrl: endpoints?.tokenUrl ?? '',
    userInfoUrl: endpoints?.userInfoUrl ?? '',
    clientId: input.clientId ?? '',
    callbackUrl: `${input.baseUrl}auth/external`,
  };
}

/**
 * checkHttpsUrl lets plain http through only on this machine (a test IdP); say so, as for --base-url.
 * Discovery can name other hosts than the issuer, so every endpoint is looked at.
 */
export function plainHttpWarning(settings: IdpEndpoints): string | undefined {
  const plain = (['issuer', 'authorizeUrl', 'tokenUrl', 'userInfoUrl'] as const).filter((key) => settings[key].startsWith('http:'));
  return plain.length > 0
    ? `The identity provider's ${plain.join(', ')} ${plain.length === 1 ? 'is' : 'are'} plain http on this machine: fine for a local test IdP, never for a real one.`
    : undefined;
}

/** Reads `{issuer}/.well-known/openid-configuration` and takes the endpoints from it. */
export async function discover(settings: IdpSettings, http: typeof fetch): Promise<IdpSettings> {
  if (!settings.issuer) {
    throw new UsageError('--discover needs --idp-issuer (or --idp-domain for a provider with a known issuer).');
  }
  const url = `${trimSlash(settings.issuer)}/.well-known/openid-configuration`;
  let doc: Record<string, unknown> | null;
  try {
    const res = await http(url, { headers: { accept: 'application/json' } });
    if (!res.ok) {
      throw new Error(`HTTP ${res.status}`);
    }
    doc = (await res.json()) as Record<string, unknown> | null;
  } catch (err) {
    if (err instanceof Interrupted) {
      throw err;
    }
    const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    throw new CliError(`OpenID discovery failed at ${url}: ${reason}. Check --idp-issuer, or drop --discover to use the provider's URL patterns.`);
  }
  const field = (name: string): string => {
    const value = doc?.[name];
    if (typeof value !== 'string') {
      throw new CliError(`OpenID discovery at ${url} has no ${name}. Check that --idp-issuer is the issuer itself.`);
    }
    return checkHttpsUrl(value, `${name} (from ${url})`, 'endpoint');
  };
  return {
    ...settings,
    authorizeUrl: field('authorization_endpoint'),
    tokenUrl: field('token_endpoint'),
    userInfoUrl: field('userinfo_endpoint'),
  };
}

/**
 * An https URL (http only for localhost), without credentials or fragment; `flag` names it in
 * errors. An issuer has no query either; an endpoint may (Azure AD B2C names its policy there).
 */
export function checkHttpsUrl(value: string, flag: string, kind: 'issuer' | 'endpoint' = 'issuer'): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${shownValue(value)} is not a URL. Pass the issuer, e.g. https://example.okta.com/oauth2/default`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new UsageError(`${flag} must be an https URL (http only for localhost), not ${url.protocol.slice(0, -1)}.`);
  }
  if (url.username || url.password || url.hash || (kind === 'issuer' && url.search)) {
    throw new UsageError(`${flag} must be a plain ${kind} URL, without credentials${kind === 'issuer' ? ', query' : ''} or fragment.`);
  }
  return url.href;
}

/** A host name, as `--idp-domain` takes it: no scheme, no path. */
function checkDomain(value: string): string {
  const domain = value.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new UsageError(`--idp-domain ${shownValue(value)} is not a host name. Pass just the domain, e.g. --idp-domain example.okta.com`);
  }
  return domain;
}
