/**
 * Misbehaving HTTP servers on loopback, playing a hostile or broken Medplum: one that redirects to
 * another origin, one that stalls, one that answers garbage. Each logs what it received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { onTestFinished } from 'vitest';

export interface Received {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

export interface TestServer {
  /** The base URL, with a trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Listens on `host` (127.0.0.1 unless told; 127.0.0.2 is loopback too, another origin); closed after the test. */
export async function serve(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', body });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  onTestFinished(async () => {
    for (const socket of sockets) {
      socket.destroy(); // a stalled exchange would keep close() waiting
    }
    await new Promise((resolve) => server.close(resolve));
  });
  const { port } = server.address() as { port: number };
  return { url: `http://${host}:${port}/`, port, received };
}

/** Answers every request with a 307 to the same path on `to` (fetch would re-send the body there). */
export const redirectTo =
  (to: string): Handler =>
  (req, res) => {
    res.writeHead(307, { location: new URL(req.url ?? '/', to).href });
    res.end();
  };

/** Accepts the request and never answers. */
export const neverAnswer: Handler = () => {};

/** Sends the headers of a JSON answer, then stalls the body. */
export const stallBody: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"access_token": "');
};

/** Claims JSON, sends something else. */
export const garbage: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"access_token": <html>oops');
};

/** Forwards every request to `target`, after `before` has seen it (to change the world mid-exchange). */
export function proxyTo(target: string, before: (req: IncomingMessage) => Promise<void> | void): Handler {
  return (req, res, body) => {
    void (async () => {
      await before(req);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>;
      const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: body === '' ? undefined : body });
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(await answer.text());
    })();
  };
}
