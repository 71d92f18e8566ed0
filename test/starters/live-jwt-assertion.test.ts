/**
 * The jwt-assertion starter, generated (key pair and jwks.json by the CLI), installed, and run
 * through its real entry point against the Medplum test double. The double serves the GENERATED
 * jwks.json at the client's jwksUri and checks every assertion's signature, `aud` and `exp`
 * against it, as the server does. A preloaded recorder (`--import`) keeps a copy of each token
 * request the starter sends, so the test can check what the double accepted: a fresh `jti` every
 * time, and a new login before each token expires.
 */
import { createPublicKey, generateKeyPairSync, verify, type KeyObject, type webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMedplumDouble, type Jwk, type JwkSet, type LogEntry, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { expectOk, filesContaining, scaffold, sh, start, type Running } from '../project.js';

const DEVICE = { resourceType: 'Device', id: '5b0c2f8e-3d7a-4c1e-9f6b-2a8d4e0c1b7f', deviceName: [{ name: 'Analyzer 1', type: 'user-friendly-name' }] };
const POLICY = {
  resource: [
    { resourceType: 'Observation', interaction: ['create' as const] },
    { resourceType: 'Device', interaction: ['read' as const] },
  ],
};
/** Short-lived tokens, so that a few seconds of the loop span several of them. */
const TOKEN_LIFETIME_SECONDS = 3;

/** Appends the form body of every token request the process sends to $TOKEN_REQUEST_LOG. */
const RECORDER = `
import { appendFileSync } from 'node:fs';
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url.endsWith('/oauth2/token') && typeof init?.body === 'string') {
    appendFileSync(process.env.TOKEN_REQUEST_LOG, init.body + '\\n');
  }
  return realFetch(input, init);
};
`;

/** The generated project's src/assertion.ts, loaded at run time. */
interface Signer {
  loadPrivateKey(path: string): KeyObject;
  signAssertion(input: { privateKey: KeyObject; keyId: string; clientId: string; tokenUrl: string; now?: number }): string;
}

interface Jwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function decode(jwt: string): Jwt {
  const [header = '', claims = '', signature = ''] = jwt.split('.');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: json(header), claims: json(claims), signingInput: `${header}.${claims}`, signature: Buffer.from(signature, 'base64url') };
}

/** ES256 as JWS defines it (raw r||s), against one JWK. */
function verifiesWith(jwt: Jwt, jwk: Jwk): boolean {
  const key = createPublicKey({ key: jwk as webcrypto.JsonWebKey, format: 'jwk' });
  return verify('sha256', Buffer.from(jwt.signingInput), { key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
}

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({ resources: [DEVICE] });
});
afterAll(() => medplum?.close());

/** Runs the `start` script's command itself (not through npm), so SIGTERM and the exit code are the starter's own. */
async function startAgent(dir: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Running> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...rest] = pkg.scripts.start.split(' ') as [string, ...string[]];
  return start(command === 'node' ? process.execPath : command, [...rest, ...args], dir, env);
}

