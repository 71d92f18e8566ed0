/**
 * The built bin in a real pseudo-terminal: tmux runs it, `send-keys` answers with arrow keys and
 * Enter, `capture-pane` reads the screen. Plus the hang test: no TTY and no answers must end at
 * once with exit 2, naming the flags.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, it, type onTestFinished } from 'vitest';
import { tempDir } from '../helpers.js';
import { BIN } from '../project.js';

const TMUX = ['/usr/bin/tmux', '/usr/local/bin/tmux'].find((path) => existsSync(path));

/** One tmux server per session name, on its own socket, so runs never touch a user's tmux. */
class Terminal {
  private readonly name: string;
  private readonly exitFile: string;
  private readonly socket: string;
  constructor(name: string, exitFile: string) {
    this.name = name;
    this.exitFile = exitFile;
    this.socket = `cma-${name}-${process.pid}`;
  }

  open(cwd: string, args: readonly string[]): void {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
    // NO_COLOR keeps the screen plain; the exit code goes to a file, and the pane stays open to be read.
    // CI is unset: this is a person at a terminal, even when the suite itself runs in CI.
    const command = `cd '${cwd}' && unset CI && NO_COLOR=1 ${quoted}; echo $? > '${this.exitFile}'; sleep 600`;
    this.tmux('new-session', '-d', '-s', this.name, '-x', '120', '-y', '50', command);
  }

