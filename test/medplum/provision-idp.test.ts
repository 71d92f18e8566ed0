/**
 * The methods whose ClientApplication carries an `identityProvider`, against the double playing each
 * supported Medplum release (5.1 requires authorizeUrl, tokenUrl, userInfoUrl, clientId and clientSecret
 * there; 5.2 requires none): what --provision sends, that the IdP client secret reaches Medplum and
 * nothing else, and that the JSON the README and the printed steps tell users to paste is accepted.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { MedplumClient } from '@medplum/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNUSED_BY_EXCHANGE } from '../../src/guide/methods.js';
import { releaseWarning, requiresFullIdentityProvider, serverRelease } from '../../src/medplum/server.js';
import { SERVER_VERSIONS, startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';
import { filesContaining } from '../project.js';

const AUTH0 = ['--idp', 'auth0', '--idp-domain', 'acme.us.auth0.com'];
const OKTA = ['--idp', 'okta', '--idp-domain', 'acme.okta.com', '--idp-client-id', 'okta-app'];
const IDP_SECRET = 'okta-client-secret-9f8e7d6c5b4a';

/** The JSON object that starts at the first `{` after `marker` and ends at the last `}` of `text`. */
function jsonAfter(text: string, marker: string): Record<string, unknown> {
  const start = text.indexOf('{', text.indexOf(marker));
  return JSON.parse(text.slice(start, text.lastIndexOf('}') + 1)) as Record<string, unknown>;
}

