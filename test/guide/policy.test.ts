import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { discover, idpFromPatterns } from '../../src/guide/idp.js';
import { policyFetch } from '../../src/medplum/http.js';
import { generateDeviceKey, loadDeviceKey } from '../../src/guide/keys.js';
import { buildPolicy, parseAllow, parseAllowIp, parseDeviceId, restrictToDevice } from '../../src/guide/policy.js';
import { runCli, tempDir } from '../helpers.js';

describe('--allow', () => {
  it('merges interactions per resource type, in a stable order', () => {
    expect(parseAllow(['Observation:create,Device:read', 'Patient:search', 'Patient:read'])).toEqual([
      { resourceType: 'Observation', interaction: ['create'] },
      { resourceType: 'Device', interaction: ['read'] },
      { resourceType: 'Patient', interaction: ['read', 'search'] },
    ]);
  });
});

describe('--allow-ip', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['10.20.', '10.20.'],
    ['10.0.0.0/8', '10.'],
    ['10.20.0.0/16', '10.20.'],
    ['192.168.1.0/24', '192.168.1.'],
    ['192.168.1.9/32', '192.168.1.9'],
  ])('%s becomes the Medplum rule value %s', (input, value) => {
    expect(parseAllowIp(input)).toBe(value);
  });

  it('refuses an octet above 255, and takes 255 itself', () => {
    for (const value of ['256.0.0.1', '10.256.0.0/16', '10.0.256.', '1.2.3.256']) {
      expect(() => parseAllowIp(value), value).toThrow(/has an octet above 255/);
    }
    expect(parseAllowIp('255.255.255.255')).toBe('255.255.255.255');
  });

  it('ends the rules with a block of everything else', () => {
    expect(buildPolicy('p', [], ['10.', '203.0.113.7']).ipAccessRule).toEqual([
      { name: 'allow 10.', value: '10.', action: 'allow' },
      { name: 'allow 203.0.113.7', value: '203.0.113.7', action: 'allow' },
      { name: 'block everything else', value: '*', action: 'block' },
    ]);
    expect(buildPolicy('p', [], [])).not.toHaveProperty('ipAccessRule');
  });

  it('reaches access-policy.json, with --allow', async () => {
    const cwd = await tempDir();
    const result = await runCli(
      ['dev', '-m', 'device-credentials', '--allow', 'Observation:create', '--allow-ip', '10.20.0.0/16', '--allow-ip', '203.0.113.7', '--no-install', '--no-git'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(join(cwd, 'dev/access-policy.json'), 'utf8'))).toEqual({
      resourceType: 'AccessPolicy',
      name: 'dev (device-credentials)',
      resource: [{ resourceType: 'Observation', interaction: ['create'] }],
      ipAccessRule: [
        { name: 'allow 10.20.', value: '10.20.', action: 'allow' },
        { name: 'allow 203.0.113.7', value: '203.0.113.7', action: 'allow' },
        { name: 'block everything else', value: '*', action: 'block' },
      ],
    });
  });
});

describe('--device-id', () => {
  it('narrows Observation create and Device read to that Device, in the file, .env and the record, and --from replays it', async () => {
    const cwd = await tempDir();
    const args = ['dev', '-m', 'jwt-assertion', '--device-id', 'thermo-1.a', '--allow-ip', '10.20.', '--no-install', '--no-git'];
    expect((await runCli(args, { cwd })).code).toBe(0);
    const policy = JSON.parse(await readFile(join(cwd, 'dev/access-policy.json'), 'utf8'));
    expect(policy.resource).toEqual([
      { resourceType: 'Observation', criteria: 'Observation?device=Device/thermo-1.a', interaction: ['create'] },
      { resourceType: 'Device', criteria: 'Device?_id=thermo-1.a', interaction: ['read'] },
    ]);
    expect(parseEnv(await readFile(join(cwd, 'dev/.env'), 'utf8')).MEDPLUM_DEVICE_ID).toBe('thermo-1.a');
    const record = JSON.parse(await readFile(join(cwd, 'dev/medplum-auth.json'), 'utf8'));
    expect(record).toMatchObject({ deviceId: 'thermo-1.a', accessPolicy: policy });
    expect(await readFile(join(cwd, 'dev/README.md'), 'utf8')).toContain('Observation?device=Device/thermo-1.a');

    const replay = await runCli(['again', '--from', 'dev/medplum-auth.json', '--no-install', '--no-git'], { cwd });
    expect(replay.code).toBe(0);
    expect(JSON.parse(await readFile(join(cwd, 'again/access-policy.json'), 'utf8')).resource).toEqual(policy.resource);
  });

  it('leaves other resource types alone, and takes only FHIR ids', () => {
    expect(restrictToDevice([{ resourceType: 'Patient', interaction: ['search'] }], 'd')).toEqual([{ resourceType: 'Patient', interaction: ['search'] }]);
    expect(parseDeviceId('Ab-1.2')).toBe('Ab-1.2');
    expect(() => parseDeviceId('a/b')).toThrow(/not a FHIR id/);
  });
});

