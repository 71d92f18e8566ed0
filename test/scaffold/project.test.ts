/** A generated project as check and rotate-secret read it (src/scaffold/project.ts): its record, its env, its secret. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, UsageError } from '../../src/errors.js';
import { METHODS, NEXT_ENV, VITE_ENV } from '../../src/guide/methods.js';
import { readClientSecret, readEnvText, readProjectEnv, readRecordedProject, requireClientSecret } from '../../src/scaffold/project.js';
import { tempDir } from '../helpers.js';

/** A project folder whose medplum-auth.json holds `record` (written as is when a string). */
async function projectWith(record: unknown): Promise<string> {
  const dir = await tempDir();
  await writeFile(join(dir, 'medplum-auth.json'), typeof record === 'string' ? record : JSON.stringify(record));
  return dir;
}

describe('readRecordedProject', () => {
  it('reads a Vite project: the method as recorded, with Vite env names', async () => {
    const dir = await projectWith({ method: 'oauth-auth-code' });
    const { method, webEnv } = await readRecordedProject(dir, 'check');
    expect(webEnv).toBe(VITE_ENV);
    expect(method).toBe(METHODS['oauth-auth-code']);
  });

  it('reads a Next.js project: its env and the method in the NEXT_PUBLIC_ dialect', async () => {
    const dir = await projectWith({ method: 'oauth-auth-code', bundler: 'Next.js' });
    const { method, webEnv } = await readRecordedProject(dir, 'check');
    expect(webEnv).toBe(NEXT_ENV);
    expect(method.env.map((v) => v.name)).toEqual(['NEXT_PUBLIC_MEDPLUM_BASE_URL', 'NEXT_PUBLIC_MEDPLUM_CLIENT_ID', 'NEXT_PUBLIC_MEDPLUM_PROJECT_ID']);
  });

  it.each([
    ['no method', {}, 'names no known method.'],
    ['a method that is not a string', { method: 42 }, 'names no known method.'],
    ['an unknown method', { method: 'magic-link' }, 'names no known method.'],
    ['an unknown bundler', { method: 'oauth-auth-code', bundler: 'webpack' }, 'names no known bundler (one of Vite, Next.js).'],
  ])('refuses a record with %s', async (_name, record, message) => {
    const dir = await projectWith(record);
    await expect(readRecordedProject(dir, 'check')).rejects.toThrow(new UsageError(`medplum-auth.json in ${dir} ${message}`));
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{ method:'],
  ])('refuses a folder whose record is %s, naming the command', async (_name, record) => {
    const dir = record === undefined ? await tempDir() : await projectWith(record);
    await expect(readRecordedProject(dir, 'rotate-secret')).rejects.toThrow(
      new UsageError(`No medplum-auth.json in ${dir}: run rotate-secret in a project made by create-medplum-auth, or pass its directory.`),
    );
  });
});

describe('readProjectEnv', () => {
  it('layers the env file, then --env, then the project variables of the process', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.env.local'), 'MEDPLUM_A=file\nMEDPLUM_B=file\nMEDPLUM_C=file\nOTHER=file\n');
    const envFile = join(dir, 'extra.env');
    await writeFile(envFile, 'MEDPLUM_B=extra\nMEDPLUM_D=extra\n');
    const processEnv = {
      MEDPLUM_C: 'process',
      MEDPLUM_A: undefined,
      MEDPLUM_ADMIN_CLIENT_SECRET: 'admin',
      PATH: '/bin',
      VITE_X: 'v',
      NEXT_PUBLIC_X: 'n',
      REACT_APP_X: 'r',
      EXPO_PUBLIC_X: 'e',
      PUBLIC_X: 'p',
    };
    expect(await readProjectEnv(dir, envFile, processEnv, '.env.local')).toStrictEqual({
      MEDPLUM_A: 'file',
      MEDPLUM_B: 'extra',
      MEDPLUM_C: 'process',
      MEDPLUM_D: 'extra',
      OTHER: 'file',
      VITE_X: 'v',
      NEXT_PUBLIC_X: 'n',
      REACT_APP_X: 'r',
      EXPO_PUBLIC_X: 'e',
      PUBLIC_X: 'p',
    });
  });

  it('reads no file when the project has no .env and no --env is given', async () => {
    expect(await readProjectEnv(await tempDir(), undefined, { MEDPLUM_A: 'process' })).toStrictEqual({ MEDPLUM_A: 'process' });
  });

  it('refuses an --env file that does not exist', async () => {
    const missing = join(await tempDir(), 'missing.env');
    await expect(readProjectEnv(await tempDir(), missing, {})).rejects.toThrow(new UsageError(`--env ${missing}: no such file.`));
  });

  it('names the --env file when it is a directory', async () => {
    const dir = await tempDir();
    await expect(readProjectEnv(dir, dir, {})).rejects.toThrow(new UsageError(`--env ${dir} is a directory, not an env file.`));
  });

  it("names the project's own env file when it is a directory", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.env.local'));
    await writeFile(join(dir, 'extra.env'), 'A=1\n');
    await expect(readProjectEnv(dir, join(dir, 'extra.env'), {}, '.env.local')).rejects.toThrow(
      new UsageError(`.env.local ${join(dir, '.env.local')} is a directory, not an env file.`),
    );
  });
});

