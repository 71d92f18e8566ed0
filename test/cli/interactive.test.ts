// @inquirer/testing/vitest must be imported before anything that loads the prompts.
import { screen } from '@inquirer/testing/vitest';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, type RunResult } from '../helpers.js';

/** Answers the prompt on screen once it shows `expected`. */
async function answer(expected: RegExp, ...keys: (string | { type: string })[]): Promise<void> {
  for (let i = 0; !expected.test(screen.getScreen()); i++) {
    if (i > 50) {
      throw new Error(`Prompt ${expected} never appeared; screen:\n${screen.getScreen()}`);
    }
    await screen.next();
  }
  for (const key of keys) {
    if (typeof key === 'string') {
      screen.keypress(key);
    } else {
      screen.type(key.type);
    }
  }
}

const enter = 'enter';
const down = 'down';

describe('add, answered at a terminal', () => {
  it('in a Node service the first question offers what fits: Enter all the way gives client-credentials, not a refusal', async () => {
    const cwd = await tempDir();
    const dir = join(cwd, 'svc');
    await mkdir(dir);
    await writeFile(join(dir, 'package.json'), '{ "name": "svc", "type": "module" }\n');
    const run = runCli(['add', 'svc', '--base-url', 'http://localhost:8103/'], { cwd, tty: true });
    await answer(/What are you building\?[^]*Backend service or API/, enter); // backend, the default here
    await answer(/receive users' tokens/, enter);
    await answer(/How does your backend run\?/, enter);
    await answer(/ClientApplication ID/, { type: '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d' }, enter);
    await answer(/ClientApplication secret/, enter);
    await answer(/Write these changes\?/, enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'medplum-auth.json'), 'utf8')).method).toBe('client-credentials');
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['medplum.js', 'access-policy.json', '.env']));
  });
});

