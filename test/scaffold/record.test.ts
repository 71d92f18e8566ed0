import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
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
