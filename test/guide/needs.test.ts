/**
 * src/guide/needs.ts: which flags each method takes, and the answers its needs resolve to (flag,
 * else prompt, else empty), with the exact questions asked and the exact warnings.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, type Flags } from '../../src/cli/args.js';
import type { Prompter } from '../../src/cli/prompts.js';
import { VERSION } from '../../src/cli/version.js';
import { UsageError } from '../../src/errors.js';
import { NO_IDP } from '../../src/guide/idp.js';
import { forPlatform, METHODS, type MethodId } from '../../src/guide/methods.js';
import { checkFlagsApply, resolveNeeds } from '../../src/guide/needs.js';

const BASE_URL = 'https://api.medplum.com/';
const CALLBACK = 'https://api.medplum.com/auth/external';

/** The flags of `create-medplum-auth app <args>`, as the CLI parses them. */
function flagsOf(args: readonly string[]): Flags {
  const parsed = parseArgs(['app', ...args], VERSION);
  if (parsed.kind !== 'create') {
    throw new Error(`not a create command: ${args.join(' ')}`);
  }
  return parsed.flags;
}

/** A prompter that gives these answers in turn and records each question (message and default). */
function answering(...answers: string[]) {
  const asked: { message: string; default?: unknown }[] = [];
  const answer = async (q: { message: string; default?: unknown }): Promise<never> => {
    asked.push({ message: q.message, default: q.default });
    if (answers.length === 0) {
      throw new Error(`unexpected question: ${q.message}`);
    }
    return answers.shift() as never;
  };
  const prompt: Prompter = { select: answer, input: answer, password: answer, confirm: answer };
  return { prompt, asked };
}

/** resolveNeeds for a method and these flags; the warnings it gave and the requests it made. */
async function needs(method: MethodId, flags: Flags, options: { prompt?: Prompter; http?: typeof fetch } = {}) {
  const warnings: string[] = [];
  const values = await resolveNeeds({
    flags,
    method: METHODS[method],
    baseUrl: BASE_URL,
    cwd: '/nonexistent',
    prompt: options.prompt,
    warn: (text) => warnings.push(text),
    http: options.http ?? (() => Promise.reject(new Error('no request expected'))),
  });
  return { values, warnings };
}

