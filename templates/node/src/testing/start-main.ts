import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface RunningMain {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** What it has printed so far. */
  output: { stdout: string; stderr: string };
  /** Resolves when it has exited, with its exit code and everything it printed. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/**
 * Starts `src/main.ts` in a child process the way `npm start` does, but with exactly `env` as its
 * environment (no .env), and collects what it prints.
 */
export function startMain(env: Record<string, string>, args: string[] = []): RunningMain {
  const child = spawn(process.execPath, [MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = once(child, 'close').then(([code]) => ({ code: code as number | null, ...output }));
  return { child, output, exited };
}
