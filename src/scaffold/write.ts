/**
 * File map -> disk, all or nothing.
 *
 * A run first takes the target: a new directory is made with an exclusive mkdir, and inside it
 * (or inside an existing one) a lock directory. A second run into the same directory finds the
 * lock, or finds the directory no longer empty, and stops. Into a directory this run made, the files
 * are written in place, and a failure or interruption removes the directory. Into an existing one,
 * every file is staged in the lock, then renamed into place, the file it replaces kept aside in the
 * lock until the end; on any failure or interruption the placed files are removed and the replaced
 * ones put back, so the user's directory is as it was.
 *
 * Nothing is written through a symbolic link, and a directory where a file must go (or a file where
 * a directory must go) is a conflict named up front, never deleted.
 */
import { chmod, lstat, mkdir, readdir, readlink, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CliError } from '../errors.js';
import type { FileMap } from './render.js';

/** The lock, and the staging area, inside the target. */
export const LOCK = '.create-medplum-auth.lock';

/** Entries that still count as an empty directory (unless the starter has a file of that name). */
const HARMLESS = new Set(['.git', '.gitkeep', '.DS_Store', 'Thumbs.db', '.idea', '.vscode', 'LICENSE']);

/** The entries of `dir` that make it non-empty: [] when it is missing or holds only harmless ones. */
export async function occupyingEntries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !HARMLESS.has(name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new Error(`${dir} is a file, not a directory`, { cause: err });
    }
    throw err;
  }
}

/**
 * The starter's files that already exist in `dir` (what --force overwrites), after checking,
 * without following a link, that each can be replaced by a file: a symlink, or a directory where
 * a file goes, or a file where a directory goes, is refused by name.
 */
export async function existingFiles(files: FileMap, dir: string): Promise<string[]> {
  if ((await kindOf(dir)) === 'missing') {
    return [];
  }
  const found: string[] = [];
  const conflicts = new Set<string>();
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      const kind = await kindOf(join(dir, sub));
      if (kind === 'missing') {
        break;
      }
      const isLast = i === parts.length;
      if (kind === 'symlink') {
        conflicts.add(`${sub} is a symbolic link (to ${await readlink(join(dir, sub))})`);
      } else if (isLast && kind === 'directory') {
        conflicts.add(`${sub} is a directory where the starter writes a file`);
      } else if (!isLast && kind !== 'directory') {
        conflicts.add(`${sub} is a file where the starter needs a folder`);
      } else if (isLast) {
        found.push(path);
      }
      if (kind !== 'directory') {
        break;
      }
    }
  }
  if (conflicts.size > 0) {
    throw new CliError(`In ${dir}, ${[...conflicts].join('; ')}. Move ${conflicts.size === 1 ? 'it' : 'them'} away, then run again`);
  }
  return found;
}

export interface WriteOptions {
  /** Write into a directory that is not empty (the user passed --force, or said yes). */
  readonly force: boolean;
  /** Aborted on SIGINT/SIGTERM: the write stops and is undone. */
  readonly interrupt?: AbortSignal;
}

export async function writeProject(files: FileMap, target: string, { force, interrupt }: WriteOptions): Promise<void> {
  interrupt?.throwIfAborted();
  // The first directory this call creates (the target or one above it), to remove on failure.
  const created = await createTarget(target);
  const lock = join(target, LOCK);
  // Without the lock nothing is removed, not even a directory made here: the run that holds the
  // lock is writing into it.
  await takeLock(lock, target);
  try {
    if (created) {
      // A directory this run made holds nothing but the lock: nothing to check or replace, and on a
      // failure the whole directory goes, so the files are written in place.
      await writeFiles(files, target);
      interrupt?.throwIfAborted();
    } else {
      if (!force) {
        const occupied = (await occupyingEntries(target)).filter((name) => name !== LOCK);
        if (occupied.length > 0) {
          throw new CliError(`${target} is no longer empty (${occupied.slice(0, 5).join(', ')}): another run wrote into it`);
        }
      }
      await existingFiles(files, target);
      await writeFiles(files, join(lock, 'new'));
      await placeFiles(files, join(lock, 'new'), target, { replacedDir: join(lock, 'replaced'), interrupt });
    }
  } catch (err) {
    await rm(created ?? lock, { recursive: true, force: true });
    throw err;
  }
  await rm(lock, { recursive: true, force: true });
}

/** Makes `target` if it is missing, exclusively: returns the first directory made, if any. */
async function createTarget(target: string): Promise<string | undefined> {
  const parent = await mkdir(dirname(target), { recursive: true });
  try {
    await mkdir(target);
    return parent ?? target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      return parent; // there already, or another run made it a moment ago: the lock decides
    }
    throw err;
  }
}

async function takeLock(lock: string, target: string): Promise<void> {
  try {
    await mkdir(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new CliError(
        `Another create-medplum-auth run is writing into ${target} (${LOCK} is there). Wait for it, or remove ${LOCK} if no run is`,
      );
    }
    throw err;
  }
}

/** Every file under `dir`, each with its exact mode. */
async function writeFiles(files: FileMap, dir: string): Promise<void> {
  for (const folder of new Set([...files.keys()].map((path) => dirname(join(dir, path))))) {
    await mkdir(folder, { recursive: true });
  }
  // allSettled, not all: every write must have finished before a failure removes the stage.
  const results = await Promise.allSettled(
    [...files.values()].map(async (file) => {
      const path = join(dir, file.path);
      await writeFile(path, file.content, { mode: file.mode });
      // The mode given at creation is filtered by the umask; set it exactly.
      await chmod(path, file.mode);
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
}

interface PlaceOptions {
  /** Where a file that is replaced waits until the end. */
  readonly replacedDir: string;
  readonly interrupt: AbortSignal | undefined;
}

/** Moves each staged file into place, the one it replaces aside; on any failure, undone. */
async function placeFiles(files: FileMap, from: string, target: string, { replacedDir, interrupt }: PlaceOptions): Promise<void> {
  const placed: string[] = [];
  const replaced: string[] = [];
  const createdDirs: string[] = [];
  const knownDirs = new Set<string>();
  try {
    for (const { path } of files.values()) {
      interrupt?.throwIfAborted();
      const dest = join(target, path);
      if ((await kindOf(dest)) === 'file') {
        await moveFile(dest, join(replacedDir, path));
        replaced.push(path);
      } else if (!knownDirs.has(dirname(dest))) {
        const made = await mkdir(dirname(dest), { recursive: true });
        if (made) {
          createdDirs.push(made);
        }
        knownDirs.add(dirname(dest));
      }
      await rename(join(from, path), dest);
      placed.push(dest);
    }
    // A signal that came while the last file was placed still undoes the whole write.
    interrupt?.throwIfAborted();
  } catch (err) {
    for (const dest of placed.reverse()) {
      await rm(dest, { force: true });
    }
    for (const dir of createdDirs.reverse()) {
      await rm(dir, { recursive: true, force: true });
    }
    for (const path of replaced) {
      await rename(join(replacedDir, path), join(target, path));
    }
    throw err;
  }
}

/** Within the target's file system (the lock is inside the target), a move is a rename. */
async function moveFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rename(from, to);
}

type Kind = 'missing' | 'file' | 'directory' | 'symlink';

/** What is at `path`, without following a symbolic link. */
async function kindOf(path: string): Promise<Kind> {
  try {
    const info = await lstat(path);
    return info.isSymbolicLink() ? 'symlink' : info.isDirectory() ? 'directory' : 'file';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return 'missing';
    }
    throw err;
  }
}
