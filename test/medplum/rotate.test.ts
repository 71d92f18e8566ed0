/**
 * Issue 10, items 2 and 7 and the smaller rotate-secret points: everything that could lose the new
 * secret is checked before the server rotates; once it has, the secret reaches the user; .env is
 * edited line by line, or refused when it reads two ways. Against the Medplum double.
 */
import { chmod, lstat, mkdir, readFile, readlink, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { expectOneLine, runCli, tempDir } from '../helpers.js';
import { BIN, sh } from '../project.js';
import { proxyTo, serve } from '../servers.js';

let medplum: MedplumDouble;
let adminEnv: Record<string, string>;
let made = 0;
beforeAll(async () => {
  medplum = await startMedplumDouble();
  const admin = medplum.addClient({ name: 'CI admin', admin: true });
  adminEnv = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
});
afterAll(() => medplum?.close());

/** A provisioned client-credentials project: its directory, client ID and current secret. */
async function project() {
  const cwd = await tempDir();
  const name = `app${++made}`; // a new client each time: provisioning finds an existing one by name
  const result = await runCli([name, '-m', 'client-credentials', '--provision', '--base-url', medplum.baseUrl, '--no-install', '--no-git', '--json'], {
    cwd,
    env: adminEnv,
  });
  expect(result.code, result.stderr).toBe(0);
  const dir = join(cwd, name);
  const env = parseEnv(await readFile(join(dir, '.env'), 'utf8'));
  return { cwd, dir, clientId: env.MEDPLUM_CLIENT_ID as string, secret: env.MEDPLUM_CLIENT_SECRET as string };
}

/** The server still has the secret it had: nothing was rotated. */
function expectNotRotated(clientId: string, secret: string) {
  expect(medplum.client(clientId)).toMatchObject({ secret });
  expect(medplum.client(clientId).retiringSecret).toBeUndefined();
}

describe('item 2: rotate-secret never loses the new secret', () => {
  it('--secret-out in a folder that does not exist: refused before the server rotates', async () => {
    const { cwd, dir, clientId, secret } = await project();
    const result = await runCli(['rotate-secret', dir, '--secret-out', '/nonexistent/dir/s'], { cwd, env: adminEnv });
    expectOneLine(result, 2, /--secret-out \/nonexistent\/dir\/s: the folder \/nonexistent\/dir does not exist/);
    expectNotRotated(clientId, secret);
  });

  it('--secret-out naming a directory: refused before the server rotates, nothing stranded', async () => {
    const { cwd, dir, clientId, secret } = await project();
    await mkdir(join(cwd, 'out'));
    const result = await runCli(['rotate-secret', dir, '--secret-out', 'out'], { cwd, env: adminEnv });
    expectOneLine(result, 2, /--secret-out .*out is a directory: name a file/);
    expectNotRotated(clientId, secret);
    expect((await readdir(cwd)).sort()).toEqual([basename(dir), 'out']);
  });

  it('when the write fails after the server rotated, the new secret is shown once on stderr, with a warning', async () => {
    const { cwd, dir, clientId, secret } = await project();
    const out = join(cwd, 'vault');
    await mkdir(out);
    // A proxy that removes the folder the moment the server is asked to rotate.
    const proxy = await serve(proxyTo(medplum.baseUrl, async (req) => void (req.url?.includes('$rotate-secret') && (await rm(out, { recursive: true })))));
    const result = await sh(process.execPath, [BIN, 'rotate-secret', dir, '--secret-out', join(out, 'secret')], cwd, {
      ...adminEnv,
      MEDPLUM_BASE_URL: proxy.url,
    });
    expect(result.code).toBe(1);
    const issued = medplum.client(clientId).secret as string;
    expect(issued).not.toBe(secret);
    expect(result.stderr.split(issued)).toHaveLength(2); // shown exactly once
    expect(result.stderr).toMatch(/could not be written to .*vault\/secret.*\nThe old secret is retiring, so the new one is shown here, once/);
    expect(result.stderr).toContain(`MEDPLUM_CLIENT_SECRET=${issued}\n`);
    expect(result.stdout).not.toContain(issued);
    expect(await readdir(cwd)).toEqual([basename(dir)]); // nothing left behind with the secret in it
  });

  it('--provision checks --secret-out the same way, before the client and its secret exist', async () => {
    const cwd = await tempDir();
    const before = medplum.resources('ClientApplication').length;
    const result = await runCli(
      ['thermo', '-m', 'device-credentials', '--provision', '--base-url', medplum.baseUrl, '--secret-out', '/nonexistent/dir/s', '--no-install', '--no-git'],
      { cwd, env: adminEnv },
    );
    expectOneLine(result, 2, /--secret-out \/nonexistent\/dir\/s: the folder \/nonexistent\/dir does not exist/);
    expect(medplum.resources('ClientApplication')).toHaveLength(before);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('.env being a directory is one line, before the server rotates (bin)', async () => {
    const { cwd, dir, clientId, secret } = await project();
    await rename(join(dir, '.env'), join(dir, 'env.bak'));
    await mkdir(join(dir, '.env'));
    const result = await sh(process.execPath, [BIN, 'rotate-secret', dir], cwd, { ...adminEnv, MEDPLUM_CLIENT_SECRET: secret });
    expectOneLine(result, 2, /\.env .*\/app\d+\/\.env is a directory, not an env file/);
    expectNotRotated(clientId, secret);
  });
});

describe('item 7: rotate-secret edits .env line by line, or refuses it naming the line', () => {
  it('an unclosed quote: refused naming the line, nothing rotated, .env untouched', async () => {
    const { cwd, dir, clientId, secret } = await project();
    const text = (await readFile(join(dir, '.env'), 'utf8')).replace(/^MEDPLUM_CLIENT_SECRET=.*$/m, `MEDPLUM_CLIENT_SECRET="${secret}`);
    await writeFile(join(dir, '.env'), text);
    const line = text.split('\n').findIndex((l) => l.startsWith('MEDPLUM_CLIENT_SECRET=')) + 1;
    const result = await runCli(['rotate-secret', dir], { cwd, env: { ...adminEnv, MEDPLUM_CLIENT_SECRET: secret } });
    expectOneLine(result, 2, new RegExp(`\\.env, line ${line}: the value of MEDPLUM_CLIENT_SECRET opens a quote \\("\\) that is never closed.*Nothing was rotated`));
    expectNotRotated(clientId, secret);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(text);
  });

  it('a duplicated key: refused naming both lines, nothing rotated', async () => {
    const { cwd, dir, clientId, secret } = await project();
    const text = `${await readFile(join(dir, '.env'), 'utf8')}MEDPLUM_CLIENT_SECRET='${secret}'\n`;
    await writeFile(join(dir, '.env'), text);
    const result = await runCli(['rotate-secret', dir], { cwd, env: adminEnv });
    expectOneLine(result, 2, new RegExp(`line ${text.trimEnd().split('\n').length}: MEDPLUM_CLIENT_SECRET is set again \\(first on line \\d+\\)`));
    expectNotRotated(clientId, secret);
  });

  it('keeps comments, order, other keys and the mode; a symlinked .env stays a symlink to the updated file', async () => {
    const { cwd, dir, clientId } = await project();
    const real = join(cwd, 'shared.env');
    const original = `# kept\n${await readFile(join(dir, '.env'), 'utf8')}OTHER_TOKEN='keep me' # and this\n`;
    await writeFile(real, original);
    await chmod(real, 0o640);
    await rename(join(dir, '.env'), join(dir, 'env.bak'));
    await symlink(real, join(dir, '.env'));
    const result = await runCli(['rotate-secret', dir], { cwd, env: adminEnv });
    expect(result.code, result.stderr).toBe(0);
    expect((await lstat(join(dir, '.env'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, '.env'))).toBe(real);
    expect((await stat(real)).mode & 0o777).toBe(0o640);
    const after = await readFile(real, 'utf8');
    const issued = medplum.client(clientId).secret as string;
    const changed = (text: string) => text.split('\n').filter((l) => !l.startsWith('MEDPLUM_CLIENT_SECRET='));
    expect(changed(after)).toEqual(changed(original));
    expect(parseEnv(after).MEDPLUM_CLIENT_SECRET).toBe(issued);
    expect((await readdir(cwd)).filter((f) => f.includes('tmp'))).toEqual([]);
  });
});

describe('check reads env files as files', () => {
  it('.env being a directory is one line, exit 2 (bin)', async () => {
    const { cwd, dir } = await project();
    await rename(join(dir, '.env'), join(dir, 'env.bak'));
    await mkdir(join(dir, '.env'));
    expectOneLine(await sh(process.execPath, [BIN, 'check', dir], cwd), 2, /\.env .*\/app\d+\/\.env is a directory, not an env file/);
  });

  it('check --env <a directory> is one line, exit 2 (bin); --help leads with --env, as Node 22 itself intercepts --env-file', async () => {
    const { cwd, dir } = await project();
    expectOneLine(await sh(process.execPath, [BIN, 'check', dir, '--env', cwd], cwd), 2, /--env .* is a directory, not an env file/);
    const help = (await sh(process.execPath, [BIN, 'check', '--help'], cwd)).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/--env <file> an env file read after \.env/);
    expect(help).toMatch(/--env-file <file> the same as --env, the 0\.1 spelling \(Node itself also reads it/);
  });
});

/** A project written by hand: medplum-auth.json naming `method`, and this .env (none when undefined). */
async function handMade(method: string, env?: string) {
  const cwd = await tempDir();
  const dir = join(cwd, 'app');
  await mkdir(dir);
  await writeFile(join(dir, 'medplum-auth.json'), JSON.stringify({ method }));
  if (env !== undefined) {
    await writeFile(join(dir, '.env'), env);
  }
  return { cwd, dir };
}

/** A new client of the double, in a hand-made client-credentials project whose .env holds its ID and `secret` (default its own). */
async function clientProject(secret?: string, extraEnv = '') {
  const client = medplum.addClient({ name: `hand${++made}` });
  const env = `MEDPLUM_BASE_URL=${medplum.baseUrl}\nMEDPLUM_CLIENT_ID=${client.id}\nMEDPLUM_CLIENT_SECRET=${secret ?? client.secret}\n${extraEnv}`;
  return { ...(await handMade('client-credentials', env)), clientId: client.id, secret: client.secret, env };
}

describe('rotate-secret refusals, in process', () => {
  const BASE = `MEDPLUM_BASE_URL=http://127.0.0.1:1/\n`;
  it.each([
    ['a method without a client secret', 'jwt-assertion', `${BASE}MEDPLUM_CLIENT_ID=c1\n`, () => 'jwt-assertion has no client secret to rotate.'],
    [
      'device-credentials without --secret-out',
      'device-credentials',
      `${BASE}MEDPLUM_CLIENT_ID=c1\n`,
      () => 'device-credentials keeps its secret off disk: pass --secret-out <file> (mode 600) for the new one.',
    ],
    ['no MEDPLUM_BASE_URL', 'client-credentials', 'MEDPLUM_CLIENT_ID=c1\n', (dir: string) => `MEDPLUM_BASE_URL is not set in ${dir}/.env or the environment.`],
    ['no MEDPLUM_CLIENT_ID', 'client-credentials', BASE, (dir: string) => `MEDPLUM_CLIENT_ID is not set in ${dir}/.env or the environment.`],
  ])('%s: one line, exit 2, before any request', async (_, method, env, message) => {
    const { cwd, dir } = await handMade(method, env);
    const result = await runCli(['rotate-secret', dir], { cwd, env: adminEnv });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `error ${message(dir)}\n` });
  });

  it('a directory without medplum-auth.json names the command', async () => {
    const cwd = await tempDir();
    const result = await runCli(['rotate-secret'], { cwd, env: adminEnv });
    expect(result.stderr).toBe(`error No medplum-auth.json in ${cwd}: run rotate-secret in a project made by create-medplum-auth, or pass its directory.\n`);
    expect(result.code).toBe(2);
  });

  it('no current secret: refused without rotating', async () => {
    const client = medplum.addClient({ name: `hand${++made}` });
    const { cwd, dir } = await handMade('client-credentials', `MEDPLUM_BASE_URL=${medplum.baseUrl}\nMEDPLUM_CLIENT_ID=${client.id}\n`);
    const result = await runCli(['rotate-secret', dir], { cwd, env: adminEnv });
    expect(result.stderr).toBe('error The current secret is needed (Medplum checks it): set MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE.\n');
    expect(result.code).toBe(2);
    expectNotRotated(client.id, client.secret);
  });

  it('.env a symlink into a missing folder: refused before the server rotates, naming .env', async () => {
    const client = medplum.addClient({ name: `hand${++made}` });
    const { cwd, dir } = await handMade('client-credentials');
    await symlink(join(cwd, 'gone', '.env'), join(dir, '.env'));
    const env = { ...adminEnv, MEDPLUM_BASE_URL: medplum.baseUrl, MEDPLUM_CLIENT_ID: client.id, MEDPLUM_CLIENT_SECRET: client.secret };
    const result = await runCli(['rotate-secret', dir], { cwd, env });
    expect(result.stderr).toBe(`error .env ${dir}/.env: the folder ${cwd}/gone does not exist.\n`);
    expect(result.code).toBe(2);
    expectNotRotated(client.id, client.secret);
  });
});

describe('rotate-secret against the double, in process', () => {
  it('rotate, then --retire, then --retire again: the JSON result of each, and the server after each', async () => {
    const { cwd, dir, clientId, secret } = await clientProject();
    const rotate = await runCli(['rotate-secret', dir, '--json'], { cwd, env: adminEnv });
    expect(JSON.parse(rotate.stdout)).toEqual({ clientId, action: 'rotated', wroteTo: join(dir, '.env') });
    expect(medplum.client(clientId).retiringSecret).toBe(secret);
    const retire = await runCli(['rotate-secret', dir, '--retire', '--json'], { cwd, env: adminEnv });
    expect(JSON.parse(retire.stdout)).toEqual({ clientId, action: 'retired' });
    expect(medplum.client(clientId).retiringSecret).toBeUndefined();
    const again = await runCli(['rotate-secret', dir, '--retire', '--json'], { cwd, env: adminEnv });
    expect(JSON.parse(again.stdout)).toEqual({ clientId, action: 'nothing-to-retire' });
    expect([rotate.code, retire.code, again.code]).toEqual([0, 0, 0]);
  });

  it('--secret-out gets the new secret and a newline; .env is neither read as an edit nor changed', async () => {
    const { cwd, dir, clientId, env } = await clientProject(undefined, 'OTHER=1\nOTHER=2\n'); // a .env that reads two ways
    const result = await runCli(['rotate-secret', dir, '--secret-out', 'new-secret'], { cwd, env: adminEnv });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(cwd, 'new-secret'), 'utf8')).toBe(`${medplum.client(clientId).secret}\n`);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(env);
  });

  it('no .env: the environment names the client, and a new .env holds only the new secret', async () => {
    const client = medplum.addClient({ name: `hand${++made}` });
    const { cwd, dir } = await handMade('client-credentials');
    const env = { ...adminEnv, MEDPLUM_BASE_URL: medplum.baseUrl, MEDPLUM_CLIENT_ID: client.id, MEDPLUM_CLIENT_SECRET: client.secret };
    const result = await runCli(['rotate-secret', dir], { cwd, env });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(`MEDPLUM_CLIENT_SECRET='${medplum.client(client.id).secret}'\n`);
  });

  const ROTATE = /\/ClientApplication\/[^/]+\/\$rotate-secret$/;
  it.each([
    ['the secret in .env is not the current one', [], 'stale-secret', undefined, (id: string) => `Medplum refused: the secret in .env is not the current secret of client ${id}. Nothing was changed.`],
    ['the server forbids it', [], undefined, { path: ROTATE, status: 403 }, (id: string) => `$rotate-secret failed for client ${id}: Forbidden: the admin credentials are not a project admin of this project.`],
    [
      'a server without $rotate-secret',
      [],
      undefined,
      { path: ROTATE, status: 404 },
      () => `${medplum.baseUrl} does not support $rotate-secret on ClientApplication (Not found). Rotate it in the Medplum app, or upgrade the server.`,
    ],
    ['an answer without a secret', [], undefined, { path: ROTATE, status: 200, body: { resourceType: 'Parameters' } }, () => `${medplum.baseUrl} answered $rotate-secret without a new secret; nothing was written.`],
    [
      '--retire, when the client cannot be read',
      ['--retire'],
      undefined,
      { method: 'GET', path: /\/ClientApplication\/[^/$]+$/, status: 403 },
      (id: string) => `Could not read ClientApplication/${id}: Forbidden: the admin credentials are not a project admin of this project.`,
    ],
  ])('%s: one line, exit 1, .env untouched, no temporary file left', async (_, args, stale, failure, message) => {
    const { cwd, dir, clientId, secret, env } = await clientProject(stale);
    if (failure) {
      medplum.failNext(failure);
    }
    const result = await runCli(['rotate-secret', dir, ...args], { cwd, env: adminEnv });
    expect(result.stderr).toBe(`error ${message(clientId)}\n`);
    expect(result.code).toBe(1);
    expect(medplum.pendingFailures).toBe(0);
    expectNotRotated(clientId, secret);
    expect(await readdir(dir)).toEqual(['.env', 'medplum-auth.json']);
    expect(await readFile(join(dir, '.env'), 'utf8')).toBe(env);
  });

  it('when the write fails after the server rotated, stderr shows the new secret once, with the warning', async () => {
    const { cwd, dir, clientId } = await clientProject();
    const vault = join(cwd, 'vault');
    await mkdir(vault);
    const proxy = await serve(proxyTo(medplum.baseUrl, async (req) => void (req.url?.includes('$rotate-secret') && (await rm(vault, { recursive: true })))));
    const result = await runCli(['rotate-secret', dir, '--secret-out', join(vault, 'secret')], { cwd, env: { ...adminEnv, MEDPLUM_BASE_URL: proxy.url } });
    const issued = medplum.client(clientId).secret;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `warning The new secret of client ${clientId} could not be written to ${join(vault, 'secret')} ` +
        `(ENOENT: no such file or directory, open '${join(vault, `.secret.${process.pid}.tmp`)}').\n` +
        'The old secret is retiring, so the new one is shown here, once. Store it now (and clear your scrollback):\n' +
        `MEDPLUM_CLIENT_SECRET=${issued}\n` +
        `error Rotated the secret of client ${clientId}, but could not save it: it is shown above, once.\n`,
    );
  });
});

