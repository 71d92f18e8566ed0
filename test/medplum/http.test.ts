/**
 * Issue 10, items 1, 3 and 8 (garbage): the one HTTP policy (src/medplum/http.ts), proven with the built
 * bin against servers that redirect to another origin, stall, or answer garbage. Every command
 * that talks to Medplum is run: check (client secret, Basic), rotate-secret, and --provision.
 * Run `npm run build` first.
 */
import { describe, expect, it } from 'vitest';
import { expectOneLine, runCli, tempDir } from '../helpers.js';
import { BIN, sh } from '../project.js';
import { garbage, neverAnswer, redirectTo, serve, stallBody, type TestServer } from '../servers.js';

const CLIENT_SECRET = 'client-secret-never-elsewhere';
const ADMIN_SECRET = 'admin-secret-never-elsewhere';
const ADMIN = { MEDPLUM_ADMIN_CLIENT_ID: '00000000-0000-4000-8000-0000000000ad', MEDPLUM_ADMIN_CLIENT_SECRET: ADMIN_SECRET };
const CLIENT_ID = '00000000-0000-4000-8000-00000000c1d0';

/** Runs the built bin; how long it took, in ms. */
async function bin(args: readonly string[], cwd: string, env: Record<string, string> = {}) {
  const started = Date.now();
  const result = await sh(process.execPath, [BIN, ...args], cwd, env);
  return { ...result, ms: Date.now() - started };
}

/** A client-credentials and a basic-auth project pointed at `server`, made in-process (fast; not checked: the commands below are the test). */
async function projects(server: TestServer) {
  const cwd = await tempDir();
  for (const [dir, method] of [['cc', 'client-credentials'], ['basic', 'basic-auth']]) {
    const made = await runCli([dir as string, '-m', method as string, '--base-url', server.url, '--client-id', CLIENT_ID, '--no-install', '--no-git', '--no-check'], {
      cwd,
      env: { MEDPLUM_CLIENT_SECRET: CLIENT_SECRET },
    });
    expect(made.code, made.stderr).toBe(0);
  }
  return cwd;
}

/** Every command that talks to Medplum, run against `server` at once with `--timeout 1`. */
async function everyCommand(server: TestServer) {
  const cwd = await projects(server);
  const [checkCc, checkBasic, rotate, provision] = await Promise.all([
    bin(['check', 'cc', '--timeout', '1'], cwd),
    bin(['check', 'basic', '--timeout', '1'], cwd),
    bin(['rotate-secret', 'cc', '--timeout', '1'], cwd, ADMIN),
    bin(['new', '-m', 'client-credentials', '--provision', '--base-url', server.url, '--timeout', '1', '--no-install', '--no-git'], cwd, ADMIN),
  ]);
  return { cwd, checkCc, checkBasic, rotate, provision };
}