describe('checkFlagsApply', () => {
  const USER_FACING = 'oauth-auth-code, google-auth, external-idp, domain-idp';
  const IDP_METHODS = 'external-idp, domain-idp, token-exchange';
  const POLICY_METHODS = 'client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion';

  it.each([
    [['--ui', 'plain'], 'client-credentials', `--ui does not apply to client-credentials; it only applies to user-facing methods (${USER_FACING}).`],
    [['--google-client-id', 'x'], 'oauth-auth-code', '--google-client-id does not apply to oauth-auth-code; it is for google-auth.'],
    [['--idp', 'okta'], 'google-auth', `--idp does not apply to google-auth; it is for ${IDP_METHODS}.`],
    [['--idp-issuer', 'https://idp.example.com'], 'basic-auth', `--idp-issuer does not apply to basic-auth; it is for ${IDP_METHODS}.`],
    [['--idp-domain', 'example.okta.com'], 'oauth-auth-code', `--idp-domain does not apply to oauth-auth-code; it is for ${IDP_METHODS}.`],
    [['--idp-client-id', 'x'], 'client-credentials', `--idp-client-id does not apply to client-credentials; it is for ${IDP_METHODS}.`],
    [['--discover'], 'device-credentials', `--discover does not apply to device-credentials; it is for ${IDP_METHODS}.`],
    [['--private-key-path', 'key.pem'], 'device-credentials', '--private-key-path does not apply to device-credentials; it is for jwt-assertion.'],
    [['--device-id', 'x'], 'client-credentials', '--device-id does not apply to client-credentials; it is for device-credentials, jwt-assertion.'],
    [['--allow', 'Patient:read'], 'oauth-auth-code', `--allow does not apply to oauth-auth-code; it is for ${POLICY_METHODS}.`],
    [['--allow-ip', '10.0.0.1'], 'external-idp', `--allow-ip does not apply to external-idp; it is for ${POLICY_METHODS}.`],
  ] as const)('%j is refused for %s, naming the methods it is for', (args, method, message) => {
    expect(() => checkFlagsApply(flagsOf(args), METHODS[method])).toThrow(new UsageError(message));
  });

  it.each([
    [['--ui', 'plain'], 'domain-idp'],
    [['--google-client-id', 'x'], 'google-auth'],
    [['--idp', 'okta', '--idp-issuer', 'https://idp.example.com', '--idp-domain', 'example.okta.com', '--idp-client-id', 'x', '--discover'], 'external-idp'],
    [['--idp', 'okta', '--idp-domain', 'example.okta.com', '--discover'], 'domain-idp'],
    [['--idp', 'okta', '--idp-issuer', 'https://idp.example.com'], 'token-exchange'],
    [['--private-key-path', 'key.pem', '--device-id', 'x'], 'jwt-assertion'],
    [['--device-id', 'x', '--allow', 'Patient:read', '--allow-ip', '10.0.0.1'], 'device-credentials'],
    [['--allow', 'Patient:read', '--allow-ip', '10.0.0.1'], 'basic-auth'],
  ] as const)('%j is accepted for %s', (args, method) => {
    expect(() => checkFlagsApply(flagsOf(args), METHODS[method])).not.toThrow();
  });

  it('--ui with the Expo starter says it has one UI', () => {
    expect(() => checkFlagsApply(flagsOf(['--ui', 'plain']), forPlatform(METHODS['oauth-auth-code'], 'mobile'))).toThrow(
      new UsageError('--ui is for the web starters; the Expo starter (--platform mobile) has one UI. Remove --ui.'),
    );
  });

  it.each([
    [['--admin-profile', 'p'], '--admin-profile only goes with --provision.'],
    [['--admin-client-id', 'x'], '--admin-client-id only goes with --provision.'],
    [['--admin-client-secret', 'x'], '--admin-client-secret only goes with --provision.'],
    [['--jwks-uri', 'https://example.com/jwks.json'], '--jwks-uri only goes with --provision.'],
    [['--secret-out', 'secret.txt'], '--secret-out only goes with --provision.'],
    [['--reveal-secret'], '--reveal-secret only goes with --provision.'],
    [['--idp-client-secret', 'x'], '--idp-client-secret only goes with --provision.'],
    [['--secret-out', 'secret.txt', '--reveal-secret'], '--secret-out, --reveal-secret only go with --provision.'],
  ])('without --provision, %j is refused: %s', (args, message) => {
    expect(() => checkFlagsApply(flagsOf(args), METHODS['client-credentials'])).toThrow(new UsageError(message));
  });

  it('with --provision, the flags that go with it are accepted', () => {
    const flags = flagsOf(['--provision', '--admin-profile', 'p', '--admin-client-id', 'x', '--admin-client-secret', 'y', '--secret-out', 's.txt', '--reveal-secret']);
    expect(() => checkFlagsApply(flags, METHODS['device-credentials'])).not.toThrow();
  });

  it('without --provision and none of its flags, nothing is refused', () => {
    expect(() => checkFlagsApply(flagsOf([]), METHODS['client-credentials'])).not.toThrow();
  });
});

