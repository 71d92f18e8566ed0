/**
 * src/scaffold/install.ts in process: the install runs the package manager's own command in the
 * project, in its own process group (stopped whole on an interrupt), and a failure is one line
 * that keeps the project; the first git commit holds only the starter's files, never an ignored
 * secret, and is skipped inside a repository. A fake package manager on PATH records what it was
 * asked; git is the real one.
 */
import { execFileSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { existsSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUi } from '../../src/cli/ui.js';
import { Interrupted } from '../../src/errors.js';
import { initGit, install } from '../../src/scaffold/install.js';
import type { Plan } from '../../src/scaffold/plan.js';
import { commandsFor } from '../../src/scaffold/pm.js';
import type { FileMap, GeneratedFile } from '../../src/scaffold/render.js';
import { tempDir } from '../helpers.js';
import { isAlive } from '../project.js';

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

function capture() {
  const out = { stdout: '', stderr: '' };
  const ui = createUi({ NO_COLOR: '1' }, { write: (s: string) => (out.stdout += s) }, { write: (s: string) => (out.stderr += s) }, false);
  return { ui, out };
}

/** `name` on PATH as a shell script: records its argv and cwd in `log`, then runs `body`. */
async function fakeTool(name: string, body: string): Promise<{ log: string; bin: string }> {
  const bin = await tempDir();
  const log = join(bin, 'calls.log');
  await writeFile(join(bin, name), `#!/bin/sh\necho "$(pwd) $*" >> '${log}'\n${body}\n`);
  await chmod(join(bin, name), 0o755);
  process.env.PATH = `${bin}:${PATH}`;
  return { log, bin };
}

describe('install', () => {
  it.each([
    ['npm', 'install'],
    ['pnpm', 'install'],
    ['yarn', ''],
    ['bun', 'install'],
  ] as const)('%s: its install command, in the project; says so first', async (pm, args) => {
    const target = await tempDir();
    const { log } = await fakeTool(pm, 'exit 0');
    const { ui, out } = capture();
    expect(await install({ pm: commandsFor(pm), target, displayDir: 'my-app' }, false, ui)).toBe(true);
    expect(await readFile(log, 'utf8')).toBe(`${target} ${args}\n`);
    expect(out.stdout).toBe(`Installing dependencies with ${pm}…\n`);
  });

  /** Where this process's file descriptor `fd` goes. */
  const ours = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`);

  it.skipIf(process.platform !== 'linux').each([
    [false, 1],
    [true, 2],
  ])('json %s: no stdin; its output goes to our fd %i, its errors to our stderr', async (json, outFd) => {
    const target = await tempDir();
    const fds = join(await tempDir(), 'fds');
    await fakeTool('npm', `echo "$(readlink /proc/$$/fd/0 /proc/$$/fd/1 /proc/$$/fd/2)" > '${fds}'`);
    await install({ pm: commandsFor('npm'), target, displayDir: 'app' }, json, capture().ui);
    expect((await readFile(fds, 'utf8')).split('\n')).toEqual(['/dev/null', ours(outFd), ours(2), '']);
  });

  it('leaves no listener on the interrupt signal once it is done', async () => {
    const target = await tempDir();
    await fakeTool('npm', 'exit 0');
    const interrupt = new AbortController();
    await install({ pm: commandsFor('npm'), target, displayDir: 'app' }, false, capture().ui, interrupt.signal);
    expect(getEventListeners(interrupt.signal, 'abort')).toEqual([]);
  });

  it('a failed install is one error naming the command, its exit code and the folder; the project stays', async () => {
    const target = await tempDir();
    await fakeTool('npm', 'exit 3');
    const { ui } = capture();
    await expect(install({ pm: commandsFor('npm'), target, displayDir: 'my-app' }, false, ui)).rejects.toThrow(
      'npm install failed (exit 3) in my-app. The project is written; run it again there when the problem is fixed.',
    );
  });

  it('a package manager that is not there is exit 127, the same one line', async () => {
    const target = await tempDir();
    process.env.PATH = await tempDir(); // nothing on it
    const { ui } = capture();
    await expect(install({ pm: commandsFor('pnpm'), target, displayDir: 'app' }, true, ui)).rejects.toThrow(/^pnpm install failed \(exit 127\) in app\./);
  });

  it('an interrupt stops the whole process group, the install and what it started, and is the error', async () => {
    const target = await tempDir();
    const pids = join(target, 'pids');
    // npm that starts a grandchild, then waits: both must be gone after the interrupt.
    await fakeTool('npm', `sleep 60 & echo "$$ $!" > '${pids}'; wait`);
    const interrupt = new AbortController();
    const { ui } = capture();
    const running = install({ pm: commandsFor('npm'), target, displayDir: 'app' }, false, ui, interrupt.signal);
    await expect.poll(() => existsSync(pids), { timeout: 10_000 }).toBe(true);
    const [shell, grandchild] = (await readFile(pids, 'utf8')).trim().split(' ').map(Number) as [number, number];
    interrupt.abort(new Interrupted('SIGINT'));
    await expect(running).rejects.toThrow(new Interrupted('SIGINT'));
    await expect.poll(() => isAlive(shell) || isAlive(grandchild), { timeout: 5_000 }).toBe(false);
  });
});

describe('initGit', () => {
  const file = (path: string, content: string, mode = 0o644): [string, GeneratedFile] => [path, { path, content: Buffer.from(content), mode }];
  const starter: FileMap = new Map([file('.gitignore', '.env\n'), file('.env', 'SECRET=1\n', 0o600), file('README.md', 'hi\n'), file('src/main.ts', 'main\n')]);
  /** Git that never reads the user's config: an identity from the environment, or none. */
  const gitEnv = (identity: boolean) => ({
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'user.useConfigOnly',
    GIT_CONFIG_VALUE_0: 'true',
    ...(identity ? { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } : {}),
  });
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) {
        delete process.env[key];
      }
    }
    Object.assign(process.env, saved);
  });

  async function project(existing: readonly string[] = []) {
    const target = join(await tempDir(), 'app');
    await mkdir(join(target, 'src'), { recursive: true });
    for (const [path, f] of starter) {
      await writeFile(join(target, path), f.content);
    }
    return { plan: { target, displayDir: 'app', existing } as unknown as Plan, target };
  }
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', env: process.env }).trim();

  it('one commit of the starter\'s files, never the ignored .env, with our message; nothing to say', async () => {
    Object.assign(process.env, gitEnv(true));
    const { plan, target } = await project();
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(git(target, 'log', '--format=%s')).toBe('Initial commit from create-medplum-auth');
    expect(git(target, 'ls-files').split('\n')).toEqual(['.gitignore', 'README.md', 'src/main.ts']);
    expect(out).toEqual({ stdout: '', stderr: '' });
  });

  it('with files that were there before (--force): only the starter\'s are committed, and it says so', async () => {
    Object.assign(process.env, gitEnv(true));
    const { plan, target } = await project(['notes.txt']);
    await writeFile(join(target, 'notes.txt'), 'mine');
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(git(target, 'ls-files').split('\n')).toEqual(['.gitignore', 'README.md', 'src/main.ts']);
    expect(git(target, 'status', '--porcelain')).toBe('?? notes.txt');
    expect(out.stderr).toBe("warning git: the first commit holds only the starter's files; what was already in app is left uncommitted.\n");
  });

  it('inside a repository already: no repository of its own, nothing committed', async () => {
    Object.assign(process.env, gitEnv(true));
    const { plan, target } = await project();
    git(join(target, '..'), 'init', '-q');
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(existsSync(join(target, '.git'))).toBe(false);
    expect(git(target, 'rev-list', '--all')).toBe('');
    expect(out.stderr).toBe('');
  });

  it('no identity for the commit: the repository is there, and a warning says to commit when ready', async () => {
    Object.assign(process.env, gitEnv(false));
    const { plan, target } = await project();
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(existsSync(join(target, '.git'))).toBe(true);
    expect(out.stderr).toBe('warning git init done, but the first commit failed (is user.name/user.email set?). Commit when ready.\n');
  });

  /**
   * git on PATH that logs each call (its arguments, then where its stdin, stdout and stderr go) and
   * runs the real git, except for the subcommand `fail`, which exits 1.
   */
  async function loggingGit(fail = '') {
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    const bin = await tempDir();
    const log = join(bin, 'calls.log');
    const fd = (n: number) => `$(readlink /proc/$$/fd/${n})`;
    const script = `#!/bin/sh\necho "$* < ${fd(0)} > ${fd(1)} 2> ${fd(2)}" >> '${log}'\n[ "$1" = '${fail}' ] && exit 1\nexec '${realGit}' "$@"\n`;
    await writeFile(join(bin, 'git'), script, { mode: 0o755 });
    process.env.PATH = `${bin}:${PATH}`;
    return async () => (await readFile(log, 'utf8')).replace(/(pipe|socket):\[\d+\]/g, 'pipe').trimEnd().split('\n');
  }
  const QUIET = '< /dev/null > /dev/null 2> /dev/null';
  const LS_FILES = 'ls-files -z --others --exclude-standard -- .gitignore .env README.md src/main.ts < pipe > pipe 2> pipe';

  it.skipIf(process.platform !== 'linux')('the git commands it runs, each without input and with its output discarded', async () => {
    Object.assign(process.env, gitEnv(true));
    const { plan } = await project();
    const calls = await loggingGit();
    await initGit(plan, starter, capture().ui);
    expect(await calls()).toEqual([
      `rev-parse --is-inside-work-tree ${QUIET}`,
      `init -q ${QUIET}`,
      LS_FILES,
      `add -- .gitignore README.md src/main.ts ${QUIET}`,
      `commit -q -m Initial commit from create-medplum-auth ${QUIET}`,
    ]);
  });

  it.skipIf(process.platform !== 'linux')('git ls-files failing: nothing added or committed, and the same warning', async () => {
    Object.assign(process.env, gitEnv(true));
    const { plan, target } = await project();
    const calls = await loggingGit('ls-files');
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(await calls()).toEqual([`rev-parse --is-inside-work-tree ${QUIET}`, `init -q ${QUIET}`, LS_FILES]);
    expect(existsSync(join(target, '.git'))).toBe(true);
    expect(out.stderr).toBe('warning git init done, but the first commit failed (is user.name/user.email set?). Commit when ready.\n');
  });

  it('no git at all: one warning, no repository', async () => {
    const { plan, target } = await project();
    process.env.PATH = await tempDir();
    const { ui, out } = capture();
    await initGit(plan, starter, ui);
    expect(existsSync(join(target, '.git'))).toBe(false);
    expect(out.stderr).toBe('warning git init failed; the project has no repository.\n');
  });
});
