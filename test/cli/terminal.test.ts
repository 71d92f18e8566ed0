/**
 * The built bin in a real pseudo-terminal: tmux runs it, `send-keys` answers with arrow keys and
 * Enter, `capture-pane` reads the screen. Plus the hang test: no TTY and no answers must end at
 * once with exit 2, naming the flags.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, it, type onTestFinished } from 'vitest';
import { startMedplumDouble, totp, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { BIN, freePort, start, waitForHttp } from '../project.js';

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

  /** The screen with wrapped lines joined back into the lines the CLI wrote. */
  lines(): string[] {
    return this.tmux('capture-pane', '-p', '-J', '-t', this.name)
      .split('\n')
      .map((line) => line.trimEnd());
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
    // Nothing answers there: the offer to create the client defaults to No.
    await terminal.waitFor(/Create the ClientApplication \(and its AccessPolicy\) on http:\/\/localhost:8103\/ now\? You'll sign in as a project admin\.\s+\(y\/N\)/);
    terminal.keys('Enter');
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

/** The offer's question, as it wraps in a 120-column pane. */
const OFFER = (baseUrl: string, answer: 'Y/n' | 'y/N') =>
  new RegExp(`Create the ClientApplication \\(and its AccessPolicy\\) on ${baseUrl.replaceAll('/', '\\/')} now\\? You'll sign in as a project\\s+admin\\.\\s+\\(${answer.replace('/', '\\/')}\\)`);

/** Backend -> acts as itself -> long-running, up to the base URL, answered with the double's. */
async function toTheOffer(terminal: Terminal, baseUrl: string): Promise<void> {
  await terminal.waitFor(/What are you building\?/);
  terminal.keys('Down', 'Enter');
  await terminal.waitFor(/receive users' tokens/);
  terminal.keys('Enter');
  await terminal.waitFor(/How does your backend run\?/);
  terminal.keys('Enter');
  await terminal.waitFor(/Medplum base URL/);
  terminal.keys('C-u', baseUrl, 'Enter');
}

// Issue 14: from zero to signed in, at a terminal, against the Medplum double.
describe.runIf(TMUX || process.env.CI).concurrent('from zero to signed in, at a terminal', () => {
  const clinicA = randomUUID();
  const clinicB = randomUUID();
  const MFA_SECRET = 'JBSWY3DPEHPK3PXP';
  const ADMIN = {
    email: 'admin@example.com',
    password: 'correct horse battery staple',
    profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Admin' }] },
    admin: true,
    mfaSecret: MFA_SECRET,
    projects: [clinicA, clinicB],
  };
  const PATIENT = { resourceType: 'Patient', id: randomUUID(), name: [{ given: ['Grace'], family: 'Hopper' }], meta: { project: clinicB } };
  let medplum: MedplumDouble;
  beforeAll(async () => {
    medplum = await startMedplumDouble({
      projects: [{ id: clinicA, name: 'Clinic A' }, { id: clinicB, name: 'Clinic B' }],
      users: [ADMIN],
      resources: [PATIENT],
    });
  });
  afterAll(() => medplum?.close());

  /** Up to the offer, which defaults to Yes (the double answers), then No and today's questions. */
  async function declineAndType(terminal: Terminal, clientId: string, secret: string): Promise<void> {
    await toTheOffer(terminal, medplum.baseUrl);
    await terminal.waitFor(OFFER(medplum.baseUrl, 'Y/n'));
    terminal.keys('n', 'Enter');
    await terminal.waitFor(/ClientApplication ID/);
    terminal.keys(clientId, 'Enter');
    await terminal.waitFor(/ClientApplication secret/);
    terminal.keys(secret, 'Enter');
  }

  it(
    'Yes: admin, password, MFA code, project; then written, installed, signed in, and npm start serves /patients',
    { timeout: 400_000 },
    async ({ expect, onTestFinished }) => {
      const { cwd, terminal } = await openTerminal('yes', ['api', '--no-git'], onTestFinished);
      await toTheOffer(terminal, medplum.baseUrl);
      await terminal.waitFor(OFFER(medplum.baseUrl, 'Y/n')); // the server answers: Yes by default
      terminal.keys('Enter');
      await terminal.waitFor(/Medplum admin email/);
      terminal.keys(ADMIN.email, 'Enter');
      await terminal.waitFor(/Password/);
      terminal.keys(ADMIN.password, 'Enter');
      await terminal.waitFor(/MFA code/);
      terminal.keys(totp(MFA_SECRET), 'Enter');
      await terminal.waitFor(/Which project\?[^]*Clinic A[^]*Clinic B/);
      terminal.keys('Down', 'Enter');
      expect(await terminal.exitCode(300_000)).toBe(0); // the install takes most of it

      const screen = terminal.screen();
      expect(screen).not.toContain(ADMIN.password);
      expect(screen).not.toMatch(/ClientApplication ID|ClientApplication secret/); // created, not asked for
      const env = parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8'));
      const clientId = env.MEDPLUM_CLIENT_ID as string;
      expect(medplum.client(clientId).projectId).toBe(clinicB);
      expect(env.MEDPLUM_CLIENT_SECRET).toBe(medplum.client(clientId).secret);
      expect(screen).not.toContain(medplum.client(clientId).secret);
      // The summary leads with what is proven.
      const summary = screen.slice(screen.indexOf('✔ Signed in'));
      expect(summary.split('\n').slice(0, 3)).toEqual([
        `✔ Signed in to ${medplum.baseUrl} as client ${clientId} (client-credentials)`,
        '✔ Created api with client-credentials: Client credentials (OAuth2, server to server)',
        '✔ Installed its dependencies with npm',
      ]);
      expect(medplum.log.filter((e) => e.path === '/auth/mfa/verify').map((e) => e.status)).toEqual([200]);
      expect(medplum.log.filter((e) => e.path === '/auth/profile').map((e) => e.status)).toEqual([200]);

      const port = await freePort();
      const api = start('npm', ['start', '--silent'], join(cwd, 'api'), { PORT: String(port) });
      onTestFinished(() => void api.stop());
      await waitForHttp(`http://127.0.0.1:${port}/health`, api);
      const patients = await fetch(`http://127.0.0.1:${port}/patients`);
      expect(patients.status).toBe(200);
      const bundle = (await patients.json()) as { entry: { resource: { id: string } }[] };
      expect(bundle.entry.map((e) => e.resource.id)).toEqual([PATIENT.id]);
    },
  );

  it('No: the ID and secret are typed, the check runs and signs in', async ({ expect, onTestFinished }) => {
    const client = medplum.addClient({ name: 'typed by hand' });
    const { cwd, terminal } = await openTerminal('no', ['hand', '--no-install', '--no-git'], onTestFinished);
    await declineAndType(terminal, client.id, client.secret);
    expect(await terminal.exitCode()).toBe(0);

    const lines = terminal.lines();
    expect(lines).not.toContainEqual(expect.stringMatching(/Medplum admin email/));
    // A client made by hand has no AccessPolicy yet: signed in, with check's warning counted.
    const signedIn = lines.indexOf(`✔ Signed in to ${medplum.baseUrl} as client ${client.id} (client-credentials) (1 warning: run create-medplum-auth check hand)`);
    expect(signedIn, lines.join('\n')).toBeGreaterThan(0);
    expect(lines[signedIn + 1]).toMatch(/^✔ Created hand with client-credentials/);
    expect(lines.join('\n')).not.toContain(client.secret);
    expect(parseEnv(await readFile(join(cwd, 'hand/.env'), 'utf8')).MEDPLUM_CLIENT_ID).toBe(client.id);
  });

  for (const [strict, code] of [[[], 0], [['--strict'], 1]] as const) {
    it(`a wrong secret: written, the check names the secret, exit ${code}${strict.length ? ' with --strict' : ''}`, async ({ expect, onTestFinished }) => {
      const client = medplum.addClient({ name: `wrong secret ${code}` });
      const { cwd, terminal } = await openTerminal(`wrong${code}`, ['typo', '--no-install', '--no-git', ...strict], onTestFinished);
      await declineAndType(terminal, client.id, 'not-the-secret');
      expect(await terminal.exitCode()).toBe(code);

      const lines = terminal.lines();
      const failed = lines.indexOf(
        `✖ Check failed: could not sign in to ${medplum.baseUrl} as client ${client.id}: Invalid secret. Fix: correct MEDPLUM_CLIENT_SECRET in typo/.env, then run: create-medplum-auth check typo`,
      );
      expect(failed, lines.join('\n')).toBeGreaterThan(0);
      expect(lines[failed + 1]).toBe(`  The project is written; exit ${code}${code === 0 ? ' (1 with --strict)' : ' (--strict)'}.`);
      expect(lines[failed + 2]).toMatch(/^✔ Created typo with client-credentials/);
      expect(existsSync(join(cwd, 'typo/.env'))).toBe(true);
    });
  }
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
