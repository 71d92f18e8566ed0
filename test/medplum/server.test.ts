/**
 * src/medplum/server.ts in process: the release read from GET /healthcheck (unknown when the server
 * does not say; an error only for no answer in time or a signal), whether the healthcheck answers,
 * the warning for a release outside the supported range, and which releases need a full
 * identityProvider. The servers are loopback stand-ins (test/servers.ts), asked through the run's
 * HTTP policy, as check, rotate-secret and --provision ask them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MedplumClient } from '@medplum/core';
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { policyFetch } from '../../src/medplum/http.js';
import type { ServerRelease } from '../../src/medplum/server.js';
import { freePort } from '../project.js';
import { neverAnswer, serve } from '../servers.js';

// Loaded inside each test, not at the top: UNKNOWN_RELEASE is built when the module loads, and
// mutation testing (Stryker) only sees what runs inside a test. The first test compares it.
const load = () => import('../../src/medplum/server.js');

const UNKNOWN = { text: '', major: Number.NaN, minor: Number.NaN };

/** Answers every request with this status and body. */
const answer =
  (status: number, body: string, type = 'application/json') =>
  (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

const medplumAt = (baseUrl: string, options: { timeoutSeconds?: number; interrupt?: AbortSignal } = {}) =>
  new MedplumClient({ baseUrl, fetch: policyFetch({ timeoutSeconds: options.timeoutSeconds ?? 5, interrupt: options.interrupt }) });

/** An interrupt that has already fired, as after Ctrl-C. */
function interrupted(): AbortSignal {
  const interrupt = new AbortController();
  interrupt.abort(new Interrupted('SIGINT'));
  return interrupt.signal;
}

describe('serverRelease', () => {
  it.each([
    ['no version', '{"status":"ok"}'],
    ['a version that is not a string', '{"version":["5.1.29"]}'],
    ['a version with a prefix', '{"version":"v5.1.29"}'],
    ['a version without a patch number', '{"version":"5.1"}'],
    ['null', 'null'],
  ])('a healthcheck with %s: the release is unknown', async (_what, body) => {
    const { serverRelease, UNKNOWN_RELEASE } = await load();
    const server = await serve(answer(200, body));
    expect(UNKNOWN_RELEASE).toEqual(UNKNOWN);
    expect(await serverRelease(medplumAt(server.url))).toEqual(UNKNOWN);
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /healthcheck']);
  });

  it.each([
    ['5.1.29-f5d2946', 5, 1],
    ['5.2.13', 5, 2],
    ['15.12.0', 15, 12],
  ])('version %s: major %i, minor %i', async (version, major, minor) => {
    const { serverRelease } = await load();
    const server = await serve(answer(200, JSON.stringify({ version })));
    expect(await serverRelease(medplumAt(server.url))).toEqual({ text: version, major, minor });
  });

  it.each([
    ['answers 404', async () => (await serve(answer(404, '{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}'))).url],
    ['answers HTML, not JSON', async () => (await serve(answer(200, '<html>hello</html>', 'text/html'))).url],
    ['is not there', async () => `http://127.0.0.1:${await freePort()}/`],
  ])('a server that %s: the release is unknown, not an error', async (_what, baseUrl) => {
    const { serverRelease } = await load();
    expect(await serverRelease(medplumAt(await baseUrl()))).toEqual(UNKNOWN);
  });

  it('a server that does not answer in time: the timeout is the error', async () => {
    const { serverRelease } = await load();
    const silent = await serve(neverAnswer);
    await expect(serverRelease(medplumAt(silent.url, { timeoutSeconds: 0.2 }))).rejects.toThrow(
      `127.0.0.1:${silent.port} did not answer GET /healthcheck within 0.2 s. Check the server, or pass --timeout <seconds>.`,
    );
  });

  it('an interrupt is the error', async () => {
    const { serverRelease } = await load();
    const server = await serve(answer(200, '{"version":"5.1.29"}'));
    const err = await serverRelease(medplumAt(server.url, { interrupt: interrupted() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Interrupted);
    expect((err as Error).message).toBe('Interrupted (SIGINT)');
  });
});

describe('answersHealthcheck', () => {
  it.each([
    [200, true],
    [404, false],
    [500, false],
  ])('GET {baseUrl}healthcheck, asking for JSON: HTTP %i is %s', async (status, answers) => {
    const { answersHealthcheck } = await load();
    const accepts: (string | undefined)[] = [];
    const server = await serve((req, res) => {
      accepts.push(req.headers.accept);
      answer(status, '{}')(req, res);
    });
    expect(await answersHealthcheck(`${server.url}medplum/`, policyFetch({ timeoutSeconds: 5 }))).toBe(answers);
    expect(server.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /medplum/healthcheck']);
    expect(accepts).toEqual(['application/json']);
  });

  it('no server there: false', async () => {
    const { answersHealthcheck } = await load();
    expect(await answersHealthcheck(`http://127.0.0.1:${await freePort()}/`, policyFetch({ timeoutSeconds: 5 }))).toBe(false);
  });

  it('an interrupt is the error, not a false', async () => {
    const { answersHealthcheck } = await load();
    const server = await serve(answer(200, '{}'));
    const err = await answersHealthcheck(server.url, policyFetch({ timeoutSeconds: 5, interrupt: interrupted() })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Interrupted);
    expect((err as Error).message).toBe('Interrupted (SIGINT)');
  });
});

const release = (text: string, major: number, minor: number): ServerRelease => ({ text, major, minor });

describe('releaseWarning', () => {
  const base = 'https://medplum.example/';
  it.each([
    [release('5.1.29', 5, 1), undefined],
    [release('5.2.13', 5, 2), undefined],
    [release('5.3.0', 5, 3), `${base} reports version 5.3.0; create-medplum-auth supports Medplum 5.1 and 5.2. Continuing: what it sends may not fit.`],
    [release('4.1.0', 4, 1), `${base} reports version 4.1.0; create-medplum-auth supports Medplum 5.1 and 5.2. Continuing: what it sends may not fit.`],
    [UNKNOWN, `${base} does not report its version at /healthcheck; create-medplum-auth supports Medplum 5.1 and 5.2. Continuing: what it sends may not fit.`],
  ])('%o: %s', async (given, warning) => {
    const { releaseWarning } = await load();
    expect(releaseWarning(given, base)).toBe(warning);
  });
});

describe('requiresFullIdentityProvider', () => {
  it.each([
    [release('5.1.29', 5, 1), true],
    [release('4.9.0', 4, 9), true],
    [UNKNOWN, true],
    [release('5.2.13', 5, 2), false],
    [release('5.10.0', 5, 10), false],
    [release('6.0.0', 6, 0), false],
  ])('%o: %s', async (given, required) => {
    const { requiresFullIdentityProvider } = await load();
    expect(requiresFullIdentityProvider(given)).toBe(required);
  });
});
