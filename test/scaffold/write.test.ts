import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileMap, GeneratedFile } from '../../src/scaffold/render.js';
import { writeProject } from '../../src/scaffold/write.js';
import { runCli, snapshot, tempDir } from '../helpers.js';

const file = (path: string, text: string, mode = 0o644): [string, GeneratedFile] => [
  path,
  { path, content: Buffer.from(text), mode },
];

describe('writing a project', () => {
  it('writes .env with mode 0600 and the other files 0644', async () => {
    const cwd = await tempDir();
    const result = await runCli(['api', '-m', 'client-credentials', '--client-secret', 'abc', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect((await stat(join(cwd, 'api/.env'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(cwd, 'api/.env.example'))).mode & 0o777).toBe(0o644);
    expect(await readdir(cwd)).toEqual(['api']); // no staging directory left behind
  });

  it('refuses a non-empty directory, lists what is there, and changes nothing', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'api'));
    await writeFile(join(cwd, 'api/notes.txt'), 'mine');
    await writeFile(join(cwd, 'api/package.json'), '{"name":"mine"}');
    const before = await snapshot(cwd);
    const result = await runCli(['api', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/api is not empty \(notes\.txt, package\.json\)\. .*--force/);
    expect(await snapshot(cwd)).toEqual(before);
  });

  it('counts a directory holding only .git as empty', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'api/.git'), { recursive: true });
    const result = await runCli(['api', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect(await readdir(join(cwd, 'api'))).toContain('.git');
  });

  it('--force writes into it, lists the files it overwrites, and keeps the rest', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'api'));
    await writeFile(join(cwd, 'api/notes.txt'), 'mine');
    await writeFile(join(cwd, 'api/package.json'), '{"name":"mine"}');
    const result = await runCli(['api', '-m', 'basic-auth', '--force', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Overwriting 1 file\(s\) in api: package\.json/);
    expect(await readFile(join(cwd, 'api/notes.txt'), 'utf8')).toBe('mine');
    expect(JSON.parse(await readFile(join(cwd, 'api/package.json'), 'utf8')).name).toBe('api');
  });

  it('--dry-run lists the files and writes nothing', async () => {
    const cwd = await tempDir();
    const result = await runCli(['api', '-m', 'device-credentials', '--dry-run'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Dry run: would write \d+ files to api/);
    expect(result.stdout).toMatch(/\.env \(mode 600\)/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('leaves nothing behind when a write fails midway into a new directory', async () => {
    const cwd = await tempDir();
    const files: FileMap = new Map([file('a.txt', 'a'), file('b/c.txt', 'c'), file('bad\0name', 'boom')]);
    await expect(writeProject(files, join(cwd, 'deep/new/app'), { force: false })).rejects.toThrow();
    expect(await readdir(cwd)).toEqual([]);
  });

  it('puts an existing directory back as it was when a write fails midway', async () => {
    const cwd = await tempDir();
    const target = join(cwd, 'app');
    await mkdir(target);
    await writeFile(join(target, 'a.txt'), 'old a');
    await writeFile(join(target, 'keep.txt'), 'keep');
    await writeFile(join(target, 'src'), 'a file where the starter wants a directory');
    const before = await snapshot(cwd);
    // Sorted like a real file map: a.txt and new.txt are placed before src/main.ts fails.
    const files: FileMap = new Map([file('a.txt', 'new a'), file('new.txt', 'new'), file('src/main.ts', 'x')]);
    await expect(writeProject(files, target, { force: true })).rejects.toThrow();
    expect(await snapshot(cwd)).toEqual(before);
    expect(await readdir(target)).toEqual(['a.txt', 'keep.txt', 'src']);
  });

  it('reports a failed write as one line, exit 1', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'taken'), 'a file, not a directory');
    const result = await runCli(['taken', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/is a file, not a directory/);
  });
});
