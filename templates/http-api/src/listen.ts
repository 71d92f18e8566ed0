import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type Env } from './env.ts';

export interface ListenConfig {
  port: number;
  host: string;
  /** When set, every caller must send it; required when `host` is reachable from other machines. */
  apiKey: string | undefined;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/;

/**
 * PORT (default 3000), HOST (default 127.0.0.1: this machine only) and API_KEY. An API that
 * answers with this service's Medplum access must not be open to a network without a key.
 */
export function readListenConfig(env: Env, apiKeyHeader: string): ListenConfig {
  const host = env.HOST?.trim() || '127.0.0.1';
  const apiKey = env.API_KEY?.trim() || undefined;
  if (!apiKey && !LOOPBACK.test(host)) {
    throw new ConfigError(
      `HOST=${host} opens this API to other machines: set API_KEY (openssl rand -hex 32), which callers then send as ${apiKeyHeader}, or use HOST=127.0.0.1.`
    );
  }
  if (apiKey && apiKey.length < 32) {
    throw new ConfigError('API_KEY is too short: use at least 32 characters, e.g. from openssl rand -hex 32.');
  }
  return { port: readPort(env.PORT?.trim() || '3000'), host, apiKey };
}

function readPort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a whole number from 0 to 65535 (got ${value}).`);
  }
  return port;
}

/** Whether `given` is the API key. Comparing SHA-256 digests keeps the time constant, whatever the lengths. */
export function isApiKey(apiKey: string, given: string | undefined): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return given !== undefined && timingSafeEqual(digest(apiKey), digest(given));
}

/** The token from `Authorization: Bearer <token>` (the scheme is case-insensitive), if any. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

/** Listens on HOST and PORT and returns the URL; SIGINT or SIGTERM then lets open requests finish and stops. */
export async function serve(server: Server, { host, port }: ListenConfig): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`Port ${port} is already in use: set PORT in .env to a free port.`) : err);
    });
    server.listen(port, host, resolve);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // `once`: a second Ctrl-C falls back to Node's default and stops the process at once.
    process.once(signal, () => {
      console.log(`${signal} received: finishing open requests, then stopping.`);
      server.close();
      server.closeIdleConnections();
    });
  }
  const { address, port: bound } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${bound}`;
}
