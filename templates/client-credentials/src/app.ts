import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getStatus, type MedplumClient, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { networkErrorCode } from './fetch.ts';
import { bearerToken, isApiKey } from './listen.ts';
import { searchPatients } from './patients.ts';

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Route = (medplum: MedplumClient, query: URLSearchParams) => Promise<Reply>;

const routes: Record<string, Route> = {
  '/health': async () => ({ status: 200, body: { status: 'ok' } }),

  '/patients': async (medplum, query) => ({ status: 200, body: await searchPatients(medplum, query) }),
};

/**
 * The HTTP API: `GET /health` and `GET /patients`, answered with the service's Medplum client.
 * With an `apiKey`, every request must carry `Authorization: Bearer <apiKey>`.
 */
export function createApp(medplum: MedplumClient, apiKey?: string): Server {
  return createServer((req, res) => {
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (apiKey && !isApiKey(apiKey, bearerToken(req.headers.authorization))) {
      const body = outcome('login', 'Send the API key: Authorization: Bearer <API_KEY>');
      send(res, { status: 401, body, headers: { 'www-authenticate': 'Bearer' } });
      return;
    }
    if (!url) {
      send(res, { status: 400, body: outcome('invalid', 'Invalid request URL') });
      return;
    }
    handle(medplum, req, url).then(
      (reply) => send(res, reply),
      // Log the path only: query strings here carry patient names and birth dates.
      (err: unknown) => send(res, errorReply(`${req.method} ${url.pathname}`, err))
    );
  });
}

async function handle(medplum: MedplumClient, req: IncomingMessage, url: URL): Promise<Reply> {
  const route = routes[url.pathname];
  if (!route) {
    return { status: 404, body: outcome('not-found', 'Not found') };
  }
  if (req.method !== 'GET') {
    return { status: 405, body: outcome('not-supported', 'Method not allowed'), headers: { allow: 'GET' } };
  }
  return route(medplum, url.searchParams);
}

function errorReply(request: string, err: unknown): Reply {
  console.error(`${request} failed: ${normalizeErrorString(err)}`);
  if (err instanceof OperationOutcomeError) {
    const status = getStatus(err.outcome);
    // A 401 means Medplum refused this service's own credentials (even after signing in again),
    // which is a gateway problem, not something the caller can fix by authenticating.
    return { status: status === 401 ? 502 : status, body: err.outcome };
  }
  if (networkErrorCode(err)) {
    return { status: 502, body: outcome('transient', 'Could not reach Medplum') };
  }
  return { status: 500, body: outcome('exception', 'Internal server error') };
}

function outcome(code: string, text: string): unknown {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

function send(res: ServerResponse, { status, body, headers }: Reply): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