describe.each(SERVER_VERSIONS)('--provision against Medplum %s', (version) => {
  let medplum: MedplumDouble;
  let admin: { id: string; secret: string };
  beforeAll(async () => {
    medplum = await startMedplumDouble({ serverVersion: version });
    admin = medplum.addClient({ name: 'CI admin', admin: true });
  });
  afterAll(() => medplum?.close());
  const adminEnv = () => ({ MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret });
  const provisionRun = (cwd: string, name: string, args: readonly string[], env: Record<string, string> = {}) =>
    runCli([name, '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json', ...args], { cwd, env: { ...adminEnv(), ...env } });
  const clientOf = async (dir: string) => {
    const record = JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'));
    return medplum.resources('ClientApplication').find((c) => c.id === record.provisioned.clientApplication) as { identityProvider?: Record<string, unknown> } | undefined;
  };
  const full = requiresFullIdentityProvider({ text: version, major: 5, minor: Number(version.split('.')[1]) });

  it('reads the release from /healthcheck, inside the supported range: no warning, and check says which', async () => {
    const release = await serverRelease(new MedplumClient({ baseUrl: medplum.baseUrl }));
    expect(release).toMatchObject({ text: `${version}-medplum-double`, major: 5 });
    expect(releaseWarning(release, medplum.baseUrl)).toBeUndefined();
    const cwd = await tempDir();
    expect((await runCli(['app', '-m', 'oauth-auth-code', '--client-id', 'c', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], { cwd })).code).toBe(0);
    const checked = await runCli(['check', join(cwd, 'app'), '--json'], { cwd });
    const findings = JSON.parse(checked.stdout).findings as { id: string; level: string; message: string }[];
    expect(findings.find((f) => f.id === 'server')).toEqual({ id: 'server', level: 'ok', message: `${medplum.baseUrl} runs Medplum ${version}-medplum-double` });
  });

  it('token-exchange: the identityProvider this release requires, with the fields the exchange never uses marked unused', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'tx', ['-m', 'token-exchange', ...AUTH0]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const idp = (await clientOf(join(cwd, 'tx')))?.identityProvider;
    expect(idp).toMatchObject({
      authorizeUrl: 'https://acme.us.auth0.com/authorize',
      tokenUrl: 'https://acme.us.auth0.com/oauth/token',
      userInfoUrl: 'https://acme.us.auth0.com/userinfo',
    });
    // 5.1 needs a clientId and clientSecret the exchange never uses; 5.2 gets only what is known.
    expect(idp?.clientSecret === UNUSED_BY_EXCHANGE).toBe(full);
    expect(idp?.clientId === UNUSED_BY_EXCHANGE).toBe(full);
    const summary = JSON.parse(result.stdout);
    expect(summary.inMedplum.join('\n')).not.toContain('identityProvider');
  });

  it('token-exchange with only a userinfo URL: refused before anything is created where the release needs more', async () => {
    const cwd = await tempDir();
    const before = medplum.resources('ClientApplication').length;
    const result = await provisionRun(cwd, 'tx-oidc', ['-m', 'token-exchange', '--idp', 'oidc']);
    expect(result.code).not.toBe(0);
    const why = full ? `Medplum ${version}-medplum-double needs identityProvider.authorizeUrl, tokenUrl, userInfoUrl` : 'The token exchange needs identityProvider.userInfoUrl';
    expect(result.stderr.split('\n').filter((line) => line.startsWith('error')), result.stderr).toEqual([
      `error ${why}: pass --idp with --idp-domain, or --idp-issuer with --discover.`,
    ]);
    expect(medplum.resources('ClientApplication')).toHaveLength(before);
  });

  it('external-idp: the IdP client secret reaches the ClientApplication, and no file, output or record', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'sso', ['-m', 'external-idp', ...OKTA], { MEDPLUM_IDP_CLIENT_SECRET: IDP_SECRET });
    expect(result.code, result.stderr).toBe(0);
    const idp = (await clientOf(join(cwd, 'sso')))?.identityProvider;
    expect(idp).toMatchObject({
      authorizeUrl: 'https://acme.okta.com/oauth2/default/v1/authorize',
      tokenUrl: 'https://acme.okta.com/oauth2/default/v1/token',
      userInfoUrl: 'https://acme.okta.com/oauth2/default/v1/userinfo',
      clientId: 'okta-app',
      clientSecret: IDP_SECRET,
    });
    // With usePkce, Medplum sends the IdP a code_verifier it cannot match, and the sign-in fails (see the double's PKCE caveat).
    expect(idp?.usePkce ?? false).toBe(false);
    expect(result.stdout + result.stderr).not.toContain(IDP_SECRET);
    expect(await filesContaining(join(cwd, 'sso'), IDP_SECRET)).toEqual([]);
    expect(JSON.parse(result.stdout).inMedplum.join('\n')).not.toContain('identityProvider');

    // The flag works the same, and is never echoed.
    const flagged = await provisionRun(cwd, 'sso2', ['-m', 'external-idp', ...OKTA, '--idp-client-secret', IDP_SECRET]);
    expect(flagged.code, flagged.stderr).toBe(0);
    expect(flagged.stdout + flagged.stderr).not.toContain(IDP_SECRET);

    // A re-run with a rotated IdP secret updates the client it finds by name.
    const rotated = await provisionRun(cwd, 'sso', ['-m', 'external-idp', ...OKTA, '--force'], { MEDPLUM_IDP_CLIENT_SECRET: `${IDP_SECRET}-2` });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect((await clientOf(join(cwd, 'sso')))?.identityProvider).toMatchObject({ clientId: 'okta-app', clientSecret: `${IDP_SECRET}-2` });
  });

  it('external-idp without the IdP client secret, in CI: one line naming the flag, nothing created', async () => {
    const cwd = await tempDir();
    const before = medplum.resources('ClientApplication').length;
    const result = await provisionRun(cwd, 'sso-missing', ['-m', 'external-idp', ...OKTA]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/MEDPLUM_IDP_CLIENT_SECRET.*--idp-client-secret/);
    expect(medplum.resources('ClientApplication')).toHaveLength(before);
  });

  it('external-idp without its endpoints: refused before any sign-in or secret is asked for', async () => {
    const cwd = await tempDir();
    const result = await runCli(['sso-none', '-m', 'external-idp', '--idp', 'oidc', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], { cwd, env: {} });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error Signing users in through the IdP needs identityProvider\.authorizeUrl, tokenUrl, userInfoUrl, clientId: /m);
    expect(result.stderr).not.toMatch(/MEDPLUM_ADMIN_CLIENT_ID|MEDPLUM_IDP_CLIENT_SECRET/);
  });

  it('domain-idp: the client, as far as a project admin goes; the DomainConfiguration is left to a super admin, and the step says so', async () => {
    const cwd = await tempDir();
    const result = await provisionRun(cwd, 'domain', ['-m', 'domain-idp', ...OKTA]);
    expect(result.code, result.stderr).toBe(0);
    expect(await clientOf(join(cwd, 'domain'))).toBeDefined();
    const left = JSON.parse(result.stdout).inMedplum.join('\n');
    expect(left).toMatch(/DomainConfiguration.*super admin/);
    expect(left).toContain('<PASTE the client secret from your IdP here');
    const refused = await provisionRun(cwd, 'domain2', ['-m', 'domain-idp', ...OKTA, '--idp-client-secret', IDP_SECRET]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/DomainConfiguration, which only a super admin can create/);
    expect(refused.stdout + refused.stderr).not.toContain(IDP_SECRET);
  });

  it('the identityProvider JSON from the README and from the printed steps is accepted as pasted', async () => {
    const cwd = await tempDir();
    const made = async (name: string, args: readonly string[]) => {
      const result = await runCli([name, '--client-id', 'c', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json', ...args], { cwd });
      expect(result.code, result.stderr).toBe(0);
      return { step: (JSON.parse(result.stdout).inMedplum as string[]).find((s) => s.includes('identityProvider to')) ?? '', readme: await readFile(join(cwd, name, 'README.md'), 'utf8') };
    };
    const exchange = await made('tx-paste', ['-m', 'token-exchange', ...AUTH0]);
    const readmeBlock = exchange.readme.slice(exchange.readme.indexOf('"identityProvider": {'));
    const fromReadme = JSON.parse(`{${readmeBlock.slice(0, readmeBlock.indexOf('\n   ```'))}}`).identityProvider;
    const sso = await made('sso-paste', ['-m', 'external-idp', ...OKTA]);

    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.startClientLogin(admin.id, admin.secret);
    const projectId = (sdk.getProject()?.id ?? '') as string;
    for (const [name, identityProvider] of [
      ['from the token-exchange README', fromReadme],
      ['from the token-exchange step', jsonAfter(exchange.step.slice(0, exchange.step.indexOf(' (Medplum')), 'identityProvider to')],
      ['from the external-idp step', jsonAfter(sso.step.slice(0, sso.step.indexOf(', then')), 'identityProvider to')],
    ] as const) {
      await expect(sdk.post(`admin/projects/${projectId}/client`, { name, identityProvider }), name).resolves.toMatchObject({ resourceType: 'ClientApplication' });
    }
    expect(fromReadme).toMatchObject({ clientSecret: UNUSED_BY_EXCHANGE, userInfoUrl: 'https://acme.us.auth0.com/userinfo' });
  });
});

describe('a server outside the supported releases', () => {
  it('--provision, check and rotate-secret warn in one line, and go on', async () => {
    const old = await startMedplumDouble({ serverVersion: '4.3.6' });
    const admin = old.addClient({ name: 'CI admin', admin: true });
    const env = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
    try {
      const cwd = await tempDir();
      const warning = new RegExp(`^warning ${old.baseUrl.replace(/[.]/g, '\\.')} reports version 4\\.3\\.6-medplum-double; create-medplum-auth supports Medplum 5\\.1 and 5\\.2\\.`, 'm');
      const provisioned = await runCli(['api', '-m', 'client-credentials', '--provision', '--base-url', old.baseUrl, '--no-install', '--no-git'], { cwd, env });
      expect(provisioned.code, provisioned.stderr).toBe(0);
      expect(provisioned.stderr).toMatch(warning);
      const rotated = await runCli(['rotate-secret', join(cwd, 'api')], { cwd, env });
      expect(rotated.code, rotated.stderr).toBe(0);
      expect(rotated.stderr).toMatch(warning);
      const checked = await runCli(['check', join(cwd, 'api'), '--json'], { cwd });
      const findings = JSON.parse(checked.stdout).findings as { id: string; level: string; message: string }[];
      expect(findings.find((f) => f.id === 'server')).toMatchObject({ level: 'warning', message: expect.stringContaining('reports version 4.3.6') });
      expect(findings.find((f) => f.id === 'sign-in')?.level).toBe('ok');
    } finally {
      await old.close();
    }
  });

  it('one that does not report its version gets what 5.1 requires for token-exchange, and the refusal says why', async () => {
    const medplum = await startMedplumDouble();
    const admin = medplum.addClient({ name: 'CI admin', admin: true });
    try {
      medplum.failNext({ method: 'GET', path: '/healthcheck', status: 404 });
      const result = await runCli(['tx', '-m', 'token-exchange', '--idp', 'oidc', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
        cwd: await tempDir(),
        env: { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret },
      });
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter((line) => line.startsWith('error'))).toEqual([
        'error A Medplum server that does not report its version needs identityProvider.authorizeUrl, tokenUrl, userInfoUrl: pass --idp with --idp-domain, or --idp-issuer with --discover.',
      ]);
    } finally {
      await medplum.close();
    }
  });

  it('gets a warning line, not a failure; so does one that does not say', () => {
    expect(releaseWarning({ text: '4.3.6-abc', major: 4, minor: 3 }, 'https://m.example/')).toMatch(
      /^https:\/\/m\.example\/ reports version 4\.3\.6-abc; create-medplum-auth supports Medplum 5\.1 and 5\.2\./,
    );
    expect(releaseWarning({ text: '', major: Number.NaN, minor: Number.NaN }, 'https://m.example/')).toMatch(/does not report its version/);
    expect(releaseWarning({ text: '5.2.13-x', major: 5, minor: 2 }, 'https://m.example/')).toBeUndefined();
    expect(requiresFullIdentityProvider({ text: '', major: Number.NaN, minor: Number.NaN })).toBe(true);
  });
});

