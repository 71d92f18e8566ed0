/**
 * Issue 10, item 8 (--from) and the smaller points on --from and on echoed values: a record is
 * checked by a schema with the flags' own rules, each failure one line naming its JSON path; a
 * value quoted back to the terminal is cut short and its control characters escaped.
 * Run `npm run build` first.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startMedplumDouble } from '../double/medplum-double.js';
import { expectOneLine, runCli, tempDir } from '../helpers.js';
import { BIN, sh } from '../project.js';
import { serve } from '../servers.js';

const DEVICE = {
  format: 1,
  method: 'device-credentials',
  baseUrl: 'https://api.medplum.com/',
  clientId: '',
  projectId: '',
  accessPolicy: {
    resourceType: 'AccessPolicy',
    name: 'thermo',
    resource: [{ resourceType: 'Observation', interaction: ['create'] }],
    ipAccessRule: [{ name: 'allow 10.', value: '10.', action: 'allow' }],
  },
};
const IDP = {
  format: 1,
  method: 'external-idp',
  baseUrl: 'https://api.medplum.com/',
  clientId: '',
  projectId: '',
  idp: {
    provider: 'okta',
    issuer: 'https://example.okta.com/oauth2/default',
    authorizeUrl: 'https://example.okta.com/oauth2/default/v1/authorize',
    tokenUrl: 'https://example.okta.com/oauth2/default/v1/token',
    userInfoUrl: 'https://example.okta.com/oauth2/default/v1/userinfo',
    clientId: '0oa1',
  },
};
const device = (policy: object) => ({ ...DEVICE, accessPolicy: { ...DEVICE.accessPolicy, ...policy } });
const idp = (fields: object) => ({ ...IDP, idp: { ...IDP.idp, ...fields } });

/** Writes `record` and replays it with the built bin (--dry-run: nothing to clean up). */
async function replay(record: unknown, ...args: string[]) {
  const cwd = await tempDir();
  await writeFile(join(cwd, 'rec.json'), typeof record === 'string' ? record : JSON.stringify(record));
  return sh(process.execPath, [BIN, 'app', '--from', 'rec.json', '--dry-run', ...args], cwd);
}

describe('item 8: --from checks the record by schema; each failure is one line with its JSON path, exit 2', () => {
  it.each([
    ['null', 'null', /--from rec\.json: \$: Invalid type: Expected Object but received null\./],
    ['[null]', '[null]', /--from rec\.json: \$: Invalid type: Expected Object but received Array\./],
    ['"idp": null', { ...IDP, idp: null }, /\$\.idp: Invalid type: Expected Object but received null/],
    ['accessPolicy.resource as a string', device({ resource: 'Observation:create' }), /\$\.accessPolicy\.resource: Invalid type: Expected Array/],
    ['accessPolicy.resource: [null]', device({ resource: [null] }), /\$\.accessPolicy\.resource\[0\]: Invalid type: Expected Object but received null/],
    ['interaction: "read"', device({ resource: [{ resourceType: 'Patient', interaction: 'read' }] }), /\$\.accessPolicy\.resource\[0\]\.interaction: Invalid type: Expected Array/],
    ['ipAccessRule: [null]', device({ ipAccessRule: [null] }), /\$\.accessPolicy\.ipAccessRule\[0\]: Invalid type: Expected Object but received null/],
    ['a numeric idp.authorizeUrl', idp({ authorizeUrl: 42 }), /\$\.idp\.authorizeUrl: Invalid type: Expected string but received 42/],
  ])('%s', async (_name, record, pattern) => {
    expectOneLine(await replay(record), 2, pattern);
  });

  it('several failures: one line each', async () => {
    const result = await replay({ ...DEVICE, method: 'nope', baseUrl: 7 });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/\$\.method: no known method/), expect.stringMatching(/\$\.baseUrl: Invalid type/)]);
  });
});

