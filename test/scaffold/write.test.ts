import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError, Interrupted } from '../../src/errors.js';
import type { FileMap, GeneratedFile } from '../../src/scaffold/render.js';
import { existingFiles, LOCK, occupyingEntries, writeProject } from '../../src/scaffold/write.js';
import { runCli, snapshot, tempDir } from '../helpers.js';

/**
 * Fault injection: a hook run before each rename (placing a file) and each writeFile (staging one).
 * Everything else, and every call while no hook is set, goes to the real fs.
 */
const faults = vi.hoisted(() => ({
  beforeRename: undefined as ((dest: string) => void) | undefined,
  beforeStage: undefined as ((path: string) => void) | undefined,
}));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const rename: typeof real.rename = async (from, to) => {
    faults.beforeRename?.(String(to));
    return real.rename(from, to);
  };
  const writeFile: typeof real.writeFile = async (path, ...rest) => {
    faults.beforeStage?.(String(path));
    return real.writeFile(path, ...rest);
  };
  return { ...real, default: { ...real, rename, writeFile }, rename, writeFile };
});
afterEach(() => {
  faults.beforeRename = undefined;
  faults.beforeStage = undefined;
});

const file = (path: string, text: string, mode = 0o644): [string, GeneratedFile] => [
  path,
  { path, content: Buffer.from(text), mode },
];

