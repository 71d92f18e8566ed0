/**
 * `create-medplum-auth check`: each finding triggered, and shown passing, against the Medplum
 * double. Projects are generated with --no-install: check reads them, it does not run them.
 */
import { execFileSync } from 'node:child_process';
import { createPublicKey, verify, type webcrypto } from 'node:crypto';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseArgs } from '../../src/cli/args.js';
import { check, type CheckOptions } from '../../src/medplum/check.js';
import { Interrupted } from '../../src/errors.js';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble();
});
afterAll(() => medplum?.close());

const POLICY = { resource: [{ resourceType: 'Patient', interaction: ['search' as const] }] };

async function project(method: string, clientId: string, secret?: string, extra: string[] = []): Promise<string> {
  const cwd = await tempDir();
  const result = await runCli(['app', '-m', method, '--base-url', medplum.baseUrl, '--client-id', clientId, '--no-install', '--no-git', ...extra], {
    cwd,
    env: secret ? { MEDPLUM_CLIENT_SECRET: secret } : {},
  });
  expect(result.code, result.stderr).toBe(0);
  return join(cwd, 'app');
}

async function runCheck(dir: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = await runCli(['check', dir, '--json', ...args], { cwd: dir, env });
  const out = JSON.parse(result.stdout) as { findings: { id: string; level: string; message: string }[]; errors: number };
  const level = (id: string) => out.findings.find((f) => f.id === id)?.level;
  return { ...result, out, level };
}

/**
 * A stand-in for a Medplum server that answers what the double cannot be made to: `answer` gives the JSON
 * for each request from its path and the form it posted. Closed when the test finishes.
 */
async function standIn(answer: (path: string, form: URLSearchParams) => unknown): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(new URL(req.url ?? '/', 'http://x').pathname, new URLSearchParams(body))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** A token response as the server sends it, for client `cid` (unsigned: the SDK only reads the claims). */
const tokenFor = (cid: string, clientId = cid) => ({
  access_token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ cid, client_id: clientId, sub: 'x', exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url')}.`,
  token_type: 'Bearer',
  expires_in: 3600,
});

