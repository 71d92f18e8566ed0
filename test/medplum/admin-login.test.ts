// @inquirer/testing/vitest must be imported before anything that loads the prompts.
import { screen } from '@inquirer/testing/vitest';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, totp, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';
import { typeEmailAndPassword, waitFor } from '../screen.js';
import { adminSession, describe as describeFailure, withAdminFlags } from '../../src/medplum/admin.js';
import { HttpPolicyError } from '../../src/medplum/http.js';
import { Interrupted } from '../../src/errors.js';
import type { Prompter, SelectChoice } from '../../src/cli/prompts.js';

const ADMIN = {
  email: 'admin@example.com',
  password: 'correct horse battery staple',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Admin' }] },
  admin: true,
};

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ users: [ADMIN], projects: [{ name: 'Test Project' }, { name: 'Second Project' }] });
});
afterAll(() => medplum?.close());

describe('admin credentials', () => {
  it('at a terminal: email and a masked password, then --provision creates the client', async () => {
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'client-credentials', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      tty: true,
    });
    await waitFor(/Medplum admin email/);
    screen.type(ADMIN.email);
    screen.keypress('enter');
    await waitFor(/Password/);
    screen.type(ADMIN.password);
    expect(screen.getScreen()).not.toContain(ADMIN.password);
    screen.keypress('enter');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(ADMIN.password);
    const env = parseEnv(await readFile(join(cwd, 'api/.env'), 'utf8'));
    expect(env.MEDPLUM_CLIENT_SECRET).toBe(medplum.client(env.MEDPLUM_CLIENT_ID as string).secret);
    const login = medplum.log.filter((e) => e.path === '/auth/login');
    expect(login.at(-1)?.status).toBe(200);
  });

  it('at a terminal, a web method: Yes to the offer, the MFA code; the check then reads the new client', async () => {
    const mfa = { ...ADMIN, email: 'mfa-admin@example.com', mfaSecret: 'JBSWY3DPEHPK3PXP' };
    medplum.addUser(mfa);
    const cwd = await tempDir();
    const run = runCli(['portal', '-m', 'oauth-auth-code', '--platform', 'web', '--ui', 'plain', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      tty: true,
    });
    await waitFor(/Create the ClientApplication on .* now\? You'll sign in as a project admin\. \(Y\/n\)/);
    screen.keypress('enter');
    await typeEmailAndPassword(mfa);
    await waitFor(/MFA code/);
    screen.type(totp(mfa.mfaSecret));
    screen.keypress('enter');
    const result = await run;
    expect(result.code, result.stderr).toBe(0);
    const clientId = parseEnv(await readFile(join(cwd, 'portal/.env'), 'utf8')).VITE_MEDPLUM_CLIENT_ID as string;
    const client = medplum.resources('ClientApplication').find((c) => c.id === clientId);
    expect(client?.redirectUris).toEqual(['http://localhost:5173/', 'http://localhost:4173/']);
    expect(client?.pkceOptional).toBeFalsy();
    expect(result.stdout).toContain(
      `✔ ClientApplication/${clientId} on ${medplum.baseUrl} requires PKCE and lists the dev server's redirect URI: ready for users to sign in`,
    );
  });

  it('a wrong MFA code: one line naming it, exit 1, nothing written', async () => {
    const mfa = { ...ADMIN, email: 'mfa-typo@example.com', mfaSecret: 'KRSXG5CTMVRXEZLU' };
    medplum.addUser(mfa);
    const cwd = await tempDir();
    const run = runCli(['api', '-m', 'client-credentials', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], { cwd, tty: true });
    await waitFor(/Create the ClientApplication/);
    screen.keypress('enter');
    await typeEmailAndPassword(mfa);
    await waitFor(/MFA code/);
    const wrong = String((Number(totp(mfa.mfaSecret)) + 500_000) % 1_000_000).padStart(6, '0');
    screen.type(wrong);
    screen.keypress('enter');
    const result = await run;
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`error Admin sign-in to ${medplum.baseUrl} failed (email and password): Invalid MFA token`);
    expect(existsSync(join(cwd, 'api'))).toBe(false);
  });

  it('--admin-profile reads a Medplum CLI profile from ~/.medplum', async () => {
    const cwd = await tempDir();
    const home = await tempDir();
    const admin = medplum.addClient({ name: 'profile admin', admin: true });
    await mkdir(join(home, '.medplum'));
    await writeFile(join(home, '.medplum/ci.json'), JSON.stringify({ authType: 'client-credentials', baseUrl: medplum.baseUrl, clientId: admin.id, clientSecret: admin.secret }));
    const result = await runCli(['api', '-m', 'basic-auth', '--provision', '--admin-profile', 'ci', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json'], {
      cwd,
      env: { HOME: home },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(admin.secret);
    const missing = await runCli(['x', '-m', 'basic-auth', '--provision', '--admin-profile', 'nope', '--base-url', medplum.baseUrl, '--no-install', '--no-git'], {
      cwd,
      env: { HOME: home },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--admin-profile nope: cannot read .*\/\.medplum\/nope\.json/);
  });
});

interface Question {
  readonly kind: 'input' | 'password' | 'select';
  readonly message: string;
  readonly choices?: readonly SelectChoice<string>[];
  readonly validate?: (value: string) => true | string;
}

/** A prompter that gives these answers in order (an Error is thrown instead) and records each question. */
function scripted(...answers: (string | Error | ((q: Question) => string))[]) {
  const asked: Question[] = [];
  const answer = async (q: Question): Promise<string> => {
    asked.push(q);
    const next = answers.shift();
    if (next === undefined) {
      throw new Error(`no answer scripted for: ${q.message}`);
    }
    if (next instanceof Error) {
      throw next;
    }
    return typeof next === 'function' ? next(q) : next;
  };
  const prompt: Prompter = {
    input: (q) => answer({ kind: 'input', ...q }),
    password: (q) => answer({ kind: 'password', ...q }),
    select: <T extends string>(q: { message: string; choices: readonly SelectChoice<T>[] }) => answer({ kind: 'select', ...q }) as Promise<T>,
    confirm: (q) => Promise.reject(new Error(`unexpected confirm: ${q.message}`)),
  };
  return { prompt, asked };
}

const signIn = (options: { prompt?: Prompter; env?: Record<string, string | undefined>; profile?: string; home?: string }) =>
  adminSession({ baseUrl: medplum.baseUrl, env: {}, fetch, ...options });

const EMAIL_AND_PASSWORD: [string, string][] = [
  ['input', 'Medplum admin email'],
  ['password', 'Password'],
];

describe('admin sign-in in process, with scripted answers', () => {
  it('MFA: asks for the code after the password, accepts exactly six digits (spaces trimmed), then signs in', async () => {
    const user = { ...ADMIN, email: 'mfa-scripted@example.com', mfaSecret: 'GEZDGNBVGY3TQOJQ' };
    medplum.addUser(user);
    const { prompt, asked } = scripted(user.email, user.password, () => ` ${totp(user.mfaSecret)} `);
    const session = await signIn({ prompt });
    expect(session.getProfile()?.resourceType).toBe('Practitioner');
    expect(asked.map((q) => [q.kind, q.message])).toEqual([...EMAIL_AND_PASSWORD, ['input', 'MFA code (from your authenticator app)']]);
    const validate = asked[2]?.validate as (value: string) => true | string;
    const wrong = 'Enter the 6-digit code.';
    const verdicts = ['123456', ' 123456 ', '12345', '1234567', 'a123456', '123456a', ''].map((v) => [v, validate(v)]);
    expect(verdicts).toEqual([
      ['123456', true],
      [' 123456 ', true],
      ['12345', wrong],
      ['1234567', wrong],
      ['a123456', wrong],
      ['123456a', wrong],
      ['', wrong],
    ]);
  });

  it('a user of several projects chooses one by project name, and the session is in that project', async () => {
    const [first, second] = medplum.projects;
    const user = { ...ADMIN, email: 'two-projects@example.com', projects: [first?.id as string, second?.id as string] };
    const memberships = medplum.addUser(user).memberships;
    const { prompt, asked } = scripted(user.email, user.password, (q) => q.choices?.find((c) => c.name === 'Second Project')?.value as string);
    const session = await signIn({ prompt });
    expect(asked.map((q) => [q.kind, q.message])).toEqual([...EMAIL_AND_PASSWORD, ['select', 'Which project?']]);
    expect(asked[2]?.choices).toEqual([
      { value: memberships[0]?.id, name: 'Test Project' },
      { value: memberships[1]?.id, name: 'Second Project' },
    ]);
    expect(session.getProject()?.id).toBe(second?.id);
    expect(medplum.log.filter((e) => e.path === '/auth/profile').map((e) => e.status)).toEqual([200]);
  });

  it('a user of one project is asked nothing after the password', async () => {
    const { prompt, asked } = scripted(ADMIN.email, ADMIN.password);
    const session = await signIn({ prompt });
    expect(session.getProject()?.id).toBe(medplum.project.id);
    expect(asked.map((q) => [q.kind, q.message])).toEqual(EMAIL_AND_PASSWORD);
  });

  it.each([
    [
      'an account that must enrol in MFA first',
      () => void medplum.addUser({ ...ADMIN, email: 'enrol@example.com', mfaRequired: true }),
      'enrol@example.com',
      'the account must enrol in MFA first: sign in once in the Medplum app to set it up, then run again',
    ],
    [
      'a login answer with neither a code nor memberships',
      () => medplum.failNext({ method: 'POST', path: '/auth/login', status: 200, body: { login: 'some-login' } }),
      ADMIN.email,
      'the server asked for a sign-in step this CLI does not know: use admin client credentials instead',
    ],
  ])('%s: one line naming it, after the two questions', async (_, arrange, email, why) => {
    arrange();
    const { prompt, asked } = scripted(email, ADMIN.password);
    await expect(signIn({ prompt })).rejects.toMatchObject({
      exitCode: 1,
      message: `Admin sign-in to ${medplum.baseUrl} failed (email and password): ${why}`,
    });
    expect(asked.map((q) => [q.kind, q.message])).toEqual(EMAIL_AND_PASSWORD);
  });

  it.each([
    ['Ctrl-C in a prompt (ExitPromptError)', Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' })],
    ['a signal (Interrupted)', new Interrupted('SIGTERM')],
  ])('%s passes through unchanged, not as a sign-in failure', async (_, cancel) => {
    const { prompt } = scripted(ADMIN.email, cancel);
    await expect(signIn({ prompt })).rejects.toBe(cancel);
  });
});

describe('admin credentials from a profile or the environment, in process', () => {
  async function profileHome(name: string, content: object): Promise<{ home: string; path: string }> {
    const home = await tempDir();
    await mkdir(join(home, '.medplum'));
    const path = join(home, '.medplum', `${name}.json`);
    await writeFile(path, JSON.stringify(content));
    return { home, path };
  }

  it.each([
    ['no clientId', { authType: 'client-credentials', clientSecret: 'x' }],
    ['no clientSecret', { authType: 'client-credentials', clientId: 'x' }],
    ['a clientId that is not a string', { clientId: 42, clientSecret: 'x' }],
    ['a password profile', { authType: 'basic', baseUrl: 'https://api.medplum.com/' }],
  ])('a profile with %s is refused, naming the file', async (_, content) => {
    const { home, path } = await profileHome('ci', content);
    await expect(signIn({ profile: 'ci', home })).rejects.toMatchObject({
      exitCode: 2,
      message: `--admin-profile ci: ${path} has no clientId and clientSecret (only client-credentials profiles work here).`,
    });
  });

  it('a profile with a wrong secret: the failure names the profile as the source', async () => {
    const admin = medplum.addClient({ name: 'stale profile admin', admin: true });
    const { home } = await profileHome('stale', { clientId: admin.id, clientSecret: 'not-the-secret' });
    await expect(signIn({ profile: 'stale', home })).rejects.toMatchObject({
      exitCode: 1,
      message: `Admin sign-in to ${medplum.baseUrl} failed (profile stale): Invalid secret`,
    });
  });

  it.each([{ MEDPLUM_ADMIN_CLIENT_ID: 'an-id' }, { MEDPLUM_ADMIN_CLIENT_SECRET: 'a-secret' }])(
    'only half of the admin credentials (%o) and no terminal: refused, naming both variables',
    async (env) => {
      await expect(signIn({ env })).rejects.toMatchObject({
        exitCode: 2,
        message:
          'This needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID and MEDPLUM_ADMIN_CLIENT_SECRET (an admin ClientApplication), or pass --admin-profile <name>.',
      });
      expect(medplum.log.filter((e) => e.clientId === 'an-id')).toEqual([]);
    },
  );

  const ENV = { HOME: '/home/ci', MEDPLUM_ADMIN_CLIENT_ID: 'env-id', MEDPLUM_ADMIN_CLIENT_SECRET: 'env-secret' };
  it.each([
    [{}, ENV],
    [{ adminClientId: 'flag-id' }, { ...ENV, MEDPLUM_ADMIN_CLIENT_ID: 'flag-id' }],
    [{ adminClientSecret: 'flag-secret' }, { ...ENV, MEDPLUM_ADMIN_CLIENT_SECRET: 'flag-secret' }],
    [{ adminClientId: 'flag-id', adminClientSecret: 'flag-secret' }, { HOME: '/home/ci', MEDPLUM_ADMIN_CLIENT_ID: 'flag-id', MEDPLUM_ADMIN_CLIENT_SECRET: 'flag-secret' }],
  ])('withAdminFlags(%o) wins over the environment', (flags, expected) => {
    expect(withAdminFlags(ENV, flags)).toEqual(expected);
  });
});

describe('describe: one line for a failed Medplum call', () => {
  const base = 'http://127.0.0.1:1/';
  const notMedplum = (why: string) =>
    `${base} does not answer like a Medplum server (${why}). Check the base URL: it is the API server, e.g. https://api.medplum.com/.`;
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  it.each([
    ['a timeout', new HttpPolicyError('No answer from http://127.0.0.1:1/ within 5 s.', 'timeout'), 'No answer from http://127.0.0.1:1/ within 5 s.'],
    ['a JSON answer that is not JSON', new HttpPolicyError('the answer is text/html, not JSON', 'not-json'), notMedplum('the answer is text/html, not JSON')],
    ['an unreachable server', new TypeError('fetch failed', { cause: refused }), `cannot reach ${base} (ECONNREFUSED). Check the base URL and the network.`],
    ['a cause without a code', new TypeError('fetch failed', { cause: new Error('other side closed') }), `cannot reach ${base} (other side closed). Check the base URL and the network.`],
    ['an Error (not a TypeError) with a cause', new Error('Invalid client', { cause: new Error('inner') }), 'Invalid client'],
    ['a TypeError without a cause', new TypeError('x is not a function'), 'x is not a function'],
    ['Not found', new Error('Not found'), notMedplum('Not found')],
    ['a JSON parse error', new SyntaxError('Unexpected token < in JSON at position 0'), notMedplum('Unexpected token < in JSON at position 0')],
    ['the SDK giving up on tokens', new Error('Failed to fetch tokens'), notMedplum('Failed to fetch tokens')],
    ['Forbidden', new Error('Forbidden'), 'Forbidden: the admin credentials are not a project admin of this project.'],
    ['the server\'s reason for refusing tokens', new Error('Failed to fetch tokens: Invalid secret'), 'Invalid secret'],
    ['that prefix inside a message', new Error('Retry: Failed to fetch tokens: Invalid secret'), 'Retry: Failed to fetch tokens: Invalid secret'],
    ['Medplum\'s own validation error', new Error('Invalid JSON type'), 'Invalid JSON type'],
    ['a thrown string', 'plain words', 'plain words'],
  ])('%s', (_, err, expected) => {
    expect(describeFailure(err, base)).toBe(expected);
  });
});
