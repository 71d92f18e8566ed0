import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeErrorString } from '@medplum/core';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { ConfigError } from './env.ts';
import { Sessions } from './sessions.ts';

try {
  const config = loadConfig(process.env);
  const server = createApp(new Sessions(config));
  const port = await listen(server, config.port);
  console.log(`Exchanging identity provider tokens at ${config.baseUrl} for client ${config.clientId}.`);
  console.log(`Listening on http://localhost:${port} (GET /health, GET /me, GET /patients?name=...)`);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `once`: a second Ctrl-C falls back to Node's default and stops the process at once.
    process.once(signal, () => {
      console.log(`${signal} received: finishing open requests, then stopping.`);
      server.close();
      server.closeIdleConnections();
    });
  }
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Unexpected error: ${normalizeErrorString(err)}`);
  process.exitCode = 1;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new ConfigError(`Port ${port} is already in use: set PORT in .env to a free port.`)
          : err
      );
    });
    server.listen(port, () => resolve((server.address() as AddressInfo).port));
  });
}