describe('identity providers', () => {
  const base = 'https://api.medplum.com/';
  it.each([
    ['auth0', 'example.us.auth0.com', 'https://example.us.auth0.com/authorize', 'https://example.us.auth0.com/oauth/token', 'https://example.us.auth0.com/userinfo'],
    ['okta', 'example.okta.com', 'https://example.okta.com/oauth2/default/v1/authorize', 'https://example.okta.com/oauth2/default/v1/token', 'https://example.okta.com/oauth2/default/v1/userinfo'],
    ['entra-id', 'contoso.onmicrosoft.com', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize', 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token', 'https://graph.microsoft.com/oidc/userinfo'],
    ['cognito', 'ex.auth.us-east-1.amazoncognito.com', 'https://ex.auth.us-east-1.amazoncognito.com/oauth2/authorize', 'https://ex.auth.us-east-1.amazoncognito.com/oauth2/token', 'https://ex.auth.us-east-1.amazoncognito.com/oauth2/userInfo'],
  ] as const)('%s: URL patterns from --idp-domain, without network', (provider, domain, authorizeUrl, tokenUrl, userInfoUrl) => {
    const idp = idpFromPatterns({ provider, domain, clientId: 'c', baseUrl: base });
    expect(idp).toMatchObject({ authorizeUrl, tokenUrl, userInfoUrl, clientId: 'c', callbackUrl: 'https://api.medplum.com/auth/external' });
  });

  it('a generic OIDC provider has no pattern: empty until discovery', () => {
    expect(idpFromPatterns({ provider: 'oidc', issuer: 'https://idp.example.com/', baseUrl: base }).authorizeUrl).toBe('');
  });

  it('--discover reads the endpoints from the discovery document', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/realms/x/.well-known/openid-configuration') {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ authorization_endpoint: 'http://127.0.0.1/a', token_endpoint: 'http://127.0.0.1/t', userinfo_endpoint: 'http://127.0.0.1/u' }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const issuer = `http://localhost:${(server.address() as { port: number }).port}/realms/x`;
    const http = policyFetch({ timeoutSeconds: 5 });
    try {
      const found = await discover(idpFromPatterns({ provider: 'oidc', issuer, baseUrl: base }), http);
      expect(found).toMatchObject({ authorizeUrl: 'http://127.0.0.1/a', tokenUrl: 'http://127.0.0.1/t', userInfoUrl: 'http://127.0.0.1/u' });
      await expect(discover(idpFromPatterns({ provider: 'oidc', issuer: `${issuer}/nope`, baseUrl: base }), http)).rejects.toThrow(
        /OpenID discovery failed at .*\/nope\/\.well-known\/openid-configuration: HTTP 404/,
      );
    } finally {
      server.close();
    }
  });

  it('a failed discovery is one clear line and exit 1', async () => {
    const cwd = await tempDir();
    const result = await runCli(['app', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', 'http://127.0.0.1:9/', '--discover', '--dry-run'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/OpenID discovery failed at http:\/\/127\.0\.0\.1:9\/\.well-known\/openid-configuration: .*drop --discover/);
  });
});

describe('the jwt-assertion key pair', () => {
  it('is EC P-256, with its public half in a JWKS whose kid is the RFC 7638 thumbprint', () => {
    const key = generateDeviceKey();
    const jwk = key.jwks.keys[0] as Record<string, string>;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: key.keyId });
    expect(jwk).not.toHaveProperty('d');
    const data = Buffer.from('signed by the device');
    const signature = sign('sha256', data, createPrivateKey(key.privateKeyPem as string));
    expect(verify('sha256', data, createPublicKey({ key: jwk, format: 'jwk' }), signature)).toBe(true);
  });

  it('names the key by its RFC 7638 thumbprint: the RFC 7517 A.2 example key, hashed in the canonical member order', async () => {
    // RFC 7517 appendix A.2's EC P-256 private key; RFC 7638 section 3.2: the required members crv, kty, x, y in
    // lexicographic order, no whitespace, SHA-256, base64url.
    const x = 'MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4';
    const y = '4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM';
    const jwk = { kty: 'EC', crv: 'P-256', x, y, d: '870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE' };
    const cwd = await tempDir();
    await writeFile(join(cwd, 'a2.pem'), createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const canonical = `{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`;
    const key = await loadDeviceKey(join(cwd, 'a2.pem'));
    expect(key.keyId).toBe(createHash('sha256').update(canonical).digest('base64url'));
    expect(key.jwks.keys[0]).toMatchObject({ x, y, kid: key.keyId });
  });

  it('is written 0600 and gitignored; jwks.json and .env point at it', async () => {
    const cwd = await tempDir();
    const result = await runCli(['dev', '-m', 'jwt-assertion', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect((await stat(join(cwd, 'dev/medplum-device-key.pem'))).mode & 0o777).toBe(0o600);
    const jwks = JSON.parse(await readFile(join(cwd, 'dev/jwks.json'), 'utf8'));
    const env = await readFile(join(cwd, 'dev/.env'), 'utf8');
    expect(env).toContain(`MEDPLUM_KEY_ID='${jwks.keys[0].kid}'`);
    expect(env).toContain("MEDPLUM_PRIVATE_KEY_PATH='./medplum-device-key.pem'");
    expect(await readFile(join(cwd, 'dev/.gitignore'), 'utf8')).toMatch(/^\*\.pem$/m);
  });

  it('--private-key-path uses an existing key, without copying it', async () => {
    const cwd = await tempDir();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(cwd, 'device.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const result = await runCli(['dev', '-m', 'jwt-assertion', '--private-key-path', 'device.pem', '--no-install', '--no-git', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files).not.toContain('medplum-device-key.pem');
    expect((await loadDeviceKey(join(cwd, 'device.pem'))).keyId).toBe(
      JSON.parse(await readFile(join(cwd, 'dev/jwks.json'), 'utf8')).keys[0].kid,
    );
    expect(await readFile(join(cwd, 'dev/.env'), 'utf8')).toContain(`MEDPLUM_PRIVATE_KEY_PATH='${join(cwd, 'device.pem')}'`);
  });

  it('refuses a key that is not EC P-256 (RSA, or EC on another curve), a missing one and one that is no key, in one line', async () => {
    const cwd = await tempDir();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(cwd, 'rsa.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    await writeFile(join(cwd, 'p384.pem'), p384.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(cwd, 'notes.txt'), 'not a key\n');
    for (const [file, message] of [
      ['rsa.pem', /is not an EC P-256 key/],
      ['p384.pem', /is not an EC P-256 key/],
      ['missing.pem', /no such file/],
      ['notes.txt', /notes\.txt: not a PEM or DER private key\./],
    ] as const) {
      const result = await runCli(['dev', '-m', 'jwt-assertion', '--private-key-path', file, '--dry-run'], { cwd });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('git', () => {
  it('the first commit holds jwks.json but neither .env nor the private key', async () => {
    const cwd = await tempDir();
    const result = await runCli(['dev', '-m', 'jwt-assertion', '--no-install'], {
      cwd,
      env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    });
    expect(result.code).toBe(0);
    const tracked = execFileSync('git', ['ls-files'], { cwd: join(cwd, 'dev'), encoding: 'utf8' }).split('\n');
    expect(tracked).toContain('jwks.json');
    expect(tracked).toContain('.env.example');
    expect(tracked).not.toContain('.env');
    expect(tracked).not.toContain('medplum-device-key.pem');
  });
});