describe('rotate-secret, for a human', () => {
  it('rotate, --retire, --retire again: one line each on stdout, nothing on stderr', async () => {
    const { cwd, dir, clientId } = await project();
    const run = (...args: string[]) => runCli(['rotate-secret', dir, ...args], { cwd, env: adminEnv });
    expect(await run()).toEqual({
      code: 0,
      stdout:
        `✔ Rotated the secret of client ${clientId}; the new one is in ${join(dir, '.env')}. The old secret keeps working at the token endpoint ` +
        '(not as Basic on FHIR) as retiringSecret until you run: create-medplum-auth rotate-secret --retire\n',
      stderr: '',
    });
    expect(await run('--retire')).toEqual({ code: 0, stdout: `✔ Retired the old secret of client ${clientId}: only the current one works now.\n`, stderr: '' });
    expect(await run('--retire')).toEqual({ code: 0, stdout: `✔ Client ${clientId} has no retiring secret: nothing to retire.\n`, stderr: '' });
  });

  const warning = () =>
    `${medplum.baseUrl} does not report its version at /healthcheck; create-medplum-auth supports Medplum 5.1 and 5.2. Continuing: what it sends may not fit.`;

  it('a server that does not say its version: the warning on stderr, then the result', async () => {
    const { cwd, dir, clientId } = await project();
    medplum.failNext({ method: 'GET', path: '/healthcheck', status: 200, body: { ok: true } });
    const result = await runCli(['rotate-secret', dir, '--retire'], { cwd, env: adminEnv });
    expect(result).toEqual({ code: 0, stdout: `✔ Client ${clientId} has no retiring secret: nothing to retire.\n`, stderr: `warning ${warning()}\n` });
  });

  it('with --json, the warning is in the JSON only, not on stderr', async () => {
    const { cwd, dir, clientId } = await project();
    medplum.failNext({ method: 'GET', path: '/healthcheck', status: 200, body: { ok: true } });
    const result = await runCli(['rotate-secret', dir, '--retire', '--json'], { cwd, env: adminEnv });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ clientId, action: 'nothing-to-retire', warning: warning() });
  });
});
