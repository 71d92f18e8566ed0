/**
 * File map -> disk, all or nothing.
 *
 * Every file is first written to a staging directory on the same file system. A new target is
 * then one rename. An existing target (--force) gets each file renamed into place, the file it
 * replaces kept aside until the end; if anything fails, the placed files are removed and the
 * replaced ones put back, so the user's directory is as it was.
 */
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import fse from 'fs-extra';
import type { FileMap } from './render.js';

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

/** The starter's files that already exist in `dir`: what --force would overwrite. */
export async function existingFiles(files: FileMap, dir: string): Promise<string[]> {
  const found = await Promise.all([...files.keys()].map(async (path) => ((await exists(join(dir, path))) ? path : undefined)));
  return found.filter((path) => path !== undefined);
}

export async function writeProject(files: FileMap, target: string): Promise<void> {
  const isNew = !(await exists(target));
  // The first directory this call creates above the target, to remove on failure.
  const createdParent = isNew ? await mkdir(dirname(target), { recursive: true }) : undefined;
  const stage = await mkdtemp(join(isNew ? dirname(target) : target, `.${basename(target)}-staging-`));
  try {
    await stageFiles(files, join(stage, 'new'));
    if (isNew) {
      await rename(join(stage, 'new'), target);
    } else {
      await placeFiles(files, join(stage, 'new'), target, join(stage, 'replaced'));
    }
  } catch (err) {
    if (createdParent) {
      await rm(createdParent, { recursive: true, force: true });
    }
    throw err;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

async function stageFiles(files: FileMap, dir: string): Promise<void> {
  // allSettled, not all: every write must have finished before a failure removes the stage.
  const results = await Promise.allSettled(
    [...files.values()].map(async (file) => {
      const path = join(dir, file.path);
      await fse.outputFile(path, file.content, { mode: file.mode });
      // The mode given at creation is filtered by the umask; set it exactly.
      await fse.chmod(path, file.mode);
    }),
  );
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    throw failed.reason;
  }
}

async function placeFiles(files: FileMap, from: string, target: string, replacedDir: string): Promise<void> {
  const placed: string[] = [];
  const replaced: string[] = [];
  const createdDirs: string[] = [];
  try {
    for (const { path } of files.values()) {
      const dest = join(target, path);
      if (await exists(dest)) {
        await fse.move(dest, join(replacedDir, path));
        replaced.push(path);
      } else {
        const created = await mkdir(dirname(dest), { recursive: true });
        if (created) {
          createdDirs.push(created);
        }
      }
      await rename(join(from, path), dest);
      placed.push(dest);
    }
  } catch (err) {
    for (const dest of placed.reverse()) {
      await rm(dest, { force: true });
    }
    for (const dir of createdDirs.reverse()) {
      await rm(dir, { recursive: true, force: true });
    }
    for (const path of replaced) {
      await fse.move(join(replacedDir, path), join(target, path), { overwrite: true });
    }
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return false;
    }
    throw err;
  }
}