describe('resolveNeeds', () => {
  it('a method without needs gets empty values', async () => {
    expect(await needs('oauth-auth-code', flagsOf([]))).toEqual({
      values: { googleClientId: '', idp: NO_IDP, jwt: { keyId: '', privateKeyPath: '' }, deviceId: '', extraFiles: [] },
      warnings: [],
    });
  });

  describe('googleClientId', () => {
    it('takes --google-client-id without a warning when it looks like an OAuth client ID', async () => {
      const { values, warnings } = await needs('google-auth', flagsOf(['--google-client-id', '123-abc.apps.googleusercontent.com']));
      expect(values.googleClientId).toBe('123-abc.apps.googleusercontent.com');
      expect(warnings).toEqual([]);
    });

    it('warns about another value, quoting it', async () => {
      const { values, warnings } = await needs('google-auth', flagsOf(['--google-client-id', 'my-project']));
      expect(values.googleClientId).toBe('my-project');
      expect(warnings).toEqual(['--google-client-id "my-project" does not end in .apps.googleusercontent.com; check that it is the OAuth client ID.']);
    });

    it('without the flag nor a prompt: empty, without a warning', async () => {
      expect(await needs('google-auth', flagsOf([]))).toMatchObject({ values: { googleClientId: '' }, warnings: [] });
    });

    it('without the flag, asks for it', async () => {
      const { prompt, asked } = answering('9-x.apps.googleusercontent.com');
      const { values } = await needs('google-auth', flagsOf([]), { prompt });
      expect(asked).toEqual([{ message: 'Google OAuth client ID (empty: fill in .env later)', default: '' }]);
      expect(values.googleClientId).toBe('9-x.apps.googleusercontent.com');
    });
  });

  describe('idp', () => {
    it('external-idp without --idp nor a prompt: refused, naming the providers', async () => {
      await expect(needs('external-idp', flagsOf([]))).rejects.toThrow(
        new UsageError('external-idp needs --idp auth0|okta|entra-id|cognito|oidc, with --idp-domain or --idp-issuer.'),
      );
    });

    it.each(['domain-idp', 'token-exchange'] as const)('%s without --idp: no IdP, only the callback URL', async (method) => {
      expect(await needs(method, flagsOf([]))).toMatchObject({ values: { idp: { ...NO_IDP, callbackUrl: CALLBACK } }, warnings: [] });
    });

    it('--idp okta with its domain and client ID: the endpoints by its pattern, no question, no warning', async () => {
      const { prompt, asked } = answering();
      const flags = flagsOf(['--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', '0oa1']);
      expect(await needs('external-idp', flags, { prompt })).toMatchObject({
        values: {
          idp: {
            provider: 'okta',
            issuer: 'https://example.okta.com/oauth2/default',
            authorizeUrl: 'https://example.okta.com/oauth2/default/v1/authorize',
            tokenUrl: 'https://example.okta.com/oauth2/default/v1/token',
            userInfoUrl: 'https://example.okta.com/oauth2/default/v1/userinfo',
            clientId: '0oa1',
            callbackUrl: CALLBACK,
          },
        },
        warnings: [],
      });
      expect(asked).toEqual([]);
    });

    it.each([
      ['okta', 'No endpoints for Okta yet: pass --idp-domain, --idp-issuer with --discover, or fill them in later (see the README).'],
      ['oidc', 'No endpoints for OpenID Connect provider yet: pass --idp-issuer with --discover, or fill them in later (see the README).'],
    ] as const)('--idp %s alone, without a prompt: empty endpoints and a warning that says how to get them', async (provider, warning) => {
      const { values, warnings } = await needs('external-idp', flagsOf(['--idp', provider]));
      expect(values.idp).toEqual({ ...NO_IDP, provider, callbackUrl: CALLBACK });
      expect(warnings).toEqual([warning]);
    });

    it('asks the provider, its domain and the client ID', async () => {
      const { prompt, asked } = answering('okta', 'example.okta.com', '0oa1');
      const { values, warnings } = await needs('external-idp', flagsOf([]), { prompt });
      expect(asked).toEqual([
        { message: 'Which identity provider?' },
        { message: 'Okta domain (your Okta domain, e.g. example.okta.com (uses the "default" authorization server); empty: fill in later)', default: '' },
        { message: 'Client ID at Okta (empty: fill in .env later)', default: '' },
      ]);
      expect(values.idp).toMatchObject({ provider: 'okta', issuer: 'https://example.okta.com/oauth2/default', clientId: '0oa1' });
      expect(warnings).toEqual([]);
    });

    it('oidc: asks the issuer URL, not a domain', async () => {
      const { prompt, asked } = answering('https://idp.example.com', '');
      const { values } = await needs('external-idp', flagsOf(['--idp', 'oidc']), { prompt });
      expect(asked).toEqual([
        { message: 'Issuer URL (empty: fill in later)', default: '' },
        { message: 'Client ID at OpenID Connect provider (empty: fill in .env later)', default: '' },
      ]);
      expect(values.idp).toMatchObject({ provider: 'oidc', issuer: 'https://idp.example.com/', clientId: '' });
    });

    it('empty answers leave the domain and the client ID for later, with the endpoints warning', async () => {
      const { prompt } = answering('', '');
      const { values, warnings } = await needs('external-idp', flagsOf(['--idp', 'okta']), { prompt });
      expect(values.idp).toEqual({ ...NO_IDP, provider: 'okta', callbackUrl: CALLBACK });
      expect(warnings).toEqual(['No endpoints for Okta yet: pass --idp-domain, --idp-issuer with --discover, or fill them in later (see the README).']);
    });

    it('a backend method (token-exchange) is not asked for a client ID', async () => {
      const { prompt, asked } = answering('example.us.auth0.com');
      const { values } = await needs('token-exchange', flagsOf(['--idp', 'auth0']), { prompt });
      expect(asked).toEqual([{ message: 'Auth0 domain (your tenant domain, e.g. example.us.auth0.com; empty: fill in later)', default: '' }]);
      expect(values.idp).toMatchObject({ issuer: 'https://example.us.auth0.com/', authorizeUrl: 'https://example.us.auth0.com/authorize', clientId: '' });
    });

    it('endpoints replayed from a record (--from) win over the patterns, without a warning', async () => {
      const endpoints = {
        issuer: 'https://idp.example.com/',
        authorizeUrl: 'https://idp.example.com/auth',
        tokenUrl: 'https://idp.example.com/tok',
        userInfoUrl: 'https://idp.example.com/me',
      };
      const flags = { ...flagsOf(['--idp', 'oidc', '--idp-client-id', 'c1']), idpEndpoints: endpoints };
      expect(await needs('external-idp', flags)).toMatchObject({
        values: { idp: { ...endpoints, provider: 'oidc', clientId: 'c1', callbackUrl: CALLBACK } },
        warnings: [],
      });
    });

    it('--discover reads the endpoints from the issuer\'s discovery document', async () => {
      const requested: string[] = [];
      const http = (async (url: string) => {
        requested.push(url);
        return Response.json({
          authorization_endpoint: 'https://idp.example.com/a',
          token_endpoint: 'https://idp.example.com/t',
          userinfo_endpoint: 'https://idp.example.com/u',
        });
      }) as typeof fetch;
      const { values, warnings } = await needs('external-idp', flagsOf(['--idp', 'oidc', '--idp-issuer', 'https://idp.example.com', '--discover']), { http });
      expect(requested).toEqual(['https://idp.example.com/.well-known/openid-configuration']);
      expect(values.idp).toMatchObject({ authorizeUrl: 'https://idp.example.com/a', tokenUrl: 'https://idp.example.com/t', userInfoUrl: 'https://idp.example.com/u' });
      expect(warnings).toEqual([]);
    });

    it('a plain-http issuer on this machine is taken, with a warning', async () => {
      const { values, warnings } = await needs('external-idp', flagsOf(['--idp', 'auth0', '--idp-issuer', 'http://localhost:9000/']));
      expect(values.idp).toMatchObject({ issuer: 'http://localhost:9000/', authorizeUrl: 'http://localhost:9000/authorize' });
      expect(warnings).toEqual([
        "The identity provider's issuer, authorizeUrl, tokenUrl, userInfoUrl are plain http on this machine: fine for a local test IdP, never for a real one.",
      ]);
    });
  });
});
