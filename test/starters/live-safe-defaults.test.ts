/**
 * The Node starters' safe defaults, generated, installed and run through their real entry points:
 * the HTTP starters refuse a HOST beyond loopback without API_KEY, and with it require the key on
 * every request; a redirect to another origin on the token call is refused before anything reaches
 * that origin; --device-id narrows the device's AccessPolicy, and the agent still posts within it.
 * Every connection goes to loopback (127.0.0.2 is loopback too, but another origin).
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import type { AccessPolicyConfig } from '../double/model.js';
import { tempDir } from '../helpers.js';
import { freePort, scaffold, sh, start, type Running } from '../project.js';

const API_KEY = 'a'.repeat(16) + 'b'.repeat(16) + 'c'.repeat(16);
const DEVICE = { resourceType: 'Device', id: '5b0e2c4d-7a1f-4e3b-9c8d-2f6a1b0c3d4e' };
const OTHER_DEVICE = { resourceType: 'Device', id: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' };

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ resources: [DEVICE, OTHER_DEVICE] });
});
afterAll(() => medplum?.close());

/** `npm start` without npm in between, so that SIGTERM reaches the starter. */
const startApi = (dir: string, env: NodeJS.ProcessEnv): Running => start(process.execPath, ['--env-file-if-exists=.env', 'src/main.ts'], dir, env);

/** Waits until the API says it listens (it may answer only 401, so polling HTTP would not do). */
async function listening(api: Running): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!api.output().stdout.includes('Listening on')) {
    const exited = await Promise.race([api.exited, new Promise((resolve) => setTimeout(resolve, 100, undefined))]);
    if (exited !== undefined || Date.now() > deadline) {
      throw new Error(`never listened (exit: ${String(exited)}):\n${api.output().stdout}\n${api.output().stderr}`);
    }
  }
}

async function listen(server: Server, host: string): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe.concurrent('safe defaults of the Node starters', () => {
  it.for<{ method: string; keyHeader: Record<string, string> }>([
    { method: 'client-credentials', keyHeader: { authorization: `Bearer ${API_KEY}` } },
    { method: 'token-exchange', keyHeader: { 'x-api-key': API_KEY } },
  ])('$method refuses HOST=0.0.0.0 without API_KEY; with it, every request needs the key', { timeout: 240_000 }, async ({ method, keyHeader }, { expect, onTestFinished }) => {
    const client = medplum.addClient({ name: method, identityProvider: {} });
    const secret = method === 'client-credentials' ? { MEDPLUM_CLIENT_SECRET: client.secret } : {};
    const dir = await scaffold(await tempDir(onTestFinished), ['-m', method, '--base-url', medplum.baseUrl, '--client-id', client.id], secret);
    const port = await freePort();

    const refused = await sh('npm', ['start', '--silent'], dir, { HOST: '0.0.0.0', PORT: String(port) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/^HOST=0\.0\.0\.0 opens this API to other machines: set API_KEY/);

    const api = startApi(dir, { HOST: '0.0.0.0', PORT: String(port), API_KEY });
    onTestFinished(() => void api.stop());
    await listening(api);
    const { stdout: sockets } = await promisify(execFile)('ss', ['-ltnH', `sport = :${port}`]);
    expect(sockets).toContain(`0.0.0.0:${port}`); // bound beyond loopback, as asked
    const health = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/health`, { headers });
    expect((await health({})).status).toBe(401);
    expect((await health({ authorization: 'Bearer wrong', 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await health(keyHeader)).status).toBe(200);
    expect(await api.stop()).toBe(0);
  });

  it('a redirect to another origin on the token call: one line naming both hosts, and the other host gets nothing', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const other: string[] = [];
    const elsewhere = createServer((req, res) => {
      req.setEncoding('utf8').on('data', (chunk: string) => other.push(chunk));
      other.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    onTestFinished(() => void elsewhere.close());
    const elsewherePort = await listen(elsewhere, '127.0.0.2');
    const redirecting = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.2:${elsewherePort}/oauth2/token` }).end();
    });
    onTestFinished(() => void redirecting.close());
    const redirectingPort = await listen(redirecting, '127.0.0.1');

    const dir = await scaffold(await tempDir(onTestFinished), ['-m', 'client-credentials', '--base-url', `http://127.0.0.1:${redirectingPort}/`, '--client-id', 'c'], {
      MEDPLUM_CLIENT_SECRET: 'must-not-travel',
    });
    const run = await sh('npm', ['start', '--silent'], dir, { PORT: String(await freePort()) });

    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`Medplum at 127.0.0.1:${redirectingPort} redirected to 127.0.0.2:${elsewherePort}, another origin: refused`);
    expect(other).toEqual([]);
  });

  it('device-credentials with --device-id: the policy names the Device, and the agent posts within it', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const scaffolded = await scaffold(await tempDir(onTestFinished), ['-m', 'device-credentials', '--base-url', medplum.baseUrl, '--client-id', 'later', '--device-id', DEVICE.id]);
    const policy = JSON.parse(await readFile(join(scaffolded, 'access-policy.json'), 'utf8')) as AccessPolicyConfig;
    expect(policy.resource).toEqual([
      { resourceType: 'Observation', criteria: `Observation?device=Device/${DEVICE.id}`, interaction: ['create'] },
      { resourceType: 'Device', criteria: `Device?_id=${DEVICE.id}`, interaction: ['read'] },
    ]);
    const client = medplum.addClient({ name: 'thermometer', accessPolicy: policy });
    const env = { MEDPLUM_CLIENT_ID: client.id, MEDPLUM_CLIENT_SECRET: client.secret };

    const before = medplum.resources('Observation').length;
    const posted = await sh('npm', ['start', '--silent', '--', '--once'], scaffolded, env);
    expect(posted.code, posted.stderr).toBe(0);
    expect(medplum.resources('Observation').slice(before).map((o) => o.device)).toEqual([{ reference: `Device/${DEVICE.id}` }]);

    // Another Device's id: the policy lets the client neither read that Device nor post for it.
    const other = await sh('npm', ['start', '--silent', '--', '--once'], scaffolded, { ...env, MEDPLUM_DEVICE_ID: OTHER_DEVICE.id });
    expect(other.code).not.toBe(0);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    expect(medplum.resources('Observation').length).toBe(before + 1);
  });
});
