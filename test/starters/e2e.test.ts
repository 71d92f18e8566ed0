/**
 * The built bin, end to end: scaffold each starter with flags into a temp dir, let the CLI
 * install it, then run the generated project's own typecheck and tests, and its entry point.
 * Needs `npm run build` first (`npm test` does it) and the npm registry.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hasUi, METHODS, type MethodId, type WebUi } from '../../src/guide/methods.js';
import type { BuiltFolder } from '../../src/scaffold/render.js';
import { HOSTILE, tempDir } from '../helpers.js';
import { BIN, expectOk, filesContaining, sh } from '../project.js';

async function viteEnv(dir: string): Promise<string> {
  const script = "import { loadEnv } from 'vite'; console.log(JSON.stringify(loadEnv('development', '.', 'VITE_')))";
  const result = await sh(process.execPath, ['--input-type=module', '-e', script], dir);
  expectOk(result, 'vite loadEnv');
  return result.stdout;
}

interface Case {
  readonly method: MethodId;
  /** Web starters: the UI; without it, the default (medplum). */
  readonly ui?: WebUi;
  readonly clientId: string;
  /** Given through MEDPLUM_CLIENT_SECRET, as in CI; only the env-file methods may store it. */
  readonly clientSecret: string;
  readonly args?: readonly string[];
  /** More values that must read back exactly from .env. */
  readonly env?: Readonly<Record<string, string>>;
}

const UUID = '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const DEFAULT_UI_CASES: readonly Case[] = [
  { method: 'oauth-auth-code', clientId: HOSTILE.clientId, clientSecret: 'web-secret-e2e' },
  {
    method: 'google-auth',
    clientId: UUID,
    clientSecret: 'google-secret-e2e',
    args: ['--google-client-id', HOSTILE.googleClientId],
    env: { VITE_GOOGLE_CLIENT_ID: HOSTILE.googleClientId },
  },
  {
    method: 'external-idp',
    clientId: UUID,
    clientSecret: 'idp-secret-e2e',
    args: ['--idp', 'okta', '--idp-issuer', HOSTILE.idpIssuer, '--idp-client-id', HOSTILE.idpClientId],
    env: { VITE_IDP_CLIENT_ID: HOSTILE.idpClientId, VITE_IDP_AUTHORIZE_URL: `${HOSTILE.idpIssuer}/v1/authorize` },
  },
  { method: 'domain-idp', clientId: UUID, clientSecret: 'domain-secret-e2e' },
  { method: 'client-credentials', clientId: HOSTILE.clientId, clientSecret: HOSTILE.clientSecret },
  { method: 'basic-auth', clientId: UUID, clientSecret: 'basic-secret-e2e' },
  { method: 'token-exchange', clientId: UUID, clientSecret: 'exchange-secret-e2e', args: ['--idp', 'auth0', '--idp-domain', 'example.us.auth0.com'] },
  { method: 'device-credentials', clientId: UUID, clientSecret: 'device-secret-e2e' },
  { method: 'jwt-assertion', clientId: UUID, clientSecret: 'jwt-secret-e2e', args: ['--allow-ip', '10.20.0.0/16'] },
];
/** Every case, and each web starter once more in the plain UI, named for the test list. */
const CASES = [
  ...DEFAULT_UI_CASES,
  ...DEFAULT_UI_CASES.filter((c) => hasUi(METHODS[c.method])).map((c): Case => ({ ...c, ui: 'plain', clientSecret: `${c.clientSecret}-plain` })),
].map((c) => ({ ...c, name: c.ui ? `${c.method} --ui ${c.ui}` : c.method }));

