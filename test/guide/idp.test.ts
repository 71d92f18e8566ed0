/**
 * src/guide/idp.ts: the identity providers' URL patterns, the checks of --idp-issuer and
 * --idp-domain (each refusal word for word), and OpenID discovery against a fake `fetch` that
 * records what it was asked.
 */
import { describe, expect, it } from 'vitest';
import { CliError, Interrupted, UsageError } from '../../src/errors.js';
import { checkHttpsUrl, discover, idpFromPatterns, NO_IDP, plainHttpWarning, type IdpSettings } from '../../src/guide/idp.js';

const BASE_URL = 'https://api.medplum.com/';
const CALLBACK = 'https://api.medplum.com/auth/external';

describe('idpFromPatterns', () => {
  it.each([
    [
      'auth0 by domain',
      { provider: 'auth0', domain: 'example.us.auth0.com' },
      ['https://example.us.auth0.com/', 'https://example.us.auth0.com/authorize', 'https://example.us.auth0.com/oauth/token', 'https://example.us.auth0.com/userinfo'],
    ],
    [
      'auth0 by an issuer with trailing slashes',
      { provider: 'auth0', issuer: 'https://example.us.auth0.com//' },
      ['https://example.us.auth0.com//', 'https://example.us.auth0.com/authorize', 'https://example.us.auth0.com/oauth/token', 'https://example.us.auth0.com/userinfo'],
    ],
    [
      'okta by domain',
      { provider: 'okta', domain: 'example.okta.com' },
      [
        'https://example.okta.com/oauth2/default',
        'https://example.okta.com/oauth2/default/v1/authorize',
        'https://example.okta.com/oauth2/default/v1/token',
        'https://example.okta.com/oauth2/default/v1/userinfo',
      ],
    ],
    [
      'entra-id by tenant',
      { provider: 'entra-id', domain: 'contoso.onmicrosoft.com' },
      [
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize',
        'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
        'https://graph.microsoft.com/oidc/userinfo',
      ],
    ],
    [
      'entra-id by an issuer: only a trailing /v2.0 is cut',
      { provider: 'entra-id', issuer: 'https://login.microsoftonline.com/v2.0-tenant/v2.0' },
      [
        'https://login.microsoftonline.com/v2.0-tenant/v2.0',
        'https://login.microsoftonline.com/v2.0-tenant/oauth2/v2.0/authorize',
        'https://login.microsoftonline.com/v2.0-tenant/oauth2/v2.0/token',
        'https://graph.microsoft.com/oidc/userinfo',
      ],
    ],
    [
      'cognito by domain: endpoints on it, no issuer',
      { provider: 'cognito', domain: 'example.auth.us-east-1.amazoncognito.com' },
      [
        '',
        'https://example.auth.us-east-1.amazoncognito.com/oauth2/authorize',
        'https://example.auth.us-east-1.amazoncognito.com/oauth2/token',
        'https://example.auth.us-east-1.amazoncognito.com/oauth2/userInfo',
      ],
    ],
    [
      'cognito by issuer only: no endpoints (they live on the domain)',
      { provider: 'cognito', issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc' },
      ['https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc', '', '', ''],
    ],
    ['oidc by issuer: no pattern', { provider: 'oidc', issuer: 'https://idp.example.com' }, ['https://idp.example.com/', '', '', '']],
    ['auth0 with neither: nothing', { provider: 'auth0' }, ['', '', '', '']],
  ] as const)('%s', (_name, input, [issuer, authorizeUrl, tokenUrl, userInfoUrl]) => {
    expect(idpFromPatterns({ ...input, clientId: 'c1', baseUrl: BASE_URL })).toEqual({
      provider: input.provider,
      issuer,
      authorizeUrl,
      tokenUrl,
      userInfoUrl,
      clientId: 'c1',
      callbackUrl: CALLBACK,
    });
  });

  it('without a client ID: empty', () => {
    expect(idpFromPatterns({ provider: 'oidc', baseUrl: BASE_URL })).toEqual({ ...NO_IDP, provider: 'oidc', callbackUrl: CALLBACK });
  });

  it.each([
    ['  Example.OKTA.com ', 'https://example.okta.com/'],
    ['a.example.com', 'https://a.example.com/'],
    ['x.y', 'https://x.y/'],
    ['my-tenant.auth0.com', 'https://my-tenant.auth0.com/'],
  ])('--idp-domain %j is the host %s', (domain, issuer) => {
    expect(idpFromPatterns({ provider: 'auth0', domain, baseUrl: BASE_URL }).issuer).toBe(issuer);
  });

  it.each(['https://example.okta.com', '-example.com', 'example-.com', 'example.com/', 'example..com', ''])('--idp-domain %j is refused', (domain) => {
    expect(() => idpFromPatterns({ provider: 'okta', domain, baseUrl: BASE_URL })).toThrow(
      new UsageError(`--idp-domain ${JSON.stringify(domain)} is not a host name. Pass just the domain, e.g. --idp-domain example.okta.com`),
    );
  });
});

describe('checkHttpsUrl', () => {
  it.each([
    ['https://idp.example.com', 'https://idp.example.com/'],
    ['https://idp.example.com/oauth2/default', 'https://idp.example.com/oauth2/default'],
    ['http://localhost:9000/realms/x', 'http://localhost:9000/realms/x'],
    ['http://127.0.0.1/', 'http://127.0.0.1/'],
  ])('%s is taken as %s', (value, href) => {
    expect(checkHttpsUrl(value, '--idp-issuer')).toBe(href);
  });

  it.each([
    ['not a url', '--idp-issuer "not a url" is not a URL. Pass the issuer, e.g. https://example.okta.com/oauth2/default'],
    ['http://idp.example.com', '--idp-issuer must be an https URL (http only for localhost), not http.'],
    ['ftp://localhost/', '--idp-issuer must be an https URL (http only for localhost), not ftp.'],
    ['https://user@idp.example.com', '--idp-issuer must be a plain issuer URL, without credentials, query or fragment.'],
    ['https://:pw@idp.example.com', '--idp-issuer must be a plain issuer URL, without credentials, query or fragment.'],
    ['https://idp.example.com/?a=1', '--idp-issuer must be a plain issuer URL, without credentials, query or fragment.'],
    ['https://idp.example.com/#top', '--idp-issuer must be a plain issuer URL, without credentials, query or fragment.'],
  ])('an issuer %s is refused in one line', (value, message) => {
    expect(() => checkHttpsUrl(value, '--idp-issuer')).toThrow(new UsageError(message));
  });

  it('an endpoint may have a query, not a fragment', () => {
    expect(checkHttpsUrl('https://idp.example.com/authorize?p=b2c_1_signin', 'authorizeUrl', 'endpoint')).toBe('https://idp.example.com/authorize?p=b2c_1_signin');
    expect(() => checkHttpsUrl('https://idp.example.com/authorize#x', 'authorizeUrl', 'endpoint')).toThrow(
      new UsageError('authorizeUrl must be a plain endpoint URL, without credentials or fragment.'),
    );
  });
});

describe('plainHttpWarning', () => {
  const HTTPS = { issuer: 'https://idp.example.com/', authorizeUrl: 'https://idp.example.com/a', tokenUrl: 'https://idp.example.com/t', userInfoUrl: 'https://idp.example.com/u' };

  it.each([
    [{}, undefined],
    [{ issuer: 'http://localhost/' }, "The identity provider's issuer is plain http on this machine: fine for a local test IdP, never for a real one."],
    [
      { authorizeUrl: 'http://localhost/a', userInfoUrl: 'http://localhost/u' },
      "The identity provider's authorizeUrl, userInfoUrl are plain http on this machine: fine for a local test IdP, never for a real one.",
    ],
  ])('%o: %s', (plain, warning) => {
    expect(plainHttpWarning({ ...HTTPS, ...plain })).toBe(warning);
  });
});

describe('discover', () => {
  const ISSUER = 'https://idp.example.com/realm/';
  const URL_ = 'https://idp.example.com/realm/.well-known/openid-configuration';
  const settings: IdpSettings = { ...NO_IDP, provider: 'oidc', issuer: ISSUER, clientId: 'c1', callbackUrl: CALLBACK };
  const DOC = {
    issuer: ISSUER,
    authorization_endpoint: 'https://login.example.com/authorize?p=signin',
    token_endpoint: 'https://login.example.com/token',
    userinfo_endpoint: 'http://localhost:9000/userinfo',
  };

  /** A fetch that answers `reply` (a body and status, or a thrown error) and records each request. */
  function fakeFetch(reply: { body?: unknown; status?: number } | { error: unknown }) {
    const requests: [string, RequestInit | undefined][] = [];
    const http = (async (url: string, init?: RequestInit) => {
      requests.push([url, init]);
      if ('error' in reply) {
        throw reply.error;
      }
      return new Response(JSON.stringify(reply.body), { status: reply.status ?? 200 });
    }) as typeof fetch;
    return { http, requests };
  }

  it('GETs {issuer}/.well-known/openid-configuration as JSON and takes the three endpoints', async () => {
    const { http, requests } = fakeFetch({ body: DOC });
    expect(await discover(settings, http)).toEqual({
      ...settings,
      authorizeUrl: 'https://login.example.com/authorize?p=signin',
      tokenUrl: 'https://login.example.com/token',
      userInfoUrl: 'http://localhost:9000/userinfo',
    });
    expect(requests).toEqual([[URL_, { headers: { accept: 'application/json' } }]]);
  });

  it('without an issuer: refused before any request', async () => {
    const { http, requests } = fakeFetch({ body: DOC });
    await expect(discover({ ...settings, issuer: '' }, http)).rejects.toThrow(
      new UsageError('--discover needs --idp-issuer (or --idp-domain for a provider with a known issuer).'),
    );
    expect(requests).toEqual([]);
  });

  it.each([
    [{ body: DOC, status: 404 }, 'HTTP 404'],
    [{ error: new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND idp.example.com') }) }, 'getaddrinfo ENOTFOUND idp.example.com'],
  ])('a failed request is one error with the reason: %s', async (reply, reason) => {
    await expect(discover(settings, fakeFetch(reply).http)).rejects.toThrow(
      new CliError(`OpenID discovery failed at ${URL_}: ${reason}. Check --idp-issuer, or drop --discover to use the provider's URL patterns.`),
    );
  });

  it('an interrupt passes through as it is', async () => {
    const interrupted = new Interrupted('SIGINT');
    await expect(discover(settings, fakeFetch({ error: interrupted }).http)).rejects.toBe(interrupted);
  });

  it.each([
    [null, 'authorization_endpoint'],
    [{ ...DOC, token_endpoint: undefined }, 'token_endpoint'],
    [{ ...DOC, userinfo_endpoint: 42 }, 'userinfo_endpoint'],
  ])('a document %o without a string %s is refused, naming it', async (body, name) => {
    await expect(discover(settings, fakeFetch({ body }).http)).rejects.toThrow(
      new CliError(`OpenID discovery at ${URL_} has no ${name}. Check that --idp-issuer is the issuer itself.`),
    );
  });

  it('a plain-http endpoint elsewhere is refused, naming the field and the document', async () => {
    const body = { ...DOC, token_endpoint: 'http://login.example.com/token' };
    await expect(discover(settings, fakeFetch({ body }).http)).rejects.toThrow(
      new UsageError(`token_endpoint (from ${URL_}) must be an https URL (http only for localhost), not http.`),
    );
  });
});