describe('the questionnaire, answered at a terminal', () => {
  it('user-facing -> oauth-auth-code, with every answer typed', async () => {
    const cwd = await tempDir();
    const run = runCli(['--no-install', '--no-git'], { cwd, tty: true });
    await answer(/Project name/, { type: 'portal' }, enter);
    await answer(/What are you building\?/, enter); // user-facing is first and recommended
    await answer(/Which identity provider signs your users in\?/, enter); // Medplum, recommended
    await answer(/Web or mobile\?/, enter); // web
    await answer(/Which UI\?/, enter); // Medplum's React components, the default
    await answer(/Medplum base URL/, enter);
    await answer(/Create the ClientApplication/, enter); // No: the server does not answer here
    await answer(/ClientApplication ID/, { type: '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d' }, enter);
    const result: RunResult = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created portal with oauth-auth-code \(medplum UI\)/);
    expect(result.stdout).toMatch(/client-side authentication/);
    const env = parseEnv(await readFile(join(cwd, 'portal/.env'), 'utf8'));
    expect(env.VITE_MEDPLUM_CLIENT_ID).toBe('6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d');
    expect(env.VITE_MEDPLUM_BASE_URL).toBe('https://api.medplum.com/');
  });

  it('--for web-and-mobile offers the platform: mobile gives the Expo starter', async () => {
    const cwd = await tempDir();
    const run = runCli(['phone', '--for', 'web-and-mobile', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/'], { cwd, tty: true });
    await answer(/Which one first\? \(both share one ClientApplication\)/, down, enter);
    await answer(/Create the ClientApplication/, enter); // No: the server does not answer here
    await answer(/ClientApplication ID/, { type: 'c-1' }, enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/phone:\/\/ \(the app\) and http:\/\/localhost:8081 \(Expo web\)/);
    expect(parseEnv(await readFile(join(cwd, 'phone/.env'), 'utf8'))).toMatchObject({ EXPO_PUBLIC_MEDPLUM_CLIENT_ID: 'c-1' });
  });

  it('user-facing: the plain UI, chosen at its question, is recorded', async () => {
    const cwd = await tempDir();
    const run = runCli(['portal', '-m', 'oauth-auth-code', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/', '--client-id', 'x'], {
      cwd,
      tty: true,
    });
    await answer(/Web or mobile\?/, enter); // web
    await answer(/Which UI\?/);
    expect(screen.getScreen()).toMatch(/Medplum's React components[^]*Plain React, no Mantine/);
    screen.keypress(down);
    screen.keypress(enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created portal with oauth-auth-code \(plain UI\)/);
    expect(JSON.parse(await readFile(join(cwd, 'portal/medplum-auth.json'), 'utf8')).ui).toBe('plain');
  });

  it('backend -> stateless -> basic-auth, with the secret typed masked', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '--no-install', '--no-git'], { cwd, tty: true });
    await answer(/What are you building\?/, down, enter);
    await answer(/receive users' tokens/, enter); // no
    await answer(/How does your backend run\?/, down, enter);
    await answer(/Medplum base URL/, { type: 'http://localhost:8103' }, enter);
    await answer(/Create the ClientApplication/, enter); // No: the server does not answer here
    await answer(/ClientApplication ID/, { type: 'abc' }, enter);
    await answer(/ClientApplication secret/, { type: 'typed-secret' });
    expect(screen.getScreen()).not.toContain('typed-secret');
    screen.keypress(enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created api with basic-auth/);
    expect(result.stdout).toMatch(/stateless/);
    expect(result.stdout + result.stderr).not.toContain('typed-secret');
    const env = parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8'));
    expect(env).toMatchObject({ MEDPLUM_BASE_URL: 'http://localhost:8103/', MEDPLUM_CLIENT_ID: 'abc', MEDPLUM_CLIENT_SECRET: 'typed-secret' });
  });

  it('backend -> long-running -> client-credentials', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/', '--client-id', 'x'], { cwd, tty: true });
    await answer(/What are you building\?/, down, enter);
    await answer(/receive users' tokens/, enter);
    await answer(/How does your backend run\?/, enter);
    await answer(/ClientApplication secret/, enter); // left empty: fill in .env later
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created api with client-credentials/);
    expect(parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8')).MEDPLUM_CLIENT_SECRET).toBe('');
  });

  it('device -> device-credentials, never asking for a secret', async () => {
    const cwd = await tempDir();
    const run = runCli(['sensor', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/'], { cwd, tty: true });
    await answer(/What are you building\?/, down, down, enter);
    await answer(/hold a private key/, enter); // no: a secret injected at run time
    await answer(/ClientApplication ID/, enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created sensor with device-credentials/);
    expect(parseEnv(await readFile(join(cwd, 'sensor/.env'), 'utf8')).MEDPLUM_CLIENT_ID).toBe(''); // Enter: left empty
    expect((await stat(join(cwd, 'sensor/access-policy.json'))).isFile()).toBe(true);
  });

  it('asks before writing into a non-empty directory, and a "no" leaves it alone', async () => {
    const cwd = await tempDir();
    const first = await runCli(['api', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd });
    expect(first.code).toBe(0);
    const before = await readdir(join(cwd, 'api'));
    const run = runCli(['api', '-m', 'basic-auth', '--no-install', '--no-git'], { cwd, tty: true });
    await answer(/api is not empty .* Write into it/, enter); // default: no
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/api is not empty/);
    expect(await readdir(join(cwd, 'api'))).toEqual(before);
  });

  it('backend > users\' tokens -> token-exchange, with the identity provider asked', async () => {
    const cwd = await tempDir();
    const run = runCli(['gw', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/', '--client-id', 'x'], { cwd, tty: true });
    await answer(/What are you building\?/, down, enter);
    await answer(/receive users' tokens/, down, enter);
    await answer(/Which identity provider\?/, enter); // Auth0
    await answer(/Auth0 domain/, { type: 'example.us.auth0.com' }, enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created gw with token-exchange/);
    expect(result.stdout).toContain('Set its identityProvider to {"authorizeUrl":"https://example.us.auth0.com/authorize","tokenUrl":"https://example.us.auth0.com/oauth/token","userInfoUrl":"https://example.us.auth0.com/userinfo",');
  });

  it('device > private key -> jwt-assertion, with a key pair generated', async () => {
    const cwd = await tempDir();
    const run = runCli(['lab', '--no-install', '--no-git', '--base-url', 'https://api.medplum.com/', '--client-id', 'x'], { cwd, tty: true });
    await answer(/What are you building\?/, down, down, enter);
    await answer(/hold a private key/, down, enter);
    const result = await run;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Created lab with jwt-assertion/);
    expect((await stat(join(cwd, 'lab/jwks.json'))).isFile()).toBe(true);
  });

  it('Ctrl-C at a question exits 1 and writes nothing', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '--no-install', '--no-git'], { cwd, tty: true });
    await answer(/What are you building\?/, down, enter);
    await answer(/receive users' tokens/);
    screen.keypress({ name: 'c', ctrl: true } as unknown as string);
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Cancelled\. Nothing was written\./);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('each question, as shown and checked', () => {
  const CLIENT = ['--client-id', '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', '--no-install', '--no-git', '--no-check'];
  const ctrlU = '\u0015'; // clears the line typed so far

  it('project name: blank is refused with a message, then a name is taken', async () => {
    const cwd = await tempDir();
    const run = runCli(['-m', 'basic-auth', '--base-url', 'https://api.medplum.com/', ...CLIENT], { cwd, tty: true });
    await answer(/Project name/, { type: '   ' }, enter);
    await answer(/\n> |ClientApplication secret/); // the error, or (wrongly) the next question
    expect(screen.getScreen()).toMatch(/\n> Enter a name for the project directory\.$/);
    await answer(/Project name/, { type: ctrlU }, { type: 'portal' }, enter);
    await answer(/ClientApplication secret/, enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(await readdir(cwd)).toEqual(['portal']);
  });

  it('package name, asked when the directory is not one: an invalid one is refused, Enter takes the suggestion', async () => {
    const cwd = await tempDir();
    const run = runCli(['My App', '-m', 'basic-auth', '--base-url', 'https://api.medplum.com/', ...CLIENT], { cwd, tty: true });
    await answer(/Package name/);
    expect(screen.getScreen()).toBe('? Package name (my-app)');
    screen.type('Bad Name');
    screen.keypress(enter);
    await answer(/\n> |ClientApplication secret/); // the error, or (wrongly) the next question
    expect(screen.getScreen()).toBe('? Package name Bad Name\n> Use lowercase letters, digits, - and _.');
    screen.type(ctrlU);
    screen.keypress(enter);
    await answer(/ClientApplication secret/, enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(cwd, 'My App/package.json'), 'utf8')).name).toBe('my-app');
  });

  it('web or mobile, then the UI: each choice with its description', async () => {
    const cwd = await tempDir();
    const run = runCli(['portal', '-m', 'oauth-auth-code', '--base-url', 'https://api.medplum.com/', ...CLIENT], { cwd, tty: true });
    const help = '↑↓ navigate • ⏎ select';
    await answer(/Web or mobile\?/);
    expect(screen.getScreen()).toBe(`? Web or mobile?\n❯ Web app\n  Mobile app\n\nVite + React in the browser\n${help}`);
    await answer(/Web or mobile\?/, down);
    await answer(/❯ Mobile app/);
    expect(screen.getScreen()).toBe(`? Web or mobile?\n  Web app\n❯ Mobile app\n\nExpo (React Native): iOS, Android and the web\n${help}`);
    await answer(/❯ Mobile app/, 'up');
    await answer(/❯ Web app/, enter);
    await answer(/Which UI\?/);
    expect(screen.getScreen()).toContain('\n\nSignInForm from @medplum/react: MFA, the project chooser, Google and domain sign-in built in\n');
    await answer(/Which UI\?/, down);
    await answer(/❯ Plain React/);
    expect(screen.getScreen()).toContain('\n\nA small sign-in form of its own on @medplum/react-hooks, for teams with their own design system\n');
    screen.keypress(enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Created portal with oauth-auth-code (plain UI)');
  });

  it('Medplum base URL: what is not a URL is refused at the question, with the flag\'s message', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'basic-auth', ...CLIENT], { cwd, tty: true });
    await answer(/Medplum base URL/, { type: 'not a url' }, enter);
    await answer(/\n> /);
    expect(screen.getScreen()).toMatch(/\n> --base-url "not a url" is not a URL\. Pass the server's address, e\.g\. https:\/\/api\.medplum\.com\/$/);
    await answer(/Medplum base URL/, { type: ctrlU }, { type: 'http://localhost:8103' }, enter);
    await answer(/ClientApplication secret/, enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8')).MEDPLUM_BASE_URL).toBe('http://localhost:8103/');
  });

  it('a "yes" to writing into a non-empty directory writes there, keeping what was there', async () => {
    const cwd = await tempDir();
    await mkdir(join(cwd, 'api'));
    await writeFile(join(cwd, 'api/notes.txt'), 'mine\n');
    const run = runCli(['api', '-m', 'basic-auth', '--base-url', 'https://api.medplum.com/', ...CLIENT], { cwd, tty: true });
    await answer(/Write into it/);
    expect(screen.getScreen()).toBe("? api is not empty (notes.txt). Write into it, overwriting the starter's files? (y/N)");
    await answer(/Write into it/, { type: 'y' }, enter);
    await answer(/ClientApplication secret/, enter);
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(cwd, 'api/notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readdir(join(cwd, 'api'))).toContain('README.md');
  });
});
