/**
 * src/cli/main.ts in process: how errors become exit codes and lines (an interrupt, a cancelled
 * prompt, a bug that keeps its stack), and the human output of rotate-secret, against the Medplum double.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { Interrupted } from '../../src/errors.js';
import { startMedplumDouble, type MedplumDouble } from '../double/medplum-double.js';
import { runCli, tempDir } from '../helpers.js';

describe('errors from a command', () => {
  /** rotate-secret on a terminal, whose prompts fail to load with `err`. */
  async function failingPrompts(err: Error) {
    let [stdout, stderr] = ['', ''];
    const io: Io = {
      stdout: { write: (s: string) => (stdout += s), isTTY: true },
      stderr: { write: (s: string) => (stderr += s), isTTY: true },
      stdinIsTTY: true,
      env: { NO_COLOR: '1' },
      cwd: await tempDir(),
      loadPrompter: () => Promise.reject(err),
    };
    const code = await main(['rotate-secret'], io);
    return { code, stdout, stderr };
  }

  it('an interrupt: exit 1, one line that says nothing was written', async () => {
    expect(await failingPrompts(new Interrupted('SIGINT'))).toEqual({ code: 1, stdout: '', stderr: 'error Interrupted (SIGINT). Nothing was written.\n' });
  });

  it('a cancelled prompt: exit 1, one line', async () => {
    const cancel = Object.assign(new Error('User force closed the prompt'), { name: 'ExitPromptError' });
    expect(await failingPrompts(cancel)).toEqual({ code: 1, stdout: '', stderr: 'error Cancelled. Nothing was written.\n' });
  });

  it('any other error is a bug: thrown as it is, with its stack, not made a line', async () => {
    const bug = new TypeError('x is undefined');
    await expect(failingPrompts(bug)).rejects.toBe(bug);
  });
});

describe('rotate-secret, for a human', () => {
  let medplum: MedplumDouble;
  let adminEnv: Record<string, string>;
  beforeAll(async () => {
    medplum = await startMedplumDouble();
    const admin = medplum.addClient({ name: 'CI admin', admin: true });
    adminEnv = { MEDPLUM_ADMIN_CLIENT_ID: admin.id, MEDPLUM_ADMIN_CLIENT_SECRET: admin.secret };
  });
  afterAll(() => medplum?.close());

  /** A client-credentials project written by hand for a new client of the double. */
  async function project() {
    const client = medplum.addClient({ name: `main-test-${Math.random()}` });
    const cwd = await tempDir();
    const dir = join(cwd, 'app');
    await mkdir(dir);
    await writeFile(join(dir, 'medplum-auth.json'), JSON.stringify({ method: 'client-credentials' }));
    await writeFile(join(dir, '.env'), `MEDPLUM_BASE_URL=${medplum.baseUrl}\nMEDPLUM_CLIENT_ID=${client.id}\nMEDPLUM_CLIENT_SECRET=${client.secret}\n`);
    return { cwd, dir, clientId: client.id };
  }

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