describe('readEnvText', () => {
  it('reads the text of a file, and undefined for no file', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, '.env'), 'A=1\n');
    expect(await readEnvText(join(dir, '.env'))).toBe('A=1\n');
    expect(await readEnvText(join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses a directory, as .env unless told otherwise', async () => {
    const dir = await tempDir();
    await expect(readEnvText(dir)).rejects.toThrow(new UsageError(`.env ${dir} is a directory, not an env file.`));
  });

  it('refuses a path it cannot read, with the error code', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'file'), '');
    const path = join(dir, 'file', '.env');
    await expect(readEnvText(path, '--env')).rejects.toThrow(new UsageError(`--env ${path} cannot be read (ENOTDIR).`));
  });
});

describe('readClientSecret', () => {
  it.each([
    ['one trailing newline trimmed', 'line one\nline two\n', 'line one\nline two'],
    ['a trailing CRLF trimmed', 's3cret\r\n', 's3cret'],
    ['only the last newline trimmed', 's3cret\n\n', 's3cret\n'],
  ])('reads MEDPLUM_CLIENT_SECRET_FILE first: %s', async (_name, content, secret) => {
    const file = join(await tempDir(), 'secret');
    await writeFile(file, content);
    expect(await readClientSecret({ MEDPLUM_CLIENT_SECRET_FILE: file, MEDPLUM_CLIENT_SECRET: 'from env' })).toBe(secret);
  });

  it.each([
    [{ MEDPLUM_CLIENT_SECRET: 'from env' }, 'from env'],
    [{ MEDPLUM_CLIENT_SECRET: '' }, undefined],
    [{}, undefined],
  ])('reads MEDPLUM_CLIENT_SECRET without a file: %j', async (env, secret) => {
    expect(await readClientSecret(env)).toBe(secret);
  });

  it('refuses a MEDPLUM_CLIENT_SECRET_FILE it cannot read', async () => {
    const file = join(await tempDir(), 'missing');
    await expect(readClientSecret({ MEDPLUM_CLIENT_SECRET_FILE: file })).rejects.toThrow(new CliError(`MEDPLUM_CLIENT_SECRET_FILE ${file} cannot be read`));
  });

  it('requireClientSecret throws the error it is given when there is no secret', async () => {
    await expect(requireClientSecret({}, () => new CliError('no secret'))).rejects.toThrow(new CliError('no secret'));
    expect(await requireClientSecret({ MEDPLUM_CLIENT_SECRET: 's' }, () => new CliError('no secret'))).toBe('s');
  });
});