describe('check', () => {
  it('client-credentials with a policy: signs in, the token is for the client, nothing to report', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const { code, out, level, stdout, stderr } = await runCheck(dir);
    expect(level('sign-in')).toBe('ok');
    expect(level('admin')).toBe('ok');
    expect(level('access-policy')).toBe('ok');
    expect(level('env-mode')).toBe('ok');
    expect(level('public-secret')).toBe('ok');
    expect(level('verbose-log')).toBe('ok');
    expect(level('env-gitignored')).toBe('skipped'); // --no-git
    expect(out.errors).toBe(0);
    expect(code).toBe(0);
    expect(stdout + stderr).not.toContain(client.secret); // auth/me carries it: never printed
  });

  it('no AccessPolicy is a warning: exit 0, or 1 with --strict', async () => {
    const client = medplum.addClient();
    const dir = await project('client-credentials', client.id, client.secret);
    expect((await runCheck(dir)).level('access-policy')).toBe('warning');
    expect((await runCheck(dir)).code).toBe(0);
    expect((await runCheck(dir, ['--strict'])).code).toBe(1);
  });

  it('a wrong secret is an error naming the client, not the secret', async () => {
    const client = medplum.addClient();
    const dir = await project('client-credentials', client.id, 'not-the-secret');
    const { code, level, out, stdout } = await runCheck(dir);
    expect(level('sign-in')).toBe('error');
    expect(out.findings.find((f) => f.id === 'sign-in')?.message).toMatch(new RegExp(`as client ${client.id}: Invalid secret`));
    expect(stdout).not.toContain('not-the-secret');
    expect(code).toBe(1);
  });

  it('basic-auth checks over Basic, with no token call', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('basic-auth', client.id, client.secret);
    const since = medplum.log.length;
    const { code, level } = await runCheck(dir);
    expect(level('sign-in')).toBe('ok');
    expect(code).toBe(0);
    const calls = medplum.log.slice(since).filter((e) => e.clientId === client.id);
    expect(calls.map((e) => `${e.path} ${e.authScheme}`)).toEqual(['/auth/me Basic']);
  });

  it('device-credentials: the secret from MEDPLUM_CLIENT_SECRET_FILE; no IP rules is a warning, no policy an error', async () => {
    const client = medplum.addClient();
    const dir = await project('device-credentials', client.id);
    const secretFile = join(dir, '..', 'secret');
    await writeFile(secretFile, `${client.secret}\n`, { mode: 0o600 });
    const { code, level } = await runCheck(dir, [], { MEDPLUM_CLIENT_SECRET_FILE: secretFile });
    expect(level('sign-in')).toBe('ok');
    expect(level('access-policy')).toBe('error');
    expect(level('ip-rules')).toBe('warning');
    expect(code).toBe(1);
  });

  it('an admin client is an error; a device policy with IP rules passes; pkceOptional is a warning', async () => {
    const adminClient = medplum.addClient({ admin: true });
    const adminDir = await project('client-credentials', adminClient.id, adminClient.secret);
    const asAdmin = await runCheck(adminDir);
    expect(asAdmin.level('admin')).toBe('error');
    expect(asAdmin.code).toBe(1);

    const fenced = medplum.addClient({
      accessPolicy: { ...POLICY, ipAccessRule: [{ name: 'loopback', value: '127.0.0.1', action: 'allow' }, { name: 'rest', value: '*', action: 'block' }] },
    });
    const deviceDir = await project('device-credentials', fenced.id);
    const device = await runCheck(deviceDir, [], { MEDPLUM_CLIENT_SECRET: fenced.secret });
    expect(device.level('ip-rules')).toBe('ok');
    expect(device.level('access-policy')).toBe('ok');
    expect(device.code).toBe(0);

    const loose = medplum.addClient({ accessPolicy: POLICY, pkceOptional: true });
    const looseDir = await project('client-credentials', loose.id, loose.secret);
    const found = await runCheck(looseDir);
    expect(found.level('pkce-optional')).toBe('warning');
    expect(found.code).toBe(0);
    expect((await runCheck(looseDir, ['--strict'])).code).toBe(1);
  });

  it('jwt-assertion: signs a client assertion with the generated key', async () => {
    const dir = await project('jwt-assertion', '00000000-0000-4000-8000-000000000000');
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8'));
    const client = medplum.addClient({ jwksUri: medplum.hostJwks(jwks), accessPolicy: POLICY });
    const { level } = await runCheck(dir, [], { MEDPLUM_CLIENT_ID: client.id });
    expect(level('sign-in')).toBe('ok');
    expect(level('access-policy')).toBe('ok');
  });

  it('static findings: .env mode, git, a public secret, verbose logging', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    await chmod(join(dir, '.env'), 0o644);
    await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, '.env.local'), `VITE_MEDPLUM_CLIENT_SECRET=${client.secret}\n`);
    await mkdir(join(dir, 'src'), { recursive: true });
    await writeFile(join(dir, 'src/debug.ts'), "export const options = { logLevel: 'verbose' };\n");
    const { code, level, stdout } = await runCheck(dir, ['--env', join(dir, '.env.local')]);
    expect(level('env-mode')).toBe('error');
    expect(level('env-gitignored')).toBe('error');
    expect(level('public-secret')).toBe('error');
    expect(level('verbose-log')).toBe('warning');
    expect(code).toBe(1);
    expect(stdout).not.toContain(client.secret);
  });

  it('.env readable by the group alone, or by others alone, is an error; 600 and 400 are not', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    for (const [mode, expected] of [[0o640, 'error'], [0o604, 'error'], [0o600, 'ok'], [0o400, 'ok']] as const) {
      await chmod(join(dir, '.env'), mode);
      const found = await runCheck(dir);
      expect(found.level('env-mode'), mode.toString(8)).toBe(expected);
      if (expected === 'error') {
        expect(found.out.findings.find((f) => f.id === 'env-mode')?.message).toContain(`chmod 600 .env`);
      }
    }
  });

  it('a browser-visible variable that holds the secret is an error, whatever its name', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    await writeFile(join(dir, '.env.local'), `VITE_API_TOKEN=${client.secret}\nNEXT_PUBLIC_SITE=https://example.com\n`);
    const found = await runCheck(dir, ['--env-file', join(dir, '.env.local')]); // the 0.1 spelling of --env
    expect(found.level('public-secret')).toBe('error');
    expect(found.out.findings.find((f) => f.id === 'public-secret')?.message).toMatch(/^VITE_API_TOKEN: a secret in a browser-visible variable/);
    expect(found.stdout).not.toContain(client.secret);
  });

  it('a token issued for another client than the configured one is an error', async () => {
    // A server that signs the client in, but hands out a token whose client_id is someone else's (the SDK checks
    // only `cid` when there is one, so this is check's own comparison at work).
    const baseUrl = await standIn((path) =>
      path === '/oauth2/token' ? tokenFor('the-configured-client', 'someone-else') : { membership: {}, accessPolicy: { basedOn: [{}] } },
    );
    const dir = await project('client-credentials', 'the-configured-client', 'its-secret');
    const found = await runCheck(dir, [], { MEDPLUM_BASE_URL: baseUrl });
    expect(found.level('sign-in')).toBe('error');
    expect(found.out.findings.find((f) => f.id === 'sign-in')?.message).toBe('the token is for client someone-else, not the configured the-configured-client');
    expect(found.code).toBe(1);
  });

  it('web methods: only the project is checked; a generated repository ignores .env', async () => {
    const cwd = await tempDir();
    const created = await runCli(['web', '-m', 'oauth-auth-code', '--client-id', 'c', '--no-install'], {
      cwd,
      env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
    });
    expect(created.code).toBe(0);
    const { code, level } = await runCheck(join(cwd, 'web'));
    expect(level('sign-in')).toBe('skipped');
    expect(level('client')).toBe('skipped');
    expect(level('env-gitignored')).toBe('ok');
    expect(code).toBe(0);
    await writeFile(join(cwd, 'web/.env'), "VITE_MEDPLUM_BASE_URL='http://localhost:8103/'\n", { mode: 0o600 });
    expect((await runCheck(join(cwd, 'web'))).level('client')).toBe('error'); // no client ID at all
  });

  it('web methods with admin credentials: PKCE required and the dev server among the redirect URIs', async () => {
    const admin = medplum.addClient({ name: 'check admin', admin: true });
    const adminEnv = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
    const good = medplum.addClient({ redirectUris: ['http://localhost:5173/', 'http://localhost:4173/'] });
    const goodDir = await project('oauth-auth-code', good.id);
    const ok = await runCheck(goodDir, [], adminEnv);
    expect(ok.level('pkce-optional')).toBe('ok');
    expect(ok.level('redirect-uris')).toBe('ok');
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toContain(admin.secret);

    const bad = medplum.addClient({ redirectUris: ['https://app.example.com/'], pkceOptional: true });
    const badDir = await project('oauth-auth-code', bad.id);
    const found = await runCheck(badDir, [], adminEnv);
    expect(found.level('pkce-optional')).toBe('warning');
    expect(found.level('redirect-uris')).toBe('error');
    expect(found.out.findings.find((f) => f.id === 'redirect-uris')?.message).toMatch(/\(https:\/\/app\.example\.com\/\) do not include the dev server, http:\/\/localhost:5173\//);
    expect(found.code).toBe(1);

    // Without admin credentials: skipped, and it says how to enable them.
    const skipped = (await runCheck(badDir)).out.findings.find((f) => f.id === 'client');
    expect(skipped?.level).toBe('skipped');
    expect(skipped?.message).toMatch(/MEDPLUM_ADMIN_CLIENT_ID.*--admin-profile/);

    // The Expo starter reads EXPO_PUBLIC_ variables, and its web dev server is Expo's.
    const phone = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    const phoneDir = await project('oauth-auth-code', phone.id, undefined, ['--platform', 'mobile']);
    const mobile = await runCheck(phoneDir, [], adminEnv);
    expect(mobile.level('pkce-optional')).toBe('ok');
    expect(mobile.out.findings.find((f) => f.id === 'redirect-uris')?.message).toMatch(/do not include the dev server, http:\/\/localhost:8081:/);
    medplum.updateClient(phone.id, { redirectUris: ['phone://', 'http://localhost:8081'] });
    expect((await runCheck(phoneDir, [], adminEnv)).level('redirect-uris')).toBe('ok');
  });

  it('every finding, word for word: a sound client-credentials project', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const { out } = await runCheck(dir);
    const base = medplum.baseUrl;
    expect(out.findings).toEqual([
      { id: 'server', level: 'ok', message: `${base} runs Medplum 5.1.29-medplum-double` },
      { id: 'env-mode', level: 'ok', message: '.env is readable only by its owner (mode 600)' },
      { id: 'env-gitignored', level: 'skipped', message: 'not a git repository: cannot tell whether .env would be committed' },
      { id: 'public-secret', level: 'ok', message: 'no secret in a browser-visible variable' },
      { id: 'verbose-log', level: 'ok', message: "no logLevel 'verbose' in src/" },
      { id: 'sign-in', level: 'ok', message: `signed in to ${base} as client ${client.id}; auth/me answers` },
      { id: 'admin', level: 'ok', message: 'the client is not a project admin' },
      { id: 'access-policy', level: 'ok', message: 'an AccessPolicy limits the client' },
    ]);
  });

  it('every finding, word for word: a device project with everything wrong', async () => {
    const client = medplum.addClient({ admin: true, pkceOptional: true });
    const dir = await project('device-credentials', client.id);
    await chmod(join(dir, '.env'), 0o644);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, '.gitignore'), 'node_modules/\n');
    await writeFile(join(dir, 'src/debug.ts'), "export const options = { logLevel: 'verbose' };\n");
    await writeFile(join(dir, '.env.local'), `NEXT_PUBLIC_PASSWORD=x\n`);
    const { out, code } = await runCheck(dir, ['--env', join(dir, '.env.local')], { MEDPLUM_CLIENT_SECRET: client.secret });
    const message = (id: string) => out.findings.find((f) => f.id === id)?.message;
    expect(message('env-mode')).toBe('.env is readable by others (mode 644): run chmod 600 .env');
    expect(message('env-gitignored')).toBe('.env is not ignored by git: add .env* and !.env.example to .gitignore');
    expect(message('public-secret')).toBe('NEXT_PUBLIC_PASSWORD: a secret in a browser-visible variable ships to every visitor. Remove it.');
    expect(message('verbose-log')).toBe("logLevel 'verbose' in src/debug.ts: it can log tokens. Use 'basic' or none.");
    expect(message('admin')).toBe('the client is a project admin: it can do anything in the project. Remove admin from its ProjectMembership.');
    expect(out.findings.find((f) => f.id === 'access-policy')).toEqual({
      id: 'access-policy',
      level: 'error',
      message: 'no AccessPolicy: the client can read and change everything in the project. Attach access-policy.json to its ProjectMembership.',
    });
    expect(message('ip-rules')).toBe('no ipAccessRule: the device may sign in from anywhere. Regenerate the policy with --allow-ip.');
    expect(message('pkce-optional')).toBe('the ClientApplication has pkceOptional: true. Turn it off.');
    expect(code).toBe(1);
  });

  it('missing settings and secrets are errors that name the variable', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id);
    const signIn = async (env: Record<string, string>) => (await runCheck(dir, [], env)).out.findings.find((f) => f.id === 'sign-in')?.message;
    expect(await signIn({})).toBe(`could not sign in to ${medplum.baseUrl} as client ${client.id}: MEDPLUM_CLIENT_SECRET (or MEDPLUM_CLIENT_SECRET_FILE) is not set`);
    expect(await signIn({ MEDPLUM_CLIENT_ID: '' })).toBe('MEDPLUM_CLIENT_ID is not set (.env or the environment)');
    expect(await signIn({ MEDPLUM_BASE_URL: '' })).toBe('MEDPLUM_BASE_URL is not set (.env or the environment)');
    const jwt = await project('jwt-assertion', client.id);
    const jwtSignIn = async (env: Record<string, string>) => (await runCheck(jwt, [], env)).out.findings.find((f) => f.id === 'sign-in')?.message;
    expect(await jwtSignIn({ MEDPLUM_KEY_ID: '' })).toMatch(/: MEDPLUM_KEY_ID is not set$/);
    expect(await jwtSignIn({ MEDPLUM_PRIVATE_KEY_PATH: '' })).toMatch(/: MEDPLUM_PRIVATE_KEY_PATH is not set$/);
    expect(await jwtSignIn({ MEDPLUM_PRIVATE_KEY_PATH: join(jwt, 'nowhere.pem') })).toMatch(/: the private key at .*nowhere\.pem cannot be read$/);
  });

  it('human output, and a clear error outside a generated project', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const human = await runCli(['check', dir], { cwd: dir });
    expect(human.stdout.split('\n')[0]).toBe(`Checking ${dir} (client-credentials)`);
    expect(human.stdout).toMatch(/^  ✔ signed in to .* as client /m);
    expect(human.stdout).toMatch(/^  – not a git repository/m);
    expect(human.stdout).toMatch(/^0 error\(s\), 0 warning\(s\)$/m);
    const strict = await runCli(['check', dir, '--strict'], { cwd: dir });
    expect(strict.stdout).toMatch(/^0 error\(s\), 0 warning\(s\) \(strict: warnings fail\)$/m);
    const loose = await project('client-credentials', medplum.addClient().id, 'wrong');
    const failing = await runCli(['check', loose], { cwd: loose });
    expect(failing.stdout).toMatch(/^  ✖ could not sign in/m);
    expect(failing.stdout).toMatch(/^1 error\(s\), 0 warning\(s\)$/m);
    const outside = await runCli(['check', await tempDir()], { cwd: dir });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/No medplum-auth\.json in .*: run check in a project made by create-medplum-auth/);
  });
});

