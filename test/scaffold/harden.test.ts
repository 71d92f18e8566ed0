/**
 * Issue 10, the writing items (4, 6, 9, 10, 11), with the built bin: nothing lost under --force,
 * no race between two runs, no write through a symlink, only the starter's files committed.
 * Run `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateDeviceKey } from '../../src/guide/keys.js';
import { expectOneLine, snapshot, tempDir } from '../helpers.js';
import { BIN, sh } from '../project.js';

const cli = (cwd: string, ...args: string[]) => sh(process.execPath, [BIN, ...args], cwd);

describe('writing', () => {
  it('item 4: --force refuses, naming it, a directory where the starter writes a file; nothing is deleted', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'f2/README.md'), { recursive: true });
    await writeFile(join(cwd, 'f2/README.md/one.txt'), 'one');
    await writeFile(join(cwd, 'f2/README.md/two.txt'), 'two');
    const before = await snapshot(cwd);
    const result = await cli(cwd, 'f2', '-m', 'basic-auth', '--force', '--no-install', '--no-git');
    expectOneLine(result, 1, /README\.md is a directory where the starter writes a file\. Move it away, then run again.*Nothing was written/);
    expect(await snapshot(cwd)).toEqual(before);
    expect(await readdir(join(cwd, 'f2'))).toEqual(['README.md']);
  });

  it('item 10: --force never writes through a symlink out of the target: refused by name, the outside untouched', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'outside'));
    await writeFile(join(cwd, 'outside/main.ts'), 'the user\'s own file');
    await mkdir(join(cwd, 'app'));
    await symlink(join(cwd, 'outside'), join(cwd, 'app/src'));
    const before = await snapshot(cwd);
    const result = await cli(cwd, 'app', '-m', 'client-credentials', '--force', '--no-install', '--no-git');
    expectOneLine(result, 1, new RegExp(`src is a symbolic link \\(to ${join(cwd, 'outside')}\\)`));
    expect(await snapshot(cwd)).toEqual(before);
  });

  it('item 6: two runs into the same new directory: exactly one succeeds; the other fails cleanly and writes nothing', async () => {
    for (let round = 0; round < 4; round++) {
      const cwd = await tempDir();
      const [a, b] = await Promise.all([
        cli(cwd, 'same', '-m', 'client-credentials', '--no-install', '--no-git', '--json'),
        cli(cwd, 'same', '-m', 'basic-auth', '--no-install', '--no-git', '--json'),
      ]);
      const results = [a, b];
      const winners = results.filter((r) => r.code === 0);
      expect(winners, JSON.stringify(results.map((r) => [r.code, r.stderr, r.stdout.slice(0, 100)]))).toHaveLength(1);
      const loser = results.find((r) => r.code !== 0) as (typeof results)[number];
      expectOneLine(loser, 1, /Another create-medplum-auth run is writing into|is not empty|is no longer empty/);
      // The directory holds exactly the winner's starter, not a mix.
      const written = (await readdir(join(cwd, 'same'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
      const expected = JSON.parse((winners[0] as (typeof results)[number]).stdout).files as string[];
      expect(written.map((e) => join(e.parentPath, e.name).slice(join(cwd, 'same').length + 1)).sort()).toEqual([...expected].sort());
    }
  });

  it('item 11: after --force into a folder with the user\'s files, the first commit holds only the generated files, and says so', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    await writeFile(join(cwd, 'app/service-account.json'), '{"private_key": "theirs"}');
    await writeFile(join(cwd, 'app/.npmrc'), '//registry.npmjs.org/:_authToken=theirs');
    const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
    const result = await sh(process.execPath, [BIN, 'app', '-m', 'client-credentials', '--force', '--no-install', '--json'], cwd, identity);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/the first commit holds only the starter's files; what was already in app is left uncommitted/);
    const committed = execFileSync('git', ['ls-files'], { cwd: join(cwd, 'app') }).toString().trim().split('\n');
    const generated = (JSON.parse(result.stdout).files as string[]).filter((f) => f !== '.env' && !f.endsWith('.pem'));
    expect(committed.sort()).toEqual(generated.sort());
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: join(cwd, 'app') }).toString()).toBe('?? .npmrc\n?? service-account.json\n');
  });

  it('item 9: --private-key-path takes an absolute path as it is', async () => {
    const cwd = await tempDir();
    const keyDir = await tempDir();
    const keyPath = join(keyDir, 'key.pem');
    await writeFile(keyPath, generateDeviceKey().privateKeyPem as string, { mode: 0o600 });
    const result = await cli(cwd, 'dev', '-m', 'jwt-assertion', '--private-key-path', keyPath, '--no-install', '--no-git');
    expect(result.code, result.stderr).toBe(0);
    expect(parseEnv(await readFile(join(cwd, 'dev/.env'), 'utf8')).MEDPLUM_PRIVATE_KEY_PATH).toBe(keyPath);
  });
});

describe('output to a reader that has gone', () => {
  it('`… | head`: stdout closed before the first line; the project is still written whole and the exit is 0, with no stack trace', async () => {
    const { spawn } = await import('node:child_process');
    const cwd = await tempDir();
    const child = spawn(process.execPath, [BIN, 'gone', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the read end closes before the bin writes anything
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(await readdir(join(cwd, 'gone'))).toEqual(expect.arrayContaining(['.env', 'README.md', 'medplum-auth.json', 'package.json']));
  });
});
