import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseArgs, type Flags } from '../../src/cli/args.js';
import { flagsFromRecord } from '../../src/scaffold/record.js';
import { runCli, tempDir } from '../helpers.js';

async function scaffold(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = await runCli([...args, '--no-install', '--no-git', '--json'], { cwd, env });
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as { files: string[]; method: string; ui?: string; reasons: string[] };
}

const read = async (dir: string) => JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8'));

describe('medplum-auth.json', () => {
  it('records the answers, method, reasons, docs and settings, and never a secret', async () => {
    const cwd = await tempDir();
    const out = await scaffold(
      cwd,
      ['api', '--app', 'backend', '--yes', '--client-id', 'c-1', '--base-url', 'http://localhost:8103', '--allow-ip', '10.20.'],
      { MEDPLUM_CLIENT_SECRET: 'never-in-the-record' },
    );
    expect(out.files).toContain('medplum-auth.json');
    const record = await read(join(cwd, 'api'));
    expect(record).toMatchObject({
      format: 1,
      app: 'backend',
      method: 'client-credentials',
      answers: { app: 'backend', userTokens: 'no', runtime: 'server' },
      docs: ['https://www.medplum.com/docs/auth/methods/client-credentials', 'https://www.medplum.com/docs/auth/methods'],
      baseUrl: 'http://localhost:8103/',
      clientId: 'c-1',
      accessPolicy: { resource: [{ resourceType: 'Patient', interaction: ['search'] }] },
    });
    expect(record.reasons).toEqual(out.reasons);
    expect(record.generator).toMatch(/^create-medplum-auth@\d+\.\d+\.\d+$/);
    expect(await readFile(join(cwd, 'api/medplum-auth.json'), 'utf8')).not.toContain('never-in-the-record');
  });

  it('--from replays it without prompts, to the same files and settings', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, [
      'first',
      '-m', 'external-idp',
      '--idp', 'okta',
      '--idp-domain', 'example.okta.com',
      '--idp-client-id', 'okta-client',
      '--client-id', 'c-2',
      '--project-id', 'p-2',
    ]);
    // A TTY that nobody answers: a replay must not ask anything.
    const replay = await runCli(['second', '--from', 'first/medplum-auth.json', '--no-install', '--no-git'], { cwd, tty: true });
    expect(replay.code).toBe(0);
    const [first, second] = [await read(join(cwd, 'first')), await read(join(cwd, 'second'))];
    expect({ ...second, reasons: undefined }).toEqual({ ...first, reasons: undefined });
    expect((await readdir(join(cwd, 'second'))).sort()).toEqual((await readdir(join(cwd, 'first'))).sort());
    const env = async (dir: string) => parseEnv(await readFile(join(cwd, dir, '.env'), 'utf8'));
    expect(await env('second')).toEqual(await env('first'));
  });

  it('records --platform mobile, and --from replays the Expo starter', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['phone', '-m', 'oauth-auth-code', '--platform', 'mobile', '--client-id', 'c-3']);
    expect(await read(join(cwd, 'phone'))).toMatchObject({ method: 'oauth-auth-code', platform: 'mobile', clientId: 'c-3' });
    const replay = await scaffold(cwd, ['again', '--from', 'phone/medplum-auth.json']);
    expect(replay.files).toContain('app.json');
    expect(await read(join(cwd, 'again'))).toMatchObject({ platform: 'mobile' });
    expect((await scaffold(cwd, ['web', '--from', 'phone/medplum-auth.json', '--platform', 'web'])).files).toContain('vite.config.ts');
  });

  it('records the UI of a web starter, and --from replays it', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['plain', '-m', 'oauth-auth-code', '--ui', 'plain']);
    await scaffold(cwd, ['default', '-m', 'oauth-auth-code']);
    expect((await read(join(cwd, 'plain'))).ui).toBe('plain');
    expect((await read(join(cwd, 'default'))).ui).toBe('medplum');
    const replay = await scaffold(cwd, ['again', '--from', 'plain/medplum-auth.json']);
    expect(replay).toMatchObject({ ui: 'plain' });
    expect((await read(join(cwd, 'again'))).ui).toBe('plain');
    expect((await scaffold(cwd, ['medplum', '--from', 'plain/medplum-auth.json', '--ui', 'medplum'])).ui).toBe('medplum');
  });

  it('--from keeps the access policy and IP rules; a flag given with it wins', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['dev', '-m', 'device-credentials', '--allow', 'Observation:create', '--allow-ip', '10.0.0.0/8']);
    await scaffold(cwd, ['again', '--from', 'dev/medplum-auth.json', '--base-url', 'https://medplum.example.org/']);
    const record = await read(join(cwd, 'again'));
    expect(record.accessPolicy.resource).toEqual([{ resourceType: 'Observation', interaction: ['create'] }]);
    expect(record.accessPolicy.ipAccessRule[0]).toMatchObject({ value: '10.', action: 'allow' });
    expect(record.baseUrl).toBe('https://medplum.example.org/');
  });

  it.each([
    ['missing.json', /--from missing\.json: no such file/],
    ['bad.json', /--from bad\.json: \$\.format: Invalid key: Expected "format" but received undefined\./],
    ['bad-ui.json', /--from bad-ui\.json: \$\.ui: unknown ui \(one of medplum, plain\)/],
  ])('--from %s is one clear line, exit 2', async (file, pattern) => {
    const cwd = await tempDir();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(cwd, 'bad.json'), '{"method":"client-credentials"}');
    await writeFile(join(cwd, 'bad-ui.json'), '{"format":1,"method":"oauth-auth-code","ui":"fancy"}');
    const result = await runCli(['x', '--from', file], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  });
});

