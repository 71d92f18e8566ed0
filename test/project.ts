/** Helpers for tests that run the built bin and the projects it generates as real processes. */
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../bin/create-medplum-auth.js', import.meta.url));
const exec = promisify(execFile);

export interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (CI=true and NO_COLOR set, as in a pipeline). Never throws on exit codes. */
export async function sh(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Exec> {
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd,
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 240_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export function expectOk(result: Exec, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

/**
 * Runs the built bin in `cwd`; the project is `cwd/app`. Without the check after the write: the
 * tests that scaffold this way count the starter's own requests (post-check.test.ts and
 * terminal.test.ts test the check).
 */
export async function scaffold(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await sh(process.execPath, [BIN, 'app', '--no-git', '--no-check', '--json', ...args], cwd, env);
  expectOk(result, `create-medplum-auth ${args.join(' ')}`);
  return join(cwd, 'app');
}

/** `scaffold` for a web starter in the plain UI (@medplum/react-hooks and the starter's own form), which the live-*.test.ts drive; live-web-medplum.test.ts drives the default. */
export function scaffoldWeb(cwd: string, args: readonly string[]): Promise<string> {
  return scaffold(cwd, ['--ui', 'plain', ...args]);
}

/** Builds a web starter and serves `dist/` with `vite preview` on `port` (a free one: see freePort). */
export async function servePreview(dir: string, port: number): Promise<Running> {
  expectOk(await sh('npm', ['run', 'build'], dir), 'npm run build');
  const preview = start(join(dir, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort'], dir);
  await waitForHttp(`http://localhost:${port}/`, preview);
  return preview;
}

export interface Running {
  readonly output: () => { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** SIGTERM to the whole process group (npm and the node it started). */
  stop(): Promise<number | string>;
}

/** Starts a long-running command in its own process group. */
export function start(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Running {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 1)));
  return {
    output: () => ({ stdout, stderr }),
    exited,
    async stop() {
      try {
        process.kill(-(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
      return exited;
    },
  };
}

/** Polls `url` until it answers 2xx, or fails after `ms` with what the process printed. */
export async function waitForHttp(url: string, running: Running, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    const early = await Promise.race([running.exited, new Promise((r) => setTimeout(r, 200, undefined))]);
    if (early !== undefined || Date.now() > deadline) {
      const { stdout, stderr } = running.output();
      throw new Error(`${url} never answered (exit: ${String(early)}):\n${stdout}\n${stderr}`);
    }
  }
}

/** Whether a process with this pid is still running (signal 0 only asks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every file below `dir` (node_modules included) whose bytes contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const hits: string[] = [];
  for (const e of entries.filter((x) => x.isFile())) {
    const path = join(e.parentPath, e.name);
    if ((await readFile(path)).includes(needle)) {
      hits.push(path);
    }
  }
  return hits;
}
