/**
 * The starters' `check-auth` script runs `create-medplum-auth check` from a copy the user installed
 * and pinned, never from one npx downloads on the fly: the check reads .env and its secrets.
 * The CLI is packed with `npm pack` and served by a stand-in npm registry on loopback, as if published.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { expectOk, scaffold, sh } from '../project.js';

const ROOT = new URL('../..', import.meta.url).pathname;

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble();
});
afterAll(() => medplum?.close());

/** A registry that serves one package, the packed CLI, and records every request. */
async function registryFor(tarball: Buffer): Promise<{ url: string; requests: string[]; server: Server }> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown> & { name: string; version: string };
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    if (req.url === `/${manifest.name}`) {
      const { name, version, bin, dependencies, engines } = manifest;
      const dist = { tarball: `${base}${name}/-/${name}-${version}.tgz`, integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}` };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, 'dist-tags': { latest: version }, versions: { [version]: { name, version, bin, dependencies, engines, dist } } }));
    } else if (req.url?.endsWith('.tgz')) {
      res.end(tarball);
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, requests, server };
}

describe('npm run check-auth', () => {
  it('refuses to download the CLI, then checks the project once the pinned CLI is installed', { timeout: 240_000 }, async ({ onTestFinished }) => {
    const client = medplum.addClient({ name: 'check-auth', accessPolicy: { resource: [{ resourceType: 'Patient', interaction: ['search'] }] } });
    const cwd = await tempDir(onTestFinished);
    const dir = await scaffold(cwd, ['-m', 'client-credentials', '--base-url', medplum.baseUrl, '--client-id', client.id], {
      MEDPLUM_CLIENT_SECRET: client.secret,
    });
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const pack = await sh('npm', ['pack', '--pack-destination', cwd, '--silent'], ROOT);
    expectOk(pack, 'npm pack');
    const registry = await registryFor(await readFile(join(cwd, pack.stdout.trim().split('\n').pop() as string)));
    onTestFinished(() => void registry.server.close());
    // The CLI is "published" on the stand-in registry; a fresh cache, so nothing comes from an earlier run.
    const isolated = { npm_config_registry: registry.url, npm_config_cache: join(cwd, 'npm-cache') };

    // Not installed: npx --no refuses, where --yes would fetch the tarball and run it.
    const refused = await sh('npm', ['run', 'check-auth'], dir, isolated);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('npx canceled due to missing packages');
    expect(registry.requests.filter((url) => url.endsWith('.tgz'))).toEqual([]);
    expect(existsSync(join(dir, 'node_modules/create-medplum-auth'))).toBe(false);

    // Installed and pinned, as the README says: the check runs, live.
    const install = ['install', '--save-dev', '--save-exact', '--no-audit', '--no-fund', `create-medplum-auth@${version}`];
    expectOk(await sh('npm', install, dir, isolated), 'npm install the CLI');
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['create-medplum-auth']).toBe(version);
    expect(pkg.scripts['check-auth']).toBe(`npx --no create-medplum-auth@${version} check .`);

    const since = medplum.log.length;
    const checked = await sh('npm', ['run', 'check-auth', '--silent', '--', '--json'], dir, isolated);
    expectOk(checked, 'npm run check-auth');
    const findings = JSON.parse(checked.stdout).findings as { id: string; level: string }[];
    expect(findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(medplum.log.slice(since).some((e) => e.clientId === client.id && e.grantType === 'client_credentials' && e.status === 200)).toBe(true);
    expect(checked.stdout + checked.stderr).not.toContain(client.secret);
  });
});