describe('the record, field by field', () => {
  it('holds only the fields its method has: no platform, UI, Google client, IdP or device for a backend', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['api', '-m', 'client-credentials']);
    expect(Object.keys(await read(join(cwd, 'api')))).toEqual([
      'format', 'generator', 'app', 'method', 'answers', 'reasons', 'docs', 'baseUrl', 'clientId', 'projectId', 'accessPolicy',
    ]);
  });

  it('holds the Google client ID of google-auth, and a device ID only when one was given', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['g', '-m', 'google-auth', '--google-client-id', '123-x.apps.googleusercontent.com']);
    expect((await read(join(cwd, 'g'))).googleClientId).toBe('123-x.apps.googleusercontent.com');
    await scaffold(cwd, ['d', '-m', 'device-credentials']);
    expect(Object.keys(await read(join(cwd, 'd')))).not.toContain('deviceId');
  });
});

describe('flagsFromRecord: what --from stands for', () => {
  const flags = (...argv: string[]): Flags => {
    const parsed = parseArgs(argv, '0.0.0');
    if (parsed.kind !== 'create') {
      throw new Error(`not a run: ${argv.join(' ')}`);
    }
    return parsed.flags;
  };
  /** The fields a record can set, from flags. */
  const recorded = (f: Flags) => ({
    yes: f.yes,
    method: f.method,
    platform: f.platform,
    ui: f.ui,
    app: f.app,
    baseUrl: f.baseUrl,
    clientId: f.clientId,
    projectId: f.projectId,
    googleClientId: f.googleClientId,
    deviceId: f.deviceId,
    idp: f.idp,
    idpIssuer: f.idpIssuer,
    idpClientId: f.idpClientId,
    idpEndpoints: f.idpEndpoints,
    allow: f.allow,
    allowIp: f.allowIp,
  });
  async function device(cwd: string): Promise<string> {
    await scaffold(cwd, [
      'dev', '-m', 'device-credentials', '--client-id', 'c-d', '--project-id', 'p-d', '--base-url', 'https://m.example.org',
      '--device-id', 'dev-1', '--allow', 'Observation:create', '--allow', 'Patient:read', '--allow-ip', '10.0.0.0/8',
    ]);
    return join(cwd, 'dev/medplum-auth.json');
  }

  it('a device record: its settings, its policy as --allow, its allowed addresses (not the block rule) as --allow-ip; nothing asked', async () => {
    const path = await device(await tempDir());
    expect(recorded(await flagsFromRecord(path, flags('x', '--from', path)))).toEqual({
      yes: true,
      method: 'device-credentials',
      platform: undefined,
      ui: undefined,
      app: 'device',
      baseUrl: 'https://m.example.org/',
      clientId: 'c-d',
      projectId: 'p-d',
      googleClientId: undefined,
      deviceId: 'dev-1',
      idp: undefined,
      idpIssuer: undefined,
      idpClientId: undefined,
      idpEndpoints: undefined,
      allow: ['Observation:create', 'Patient:read'],
      allowIp: ['10.'],
    });
  });

  it('every flag given with --from wins over the record', async () => {
    const path = await device(await tempDir());
    const given = flags(
      'x', '--from', path, '-m', 'client-credentials', '--app', 'backend', '--base-url', 'https://other.example.org/', '--client-id', 'mine',
      '--project-id', 'p-2', '--device-id', 'dev-2', '--allow', 'Patient:search', '--allow-ip', '192.168.',
    );
    expect(recorded(await flagsFromRecord(path, given))).toMatchObject({
      method: 'client-credentials',
      app: 'backend',
      baseUrl: 'https://other.example.org/',
      clientId: 'mine',
      projectId: 'p-2',
      deviceId: 'dev-2',
      allow: ['Patient:search'],
      allowIp: ['192.168.'],
    });
  });

  it('with --provision the recorded client ID is not taken: a client is made or found', async () => {
    const path = await device(await tempDir());
    expect((await flagsFromRecord(path, flags('x', '--from', path, '--provision'))).clientId).toBeUndefined();
  });

  it('an IdP record: provider, issuer, client and endpoints; empty ones are as if not recorded', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['idp', '-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', 'okta-client']);
    const path = join(cwd, 'idp/medplum-auth.json');
    const issuer = 'https://example.okta.com/oauth2/default';
    expect(recorded(await flagsFromRecord(path, flags('x', '--from', path)))).toMatchObject({
      idp: 'okta',
      idpIssuer: issuer,
      idpClientId: 'okta-client',
      idpEndpoints: { issuer, authorizeUrl: `${issuer}/v1/authorize`, tokenUrl: `${issuer}/v1/token`, userInfoUrl: `${issuer}/v1/userinfo` },
    });
    const record = await read(join(cwd, 'idp'));
    await writeFile(path, JSON.stringify({ ...record, idp: { ...record.idp, issuer: '', clientId: '', authorizeUrl: '' } }));
    expect(recorded(await flagsFromRecord(path, flags('x', '--from', path)))).toMatchObject({
      idp: 'okta',
      idpIssuer: undefined,
      idpClientId: undefined,
      idpEndpoints: undefined,
    });
  });

  it('the Google client ID, and the mobile platform, come back from the record', async () => {
    const cwd = await tempDir();
    await scaffold(cwd, ['g', '-m', 'google-auth', '--google-client-id', '123-x.apps.googleusercontent.com']);
    await scaffold(cwd, ['phone', '-m', 'oauth-auth-code', '--platform', 'mobile']);
    const [google, phone] = [join(cwd, 'g/medplum-auth.json'), join(cwd, 'phone/medplum-auth.json')];
    expect((await flagsFromRecord(google, flags('x', '--from', google))).googleClientId).toBe('123-x.apps.googleusercontent.com');
    expect((await flagsFromRecord(phone, flags('x', '--from', phone))).platform).toBe('mobile');
  });

  it('a file that is not JSON is one clear error naming it', async () => {
    const cwd = await tempDir();
    const path = join(cwd, 'broken.json');
    await writeFile(path, '{ not json');
    await expect(flagsFromRecord(path, flags('x', '--from', 'broken.json'))).rejects.toThrow(
      /^--from broken\.json: .*JSON.*\. Pass the medplum-auth\.json of an earlier scaffold\.$/,
    );
  });
});
