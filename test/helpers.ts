import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, onTestFinished } from 'vitest';
import type { Io } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string | undefined>;
  /** Pretend stdin and stdout are a terminal. */
  readonly tty?: boolean;
}

/** Runs the CLI in-process, capturing its output. */
export async function runCli(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdinIsTTY: options.tty ?? false,
    env: { NO_COLOR: '1', ...options.env },
    cwd: options.cwd,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/**
 * A fresh temp directory, removed when the test finishes. Concurrent tests pass their own
 * context's `onTestFinished`, so that each removes only its own directory.
 */
export async function tempDir(onFinished: typeof onTestFinished = onTestFinished): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cma-test-'));
  onFinished(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Values that break naive rendering: quotes, newlines, ${}, backslashes, #, unicode.
 * (No value may hold all three quote characters: Node's .env parser has no escape for quotes,
 * so the CLI refuses such a value; see escape.test.ts.)
 */
export const HOSTILE = {
  clientId: `id'"\${HOME}$PATH\\n#x ü`,
  baseUrl: `http://localhost:8103/it's/$HOME/ü`,
  googleClientId: `123-ab"c$HOME\\#.apps.googleusercontent.com`,
  idpClientId: `0oa'x"\${PATH}\\n #ü`,
  /** Stays as written through URL parsing: ' and $ are legal in a path. */
  idpIssuer: `https://example.okta.com/oauth2/it's$HOME`,
  clientSecret: `s3cr3t "quoted" 'single' \${NODE_OPTIONS} $(id) \\ \\n # not a comment\nsecond line ünïcødé 🔐`,
};

/** A failure as the CLI must report it: this exit code, one line on stderr, no stack. */
export function expectOneLine(result: { code: number; stderr: string; stdout?: string }, code: number, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(`${result.stdout ?? ''}${result.stderr}`).not.toMatch(/\n\s+at |Error parsing response/);
}

/** Every file below dir with its content (symlinks as their target), to compare before and after. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Object.fromEntries(
    await Promise.all(
      entries
        .filter((e) => !e.isDirectory())
        .map(async (e) => {
          const path = join(e.parentPath, e.name);
          return [path.slice(dir.length), e.isSymbolicLink() ? `-> ${await readlink(path)}` : await readFile(path, 'utf8')];
        }),
    ),
  );
}