describe('check: the options, and each finding at its edges', () => {
  it('--help says what check does and what each option is for', async () => {
    const help = await runCli(['check', '--help'], { cwd: await tempDir() });
    expect(help.code).toBe(0);
    const flat = help.stdout.replace(/\s+/g, ' ');
    for (const text of [
      'Usage: create-medplum-auth check [options] [directory]',
      "Audit a generated project's Medplum credentials: sign in by its method, then check for excess privilege.",
      'directory the project (default: ".")',
      '--env <file> an env file read after .env (its values win)',
      '--env-file <file> the same as --env, the 0.1 spelling (Node itself also reads it, and exits if it is not a file)',
      '--json print one JSON object on stdout',
      '--strict exit non-zero on warnings too',
      '--debug log each request to the Medplum server on stderr (method, path, status; never a secret)',
      '--admin-profile <name> web methods, to read the ClientApplication: admin credentials',
    ]) {
      expect(flat).toContain(text);
    }
  });

  it('checks the current directory when none is named', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const result = await runCli(['check', '--json'], { cwd: dir });
    expect(JSON.parse(result.stdout).directory).toBe(dir);
    expect(result.code).toBe(0);
  });

  it('--debug logs each request on stderr, never the secret; without it, nothing', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const debug = await runCheck(dir, ['--debug']);
    expect(debug.stderr).toMatch(/^debug .*auth\/me/m);
    expect(debug.stderr.split('\n').filter(Boolean).every((line) => line.startsWith('debug '))).toBe(true);
    expect(debug.stderr).not.toContain(client.secret);
    expect((await runCheck(dir)).stderr).toBe('');
  });

  it('a server that does not answer its healthcheck in time: one error, and nothing more is asked of it', async () => {
    const { neverAnswer, serve } = await import('../servers.js');
    const silent = await serve(neverAnswer);
    for (const [method, env] of [
      ['client-credentials', {}],
      ['oauth-auth-code', { MEDPLUM_ADMIN_CLIENT_ID: 'admin', MEDPLUM_ADMIN_CLIENT_SECRET: 'admin-secret' }],
    ] as const) {
      const cwd = await tempDir();
      const made = await runCli(['app', '-m', method, '--base-url', silent.url, '--client-id', '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '--no-install', '--no-git', '--no-check'], {
        cwd,
        env: { MEDPLUM_CLIENT_SECRET: 'secret' },
      });
      expect(made.code, made.stderr).toBe(0);
      const before = silent.received.length;
      const { out, code } = await runCheck(join(cwd, 'app'), ['--timeout', '0.3'], env);
      expect(code).toBe(1);
      expect(out.findings.filter((f) => f.id === 'server' || f.id === 'sign-in')).toEqual([
        { id: 'server', level: 'error', message: `127.0.0.1:${silent.port} did not answer GET /healthcheck within 0.3 s. Check the server, or pass --timeout <seconds>.` },
        { id: 'sign-in', level: 'skipped', message: 'not tried: the server did not answer' },
      ]);
      expect(out.findings.map((f) => f.id)).not.toContain('client'); // the web client is not read either
      expect(silent.received.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['GET /healthcheck']);
    }
  });

  it('without a base URL, no server is asked: the sign-in finding names what is missing', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const { out } = await runCheck(dir, [], { MEDPLUM_BASE_URL: '' });
    expect(out.findings.map((f) => `${f.id} ${f.level}`)).toEqual([
      'env-mode ok',
      'env-gitignored skipped',
      'public-secret ok',
      'verbose-log ok',
      'sign-in error',
    ]);
  });

  it('without a .env (settings from the environment), the file checks are left out', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const env = parseEnv(await readFile(join(dir, '.env'), 'utf8')) as Record<string, string>;
    await rm(join(dir, '.env'));
    const { out, code } = await runCheck(dir, [], env);
    expect(out.findings.map((f) => f.id)).not.toContain('env-mode');
    expect(out.findings.map((f) => f.id)).not.toContain('env-gitignored');
    expect(out.findings.find((f) => f.id === 'sign-in')?.level).toBe('ok');
    expect(code).toBe(0);
  });

  it('an empty secret is no secret: an empty browser-visible variable does not match it', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    await writeFile(join(dir, '.env.local'), "MEDPLUM_CLIENT_SECRET=''\nVITE_GREETING=''\n");
    const { level } = await runCheck(dir, ['--env', join(dir, '.env.local')]);
    expect(level('public-secret')).toBe('ok');
  });

  it("verbose logging: found in any source file under src/, however it is spaced; not in other files, node_modules, or outside src/", async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    const verbose = "export const options = { logLevel:'verbose' };\n";
    const files: Record<string, string> = {
      'src/deep/er/a.ts': verbose,
      'src/b.tsx': 'const o = { logLevel :  "verbose" };\n',
      'src/c.mjs': 'const o = { logLevel: `verbose` };\n',
      'src/notes.md': verbose,
      'src/old.ts.bak': verbose,
      'src/node_modules/pkg/index.js': verbose,
      'scripts/debug.ts': verbose,
      'src/quiet.ts': "const o = { logLevel: 'basic' };\n",
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    await mkdir(join(dir, 'src/folder.ts')); // a directory with a source file's name is not read
    const message = (await runCheck(dir)).out.findings.find((f) => f.id === 'verbose-log')?.message ?? '';
    const [, list] = /^logLevel 'verbose' in (.*): it can log tokens\. Use 'basic' or none\.$/.exec(message) ?? [];
    expect(list?.split(', ').sort()).toEqual(['src/b.tsx', 'src/c.mjs', 'src/deep/er/a.ts']);
  });

  it('a project without src/ has no verbose logging to find', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    await rm(join(dir, 'src'), { recursive: true });
    expect((await runCheck(dir)).level('verbose-log')).toBe('ok');
  });

  it('auth/me that is not a profile (null, a string) is an error saying so; an empty profile is no admin and no policy', async () => {
    let me: unknown = null;
    const baseUrl = await standIn((path) => (path === '/oauth2/token' ? tokenFor('dev') : path === '/auth/me' ? me : {}));
    const dir = await project('device-credentials', 'dev');
    const run = () => runCheck(dir, [], { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_SECRET: 'its-secret' });
    const signIn = async () => (await run()).out.findings.find((f) => f.id === 'sign-in')?.message;
    expect(await signIn()).toBe(`auth/me at ${baseUrl} answered null, not the client's profile: is it a Medplum server?`);
    me = 'hello';
    expect(await signIn()).toBe(`auth/me at ${baseUrl} answered a string, not the client's profile: is it a Medplum server?`);
    me = {};
    const { out } = await run();
    expect(out.findings.filter((f) => f.id !== 'server').map((f) => `${f.id} ${f.level}`)).toEqual([
      'env-mode ok',
      'env-gitignored skipped',
      'public-secret ok',
      'verbose-log ok',
      'sign-in ok',
      'admin ok',
      'access-policy error',
      'ip-rules warning',
    ]);
  });

  it('jwt-assertion: the client assertion is RFC 7523\'s, signed with the project\'s key', async () => {
    let form = new URLSearchParams();
    const baseUrl = await standIn((path, posted) => {
      if (path === '/oauth2/token') {
        form = posted;
        return tokenFor('the-device');
      }
      return { membership: {}, accessPolicy: { basedOn: [{}] } };
    });
    const dir = await project('jwt-assertion', 'the-device');
    const { level } = await runCheck(dir, [], { MEDPLUM_BASE_URL: baseUrl });
    expect(level('sign-in')).toBe('ok');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [header, claims, signature] = (form.get('client_assertion') ?? '').split('.') as [string, string, string];
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8')) as { keys: [webcrypto.JsonWebKey & { kid: string }] };
    expect(decode(header)).toEqual({ alg: 'ES256', kid: jwks.keys[0].kid, typ: 'JWT' });
    const { iat, exp, jti, ...rest } = decode(claims);
    expect(rest).toEqual({ iss: 'the-device', sub: 'the-device', aud: `${baseUrl}oauth2/token` });
    expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(60);
    expect(exp - iat).toBe(300);
    expect(jti).toMatch(/^[0-9a-f-]{36}$/);
    const key = createPublicKey({ key: jwks.keys[0], format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it.each([
    ['signing in', 'client-credentials', (baseUrl: string) => ({ MEDPLUM_BASE_URL: baseUrl })],
    [
      "reading a web app's ClientApplication",
      'oauth-auth-code',
      (baseUrl: string) => ({ VITE_MEDPLUM_BASE_URL: baseUrl, MEDPLUM_ADMIN_CLIENT_ID: 'admin', MEDPLUM_ADMIN_CLIENT_SECRET: 'admin-secret' }),
    ],
  ])('an interrupt while %s stops the check: it is not reported as a failure to sign in', async (_while, method, env) => {
    const interrupt = new AbortController();
    const baseUrl = await standIn((path) => {
      if (path === '/oauth2/token') {
        interrupt.abort(new Interrupted('SIGINT'));
      }
      return path === '/oauth2/token' ? tokenFor('c') : {};
    });
    const dir = await project(method, 'c', 'its-secret');
    const parsed = parseArgs(['check', dir], '0.0.0');
    const options = (parsed.kind === 'check' ? { ...parsed.options, debug: undefined } : undefined) as CheckOptions;
    await expect(check({ ...options, interrupt: interrupt.signal }, dir, env(baseUrl))).rejects.toThrow(new Interrupted('SIGINT'));
  });

  it('several exposed variables are all named', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    await writeFile(join(dir, '.env.local'), `VITE_API_SECRET=x\nNEXT_PUBLIC_TOKEN=${client.secret}\n`);
    const found = (await runCheck(dir, ['--env', join(dir, '.env.local')])).out.findings.find((f) => f.id === 'public-secret');
    expect(found?.message).toBe('NEXT_PUBLIC_TOKEN, VITE_API_SECRET: a secret in a browser-visible variable ships to every visitor. Remove it.');
  });

  it('a git repository that ignores .env: said in words', async () => {
    const client = medplum.addClient({ accessPolicy: POLICY });
    const dir = await project('client-credentials', client.id, client.secret);
    execFileSync('git', ['init', '-q'], { cwd: dir });
    await writeFile(join(dir, '.gitignore'), '.env\n');
    expect((await runCheck(dir)).out.findings.find((f) => f.id === 'env-gitignored')).toEqual({ id: 'env-gitignored', level: 'ok', message: '.env is ignored by git' });
  });

  it('auth/me that is no profile is an error finding, and check exits 1', async () => {
    const baseUrl = await standIn((path) => (path === '/oauth2/token' ? tokenFor('c') : path === '/auth/me' ? null : {}));
    const dir = await project('client-credentials', 'c', 'its-secret');
    const { level, code } = await runCheck(dir, [], { MEDPLUM_BASE_URL: baseUrl });
    expect(level('sign-in')).toBe('error');
    expect(code).toBe(1);
  });

  it('human output marks each level with its sign', async () => {
    const loose = medplum.addClient();
    const dir = await project('client-credentials', loose.id, loose.secret);
    const human = await runCli(['check', dir], { cwd: dir });
    expect(human.stdout).toMatch(/^  ✔ signed in/m);
    expect(human.stdout).toMatch(/^  ⚠ no AccessPolicy/m);
    expect(human.stdout).toMatch(/^  – not a git repository/m);
    expect(human.stdout).toMatch(/^0 error\(s\), 1 warning\(s\)$/m);
  });
});

describe('check: a web app\'s ClientApplication', () => {
  const adminEnv = () => {
    const admin = medplum.addClient({ name: 'check admin', admin: true });
    return { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
  };
  const findings = async (dir: string, env: Record<string, string>) => (await runCheck(dir, [], env)).out.findings;

  it('every web finding, word for word, for a sound client', async () => {
    const good = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    const dir = await project('oauth-auth-code', good.id);
    const found = await findings(dir, adminEnv());
    expect(found.filter((f) => ['sign-in', 'pkce-optional', 'redirect-uris'].includes(f.id))).toEqual([
      { id: 'sign-in', level: 'skipped', message: 'oauth-auth-code signs users in interactively: only the project itself was checked' },
      { id: 'pkce-optional', level: 'ok', message: 'the ClientApplication requires PKCE' },
      { id: 'redirect-uris', level: 'ok', message: 'its redirect URIs include the dev server, http://localhost:5173/' },
    ]);
  });

  it('a client with pkceOptional and no redirect URI at all, word for word', async () => {
    const bare = medplum.addClient({ pkceOptional: true });
    const dir = await project('oauth-auth-code', bare.id);
    const found = await findings(dir, adminEnv());
    expect(found.filter((f) => ['pkce-optional', 'redirect-uris'].includes(f.id))).toEqual([
      { id: 'pkce-optional', level: 'warning', message: 'the ClientApplication has pkceOptional: true. Turn it off: the app always sends PKCE.' },
      {
        id: 'redirect-uris',
        level: 'error',
        message: 'its redirect URIs (none) do not include the dev server, http://localhost:5173/: sign-in would be refused. Add it.',
      },
    ]);
  });

  it('the single redirectUri of an older ClientApplication counts too', async () => {
    const older = medplum.addClient({ redirectUri: 'http://localhost:5173/' });
    const dir = await project('oauth-auth-code', older.id);
    expect((await findings(dir, adminEnv())).find((f) => f.id === 'redirect-uris')?.level).toBe('ok');
  });

  it('a ClientApplication the admin cannot read is an error naming it', async () => {
    const dir = await project('oauth-auth-code', '00000000-0000-4000-8000-00000000dead');
    const client = (await findings(dir, adminEnv())).find((f) => f.id === 'client');
    expect(client?.level).toBe('error');
    expect(client?.message).toMatch(/^could not read ClientApplication\/00000000-0000-4000-8000-00000000dead: ./);
  });

  it('an admin client ID without its secret is not enough: skipped, saying how to enable it', async () => {
    const dir = await project('oauth-auth-code', medplum.addClient().id);
    const client = (await findings(dir, { MEDPLUM_ADMIN_CLIENT_ID: 'someone' })).find((f) => f.id === 'client');
    expect(client).toEqual({
      id: 'client',
      level: 'skipped',
      message: 'PKCE and redirect URIs not checked: set MEDPLUM_ADMIN_CLIENT_ID/SECRET or pass --admin-profile to read the ClientApplication',
    });
  });

  it('--admin-profile is tried even without admin variables; a profile that cannot be read is an error naming it', async () => {
    const dir = await project('oauth-auth-code', medplum.addClient().id);
    const found = (await runCheck(dir, ['--admin-profile', 'cma-no-such-profile'])).out.findings.find((f) => f.id === 'client');
    expect(found?.level).toBe('error');
    expect(found?.message).toMatch(/: --admin-profile cma-no-such-profile: cannot read /);
  });

  it('redirect URIs that miss the dev server are all listed', async () => {
    const elsewhere = medplum.addClient({ redirectUris: ['https://a.example.org/', 'https://b.example.org/'] });
    const dir = await project('oauth-auth-code', elsewhere.id);
    const found = (await findings(dir, adminEnv())).find((f) => f.id === 'redirect-uris');
    expect(found?.message).toMatch(/^its redirect URIs \(https:\/\/a\.example\.org\/, https:\/\/b\.example\.org\/\) do not include/);
  });

  it('a missing client ID is named by the web app\'s own variable', async () => {
    const dir = await project('oauth-auth-code', 'c');
    const client = (await findings(dir, { VITE_MEDPLUM_CLIENT_ID: '' })).find((f) => f.id === 'client');
    expect(client?.message).toBe('VITE_MEDPLUM_CLIENT_ID is not set (.env or the environment)');
  });

  it('a device with IP rules: the finding says so', async () => {
    const fenced = medplum.addClient({
      accessPolicy: { ...POLICY, ipAccessRule: [{ name: 'loopback', value: '127.0.0.1', action: 'allow' }] },
    });
    const dir = await project('device-credentials', fenced.id);
    const rules = (await findings(dir, { MEDPLUM_CLIENT_SECRET: fenced.secret })).find((f) => f.id === 'ip-rules');
    expect(rules).toEqual({ id: 'ip-rules', level: 'ok', message: 'IP rules restrict where the device may sign in from' });
  });
});