describe('IdP endpoints over plain http', () => {
  /** A discovery document on loopback whose endpoints live at `endpointBase`. */
  async function discovery(endpointBase: (issuer: string) => string) {
    const server = createServer((_req, res) => {
      const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const base = endpointBase(issuer);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer, authorization_endpoint: `${base}/authorize`, token_endpoint: `${base}/token`, userinfo_endpoint: `${base}/userinfo` }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { issuer: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
  }
  const scaffoldIdp = async (issuer: string) =>
    runCli(['sso', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', issuer, '--discover', '--client-id', '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', '--no-install', '--no-git'], { cwd: await tempDir() });

  it('on this machine: accepted, with a warning, as for --base-url', async () => {
    const idp = await discovery((issuer) => issuer);
    try {
      const result = await scaffoldIdp(idp.issuer);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^warning The identity provider's issuer, authorizeUrl, tokenUrl, userInfoUrl are plain http on this machine/m);
    } finally {
      await idp.close();
    }
  });

  it('elsewhere: refused in one line, whether given or discovered', async () => {
    const given = await runCli(['sso', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', 'http://idp.example.com/', '--client-id', 'c', '--no-install', '--no-git'], { cwd: await tempDir() });
    expect(given.code).toBe(2);
    expect(given.stderr).toMatch(/--idp-issuer must be an https URL/);
    const idp = await discovery(() => 'http://idp.example.com');
    try {
      const result = await scaffoldIdp(idp.issuer);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/authorization_endpoint \(from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration\) must be an https URL/)]);
    } finally {
      await idp.close();
    }
  });
});

describe('a request the server refuses as invalid', () => {
  it('is reported in the server\'s words, not as "not a Medplum server"', async () => {
    const { describe: describeError } = await import('../../src/medplum/admin.js');
    const { OperationOutcomeError } = await import('@medplum/core');
    const err = new OperationOutcomeError({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'structure', details: { text: 'Invalid JSON type: expected string, but got boolean' }, expression: ['ClientApplication.identityProvider.usePkce'] }],
    });
    expect(describeError(err, 'https://m.example/')).toBe('Invalid JSON type: expected string, but got boolean (ClientApplication.identityProvider.usePkce)');
  });
});
