/**
 * A tiny JWKS host on its own port, like the one the private_key_jwt capture used
 * (`http://127.0.0.1:<port>/jwks.json`). It counts fetches, so a test can see that the double
 * fetched the key set for every assertion. (`medplum.hostJwks` serves one on the double instead.)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JwkSet } from './jwks.js';

export interface JwksServer {
  /** `http://127.0.0.1:<port>/jwks.json` */
  readonly url: string;
  /** GETs of the key set so far. */
  readonly fetches: number;
  /** Serves another key set from now on (a rotation). */
  set(jwks: JwkSet): void;
  close(): Promise<void>;
}

export async function startJwksServer(initial: JwkSet): Promise<JwksServer> {
  let jwks = initial;
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks.json') {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  return {
    url,
    get fetches() {
      return fetches;
    },
    set(next) {
      jwks = next;
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
