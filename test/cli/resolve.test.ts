/**
 * src/cli/resolve.ts in process, without a terminal: the exact refusals and warnings of each answer
 * (a value .env cannot hold names its flag; the guide's conflicts list the methods that fit), the
 * target directory's checks, and how a directory is shown. The prompts are in interactive.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { displayPath } from '../../src/cli/resolve.js';
import { runCli, tempDir } from '../helpers.js';

const THREE_QUOTES = `'"\``;
const CANNOT_HOLD = `contains all three quote characters (' " \`), which an .env file cannot hold together. Check the value you pasted.`;
const NOT_UUID = 'is not a UUID; Medplum ids are UUIDs. Check that you copied the ID, not the name.';

/** A dry run of `app` with these flags, in a fresh directory. */
async function dryRun(args: readonly string[], prepare?: (cwd: string) => Promise<void>) {
  const cwd = await tempDir();
  await prepare?.(cwd);
  return runCli(['app', ...args, '--dry-run'], { cwd });
}

describe('a value .env cannot hold is refused, naming its flag', () => {
  it.each([
    ['--project-id', ['-m', 'basic-auth', '--project-id', THREE_QUOTES]],
    ['--idp-client-id', ['-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'example.okta.com', '--idp-client-id', THREE_QUOTES]],
  ])('%s', async (flag, args) => {
    const result = await dryRun(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error ${flag} ${CANNOT_HOLD}\n`);
  });

  it('--google-client-id (after its own warning)', async () => {
    const result = await dryRun(['-m', 'google-auth', '--google-client-id', THREE_QUOTES]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').slice(1)).toEqual([`error --google-client-id ${CANNOT_HOLD}`, '']);
  });

  it('--private-key-path: a key file whose name holds all three quotes', async () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    const result = await dryRun(['-m', 'jwt-assertion', '--private-key-path', `key${THREE_QUOTES}.pem`], (cwd) =>
      writeFile(join(cwd, `key${THREE_QUOTES}.pem`), key),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error --private-key-path ${CANNOT_HOLD}\n`);
  });

  it('an IdP endpoint replayed from a record is checked as the issuer is', async () => {
    const record = {
      format: 1,
      method: 'external-idp',
      idp: { provider: 'okta', issuer: '', authorizeUrl: `https://example.okta.com/authorize?q=${THREE_QUOTES}`, tokenUrl: '', userInfoUrl: '', clientId: '' },
    };
    const result = await dryRun(['--from', 'rec.json'], (cwd) => writeFile(join(cwd, 'rec.json'), JSON.stringify(record)));
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error --idp-issuer ${CANNOT_HOLD}\n`);
  });
});

describe('warnings on the answers', () => {
  it('IDs that are not UUIDs, each by its flag; --project-id is used by the web starter, so no more', async () => {
    const result = await dryRun(['-m', 'oauth-auth-code', '--client-id', 'my-client', '--project-id', 'my-project']);
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')).toEqual([`warning --client-id "my-client" ${NOT_UUID}`, `warning --project-id "my-project" ${NOT_UUID}`, '']);
  });

  it('--project-id with a method that has no project ID', async () => {
    const result = await dryRun(['-m', 'client-credentials', '--project-id', '0b7c6a3e-3b1e-4c61-9b53-6d2f2b1b0c11']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning --project-id is not used by client-credentials: a ClientApplication belongs to one project.\n');
  });

  it('--client-secret with device-credentials is not stored, and says how to inject it', async () => {
    const result = await dryRun(['-m', 'device-credentials', '--client-id', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '--client-secret', 's3cret']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'warning The client secret was not stored: device-credentials keeps secrets off disk. Inject it at run time with MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE (see the README).\n',
    );
    expect(result.stdout).not.toContain('s3cret');
  });
});

describe('the guide', () => {
  it.each([
    [['--method', 'basic-auth', '--app', 'device'], '--method basic-auth is for backend apps, not --app device. Drop one, or choose a device method: device-credentials, jwt-assertion.'],
    [
      ['--method', 'device-credentials', '--app', 'backend'],
      '--method device-credentials is for device apps, not --app backend. Drop one, or choose a backend method: client-credentials, basic-auth, token-exchange.',
    ],
  ])('%j: refused, listing the methods of that app', async (args, message) => {
    const result = await dryRun(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error ${message}\n`);
  });
});

describe('the target directory', () => {
  /** `app` holding these entries. */
  const holding = (names: readonly string[]) => async (cwd: string) => {
    await mkdir(join(cwd, 'app'));
    for (const name of names) {
      await writeFile(join(cwd, 'app', name), '');
    }
  };
  const refusal = (listing: string) =>
    `error app is not empty (${listing}). Choose another directory, or pass --force to write into it; it lists the files it overwrites.\n`;

  it.each([
    [['a'], 'a'],
    [['a', 'b', 'c', 'd', 'e'], 'a, b, c, d, e'],
    [['a', 'b', 'c', 'd', 'e', 'f', 'g'], 'a, b, c, d, e and 2 more'],
  ])('not empty (%j): refused, listing at most five entries', async (names, listing) => {
    const result = await dryRun(['-m', 'basic-auth'], holding(names));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(refusal(listing));
  });

  it('a directory name that is not a package name is refused, saying where the name came from', async () => {
    const cwd = await tempDir();
    const result = await runCli(['My App', '-m', 'basic-auth', '--dry-run'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error "My App" (from the directory My App) is not a valid npm package name. Try "my-app": lowercase letters, digits, - and _.\n');
    expect(await readdir(cwd)).toEqual([]);
  });

  it.each([
    ['/home/u/work', '/home/u/work', '.'],
    ['/home/u/work', '/home/u/work/app', 'app'],
    ['/home/u/work', '/home/u/work/a/b', 'a/b'],
    ['/home/u/work', '/home/u/other', '/home/u/other'],
    ['/home/u/work', '/home/u', '/home/u'],
    ['/home/u/work', '/home/u/work/..app', '..app'],
  ])('displayPath(%s, %s) is %s', (cwd, target, shown) => {
    expect(displayPath(cwd, target)).toBe(shown);
  });
});