/** Every entry under `dir`, with its kind, mode and content (or link target): "as it was" means equal. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    const mode = (info.mode & 0o777).toString(8);
    out[name] = info.isSymbolicLink()
      ? `link -> ${await readlink(path)}`
      : info.isDirectory()
        ? `dir ${mode}`
        : `file ${mode} ${await readFile(path, 'utf8')}`;
  }
  return out;
}

const ioError = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

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

  it('reports a failed write as one line, exit 1', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'taken'), 'a file, not a directory');
    const result = await runCli(['taken', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/is a file, not a directory/);
  });
});

describe('occupyingEntries: what makes a directory not empty', () => {
  it('a missing directory is empty', async () => {
    expect(await occupyingEntries(join(await tempDir(), 'missing'))).toEqual([]);
  });

  it('lists, sorted, every entry but the harmless ones', async () => {
    const dir = await tempDir();
    const harmless = ['.git', '.gitkeep', '.DS_Store', 'Thumbs.db', '.idea', '.vscode', 'LICENSE'];
    const mine = ['zeta', 'alpha', 'Mid', '.env', 'beta', 'license.md', '.github'];
    for (const name of [...harmless, ...mine]) {
      await writeFile(join(dir, name), '');
    }
    expect(await occupyingEntries(dir)).toEqual(['.env', '.github', 'Mid', 'alpha', 'beta', 'license.md', 'zeta']);
  });

  it('a directory of harmless entries alone is empty', async () => {
    const dir = await tempDir();
    for (const name of ['.git', '.gitkeep', '.DS_Store', 'Thumbs.db', '.idea', '.vscode', 'LICENSE']) {
      await writeFile(join(dir, name), '');
    }
    expect(await occupyingEntries(dir)).toEqual([]);
  });

  it('a file is refused by name, with the cause kept', async () => {
    const path = join(await tempDir(), 'taken');
    await writeFile(path, 'a file');
    const err = await occupyingEntries(path).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`${path} is a file, not a directory`);
    expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('ENOTDIR');
  });

  it('any other failure is passed on as it is', async () => {
    const path = join(await tempDir(), 'x'.repeat(300));
    await expect(occupyingEntries(path)).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });
});

describe('existingFiles: what --force overwrites, and what it refuses', () => {
  it('returns the starter\'s files already there, at any depth, and only those', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'src/deep'), { recursive: true });
    await writeFile(join(dir, 'package.json'), '{}');
    await writeFile(join(dir, 'src/deep/main.ts'), '');
    await writeFile(join(dir, 'src/mine.ts'), '');
    const files: FileMap = new Map([file('package.json', ''), file('src/deep/main.ts', ''), file('src/new.ts', ''), file('docs/a.md', '')]);
    expect(await existingFiles(files, dir)).toEqual(['package.json', 'src/deep/main.ts']);
  });

  it('refuses one conflict by name: "Move it away"', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'README.md/inside'), { recursive: true });
    const files: FileMap = new Map([file('README.md', ''), file('package.json', '')]);
    await expect(existingFiles(files, dir)).rejects.toThrow(
      new CliError(`In ${dir}, README.md is a directory where the starter writes a file. Move it away, then run again`),
    );
  });

  it('refuses every conflict at once, each by name: a symlink (not followed), a directory for a file, a file for a folder', async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    // Behind the link, a directory where the starter writes src/main.ts: not looked at, the link is the conflict.
    await mkdir(join(outside, 'main.ts'), { recursive: true });
    await symlink(outside, join(dir, 'src'));
    await symlink(join(outside, 'secret.txt'), join(dir, '.env'));
    await mkdir(join(dir, 'README.md'));
    await writeFile(join(dir, 'public'), 'a file');
    const files: FileMap = new Map([
      file('.env', '', 0o600),
      file('README.md', ''),
      file('public/index.html', ''),
      file('public/icons/a.png', ''),
      file('src/main.ts', ''),
      file('src/other.ts', ''),
    ]);
    await expect(existingFiles(files, dir)).rejects.toThrow(
      new CliError(
        `In ${dir}, .env is a symbolic link (to ${join(outside, 'secret.txt')}); README.md is a directory where the starter writes a file; ` +
          `public is a file where the starter needs a folder; src is a symbolic link (to ${outside}). Move them away, then run again`,
      ),
    );
  });

  it('passes on a failure it cannot judge, never taking it for a missing file', async () => {
    const files: FileMap = new Map([file('x'.repeat(300), '')]);
    await expect(existingFiles(files, await tempDir())).rejects.toMatchObject({ code: 'ENAMETOOLONG' });
  });
});

describe('writeProject: all or nothing', () => {
  const starter = (): FileMap =>
    new Map([
      file('.env', 'SECRET=1', 0o600),
      file('README.md', 'readme'),
      file('bin/run.sh', '#!/bin/sh', 0o755),
      file('src/deep/main.ts', 'main'),
      file('world.txt', 'open', 0o666),
    ]);
  const written = {
    '.env': 'file 600 SECRET=1',
    'README.md': 'file 644 readme',
    bin: 'dir 755',
    'bin/run.sh': 'file 755 #!/bin/sh',
    src: 'dir 755',
    'src/deep': 'dir 755',
    'src/deep/main.ts': 'file 644 main',
    'world.txt': 'file 666 open',
  };

  it('makes a new directory and its parents, each file with its exact mode (not the umask\'s), and no lock left', async () => {
    const cwd = await tempDir();
    await writeProject(starter(), join(cwd, 'a/b/app'), { force: false });
    expect(await tree(join(cwd, 'a/b/app'))).toEqual(written);
  });

  it('writes into an existing directory that is empty, or holds only harmless entries, without --force', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app/.git'), { recursive: true });
    await writeProject(starter(), join(cwd, 'app'), { force: false });
    expect(await tree(join(cwd, 'app'))).toEqual({ ...written, '.git': 'dir 755' });
  });

  it('without --force, refuses a directory that is no longer empty, naming five of its entries; nothing changes', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    for (const name of ['f', 'e', 'd', 'c', 'b', 'a']) {
      await writeFile(join(cwd, 'app', name), name);
    }
    const before = await tree(cwd);
    await expect(writeProject(starter(), join(cwd, 'app'), { force: false })).rejects.toThrow(
      new CliError(`${join(cwd, 'app')} is no longer empty (a, b, c, d, e): another run wrote into it`),
    );
    expect(await tree(cwd)).toEqual(before);
  });

  it('with --force, replaces the starter\'s files (with their modes) and keeps the user\'s', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app/src'), { recursive: true });
    await writeFile(join(cwd, 'app/.env'), 'OLD=1', { mode: 0o644 });
    await writeFile(join(cwd, 'app/notes.txt'), 'mine');
    await writeFile(join(cwd, 'app/src/mine.ts'), 'mine');
    await writeProject(starter(), join(cwd, 'app'), { force: true });
    expect(await tree(join(cwd, 'app'))).toEqual({ ...written, 'notes.txt': 'file 644 mine', 'src/mine.ts': 'file 644 mine' });
  });

  it('with --force, replaces a file named like a part of the lock (new, replaced) as any other', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    await writeFile(join(cwd, 'app/new'), 'old new');
    await writeFile(join(cwd, 'app/replaced'), 'old replaced');
    await writeProject(new Map([file('new', 'new new'), file('replaced', 'new replaced')]), join(cwd, 'app'), { force: true });
    expect(await tree(join(cwd, 'app'))).toEqual({ new: 'file 644 new new', replaced: 'file 644 new replaced' });
  });

  it('refuses, naming the lock, a directory another run is writing into; leaves that run\'s lock and files alone', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app', LOCK, 'new'), { recursive: true });
    await writeFile(join(cwd, 'app', LOCK, 'new/README.md'), 'the other run');
    const before = await tree(cwd);
    await expect(writeProject(starter(), join(cwd, 'app'), { force: true })).rejects.toThrow(
      new CliError(
        `Another create-medplum-auth run is writing into ${join(cwd, 'app')} (${LOCK} is there). Wait for it, or remove ${LOCK} if no run is`,
      ),
    );
    expect(await tree(cwd)).toEqual(before);
  });

  it('passes on the failure to make the directory, naming it', async () => {
    const cwd = await tempDir();
    const target = join(cwd, 'x'.repeat(256));
    await expect(writeProject(starter(), target, { force: false })).rejects.toThrow(`mkdir '${target}'`);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('passes on the failure to lock a target that is a file; the file is untouched', async () => {
    const cwd = await tempDir();
    await writeFile(join(cwd, 'app'), 'a file');
    await expect(writeProject(starter(), join(cwd, 'app'), { force: true })).rejects.toMatchObject({ code: 'ENOTDIR' });
    expect(await tree(cwd)).toEqual({ app: 'file 644 a file' });
  });

  it('in a new directory, a file that cannot be written stops the write with its own error; everything made is removed, parents too', async () => {
    const cwd = await tempDir();
    const written: string[] = [];
    faults.beforeStage = (path) => {
      if (path.endsWith('main.ts')) {
        throw ioError('EIO');
      }
      written.push(path);
    };
    await expect(writeProject(starter(), join(cwd, 'new/app'), { force: false })).rejects.toThrow('EIO: injected');
    // Written in place (no staging), and all of it removed.
    expect(written).toContain(join(cwd, 'new/app/.env'));
    expect(await readdir(cwd)).toEqual([]);
  });

  it('an interrupt while writing into a new directory removes it, and is the error', async () => {
    const cwd = await tempDir();
    const interrupt = new AbortController();
    faults.beforeStage = (path) => {
      if (path.endsWith('main.ts')) {
        interrupt.abort(new Interrupted('SIGTERM'));
      }
    };
    await expect(writeProject(starter(), join(cwd, 'new/app'), { force: false, interrupt: interrupt.signal })).rejects.toThrow(new Interrupted('SIGTERM'));
    expect(await readdir(cwd)).toEqual([]);
  });

  it('with --force, a file that cannot be staged stops the write with its own error; nothing is placed', async () => {
    const cwd = await usersDirectory();
    const before = await tree(cwd);
    faults.beforeStage = (path) => {
      if (path.endsWith('main.ts')) {
        throw ioError('ENOSPC');
      }
    };
    const placed: string[] = [];
    faults.beforeRename = (dest) => void placed.push(dest);
    await expect(writeProject(starter(), join(cwd, 'app'), { force: true })).rejects.toThrow('ENOSPC: injected');
    expect(placed).toEqual([]);
    expect(await tree(cwd)).toEqual(before);
  });

  /** A user's directory with two of the starter's files (one in a folder of theirs), and files of theirs. */
  async function usersDirectory(): Promise<string> {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app/src/deep'), { recursive: true });
    await writeFile(join(cwd, 'app/.env'), 'MINE=1', { mode: 0o640 });
    await writeFile(join(cwd, 'app/src/deep/main.ts'), 'my main');
    await writeFile(join(cwd, 'app/notes.txt'), 'mine');
    return cwd;
  }

  it('a failure while placing, with --force: the replaced files are put back, the new ones and their folders removed', async () => {
    const cwd = await usersDirectory();
    const before = await tree(cwd);
    faults.beforeRename = (dest) => {
      if (dest.endsWith('world.txt')) {
        throw ioError('EIO');
      }
    };
    await expect(writeProject(starter(), join(cwd, 'app'), { force: true })).rejects.toThrow('EIO: injected');
    expect(await tree(cwd)).toEqual(before);
  });

  it.each([
    ['between two files', 'bin/run.sh', 'SIGINT'],
    ['while the last file is placed', 'world.txt', 'SIGTERM'],
  ])('an interrupt %s undoes the whole write, and is the error', async (_when, placing, signal) => {
    const cwd = await usersDirectory();
    const before = await tree(cwd);
    const interrupt = new AbortController();
    faults.beforeRename = (dest) => {
      if (dest.endsWith(placing)) {
        interrupt.abort(new Interrupted(signal));
      }
    };
    await expect(writeProject(starter(), join(cwd, 'app'), { force: true, interrupt: interrupt.signal })).rejects.toThrow(
      new Interrupted(signal),
    );
    expect(await tree(cwd)).toEqual(before);
  });

  it('an interrupt before the write starts is the error, before any other refusal; nothing is touched', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    await writeFile(join(cwd, 'app/notes.txt'), 'mine');
    const interrupt = new AbortController();
    interrupt.abort(new Interrupted('SIGINT'));
    await expect(writeProject(starter(), join(cwd, 'app'), { force: false, interrupt: interrupt.signal })).rejects.toThrow(
      new Interrupted('SIGINT'),
    );
    expect(await tree(cwd)).toEqual({ app: 'dir 755', 'app/notes.txt': 'file 644 mine' });
  });
});