describe('smaller points', () => {
  it('--from applies the flags\' rules: an IdP endpoint must be https, as for --idp-issuer', async () => {
    expectOneLine(
      await replay(idp({ tokenUrl: 'http://idp.example.com/token' })),
      2,
      /--from rec\.json: \$\.idp\.tokenUrl must be an https URL \(http only for localhost\), not http\./,
    );
    expectOneLine(await replay({ ...DEVICE, baseUrl: 'ftp://x/' }), 2, /\$\.baseUrl must be http or https, not ftp/);
    expectOneLine(await replay({ ...DEVICE, projectId: `'"\`` }), 2, /\$\.projectId contains all three quote characters/);
    expect((await replay(IDP)).code).toBe(0);
    // An endpoint may carry a query (Azure AD B2C names its policy there); an issuer may not.
    expect((await replay(idp({ authorizeUrl: 'https://t.b2clogin.com/t/oauth2/v2.0/authorize?p=b2c_1_signin' }))).code).toBe(0);
    expectOneLine(await replay(idp({ issuer: 'https://t.b2clogin.com/t/v2.0/?p=b2c_1_signin' })), 2, /\$\.idp\.issuer must be a plain issuer URL/);
  });

  it('the same rule holds for endpoints read by --discover', async () => {
    const issuer = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ authorization_endpoint: 'http://idp.example.com/authorize', token_endpoint: 'https://idp.example.com/token', userinfo_endpoint: 'https://idp.example.com/userinfo' }));
    });
    const cwd = await tempDir();
    const result = await sh(process.execPath, [BIN, 'app', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', issuer.url.slice(0, -1), '--discover', '--dry-run'], cwd);
    expectOneLine(result, 2, /authorization_endpoint \(from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration\) must be an https URL \(http only for localhost\), not http\./);
  });

  it('--from with a recorded client ID plus --provision provisions a new client, never "drop --client-id"', async () => {
    const medplum = await startMedplumDouble();
    try {
      const admin = medplum.addClient({ name: 'admin', admin: true });
      const cwd = await tempDir();
      const recorded = '00000000-0000-4000-8000-000000000001';
      await writeFile(join(cwd, 'rec.json'), JSON.stringify({ ...DEVICE, method: 'client-credentials', baseUrl: medplum.baseUrl, clientId: recorded, accessPolicy: undefined }));
      const result = await runCli(['again', '--from', 'rec.json', '--provision', '--no-install', '--no-git', '--json'], {
        cwd,
        env: { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret },
      });
      expect(result.stderr).not.toMatch(/drop --client-id/);
      expect(result.code, result.stderr).toBe(0);
      const clientId = parseEnv(await readFile(join(cwd, 'again/.env'), 'utf8')).MEDPLUM_CLIENT_ID;
      expect(clientId).not.toBe(recorded);
      expect(medplum.client(clientId as string)).toBeDefined();
    } finally {
      await medplum.close();
    }
  });

  it('a warning quoting a 2 MB value shows it cut short, with control characters escaped', async () => {
    const huge = `\u001b[2J\u0007${'x'.repeat(2_000_000)}`;
    const result = await replay({ ...DEVICE, clientId: huge });
    expect(result.code, result.stderr).toBe(0);
    const warning = result.stderr.split('\n').find((l) => l.includes('--client-id')) as string;
    expect(warning).toMatch(/--client-id "\\u001b\[2J\\u0007x+…" \(2000005 characters\) is not a UUID/);
    expect(result.stderr.length).toBeLessThan(400);
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it('a carriage return in a warning is shown escaped, never sent to the terminal', async () => {
    const cwd = await tempDir();
    const result = await sh(process.execPath, [BIN, 'app', '-m', 'google-auth', '--google-client-id', 'evil\rspoofed', '--dry-run'], cwd);
    expect(result.stderr).toContain('--google-client-id "evil\\rspoofed" does not end in .apps.googleusercontent.com');
    expect(result.stderr).not.toContain('\r');
  });

});