  keys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  async waitFor(pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const text = this.screen();
      if (pattern.test(text)) {
        return text;
      }
      if (Date.now() > deadline) {
        throw new Error(`${pattern} never appeared; the screen:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async exitCode(ms = 10_000): Promise<number> {
    const deadline = Date.now() + ms;
    while (!existsSync(this.exitFile)) {
      if (Date.now() > deadline) {
        throw new Error(`the CLI did not exit; the screen:\n${this.screen()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return Number((await readFile(this.exitFile, 'utf8')).trim());
  }

  /** The CLI's own process: the node child of the pane's shell. */
  cliPid(): number {
    const shell = this.tmux('list-panes', '-t', this.name, '-F', '#{pane_pid}').trim();
    return Number(execFileSync('pgrep', ['-P', shell, 'node'], { encoding: 'utf8' }).trim().split('\n')[0]);
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync(TMUX as string, ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

/** `prepare` fills the working directory before the CLI starts (e.g. a project for add). */
async function openTerminal(name: string, args: readonly string[], onFinished: typeof onTestFinished, prepare?: (cwd: string) => Promise<void>) {
  const cwd = await tempDir(onFinished);
  await prepare?.(cwd);
  const terminal = new Terminal(name, join(cwd, '.exit-code'));
  onFinished(() => terminal.close());
  terminal.open(cwd, args);
  return { cwd, terminal };
}

// Skipped on a machine without tmux, except in CI, where its absence fails the tests.
describe.runIf(TMUX || process.env.CI).concurrent('the questionnaire in a real terminal', () => {
  it('backend > stateless: basic-auth, the why, and the tree', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('basic', ['hook', '--no-install', '--no-git'], onTestFinished);
    await terminal.waitFor(/What are you building\?/);
    terminal.keys('Down', 'Enter');
    await terminal.waitFor(/receive users' tokens/);
    terminal.keys('Enter');
    await terminal.waitFor(/How does your backend run\?/);
    terminal.keys('Down', 'Enter');
    await terminal.waitFor(/Medplum base URL/);
    terminal.keys('C-u', 'http://localhost:8103', 'Enter');
    await terminal.waitFor(/ClientApplication ID/);
    terminal.keys('Enter');
    await terminal.waitFor(/ClientApplication secret/);
    terminal.keys('hunter2-secret', 'Enter');
    expect(await terminal.exitCode()).toBe(0);

    const screen = terminal.screen();
    expect(screen).toMatch(/Created hook with basic-auth/);
    expect(screen).toMatch(/Why\n\s+• A backend runs in a trusted environment/);
    expect(screen).toMatch(/• It acts as itself/);
    expect(screen).toMatch(/• It is stateless and cannot manage OAuth tokens/);
    expect(screen).not.toContain('hunter2-secret');
    expect((await readdir(join(cwd, 'hook'))).sort()).toEqual(
      expect.arrayContaining(['.env', '.env.example', '.gitignore', 'README.md', 'package.json', 'src', 'tsconfig.json']),
    );
    expect(await readFile(join(cwd, 'hook/.env'), 'utf8')).toContain("MEDPLUM_CLIENT_SECRET='hunter2-secret'");
  });

  it('device: device-credentials, and no question about a secret', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('device', ['--no-install', '--no-git'], onTestFinished);
    await terminal.waitFor(/Project name/);
    terminal.keys('thermo', 'Enter');
    await terminal.waitFor(/What are you building\?/);
    terminal.keys('Down', 'Down', 'Enter');
    await terminal.waitFor(/hold a private key/);
    terminal.keys('Enter');
    await terminal.waitFor(/Medplum base URL/);
    terminal.keys('Enter');
    await terminal.waitFor(/ClientApplication ID/);
    terminal.keys('6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', 'Enter');
    expect(await terminal.exitCode()).toBe(0);

    const screen = terminal.screen();
    expect(screen).toMatch(/Created thermo with device-credentials/);
    expect(screen).toMatch(/• A device or automation connects machine to machine/);
    expect(screen).not.toMatch(/secret \(empty/);
    expect(await readdir(join(cwd, 'thermo'))).toEqual(expect.arrayContaining(['access-policy.json', 'README.md', 'src']));
  });

  it('Ctrl-C halfway leaves no directory behind and exits non-zero', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('cancel', ['half', '--no-install', '--no-git'], onTestFinished);
    await terminal.waitFor(/What are you building\?/);
    terminal.keys('Down', 'Enter');
    await terminal.waitFor(/receive users' tokens/);
    terminal.keys('C-c');
    expect(await terminal.exitCode()).toBe(1);
    expect(terminal.screen()).toMatch(/Cancelled\. Nothing was written\./);
    expect((await readdir(cwd)).filter((name) => name !== '.exit-code')).toEqual([]);
  });

  it('item 5: SIGTERM while a question is open cancels it: exit 1, one line, nothing written', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('sigterm', ['asked', '--no-install', '--no-git'], onTestFinished);
    await terminal.waitFor(/What are you building\?/);
    process.kill(terminal.cliPid(), 'SIGTERM');
    expect(await terminal.exitCode()).toBe(1);
    expect(terminal.screen()).toMatch(/Cancelled\. Nothing was written\./);
    expect((await readdir(cwd)).filter((name) => name !== '.exit-code')).toEqual([]);
  });
});

/** A Vite + React app as create-vite writes it (what add reads: package.json and the entry point). */
async function viteApp(dir: string): Promise<void> {
  const pkg = { name: 'portal', private: true, type: 'module', dependencies: { react: '^19.3.1', 'react-dom': '^19.3.1' }, devDependencies: { typescript: '~7.0.2', vite: '^8.3.4' } };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/main.tsx'), "import { createRoot } from 'react-dom/client'\nimport './index.css'\nimport App from './App.tsx'\n\ncreateRoot(document.getElementById('root')!).render(<App />)\n");
}

const CLIENT_ID = '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';

describe.runIf(TMUX || process.env.CI).concurrent('add in a real terminal', () => {
  it('a Vite app: the guide (user-facing > Medplum), the plain UI, base URL, client ID; the changes shown, written once agreed', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('add', ['add'], onTestFinished, viteApp);
    await terminal.waitFor(/Adding Medplum auth to \., a Vite \+ React app \(TypeScript\)\.\n[^]*What are you building\?/);
    terminal.keys('Enter'); // user-facing, the recommendation
    await terminal.waitFor(/Which identity provider signs your users in\?/);
    terminal.keys('Enter'); // Medplum
    await terminal.waitFor(/Which UI\?/);
    terminal.keys('Down', 'Enter'); // plain React
    await terminal.waitFor(/Medplum base URL/);
    terminal.keys('C-u', 'http://localhost:8103', 'Enter');
    await terminal.waitFor(/ClientApplication ID/);
    terminal.keys(CLIENT_ID, 'Enter');

    const shown = await terminal.waitFor(/Write these changes\?/);
    expect(shown).toMatch(/Adding oauth-auth-code will change 14 files in \.:\n  \+ src\/medplum\/env\.ts\n/);
    expect(shown).toMatch(/^  \+ src\/medplum\/MedplumAuth\.tsx$/m);
    expect(shown).toMatch(/^  ~ src\/main\.tsx$/m);
    expect(shown).toMatch(/^  \+ \.env \(mode 600\)$/m);
    expect(existsSync(join(cwd, 'src/medplum'))).toBe(false); // nothing written before the answer
    terminal.keys('Enter');
    expect(await terminal.exitCode()).toBe(0);

    const screen = terminal.screen();
    expect(screen).toMatch(/✔ Added oauth-auth-code \(OAuth authorization code \(Medplum as identity provider\)\) to \., a Vite \+ React app \(TypeScript\)\./);
    expect(screen.match(/\+ src\/medplum\/MedplumAuth\.tsx/g)).toHaveLength(1); // listed once, before the question
    expect(screen).toMatch(/Next steps\n\s+npm install/);
    expect(await readFile(join(cwd, 'src/main.tsx'), 'utf8')).toContain("import { MedplumAuth } from './medplum/MedplumAuth.tsx'\n");
    expect(await readFile(join(cwd, 'src/main.tsx'), 'utf8')).toContain('render(<MedplumAuth><App /></MedplumAuth>)');
    expect((await readdir(join(cwd, 'src/medplum'))).sort()).toEqual(['MedplumAuth.tsx', 'SignIn.tsx', 'components', 'env.ts', 'login.ts', 'redirect.ts', 'useAction.ts', 'variables.ts']);
    expect(parseEnv(await readFile(join(cwd, '.env'), 'utf8'))).toEqual({ VITE_MEDPLUM_BASE_URL: 'http://localhost:8103/', VITE_MEDPLUM_CLIENT_ID: CLIENT_ID, VITE_MEDPLUM_PROJECT_ID: '' });
    expect(JSON.parse(await readFile(join(cwd, 'medplum-auth.json'), 'utf8'))).toMatchObject({ method: 'oauth-auth-code', ui: 'plain' });
  });

  it('a backend answer in a Vite app: one line that names the methods that fit, before the base URL or a secret; nothing written', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('add-backend', ['add'], onTestFinished, viteApp);
    await terminal.waitFor(/What are you building\?/);
    terminal.keys('Down', 'Enter'); // backend
    await terminal.waitFor(/receive users' tokens/);
    terminal.keys('Enter'); // it acts as itself
    await terminal.waitFor(/How does your backend run\?/);
    terminal.keys('Enter'); // long-running: client-credentials
    expect(await terminal.exitCode()).toBe(2);

    const screen = terminal.screen();
    expect(screen.match(/^error /gm)).toHaveLength(1);
    // The pane wraps the line at 120 columns.
    expect(screen.replace(/\s+/g, '')).toContain(
      'error client-credentials is a backend method and does not fit Vite + React app (TypeScript): use oauth-auth-code, google-auth, external-idp, domain-idp (oauth-auth-code to start); client-credentials and other server methods belong in a Node service.'.replace(/\s+/g, ''),
    );
    expect(screen).not.toMatch(/Medplum base URL|secret/);
    expect((await readdir(cwd)).sort()).toEqual(['.exit-code', 'package.json', 'src']);
    expect(await readdir(join(cwd, 'src'))).toEqual(['main.tsx']);
  });

  it('the changes declined: one line, exit 1, nothing written', async ({ expect, onTestFinished }) => {
    const { cwd, terminal } = await openTerminal('add-no', ['add', '-m', 'oauth-auth-code', '--ui', 'plain', '--base-url', 'http://localhost:8103/', '--client-id', CLIENT_ID], onTestFinished, viteApp);
    await terminal.waitFor(/Write these changes\?/);
    terminal.keys('n', 'Enter');
    expect(await terminal.exitCode()).toBe(1);
    expect(terminal.screen()).toMatch(/^error Nothing was written: the changes were declined$/m);
    expect((await readdir(cwd)).sort()).toEqual(['.exit-code', 'package.json', 'src']);
    expect(await readdir(join(cwd, 'src'))).toEqual(['main.tsx']);
  });
});

describe('without a TTY', () => {
  it('missing answers end at once with exit 2 naming the flags; nothing waits on stdin', { timeout: 10_000 }, async ({ expect, onTestFinished }) => {
    const cwd = await tempDir(onTestFinished);
    // stdin is an open pipe that never sends anything: a prompt would wait on it forever.
    const child = spawn(process.execPath, [BIN, 'app'], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CI: '' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Pass --app user-facing or --app backend or --app device, or --yes/);
    expect(await readdir(cwd)).toEqual([]);
  });
});
