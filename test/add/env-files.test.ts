/**
 * The env files of an existing project, text in and text out: what appendEnv and appendExample
 * append and keep, what maskEnv hides, and which .gitignore lines isIgnored takes as ignoring a file.
 */
import { describe, expect, it } from 'vitest';
import { appendEnv, appendExample, ensureIgnored, isIgnored, maskEnv, type EnvEntry } from '../../src/add/env-files.js';

const HEADER = 'Added by create-medplum-auth (basic-auth)';

const entry = (name: string, value: string, more: Partial<EnvEntry> = {}): EnvEntry => ({
  name,
  where: `where ${name} comes from`,
  value,
  example: `your-${name.toLowerCase()}`,
  secret: false,
  envFile: 'value',
  ...more,
});

const BASE_URL = entry('MEDPLUM_BASE_URL', 'http://localhost:8103/');
const SECRET = entry('MEDPLUM_CLIENT_SECRET', 's3cret', { secret: true });
const COMMENTED = entry('MEDPLUM_PRIVATE_KEY_PATH', './key.pem', { envFile: 'commented' });
const OMITTED = entry('MEDPLUM_DEVICE_SECRET', '', { envFile: 'omitted' });

const APPENDED = `# ${HEADER}\n# where MEDPLUM_BASE_URL comes from\nMEDPLUM_BASE_URL='http://localhost:8103/'\n`;

describe('appendEnv', () => {
  it.each([
    ['no file', undefined, APPENDED],
    ['an empty file', '', APPENDED],
    ['a file without a final newline', 'PORT=3000', `PORT=3000\n\n${APPENDED}`],
    ['a file with a final newline', 'PORT=3000\n', `PORT=3000\n\n${APPENDED}`],
  ])('to %s: the block after one blank line', (_, existing, text) => {
    expect(appendEnv(existing, [BASE_URL], HEADER, 'node')).toEqual({ text, kept: [] });
  });

  it('a commented entry is appended commented out, an omitted one not at all', () => {
    expect(appendEnv(undefined, [SECRET, COMMENTED, OMITTED], HEADER, 'node').text).toBe(
      `# ${HEADER}\n# where MEDPLUM_CLIENT_SECRET comes from\nMEDPLUM_CLIENT_SECRET='s3cret'\n` +
        `# where MEDPLUM_PRIVATE_KEY_PATH comes from\n# MEDPLUM_PRIVATE_KEY_PATH='./key.pem'\n`,
    );
  });

  it('the vite dialect escapes $', () => {
    expect(appendEnv(undefined, [entry('VITE_X', 'a$b')], HEADER, 'vite').text).toBe(`# ${HEADER}\n# where VITE_X comes from\nVITE_X='a\\$b'\n`);
  });

  it.each([
    ['set to another value', 'MEDPLUM_BASE_URL=https://medplum.example.org/\n', BASE_URL, ['MEDPLUM_BASE_URL']],
    ['set to the same value', "MEDPLUM_BASE_URL='http://localhost:8103/'\n", BASE_URL, []],
    ['set, and only ever commented out', 'MEDPLUM_PRIVATE_KEY_PATH=/etc/key.pem\n', COMMENTED, []],
    ['set, and given no value', 'MEDPLUM_PROJECT_ID=abc\n', entry('MEDPLUM_PROJECT_ID', ''), []],
  ])('a key %s is left as it is; kept: %j', (_, existing, e, kept) => {
    expect(appendEnv(existing, [e], HEADER, 'node')).toEqual({ text: undefined, kept });
  });

  it('a key not set yet is appended, not kept', () => {
    expect(appendEnv('OTHER=1\n', [SECRET], HEADER, 'node')).toEqual({
      text: `OTHER=1\n\n# ${HEADER}\n# where MEDPLUM_CLIENT_SECRET comes from\nMEDPLUM_CLIENT_SECRET='s3cret'\n`,
      kept: [],
    });
  });

  it('a key the file has commented out is not appended again', () => {
    expect(appendEnv("# MEDPLUM_PRIVATE_KEY_PATH='./key.pem'\n", [COMMENTED], HEADER, 'node')).toEqual({ text: undefined, kept: [] });
  });
});

