/**
 * src/cli/create.ts in process: the overwrite warning, a write that fails (nothing is left, the
 * message says why), and what a run says when the install, the first commit or an interrupt comes
 * after the write (the project stays, and the message says how to finish). The package manager and
 * git are fake scripts on PATH; a hook on the CLI's output acts at a given moment of the run.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { create } from '../../src/cli/create.js';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { CliError, Interrupted } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';

const CLIENT_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
/** basic-auth, nothing asked, nothing sent anywhere. */
const ARGS = ['-m', 'basic-auth', '--client-id', CLIENT_ID, '--no-check'];

const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
});

/** Fake `npm` and `git` first on PATH, each exiting with its code. */
async function fakeTools(codes: { npm?: number; git?: number }): Promise<void> {
  const bin = await tempDir();
  for (const [name, code] of Object.entries(codes)) {
    await writeFile(join(bin, name), `#!/bin/sh\nexit ${code}\n`);
    await chmod(join(bin, name), 0o755);
  }
  process.env.PATH = `${bin}:${PATH}`;
}

type Hook = (line: string, interrupt: AbortController) => void;

/**
 * Like runCli, with an interrupt signal; `onLine` sees each line the CLI writes, as it writes it.
 * What main throws (a bug, not a CliError) is returned as `thrown`.
 */
async function runWith(argv: readonly string[], cwd: string, onLine: Hook) {
  const interrupt = new AbortController();
  const out = { stdout: '', stderr: '' };
  const stream = (name: 'stdout' | 'stderr') => ({
    write: (text: string) => {
      out[name] += text;
      onLine(text, interrupt);
    },
    isTTY: false,
  });
  const io: Io = { stdout: stream('stdout'), stderr: stream('stderr'), stdinIsTTY: false, env: { NO_COLOR: '1' }, cwd, interrupt: interrupt.signal };
  try {
    return { code: await main(argv, io), thrown: undefined, ...out };
  } catch (thrown) {
    return { code: undefined, thrown, ...out };
  }
}

/** An interrupt (SIGINT) once the CLI writes a line that matches `pattern`. */
const interruptAt =
  (pattern: RegExp): Hook =>
  (line, interrupt) => {
    if (pattern.test(line)) {
      interrupt.abort(new Interrupted('SIGINT'));
    }
  };

describe('writing the files', () => {
  it('--force names the starter files it overwrites, and only those', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    await writeFile(join(cwd, 'app/README.md'), 'mine\n');
    await writeFile(join(cwd, 'app/notes.txt'), 'mine\n');
    const result = await runCli(['app', ...ARGS, '--force', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning Overwriting 1 file(s) in app: README.md\n');
  });

  it('--force into a directory with none of the starter files warns of nothing', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'app'));
    await writeFile(join(cwd, 'app/notes.txt'), 'mine\n');
    const result = await runCli(['app', ...ARGS, '--force', '--no-install', '--no-git'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('a file put in the directory after it was found empty: the run stops, with no overwrite warning, and writes nothing', async () => {
    const cwd = await tempDir();
    // The warning about the client ID comes after the directory was looked at, before the write.
    const result = await runWith(['app', '-m', 'basic-auth', '--client-id', 'x', '--no-check', '--no-install', '--no-git'], cwd, (line) => {
      if (line.includes('is not a UUID')) {
        mkdirSync(join(cwd, 'app'));
        writeFileSync(join(cwd, 'app/README.md'), 'from another run\n');
      }
    });
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'warning --client-id "x" is not a UUID; Medplum ids are UUIDs. Check that you copied the ID, not the name.',
      `error ${join(cwd, 'app')} is no longer empty (README.md): another run wrote into it. Nothing was written.`,
      '',
    ]);
    expect(await readdir(join(cwd, 'app'))).toEqual(['README.md']);
  });

  it('a write that fails with a system error says which directory, and keeps that error as the cause', async () => {
    const cwd = await tempDir();
    const parsed = parseArgs(['sub/app', '-m', 'basic-auth', '--client-id', 'x', '--no-check', '--no-install', '--no-git'], '0.0.0');
    if (parsed.kind !== 'create') {
      throw new Error(`parsed as ${parsed.kind}`);
    }
    const io: Io = {
      stdout: { write: () => true },
      // A file where the target's parent directory must go, made once the target was found free.
      stderr: { write: (text: string) => text.includes('is not a UUID') && writeFileSync(join(cwd, 'sub'), 'a file\n') },
      stdinIsTTY: false,
      env: { NO_COLOR: '1' },
      cwd,
    };
    const failure = await create(parsed.flags, io).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).message).toBe(
      `Could not write sub/app: EEXIST: file already exists, mkdir '${join(cwd, 'sub')}'. Nothing was written.`,
    );
    expect((failure as CliError).cause).toMatchObject({ code: 'EEXIST' });
    expect(await readdir(cwd)).toEqual(['sub']);
  });
});

