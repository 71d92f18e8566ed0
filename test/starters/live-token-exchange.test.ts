/**
 * The token-exchange starter, generated, installed and run through its real entry point against the
 * Medplum test double, which also plays the external IdP: it issues the IdP access tokens the callers
 * send, and answers the userinfo call Medplum makes for each exchange. The API must exchange each
 * token once, reuse the Medplum token until it expires, act as each user (their own AccessPolicy), and
 * answer 401 for a missing or refused token.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { startMedplumDouble, type LogEntry, type MedplumDouble } from '../double/medplum-double.js';
import { tempDir } from '../helpers.js';
import { freePort, scaffold, start, waitForHttp, type Running } from '../project.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const PATIENT = { resourceType: 'Patient', id: '8e1d6c3a-2b4f-4a9e-b7c5-0d3f1a2e4b6c', name: [{ given: ['Alan'], family: 'Turing' }] };
/** Medplum tokens for exchanged users live this long; the API stops using one 5 s before its `exp`. */
const TOKEN_LIFETIME_SECONDS = 8;
const ADA = {
  email: 'ada@corp.example',
  password: 'unused: Ada signs in at the IdP',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Ada'], family: 'Lovelace' }] },
  accessPolicy: { resource: [{ resourceType: 'Patient', interaction: ['read' as const, 'search' as const] }] },
};
const GRACE = {
  email: 'grace@corp.example',
  password: 'unused: Grace signs in at the IdP',
  profile: { resourceType: 'Practitioner' as const, name: [{ given: ['Grace'], family: 'Hopper' }] },
  // Grace may not read Patients: if the API ever used someone else's token for her, this would not hold.
  accessPolicy: { resource: [{ resourceType: 'Observation', interaction: ['read' as const, 'search' as const] }] },
};

let medplum: MedplumDouble;
beforeAll(async () => {
  medplum = await startMedplumDouble({
    users: [ADA, GRACE],
    externalIdp: { users: [{ email: ADA.email }, { email: GRACE.email }] },
    resources: [PATIENT],
  });
});
afterAll(() => medplum?.close());

/** Runs the `start` script's command itself (not through npm), so SIGTERM and the exit code are the starter's own. */
async function startApi(dir: string, env: NodeJS.ProcessEnv): Promise<Running> {
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = pkg.scripts.start.split(' ') as [string, ...string[]];
  return start(command === 'node' ? process.execPath : command, args, dir, env);
}

describe('token-exchange against the Medplum test double', () => {
  it('exchanges each IdP token once, caches it until it expires, and serves /me and /patients as that user', { timeout: 240_000 }, async ({ expect, onTestFinished }) => {
    const client = medplum.addClient({ name: 'api', identityProvider: {}, accessTokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
    const dir = await scaffold(await tempDir(onTestFinished), ['-m', 'token-exchange', '--base-url', medplum.baseUrl, '--client-id', client.id]);
    const port = await freePort();
    const api = await startApi(dir, { PORT: String(port) });
    onTestFinished(() => void api.stop());
    await waitForHttp(`http://127.0.0.1:${port}/health`, api);
    const get = async (path: string, token?: string) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as Record<string, unknown> };
    };
    const since = medplum.log.length;
    const exchanges = (): LogEntry[] => medplum.log.slice(since).filter((e) => e.path === '/oauth2/token' && e.grantType === TOKEN_EXCHANGE);
    const userinfoCalls = (): LogEntry[] => medplum.log.slice(since).filter((e) => e.path === '/idp/userinfo');

    // Ada's IdP token: exchanged once, then the cached Medplum token serves /me and /patients.
    const adaToken = medplum.idp.issueAccessToken(ADA.email);
    const firstExchangeAt = Date.now();
    const me = await get('/me', adaToken);
    expect(me.status).toBe(200);
    expect(me.body.profile).toEqual(medplum.user(ADA.email).memberships[0]?.profile);
    expect(me.body.profile).toMatchObject({ display: 'Ada Lovelace' });
    const patients = await get('/patients?_count=5', adaToken);
    expect(patients.status).toBe(200);
    expect((patients.body.entry as { resource: { id: string } }[]).map((e) => e.resource.id)).toEqual([PATIENT.id]);
    expect((await get('/patients', adaToken)).status).toBe(200);
    expect(exchanges().map((e) => `${e.clientId} ${e.status}`)).toEqual([`${client.id} 200`]);
    expect(userinfoCalls().map((e) => `${e.authScheme} ${e.status}`)).toEqual(['Bearer 200']);
    const adaFhir = medplum.log.slice(since).filter((e) => e.path === '/fhir/R4/Patient');
    expect(adaFhir.map((e) => `${e.authScheme} ${e.status}`)).toEqual(['Bearer 200', 'Bearer 200']);

    // Grace: her own exchange, and her own AccessPolicy (no Patient access) applies to her requests.
    const graceToken = medplum.idp.issueAccessToken(GRACE.email);
    expect((await get('/me', graceToken)).body.profile).toMatchObject({ display: 'Grace Hopper' });
    const forbidden = await get('/patients', graceToken);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    expect((await get('/patients', adaToken)).status).toBe(200); // and Ada still can
    expect(exchanges()).toHaveLength(2);

    // No token, and a token the IdP refuses (Medplum: 400 "Failed to verify code..." -> 401 for the caller).
    const missing = await get('/patients');
    expect(missing).toMatchObject({ status: 401, challenge: 'Bearer', body: { error: 'missing_token' } });
    const forged = await get('/patients', 'not-a-token-the-idp-issued');
    expect(forged).toMatchObject({ status: 401, challenge: 'Bearer error="invalid_token"', body: { error: 'invalid_token' } });
    expect(exchanges().map((e) => e.status)).toEqual([200, 200, 400]);
    expect(userinfoCalls().at(-1)?.status).toBe(401);

    // Once Ada's Medplum token is within 5 s of its expiry, the next request exchanges her IdP token again.
    const cacheEnds = firstExchangeAt + (TOKEN_LIFETIME_SECONDS - 5) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, cacheEnds - Date.now()) + 500));
    expect((await get('/patients', adaToken)).status).toBe(200);
    expect(exchanges().map((e) => e.status)).toEqual([200, 200, 400, 200]);
    expect(medplum.log.slice(since).filter((e) => e.path.startsWith('/fhir/R4/') && e.status === 401)).toEqual([]);

    expect(await api.stop()).toBe(0); // SIGTERM: a clean shutdown
    const { stdout, stderr } = api.output();
    for (const token of [adaToken, graceToken]) {
      expect(stdout + stderr).not.toContain(token); // IdP tokens are never logged
    }
  });
});
