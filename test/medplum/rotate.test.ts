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
