/**
 * src/medplum/http.ts's policyFetch, in process and fast (what test/medplum/http.test.ts proves
 * through the built bin): one deadline for headers and body, redirects only within the origin and
 * as fetch would rewrite them, JSON or one line, an interrupt that wins, and --debug lines that
 * never hold a query or a body.
 */
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../../src/errors.js';
import { HttpPolicyError, httpFor, policyFetch } from '../../src/medplum/http.js';
import { garbage, neverAnswer, redirectTo, serve, stallBody } from '../servers.js';

const json = (body: unknown, status = 200) => (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('policyFetch', () => {
  it('passes a JSON answer through: status, headers and body', async () => {
    const server = await serve(json({ ok: true }, 201));
    const res = await policyFetch({ timeoutSeconds: 5 })(`${server.url}x`, { method: 'POST', body: 'a=1' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true });
    expect(server.received).toEqual([{ method: 'POST', url: '/x', body: 'a=1' }]);
  });

  it('an empty body and a 204 are not "not JSON"', async () => {
    const server = await serve((req, res) => {
      res.writeHead(req.url === '/none' ? 204 : 200);
      res.end();
    });
    const http = policyFetch({ timeoutSeconds: 5 });
    expect((await http(`${server.url}none`)).status).toBe(204);
    expect(await (await http(`${server.url}empty`)).text()).toBe('');
  });

  it.each([
    ['never answers', neverAnswer],
    ['sends headers, then stalls the body', stallBody],
  ])('a server that %s: one timeout error naming host, method and path, within the deadline', async (_what, handler) => {
    const server = await serve(handler);
    const started = Date.now();
    const answer = policyFetch({ timeoutSeconds: 0.3 })(`${server.url}oauth2/token`, { method: 'POST' });
    await expect(answer).rejects.toBeInstanceOf(HttpPolicyError);
    await expect(answer).rejects.toMatchObject({
      kind: 'timeout',
      name: 'AbortError', // MedplumClient does not retry an AbortError
      message: `127.0.0.1:${server.port} did not answer POST /oauth2/token within 0.3 s. Check the server, or pass --timeout <seconds>.`,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('an interrupt wins over the deadline, and is the error', async () => {
    const server = await serve(neverAnswer);
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new Interrupted('SIGINT')), 50);
    await expect(policyFetch({ timeoutSeconds: 30, interrupt: interrupt.signal })(`${server.url}x`)).rejects.toEqual(new Interrupted('SIGINT'));
  });

  it("the caller's own signal still aborts the request", async () => {
    const server = await serve(neverAnswer);
    const answer = policyFetch({ timeoutSeconds: 30 })(`${server.url}x`, { signal: AbortSignal.timeout(50) });
    await expect(answer).rejects.not.toBeInstanceOf(HttpPolicyError);
    await expect(answer).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('a redirect to another origin is refused before anything is sent there', async () => {
    const elsewhere = await serve(json({}), '127.0.0.2');
    const server = await serve(redirectTo(elsewhere.url));
    const answer = policyFetch({ timeoutSeconds: 5 })(`${server.url}oauth2/token`, { method: 'POST', body: 'client_secret=s' });
    await expect(answer).rejects.toBeInstanceOf(HttpPolicyError);
    await expect(answer).rejects.toMatchObject({
      kind: 'redirect',
      message: `Refused a redirect from 127.0.0.1:${server.port} to 127.0.0.2:${elsewhere.port}: credentials are never sent to another host. Check the base URL.`,
    });
    expect(elsewhere.received).toEqual([]);
  });

  it.each([
    [307, 'POST', 'POST', 'a=1'],
    [308, 'POST', 'POST', 'a=1'],
    [303, 'POST', 'GET', ''],
    [301, 'POST', 'GET', ''],
    [302, 'POST', 'GET', ''],
    [302, 'PUT', 'PUT', 'a=1'],
  ])('within the origin, a %i after a %s is followed as fetch would: %s, body "%s"', async (status, method, then, body) => {
    const server = await serve((req, res) => {
      if (req.url === '/from') {
        res.writeHead(status, { location: '/to' });
        res.end();
      } else {
        json({ at: req.url })(req, res);
      }
    });
    const res = await policyFetch({ timeoutSeconds: 5 })(`${server.url}from`, { method, body: 'a=1' });
    expect(await res.json()).toEqual({ at: '/to' });
    expect(server.received[1]).toEqual({ method: then, url: '/to', body });
  });

  it('a 3xx without a Location is an answer, not a redirect', async () => {
    const server = await serve(json({ choices: [] }, 300));
    const res = await policyFetch({ timeoutSeconds: 5 })(server.url);
    expect(res.status).toBe(300);
    expect(server.received).toHaveLength(1);
  });

  it.each([300, 304, 400, 500])('a %i with a Location is an answer too: only what fetch follows is followed', async (status) => {
    const server = await serve((_req, res) => {
      res.writeHead(status, { location: '/elsewhere' });
      res.end();
    });
    const res = await policyFetch({ timeoutSeconds: 5 })(`${server.url}x`);
    expect(res.status).toBe(status);
    expect(server.received.map((r) => r.url)).toEqual(['/x']);
  });

  it('a body of only whitespace is no answer, not "not JSON"', async () => {
    const server = await serve((_req, res) => res.end('\n  \n'));
    expect((await policyFetch({ timeoutSeconds: 5 })(server.url)).status).toBe(200);
  });

  it('stops after five redirects within the origin, naming the path', async () => {
    const server = await serve((req, res) => {
      res.writeHead(307, { location: `${req.url}x` });
      res.end();
    });
    await expect(policyFetch({ timeoutSeconds: 5 })(`${server.url}a`, { method: 'POST' })).rejects.toMatchObject({
      kind: 'redirect',
      message: `127.0.0.1:${server.port} redirected more than 5 times (POST /axxxxx).`,
    });
    expect(server.received).toHaveLength(6);
  });

  it('an answer that is not JSON is one line naming status and content type', async () => {
    const server = await serve(garbage);
    await expect(policyFetch({ timeoutSeconds: 5 })(`${server.url}auth/me`)).rejects.toMatchObject({
      kind: 'not-json',
      message: `127.0.0.1:${server.port} answered GET /auth/me with HTTP 200 (application/json), not JSON`,
    });
    const untyped = await serve((_req, res) => res.end('<html>'));
    await expect(policyFetch({ timeoutSeconds: 5 })(untyped.url)).rejects.toThrow(/with HTTP 200 \(no content type\), not JSON$/);
  });

  it('takes a URL, never a Request (whose body it could not re-send)', async () => {
    await expect(policyFetch({ timeoutSeconds: 5 })(new Request('http://127.0.0.1:1/'))).rejects.toThrow(
      new TypeError('policyFetch takes a URL and init, not a Request'),
    );
  });

  it('--debug: method, path and status of each exchange, never the query or the body', async () => {
    const server = await serve(json({}));
    const lines: string[] = [];
    await policyFetch({ timeoutSeconds: 5, debug: (line) => lines.push(line) })(`${server.url}fhir/R4/Patient?name=secret`, { method: 'POST', body: 'password=p' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^POST \/fhir\/R4\/Patient -> 200 \(\d+ ms\)$/);
    expect(Number(/\((\d+) ms\)/.exec(lines[0] as string)?.[1])).toBeLessThan(5_000); // the time it took, not a clock
    const failed: string[] = [];
    await expect(policyFetch({ timeoutSeconds: 0.2, debug: (line) => failed.push(line) })(`${(await serve(neverAnswer)).url}slow`)).rejects.toThrow();
    expect(failed).toEqual(['GET /slow -> failed (timeout)']);
  });

  it('httpFor: --timeout and --debug lines on stderr, prefixed', async () => {
    const server = await serve(json({}));
    let stderr = '';
    await httpFor({ timeout: 5, debug: true }, { stderr: { write: (s: string) => (stderr += s) } })(`${server.url}healthcheck`);
    expect(stderr).toMatch(/^debug GET \/healthcheck -> 200 \(\d+ ms\)\n$/);
    let quiet = '';
    await httpFor({ timeout: 5, debug: false }, { stderr: { write: (s: string) => (quiet += s) } })(`${server.url}healthcheck`);
    expect(quiet).toBe('');
    await expect(httpFor({ timeout: 0.2, debug: false }, { stderr: { write: () => true } })((await serve(neverAnswer)).url)).rejects.toThrow(/within 0\.2 s/);
  });
});