describe('appendExample', () => {
  it('a placeholder for each entry, commented out unless it is a value', () => {
    expect(appendExample(undefined, [BASE_URL, COMMENTED, OMITTED], HEADER, 'node')).toBe(
      `# ${HEADER}\n# where MEDPLUM_BASE_URL comes from\nMEDPLUM_BASE_URL='your-medplum_base_url'\n` +
        `# where MEDPLUM_PRIVATE_KEY_PATH comes from\n# MEDPLUM_PRIVATE_KEY_PATH='your-medplum_private_key_path'\n` +
        `# where MEDPLUM_DEVICE_SECRET comes from\n# MEDPLUM_DEVICE_SECRET='your-medplum_device_secret'\n`,
    );
  });

  it('skips the names the file mentions, set or commented out; undefined when it mentions them all', () => {
    const existing = 'MEDPLUM_BASE_URL=x\n  # MEDPLUM_PRIVATE_KEY_PATH=y';
    expect(appendExample(existing, [BASE_URL, COMMENTED, SECRET], HEADER, 'node')).toBe(
      `${existing}\n\n# ${HEADER}\n# where MEDPLUM_CLIENT_SECRET comes from\nMEDPLUM_CLIENT_SECRET='your-medplum_client_secret'\n`,
    );
    expect(appendExample(existing, [BASE_URL, COMMENTED], HEADER, 'node')).toBeUndefined();
  });
});

describe('maskEnv', () => {
  it.each([
    ['A=1', 'A=<hidden>'],
    ['', ''],
    ['   ', '   '],
    ['# a comment', '# a comment'],
    ['  # an indented comment', '  # an indented comment'],
    ['export FOO=1', 'FOO=<hidden>'],
    ['export  FOO=1', 'FOO=<hidden>'],
    ['FOO = 1', 'FOO=<hidden>'],
    ['my.key-1=x', 'my.key-1=<hidden>'],
    ['x y=1', '<hidden>'],
    ['no equals sign', '<hidden>'],
  ])('%j -> %j', (line, masked) => {
    expect(maskEnv(line, new Set())).toBe(masked);
  });

  it('shows the lines in `shown` as they are, and hides every other value', () => {
    expect(maskEnv("A='1'\n\nB=2\nA=3", new Set(["A='1'"]))).toBe("A='1'\n\nB=<hidden>\nA=<hidden>");
  });
});

describe('isIgnored', () => {
  it.each([
    ['.env', '.env', true],
    ['/.env', '.env', true],
    ['.env   ', '.env', true],
    ['.env*', '.env.local', true],
    ['.en?', '.env', true],
    ['*.pem', 'medplum-device-key.pem', true],
    ['.env', 'xenv', false],
    ['*/.env', '.env', false],
    // A trailing slash ignores a directory only (git check-ignore agrees): a .env file is not ignored.
    ['.env/', '.env', false],
    ['/.env/', '.env', false],
    ['*\n!.env/', '.env', true],
    ['.env.local', '.env', false],
    ['#.env', '#.env', false],
    ['.env\n!.env', '.env', false],
    ['!.env', '.env', false],
    ['*\n!.env', '.env', false],
    ['*\n!.env.local', '.env', true],
    ['node_modules\r\n\r\n# secrets\r\n.env\r\n', '.env', true],
  ])('%j ignores %s: %s', (gitignore, name, ignored) => {
    expect(isIgnored(gitignore, name)).toBe(ignored);
  });
});

describe('ensureIgnored', () => {
  const wanted = [
    { probe: '.env', line: '.env' },
    { probe: 'medplum-device-key.pem', line: '*.pem' },
  ];

  it.each([
    [undefined, `# ${HEADER}\n.env\n*.pem\n`],
    ['node_modules', `node_modules\n\n# ${HEADER}\n.env\n*.pem\n`],
    ['.env*\n', `.env*\n\n# ${HEADER}\n*.pem\n`],
    ['.env\n*.pem\n', undefined],
    ['.env/\n', `.env/\n\n# ${HEADER}\n.env\n*.pem\n`],
  ])('%j -> %j', (existing, text) => {
    expect(ensureIgnored(existing, wanted, HEADER)).toBe(text);
  });
});