describe.concurrent('generated projects install, typecheck and pass their own tests', () => {
  it.for(CASES)('$name', { timeout: 300_000 }, async ({ method, ui, clientId, clientSecret, args: extra = [], env: expected = {} }, { onTestFinished }) => {
    const cwd = await tempDir(onTestFinished);
    const web = hasUi(METHODS[method]);
    const uiArgs = ui ? ['--ui', ui] : [];
    const args = [BIN, 'app', '--method', method, ...uiArgs, '--client-id', clientId, '--base-url', HOSTILE.baseUrl, '--no-git', '--json', ...extra];
    // The secret comes from the environment, as in CI; device-credentials must not store it.
    const created = await sh(process.execPath, args, cwd, { MEDPLUM_CLIENT_SECRET: clientSecret });
    expectOk(created, 'create-medplum-auth');
    const summary = JSON.parse(created.stdout);
    expect(summary.method).toBe(method);
    expect(summary.ui).toBe(web ? (ui ?? 'medplum') : undefined);
    expect(created.stdout + created.stderr).not.toContain(clientSecret);

    const dir = join(cwd, 'app');
    expect((await stat(join(dir, 'node_modules/@medplum/core/package.json'))).isFile()).toBe(true);
    expect((await stat(join(dir, '.env'))).mode & 0o777).toBe(0o600);

    // Values round-trip exactly through .env, as the starter's reader sees them: Node's parser,
    // or for the web starter Vite's, which also expands $VAR (checked with the project's own Vite).
    const env = web ? JSON.parse(await viteEnv(dir)) : parseEnv(await readFile(join(dir, '.env'), 'utf8'));
    const prefix = web ? 'VITE_' : '';
    expect(env[`${prefix}MEDPLUM_BASE_URL`]).toBe(new URL(HOSTILE.baseUrl).href + '/');
    expect(env[`${prefix}MEDPLUM_CLIENT_ID`]).toBe(clientId);
    expect(env).toMatchObject(expected);
    if (METHODS[method].secret === 'env-file') {
      expect(env.MEDPLUM_CLIENT_SECRET).toBe(clientSecret);
    } else {
      expect(await filesContaining(dir, clientSecret)).toEqual([]);
    }

    expectOk(await sh('npm', ['run', 'typecheck'], dir), 'npm run typecheck');
    const tests = await sh('npm', ['test'], dir);
    expectOk(tests, 'npm test');
    // node:test's report, or vitest's (the medplum UI).
    expect(tests.stdout).toMatch(/# pass [1-9]|Tests +[1-9]\d* passed/);
    expect(tests.stdout).not.toMatch(/# fail [1-9]|\d+ failed/);

    const missingVar = `${prefix}MEDPLUM_CLIENT_ID`;
    if (web) {
      // Built with the secret in the environment, as in CI: nothing secret reaches the browser bundle,
      // while the client ID, which is public, does (so the scan reads the real bundle).
      expectOk(await sh('npm', ['run', 'build'], dir, { MEDPLUM_CLIENT_SECRET: clientSecret }), 'npm run build');
      const bundle = (await readdir(join(dir, 'dist/assets'))).filter((f) => f.endsWith('.js'));
      expect(bundle.length).toBeGreaterThan(0);
      expect(await filesContaining(join(dir, 'dist'), clientSecret)).toEqual([]);
      expect(await filesContaining(join(dir, 'dist'), 'MEDPLUM_CLIENT_SECRET')).toEqual([]);
      if (/^[\w-]+$/.test(clientId)) {
        expect(await filesContaining(join(dir, 'dist'), clientId)).not.toEqual([]); // a plain ID is embedded as is
      }
    } else {
      // Missing config at run time: one clear line naming the variable, non-zero exit.
      const run = await sh('npm', ['start', '--silent', '--', '--once'], dir, { [missingVar]: '', MEDPLUM_CLIENT_SECRET: 'x' });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(missingVar);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});

/** A Node older than 22.18 on this machine, if any (CI machines have Node 20 at /usr/bin/node). */
function oldNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major < 22 || (major === 22 && minor < 18)) {
        return candidate;
      }
    } catch {
      // not installed
    }
  }
  return undefined;
}

const OLD_NODE = oldNode();

describe('the bin on an old Node', () => {
  it.runIf(OLD_NODE)('says what is needed, exit 1, before loading anything', async () => {
    const result = await sh(OLD_NODE as string, [BIN, 'app', '--yes'], await tempDir());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^create-medplum-auth needs Node\.js 22\.18 or newer .*; this is Node\.js \d+\.\d+\.\d+\.\n/);
    expect(result.stderr).not.toMatch(/WebSocket|SyntaxError/);
  });
});

describe('templates in the build', () => {
  it('the build carries every file of templates/, one module per top-level folder: its text, and each .hbs file precompiled', async () => {
    const templates = new URL('../../templates/', import.meta.url);
    const files = (await readdir(templates, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(templates.pathname.length));
    expect(files.filter((f) => f.endsWith('.hbs')).length).toBeGreaterThan(20);
    const built = new Map<string, BuiltFolder>();
    for (const folder of new Set(files.map((f) => f.split('/')[0] as string))) {
      built.set(folder, ((await import(new URL(`../../dist/templates/${folder}.js`, import.meta.url).href)) as { default: BuiltFolder }).default);
    }
    for (const file of files) {
      const [folder, ...rest] = file.split('/');
      const entry = built.get(folder as string)?.find(([rel]) => rel === rest.join('/'));
      expect(entry?.[1], file).toBe(await readFile(new URL(file, templates), 'utf8'));
      expect(entry?.[2], file).toEqual(file.endsWith('.hbs') ? expect.objectContaining({ main: expect.any(Function) }) : null);
    }
    // Nothing more: a template removed from templates/ is gone from the build too.
    expect([...built.values()].flat()).toHaveLength(files.length);
  });

  it('the bundled bin (templates from the build) writes exactly the files that rendering from source (templates/, compiled) writes, for every method and UI', async () => {
    const { runCli } = await import('../helpers.js');
    const runs = (Object.keys(METHODS) as MethodId[]).flatMap((method) =>
      hasUi(METHODS[method]) ? [{ method, ui: ['--ui', 'medplum'] }, { method, ui: ['--ui', 'plain'] }] : [{ method, ui: [] }],
    );
    // jwt-assertion makes a new key pair (and kid) on each run: both runs get the same key instead.
    const key = join(await tempDir(), 'key.pem');
    await writeFile(key, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    for (const { method, ui } of runs) {
      const extra = method === 'external-idp' ? ['--idp', 'okta', '--idp-domain', 'x.okta.com'] : method === 'jwt-assertion' ? ['--private-key-path', key] : [];
      const args = ['app', '-m', method, ...ui, '--client-id', 'c', '--no-install', '--no-git', ...extra];
      const [bundled, source] = [await tempDir(), await tempDir()];
      expectOk(await sh(process.execPath, [BIN, ...args], bundled), `bin ${method}`);
      expect((await runCli(args, { cwd: source })).code).toBe(0);
      const files = (await readdir(join(source, 'app'), { recursive: true })).filter((f) => !f.startsWith('node_modules'));
      expect((await readdir(join(bundled, 'app'), { recursive: true })).filter((f) => !f.startsWith('node_modules')).sort(), method).toEqual(files.sort());
      for (const file of files) {
        const path = join('app', file);
        if ((await stat(join(source, path))).isFile()) {
          expect(await readFile(join(bundled, path), 'utf8'), `${method}: ${file}`).toBe(await readFile(join(source, path), 'utf8'));
        }
      }
    }
  });
});
