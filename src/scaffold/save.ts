/**
 * A file that must be written whole or not at all, such as a secret the server has just issued:
 * whether it can be written is checked first (rotate-secret asks the server only afterwards), then
 * the content goes to a temporary file beside it and is renamed over it.
 */
import { chmod, lstat, open, readlink, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';

export interface PendingWrite {
  /** The file that will be replaced: a symlink's target, so the symlink stays one. */
  readonly path: string;
  commit(content: string): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Checks that `path` can be written (`what` names it in errors, e.g. "--secret-out"): its folder
 * exists, it is not a directory, and a temporary file can be made beside it. The new file keeps
 * the mode of the one it replaces; a new one is 0600.
 */
export async function prepareWrite(path: string, what: string): Promise<PendingWrite> {
  const real = await followLinks(path, what);
  let mode = 0o600;
  try {
    const info = await stat(real);
    if (info.isDirectory()) {
      throw new UsageError(`${what} ${path} is a directory: name a file.`);
    }
    mode = info.mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw err instanceof UsageError ? err : new UsageError(`${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code}).`);
    }
  }
  const folder = dirname(real);
  const temp = join(folder, `.${basename(real)}.${process.pid}.tmp`);
  try {
    await (await open(temp, 'wx', 0o600)).close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' || code === 'ENOTDIR'
        ? `${what} ${path}: the folder ${folder} does not exist.`
        : `${what} ${path} cannot be written (${code ?? (err as Error).message}).`,
    );
  }
  return {
    path: real,
    async commit(content) {
      await writeFile(temp, content);
      await chmod(temp, mode);
      await rename(temp, real);
    },
    discard: () => rm(temp, { force: true }),
  };
}

/** The path a chain of symlinks ends at (which may not exist yet). */
async function followLinks(path: string, what: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      if (!(await lstat(current)).isSymbolicLink()) {
        return await realpath(current);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return current;
      }
      throw new UsageError(`${what} ${path} cannot be read (${(err as NodeJS.ErrnoException).code}).`);
    }
    current = resolve(dirname(current), await readlink(current));
  }
  throw new UsageError(`${what} ${path}: too many symbolic links.`);
}