/** check prints its findings; the sign-in finding is the one line that says what went wrong. */
function signInLine(stdout: string): string {
  const lines = stdout.split('\n').filter((l) => l.includes('✖'));
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

describe('the HTTP policy', () => {
  it('item 1: a redirect to another origin is refused, naming both hosts; the other host receives nothing', async () => {
    const elsewhere = await serve((_req, res) => res.end('{}'), '127.0.0.2');
    const medplum = await serve(redirectTo(elsewhere.url));
    const { checkCc, checkBasic, rotate, provision } = await everyCommand(medplum);
    const refused = new RegExp(`Refused a redirect from 127\\.0\\.0\\.1:${medplum.port} to 127\\.0\\.0\\.2:${elsewhere.port}`);
    expect(checkCc.code).toBe(1);
    expect(signInLine(checkCc.stdout)).toMatch(refused);
    expect(checkBasic.code).toBe(1);
    expect(signInLine(checkBasic.stdout)).toMatch(refused);
    expectOneLine(rotate, 1, refused);
    expectOneLine(provision, 1, refused);
    expect(elsewhere.received).toEqual([]);
    // The configured server did get the secrets (it is the one the user chose), and nobody else.
    expect(medplum.received.map((r) => r.body).join()).toContain(ADMIN_SECRET);
  });

  it('item 1: a redirect within the origin is followed', async () => {
    const medplum = await serve((req, res) => {
      if (req.url?.startsWith('/moved/')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(req.url.includes('token') ? { error: 'invalid_client', error_description: 'Invalid secret' } : {}));
      } else {
        res.writeHead(307, { location: `/moved${req.url}` });
        res.end();
      }
    });
    const cwd = await projects(medplum);
    const checked = await bin(['check', 'cc', '--timeout', '5'], cwd);
    const calls = medplum.received.filter((r) => !r.url?.endsWith('/healthcheck')); // check asks the release first
    expect(calls.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /oauth2/token', 'POST /moved/oauth2/token']);
    expect(calls[1]?.body).toContain('client_secret='); // a 307 keeps its body, within the origin
    expect(checked.stdout).not.toMatch(/Refused a redirect/);
  });

  it('item 3: a server that accepts and never answers: each command ends within its --timeout, one line', async () => {
    const medplum = await serve(neverAnswer);
    const { checkCc, checkBasic, rotate, provision } = await everyCommand(medplum);
    const late = new RegExp(`127\\.0\\.0\\.1:${medplum.port} did not answer POST /oauth2/token within 1 s.*--timeout`);
    // check asks the release first; once that goes unanswered it asks nothing more (each request would wait as long).
    for (const checked of [checkCc, checkBasic]) {
      expect(signInLine(checked.stdout)).toMatch(/did not answer GET \/healthcheck within 1 s/);
      expect(checked.stdout).toMatch(/not tried: the server did not answer/);
    }
    expectOneLine(rotate, 1, late);
    expectOneLine(provision, 1, late);
    for (const run of [checkCc, checkBasic, rotate, provision]) {
      expect(run.ms).toBeLessThan(8_000); // 1 s, plus start-up on a busy machine; never a retry's 3x
    }
    // One request each: two healthchecks (the checks), two token requests (rotate-secret, --provision).
    expect(medplum.received.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['GET /healthcheck', 'GET /healthcheck', 'POST /oauth2/token', 'POST /oauth2/token']);
  });

  it('item 3: headers, then a stalled body: the timeout covers the body too', async () => {
    const medplum = await serve(stallBody);
    const { checkCc, rotate, provision } = await everyCommand(medplum);
    const late = /did not answer POST \/oauth2\/token within 1 s/;
    expect(signInLine(checkCc.stdout)).toMatch(/did not answer GET \/healthcheck within 1 s/);
    expectOneLine(rotate, 1, late);
    expectOneLine(provision, 1, late);
    for (const run of [checkCc, rotate, provision]) {
      expect(run.ms).toBeLessThan(8_000);
    }
  });

  it('item 8: an answer that is not JSON is one line, never the SDK\'s stack', async () => {
    const medplum = await serve(garbage);
    const { checkCc, checkBasic, rotate, provision } = await everyCommand(medplum);
    const notJson = /does not answer like a Medplum server \(127\.0\.0\.1:\d+ answered POST \/oauth2\/token with HTTP 200 \(application\/json\), not JSON\)/;
    expect(signInLine(checkCc.stdout)).toMatch(notJson);
    expect(signInLine(checkBasic.stdout)).toMatch(/answered GET \/auth\/me with HTTP 200 \(application\/json\), not JSON/);
    expectOneLine(rotate, 1, notJson);
    expectOneLine(provision, 1, notJson);
  });

  it('--timeout takes seconds; anything else is a usage error', async () => {
    const cwd = await tempDir();
    for (const args of [['x', '--timeout', '0'], ['check', '--timeout', 'soon'], ['rotate-secret', '--timeout', '-1']]) {
      const result = await runCli(args, { cwd });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--timeout.*seconds/);
    }
  });

  it("item 8: auth/me answering null in check is one finding, and --json still prints JSON", async () => {
    const medplum = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/oauth2/token' ? JSON.stringify({ access_token: 'opaque', token_type: 'Bearer', expires_in: 3600 }) : 'null');
    });
    const cwd = await projects(medplum);
    const [human, json] = await Promise.all([bin(['check', 'cc'], cwd), bin(['check', 'cc', '--json'], cwd)]);
    expect(human.code).toBe(1);
    expect(signInLine(human.stdout)).toMatch(/auth\/me at .* answered null, not the client's profile/);
    expect(human.stderr).toBe('');
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout) as { findings: { id: string; level: string; message: string }[] };
    expect(out.findings.find((f) => f.id === 'sign-in')).toMatchObject({ level: 'error', message: expect.stringMatching(/answered null/) });
  });
});
