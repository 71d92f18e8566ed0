/** Writing a file whole or not at all (src/scaffold/save.ts), as rotate-secret and --secret-out do. */
import { chmod, mkdir, readdir, readFile, readlink, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { prepareWrite } from '../../src/scaffold/save.js';
import { tempDir } from '../helpers.js';

/** A chain of `count` symlinks in `dir`, link0 -> link1 -> ... -> target; returns link0. */
async function linkChain(dir: string, count: number): Promise<string> {
  for (let i = 0; i < count; i++) {
    await symlink(i === count - 1 ? 'target' : `link${i + 1}`, join(dir, `link${i}`));
  }
  return join(dir, 'link0');
}

describe('prepareWrite', () => {
  it('writes a new file as 0600, through a temporary file it renames', async () => {
    const dir = await realpath(await tempDir());
    const pending = await prepareWrite(join(dir, 'secret'), '--secret-out');
    expect(pending.path).toBe(join(dir, 'secret'));
    expect(await readdir(dir)).toEqual([`.secret.${process.pid}.tmp`]);
    await pending.commit('s3cret');
    expect(await readdir(dir)).toEqual(['secret']);
    expect(await readFile(join(dir, 'secret'), 'utf8')).toBe('s3cret');
    expect((await stat(join(dir, 'secret'))).mode & 0o777).toBe(0o600);
  });

  it('keeps the mode of the file it replaces', async () => {
    const dir = await realpath(await tempDir());
    await writeFile(join(dir, '.env'), 'old');
    await chmod(join(dir, '.env'), 0o640);
    await (await prepareWrite(join(dir, '.env'), '.env')).commit('new');
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe('new');
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o640);
  });

  it('discard leaves the folder as it was', async () => {
    const dir = await realpath(await tempDir());
    await (await prepareWrite(join(dir, 'secret'), '--secret-out')).discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes through a chain of 39 symlinks to its target, and the link stays a link', async () => {
    const dir = await realpath(await tempDir());
    const link = await linkChain(dir, 39);
    const pending = await prepareWrite(link, '--secret-out');
    expect(pending.path).toBe(join(dir, 'target'));
    await pending.commit('s3cret');
    expect(await readFile(join(dir, 'target'), 'utf8')).toBe('s3cret');
    expect(await readlink(link)).toBe('link1');
  });

  it('refuses a chain of 40 symlinks', async () => {
    const dir = await realpath(await tempDir());
    const link = await linkChain(dir, 40);
    await expect(prepareWrite(link, '--secret-out')).rejects.toThrow(new UsageError(`--secret-out ${link}: too many symbolic links.`));
  });

  it('refuses a directory', async () => {
    const dir = await realpath(await tempDir());
    await expect(prepareWrite(dir, '--secret-out')).rejects.toThrow(new UsageError(`--secret-out ${dir} is a directory: name a file.`));
  });

  it('refuses a path in a folder that does not exist', async () => {
    const dir = await realpath(await tempDir());
    const path = join(dir, 'missing', 'secret');
    await expect(prepareWrite(path, '--secret-out')).rejects.toThrow(
      new UsageError(`--secret-out ${path}: the folder ${join(dir, 'missing')} does not exist.`),
    );
  });

  it('refuses a path under a file, with the error code', async () => {
    const dir = await realpath(await tempDir());
    await writeFile(join(dir, 'file'), '');
    const path = join(dir, 'file', 'secret');
    await expect(prepareWrite(path, '.env')).rejects.toThrow(new UsageError(`.env ${path} cannot be read (ENOTDIR).`));
  });

  it('refuses when its temporary file cannot be made, with the error code', async () => {
    const dir = await realpath(await tempDir());
    await mkdir(join(dir, `.secret.${process.pid}.tmp`));
    const path = join(dir, 'secret');
    await expect(prepareWrite(path, '--secret-out')).rejects.toThrow(new UsageError(`--secret-out ${path} cannot be written (EEXIST).`));
  });
});
