/**
 * Issue 10, item 5: SIGINT and SIGTERM sent to the built bin at several moments. A write finishes
 * or is rolled back (staging removed), an install's whole process group is stopped and the
 * project kept; the exit code is 1 with one line. Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, watch } from 'node:fs';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, snapshot, tempDir } from '../helpers.js';
import { startMedplumDouble } from '../double/medplum-double.js';
import { BIN, isAlive } from '../project.js';
import { proxyTo, serve } from '../servers.js';

const LOCK = '.create-medplum-auth.lock';

/** Starts the bin; `signal` sends a signal to it (not to a process group: a terminal's Ctrl-C reaches the CLI alone once its children have their own group). */
function startBin(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 + constants.signals[signal] : 1), stdout, stderr })),
  );
  return { child, done, signal: (name: NodeJS.Signals) => child.kill(name) };
}

/** Resolves when `name` appears in `dir` (inotify: within the write, not after it). */
function appears(dir: string, name: string): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(dir, (_event, file) => {
      if (file === name) {
        watcher.close();
        resolve();
      }
    });
  });
}

const SCAFFOLD = ['app', '-m', 'client-credentials', '--no-install', '--no-git'];

describe('item 5: signals', () => {
  it('SIGTERM during a write into a new directory: finished, or rolled back with nothing left; exit 1, one line', async () => {
    const outcomes: string[] = [];
    // The moment the target appears (mid-write), then at fixed times from start-up to the end.
    for (const when of ['target', 'target', 'target', 150, 200, 260, 330]) {
      const cwd = await tempDir();
      const run = startBin(SCAFFOLD, cwd);
      await (when === 'target' ? appears(cwd, 'app') : new Promise((r) => setTimeout(r, when as number)));
      run.signal('SIGTERM');
      const result = await run.done;
      if (result.code === 0) {
        outcomes.push('finished');
        expect(await readdir(join(cwd, 'app'))).toContain('medplum-auth.json');
        expect(existsSync(join(cwd, 'app', LOCK))).toBe(false);
      } else if (result.code === 143) {
        // Before any JavaScript ran (a busy machine's start-up): the default action, nothing written.
        outcomes.push('before start-up');
        expect(await readdir(cwd)).toEqual([]);
      } else if (/the project is written/.test(result.stderr)) {
        // The write had finished: it is kept, and said so.
        outcomes.push('written, then interrupted');
        expectOneLine(result, 1, /^error Interrupted \(SIGTERM\): the project is written in app\.$/m);
        expect(await readdir(join(cwd, 'app'))).toContain('medplum-auth.json');
        expect(existsSync(join(cwd, 'app', LOCK))).toBe(false);
      } else {
        outcomes.push('rolled back');
        expectOneLine(result, 1, /^error Interrupted \(SIGTERM\)\. Nothing was written\.$/m);
        expect(await readdir(cwd)).toEqual([]);
      }
    }
    expect(outcomes.slice(0, 3)).toContain('rolled back'); // a signal mid-write undoes it
  });

  it('SIGINT during a --force write: the user\'s directory is as it was, or fully written; no staging left', async () => {
    const outcomes: string[] = [];
    for (const when of ['lock', 'lock', 'lock', 150, 220, 300]) {
      const cwd = await tempDir();
      const target = join(cwd, 'app');
      await mkdir(join(target, 'src'), { recursive: true });
      await writeFile(join(target, 'README.md'), 'the user\'s readme');
      await writeFile(join(target, 'src/main.ts'), 'the user\'s main');
      await writeFile(join(target, 'notes.txt'), 'notes');
      const before = await snapshot(cwd);
      const run = startBin([...SCAFFOLD, '--force'], cwd);
      await (when === 'lock' ? appears(target, LOCK) : new Promise((r) => setTimeout(r, when as number)));
      run.signal('SIGINT');
      const result = await run.done;
      expect(existsSync(join(target, LOCK))).toBe(false);
      if (result.code === 0) {
        outcomes.push('finished');
        expect(await readdir(target)).toEqual(expect.arrayContaining(['medplum-auth.json', 'notes.txt']));
      } else if (result.code === 130) {
        outcomes.push('before start-up');
        expect(await snapshot(cwd)).toEqual(before);
      } else if (/the project is written/.test(result.stderr)) {
        outcomes.push('written, then interrupted');
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error Interrupted \(SIGINT\): the project is written in app\.$/m);
        expect(await readdir(target)).toEqual(expect.arrayContaining(['medplum-auth.json', 'notes.txt']));
      } else {
        outcomes.push('rolled back');
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error Interrupted \(SIGINT\)\. Nothing was written\.$/m);
        expect(await snapshot(cwd)).toEqual(before);
      }
    }
    expect(outcomes.slice(0, 3)).toContain('rolled back');
  });

  it('SIGINT during the install: the install\'s process group is stopped, the project kept, exit 1 saying how to finish', async () => {
    const cwd = await tempDir();
    // A package manager that starts a child of its own and never ends, as npm install may seem to.
    const bin = join(cwd, 'fake-bin');
    await mkdir(bin);
    const pids = join(cwd, 'pids');
    await writeFile(
      join(bin, 'npm'),
      `#!${process.execPath}\nconst child = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });\nrequire('node:fs').writeFileSync(${JSON.stringify(pids)}, process.pid + ' ' + child.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    await chmod(join(bin, 'npm'), 0o755);
    for (const json of [false, true]) {
      const dir = json ? 'app-json' : 'app';
      const run = startBin([dir, '-m', 'client-credentials', '--package-manager', 'npm', '--no-git', ...(json ? ['--json'] : [])], cwd, {
        PATH: `${bin}:${process.env.PATH}`,
      });
      const deadline = Date.now() + 15_000;
      while (!existsSync(pids) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const [npm, grandchild] = readFileSync(pids, 'utf8').split(' ').map(Number) as [number, number];
      await rm(pids);
      const started = Date.now();
      run.signal('SIGINT');
      const result = await run.done;
      expect(Date.now() - started).toBeLessThan(5_000);
      expectOneLine(result, 1, new RegExp(`Interrupted \\(SIGINT\\): the project is written in ${dir}; finish the install with: cd ${dir} && npm install\\.`));
      expect(await readdir(join(cwd, dir))).toContain('package.json');
      for (const pid of [npm, grandchild]) {
        await expect.poll(() => isAlive(pid), { timeout: 3_000 }).toBe(false);
      }
      if (json) {
        expect(JSON.parse(result.stdout)).toMatchObject({ directory: join(cwd, dir), method: 'client-credentials', error: expect.stringMatching(/Interrupted \(SIGINT\)/) });
      }
    }
  });

  it('SIGINT while --provision creates the client: provisioning finishes, then is undone; nothing written', async () => {
    const medplum = await startMedplumDouble();
    try {
      const admin = medplum.addClient({ name: 'admin', admin: true });
      const cwd = await tempDir();
      let run: ReturnType<typeof startBin> | undefined;
      // The signal arrives while the server is creating the ClientApplication.
      const proxy = await serve(
        proxyTo(medplum.baseUrl, (req) => void (req.method === 'POST' && /\/admin\/projects\/[^/]+\/client$/.test(req.url ?? '') && run?.signal('SIGINT'))),
      );
      run = startBin(['prov', '-m', 'client-credentials', '--provision', '--base-url', proxy.url, '--no-install', '--no-git'], cwd, {
        MEDPLUM_ADMIN_CLIENT_ID: admin.id,
        MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret,
      });
      const result = await run.done;
      expectOneLine(result, 1, /Interrupted \(SIGINT\)\. Nothing was written\. Undone: deleted AccessPolicy\/[\w-]+ and ClientApplication\/[\w-]+\./);
      expect(medplum.resources('ClientApplication').map((c) => c.name)).not.toContain('prov');
      expect(await readdir(cwd)).toEqual([]);
    } finally {
      await medplum.close();
    }
  });

  it('--json: a failed install still prints one JSON object, with the error', async () => {
    const cwd = await tempDir();
    const bin = join(cwd, 'fake-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'npm'), '#!/bin/sh\nexit 3\n');
    await chmod(join(bin, 'npm'), 0o755);
    const result = await startBin(['app', '-m', 'basic-auth', '--package-manager', 'npm', '--no-git', '--json'], cwd, { PATH: `${bin}:${process.env.PATH}` }).done;
    expectOneLine(result, 1, /npm install failed \(exit 3\) in app\. The project is written/);
    const out = JSON.parse(result.stdout) as { error: string; files: string[]; nextSteps: string[] };
    expect(out.error).toMatch(/npm install failed \(exit 3\)/);
    expect(out.files).toContain('package.json');
    expect(out.nextSteps).toContain('npm install');
  });
});
