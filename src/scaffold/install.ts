/** After the write: the dependency install and the first git commit, each in its own process group. */
import { NAME } from '../cli/args.js';
import type { Ui } from '../cli/ui.js';
import { CliError } from '../errors.js';
import type { Plan } from './plan.js';
import type { FileMap } from './render.js';

export async function install(plan: Pick<Plan, 'pm' | 'target' | 'displayDir'>, json: boolean, ui: Ui, interrupt?: AbortSignal): Promise<boolean> {
  ui.info(`Installing dependencies with ${plan.pm.name}…`);
  const [command, ...args] = plan.pm.install.split(' ') as [string, ...string[]];
  // stdin is not the install's: in its own process group it could only stop on reading it.
  const code = await run(command, args, plan.target, ['ignore', json ? 2 : 'inherit', 'inherit'], interrupt);
  interrupt?.throwIfAborted();
  if (code !== 0) {
    throw new CliError(
      `${plan.pm.install} failed (exit ${code}) in ${plan.displayDir}. The project is written; run it again there when the problem is fixed.`,
    );
  }
  return true;
}

/**
 * A repository with one commit of the starter's files, unless the directory is inside one
 * already. Only the generated files are added: files that were there before (--force) may be
 * the user's own credentials, and stay untracked.
 */
export async function initGit(plan: Plan, files: FileMap, ui: Ui): Promise<void> {
  const { target } = plan;
  const quiet = ['ignore', 'ignore', 'ignore'] as const;
  if ((await run('git', ['rev-parse', '--is-inside-work-tree'], target, [...quiet])) === 0) {
    return; // already inside a repository: leave it to the user
  }
  if ((await run('git', ['init', '-q'], target, [...quiet])) !== 0) {
    ui.warn('git init failed; the project has no repository.');
    return;
  }
  // Ignored files (.env, keys) cannot be named to git add: list the others first.
  const { execFile } = await import('node:child_process');
  const listed = await new Promise<string | undefined>((done) =>
    execFile('git', ['ls-files', '-z', '--others', '--exclude-standard', '--', ...files.keys()], { cwd: target }, (err, stdout) =>
      done(err ? undefined : stdout),
    ),
  );
  const toAdd = listed?.split('\0').filter(Boolean) ?? [];
  const committed =
    listed !== undefined &&
    (await run('git', ['add', '--', ...toAdd], target, [...quiet])) === 0 &&
    (await run('git', ['commit', '-q', '-m', `Initial commit from ${NAME}`], target, [...quiet])) === 0;
  if (!committed) {
    ui.warn('git init done, but the first commit failed (is user.name/user.email set?). Commit when ready.');
  } else if (plan.existing.length > 0) {
    ui.warn(`git: the first commit holds only the starter's files; what was already in ${plan.displayDir} is left uncommitted.`);
  }
}

type StdioSpec = ['ignore' | 'inherit', 'ignore' | 'inherit' | 2, 'ignore' | 'inherit'];

/**
 * Runs a command to its end, in its own process group, so that on SIGINT/SIGTERM (`interrupt`)
 * the whole group (npm and what it started) is stopped, not left running as orphans.
 */
async function run(command: string, args: readonly string[], cwd: string, stdio: StdioSpec, interrupt?: AbortSignal): Promise<number> {
  const { spawn } = await import('node:child_process');
  const windows = process.platform === 'win32';
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio, shell: windows, detached: !windows });
    const stop = () => {
      try {
        process.kill(windows ? (child.pid as number) : -(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    };
    interrupt?.addEventListener('abort', stop, { once: true });
    child.on('error', () => done(127));
    child.on('close', (code) => {
      interrupt?.removeEventListener('abort', stop);
      done(code ?? 1);
    });
  });
}