describe('jwt-assertion against the Medplum test double', () => {
  it('signs in with the generated key, renews before expiry with a fresh jti, and reports refused assertions', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const client = medplum.addClient({ name: 'analyzer', accessPolicy: POLICY, accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
    const cwd = await tempDir(onTestFinished);
    const dir = await scaffold(cwd, ['-m', 'jwt-assertion', '--base-url', medplum.baseUrl, '--client-id', client.id]);

    // What the CLI generated: a 0600 private key, and the public JWKS that the double now serves at the client's jwksUri.
    expect((await stat(join(dir, 'medplum-device-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, '.gitignore'), 'utf8')).toMatch(/^\*\.pem$/m);
    const jwks = JSON.parse(await readFile(join(dir, 'jwks.json'), 'utf8')) as JwkSet;
    expect(jwks.keys).toHaveLength(1);
    const jwk = jwks.keys[0] as Jwk & { kid: string };
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    medplum.updateClient(client.id, { jwksUri: medplum.hostJwks(jwks) });

    const recorder = join(cwd, 'record-token-requests.mjs');
    await writeFile(recorder, RECORDER);
    const requestLog = join(cwd, 'token-requests.log');
    const env = { MEDPLUM_DEVICE_ID: DEVICE.id, NODE_OPTIONS: `--import=${recorder}`, TOKEN_REQUEST_LOG: requestLog };
    const entries = (since: number): LogEntry[] => medplum.log.slice(since).filter((e) => e.clientId === client.id);

    // --once: one login, the Device read, one Observation.
    let since = medplum.log.length;
    const once = await sh('npm', ['start', '--silent', '--', '--once'], dir, env);
    expectOk(once, 'npm start -- --once');
    expect(once.stdout).toMatch(/^Signed in to .* \(private key JWT, kid .+\)\.\nObservation\/\S+: [\d.]+ Cel at \S+\n$/);
    expect(entries(since).map((e) => `${e.method} ${e.path} ${e.grantType ?? e.authScheme} ${e.status}`)).toEqual([
      'POST /oauth2/token client_credentials 200',
      'GET /auth/me Bearer 200',
      `GET /fhir/R4/Device/${DEVICE.id} Bearer 200`,
      'POST /fhir/R4/Observation Bearer 201',
    ]);
    expect(entries(since)[0]?.clientAssertion).toBe(true);

    // The loop, for a few token lifetimes: every reading lands, and no token is ever used past its expiry.
    since = medplum.log.length;
    const before = medplum.resources('Observation').length;
    const agent = await startAgent(dir, ['--interval', '1'], env);
    onTestFinished(() => void agent.stop());
    await new Promise((resolve) => setTimeout(resolve, 3 * TOKEN_LIFETIME_SECONDS * 1000));
    expect(await agent.stop()).toBe(0); // SIGTERM: stops after the current reading
    const loop = entries(since);
    const logins = loop.filter((e) => e.path === '/oauth2/token');
    const fhir = loop.filter((e) => e.path.startsWith('/fhir/R4/'));
    expect(logins.length).toBeGreaterThanOrEqual(3);
    expect(logins.every((e) => e.status === 200 && e.clientAssertion)).toBe(true);
    expect(fhir.length).toBeGreaterThanOrEqual(6);
    expect(fhir.filter((e) => e.status >= 400)).toEqual([]);
    // Renewed before expiry: no request was refused. (A 401 for an expired token is logged without a client id.)
    expect(medplum.log.slice(since).filter((e) => e.status === 401)).toEqual([]);
    expect(medplum.resources('Observation').length - before).toBe(fhir.filter((e) => e.method === 'POST').length);

    // Every assertion the double accepted, as the starter sent it.
    const forms = (await readFile(requestLog, 'utf8')).trim().split('\n').map((line) => new URLSearchParams(line));
    const assertions = forms.map((form) => decode(form.get('client_assertion') ?? ''));
    expect(assertions).toHaveLength(1 + logins.length);
    for (const form of forms) {
      expect([...form.keys()]).toEqual(['grant_type', 'client_assertion_type', 'client_assertion']); // no secret, no client_id
    }
    for (const jwt of assertions) {
      expect(jwt.header).toEqual({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' });
      expect(jwt.claims).toMatchObject({ iss: client.id, sub: client.id, aud: medplum.tokenUrl });
      expect(Number(jwt.claims.exp) - Number(jwt.claims.iat)).toBeLessThanOrEqual(300);
      expect(verifiesWith(jwt, jwk)).toBe(true);
    }
    expect(new Set(assertions.map((jwt) => jwt.claims.jti)).size).toBe(assertions.length);

    // Refused assertions, with the recorded errors. A key that jwks.json does not hold:
    const otherKey = join(cwd, 'other-key.pem');
    await writeFile(otherKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    since = medplum.log.length;
    const wrongKey = await sh('npm', ['start', '--silent', '--', '--once'], dir, { ...env, MEDPLUM_PRIVATE_KEY_PATH: otherKey });
    expect(wrongKey.code).not.toBe(0);
    expect(wrongKey.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrongKey.stderr).toMatch(/Invalid client assertion signature\. The jwks\.json hosted at the ClientApplication's jwksUri must hold the public half of /);
    expect(entries(since).map((e) => `${e.path} ${e.status}`)).toEqual(['/oauth2/token 400']);

    // A base URL the server does not know itself by (same server, other host name): the aud is refused.
    const localhost = medplum.baseUrl.replace('127.0.0.1', 'localhost');
    const wrongAud = await sh('npm', ['start', '--silent', '--', '--once'], dir, { ...env, MEDPLUM_BASE_URL: localhost });
    expect(wrongAud.code).not.toBe(0);
    expect(wrongAud.stderr).toMatch(/Invalid client assertion audience\. The assertion's aud is http:\/\/localhost:\d+\/oauth2\/token; it must be exactly the server's token URL/);

    // An expired assertion, from the starter's own signer with a clock ten minutes slow, sent to the token endpoint.
    const signer = (await import(join(dir, 'src/assertion.ts'))) as Signer;
    const privateKey = signer.loadPrivateKey(join(dir, 'medplum-device-key.pem'));
    const sign = (overrides: { now?: number; tokenUrl?: string }) =>
      signer.signAssertion({ privateKey, keyId: jwk.kid, clientId: client.id, tokenUrl: medplum.tokenUrl, ...overrides });
    const tokenCall = async (assertion: string) => {
      const res = await fetch(medplum.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
      return { status: res.status, body: await res.json() };
    };
    const now = Math.floor(Date.now() / 1000);
    expect(await tokenCall(sign({ now: now - 600 }))).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'Invalid client assertion signature' } });
    expect(await tokenCall(sign({ tokenUrl: medplum.baseUrl }))).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'Invalid client assertion audience' } });
    expect((await tokenCall(sign({}))).status).toBe(200); // the same signer, with the right inputs

    // No secret exists for this client, and none was stored: the project holds only the key pair.
    expect(await filesContaining(dir, client.secret)).toEqual([]);
    expect(existsSync(join(dir, 'jwks.json'))).toBe(true);
  });
});