describe('after the write: install, first commit, interrupt', () => {
  it('a successful install is reported, and the next steps no longer include it', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 0 });
    const result = await runCli(['app', ...ARGS, '--no-git'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Installing dependencies with npm…', '✔ Created app with basic-auth: HTTP Basic authentication (stateless)', '✔ Installed its dependencies with npm']);
    expect(lines.slice(lines.indexOf('Next steps') + 1, lines.indexOf('Next steps') + 4)).toEqual([
      '  cd app',
      '  # fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)',
      '  npm start',
    ]);
  });

  it('--json: a successful install leaves only the next steps after it', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 0 });
    const result = await runCli(['app', ...ARGS, '--no-git', '--json'], { cwd });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps).toEqual(['cd app', '# fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)', 'npm start']);
  });

  it('a failed install is the error, and the summary is not printed', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 3 });
    const result = await runCli(['app', ...ARGS, '--no-git'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('Installing dependencies with npm…\n');
    expect(result.stderr).toBe('error npm install failed (exit 3) in app. The project is written; run it again there when the problem is fixed.\n');
  });

  it('--json: a failed install still prints the summary of what was written, with the error', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 3 });
    const result = await runCli(['app', ...ARGS, '--no-git', '--json'], { cwd });
    expect(result.code).toBe(1);
    const error = 'npm install failed (exit 3) in app. The project is written; run it again there when the problem is fixed.';
    expect(result.stderr).toBe(`error ${error}\n`);
    expect(JSON.parse(result.stdout)).toMatchObject({
      directory: join(cwd, 'app'),
      method: 'basic-auth',
      nextSteps: ['cd app', 'npm install', '# fill in MEDPLUM_CLIENT_SECRET in .env (see .env.example)', 'npm start'],
      dryRun: false,
      error,
    });
    expect(JSON.parse(result.stdout).files).toContain('.env');
  });

  it.each([
    ['app', 'Interrupted (SIGINT): the project is written in app; finish the install with: cd app && npm install.'],
    ['.', 'Interrupted (SIGINT): the project is written in .; finish the install with: npm install.'],
  ])('interrupted during the install into %s: the message says how to finish it', async (dir, message) => {
    const cwd = join(await tempDir(), 'my-app'); // a valid package name for "."
    await mkdir(cwd);
    await fakeTools({ npm: 0 });
    const result = await runWith([dir, ...ARGS, '--no-git'], cwd, interruptAt(/^Installing dependencies/));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error ${message}\n`);
    expect(await readdir(join(cwd, dir))).toContain('package.json');
  });

  it('interrupted after the install (at the first commit): the project is written, nothing left to finish', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 0, git: 1 });
    const result = await runWith(['app', ...ARGS], cwd, interruptAt(/git init failed/));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('warning git init failed; the project has no repository.\nerror Interrupted (SIGINT): the project is written in app.\n');
  });

  it('an unexpected error after the write (stderr failing) is not turned into a message, nor into a --json summary', async () => {
    const cwd = await tempDir();
    await fakeTools({ npm: 0, git: 1 });
    const epipe = new Error('write EPIPE');
    const result = await runWith(['app', ...ARGS, '--json'], cwd, (line) => {
      if (line.includes('git init failed')) {
        throw epipe;
      }
    });
    expect(result.thrown).toBe(epipe);
    expect(result.stdout).toBe('');
  });
});
