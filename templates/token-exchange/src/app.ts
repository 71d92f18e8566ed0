import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getStatus, type MedplumClient, normalizeErrorString, OperationOutcomeError } from '@medplum/core';
import { ConfigError } from './env.ts';
import { networkErrorCode } from './fetch.ts';
import { bearerToken, isApiKey } from './listen.ts';
import { searchPatients } from './patients.ts';
import { ExchangeRefusedError, InvalidTokenError, type Session, type Sessions, TooManyExchangesError } from './sessions.ts';

const JSON_TYPE = 'application/json; charset=utf-8';
const FHIR_TYPE = 'application/fhir+json; charset=utf-8';

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A route that acts as the caller: `medplum` is signed in as them, so their AccessPolicy applies. */
type Route = (medplum: MedplumClient, session: Session, query: URLSearchParams) => Promise<Reply>;

const routes: Record<string, Route> = {
  /** Who Medplum says the caller is. */
  '/me': async (_medplum, { profile, project }) => ({
    status: 200,
    body: { profile, project },
    headers: { 'content-type': JSON_TYPE },
  }),

  /** A FHIR Patient search, run as the caller. */
  '/patients': async (medplum, _session, query) => ({ status: 200, body: await searchPatients(medplum, query) }),
};

/**
 * The HTTP API. Every route except `GET /health` needs the caller's access token from your
 * identity provider, as `Authorization: Bearer <token>`. With an `apiKey`, every request must also
 * carry `X-API-Key: <apiKey>`: the Authorization header already holds the user's token.
 */
export function createApp(sessions: Sessions, apiKey?: string): Server {
  return createServer((req, res) => {
    const url = URL.parse(req.url ?? '/', 'http://localhost');
    if (apiKey && !isApiKey(apiKey, req.headers['x-api-key']?.toString())) {
      send(res, error(401, 'invalid_api_key', 'Send the API key: X-API-Key: <API_KEY>.'));
      return;
    }
    if (!url) {
      send(res, error(400, 'invalid_request', 'Invalid request URL.'));
      return;
    }
    handle(sessions, req, url).then(
      (reply) => send(res, reply),
      // Log the path only: query strings here carry patient names and birth dates.
      (err: unknown) => send(res, errorReply(`${req.method} ${url.pathname}`, err))
    );
  });
}

async function handle(sessions: Sessions, req: IncomingMessage, url: URL): Promise<Reply> {
  if (url.pathname === '/health' && req.method === 'GET') {
    return { status: 200, body: { status: 'ok' }, headers: { 'content-type': JSON_TYPE } };
  }
  const route = routes[url.pathname];
  if (!route) {
    return error(404, 'not_found', `No route ${url.pathname}. Try GET /me or GET /patients.`);
  }
  if (req.method !== 'GET') {
    return { ...error(405, 'method_not_allowed', 'Only GET is supported.'), headers: { allow: 'GET' } };
  }
  const token = bearerToken(req.headers.authorization);
  if (!token) {
    return unauthorized(
      'missing_token',
      "Send your identity provider's access token in the Authorization header: Authorization: Bearer <token>."
    );
  }
  return sessions.run(token, (medplum, session) => route(medplum, session, url.searchParams));
}

function errorReply(request: string, err: unknown): Reply {
  if (err instanceof InvalidTokenError) {
    return unauthorized('invalid_token', err.message);
  }
  if (err instanceof TooManyExchangesError) {
    return { ...error(429, 'too_many_requests', err.message), headers: { 'content-type': JSON_TYPE, 'retry-after': '1' } };
  }
  if (err instanceof ExchangeRefusedError || err instanceof ConfigError) {
    // Not the caller's fault: this service is misconfigured. The details are for the operator.
    console.error(`${request}: ${err.message}`);
    return error(502, 'bad_gateway', 'Medplum refused the token exchange. The server log says why.');
  }
  if (err instanceof OperationOutcomeError) {
    const status = getStatus(err.outcome);
    if (status === 401) {
      return unauthorized('invalid_token', 'Medplum did not accept the session for this token. Sign in again.');
    }
    console.error(`${request} failed: ${normalizeErrorString(err)}`);
    return { status, body: err.outcome }; // e.g. 403: the caller's AccessPolicy does not allow it
  }
  const networkError = networkErrorCode(err);
  if (networkError) {
    console.error(`${request} failed: could not reach Medplum (${networkError}).`);
    return error(502, 'bad_gateway', 'Could not reach Medplum.');
  }
  console.error(`${request} failed: ${normalizeErrorString(err)}`);
  return error(500, 'internal_error', 'Internal server error.');
}

function error(status: number, code: string, message: string): Reply {
  return { status, body: { error: code, message }, headers: { 'content-type': JSON_TYPE } };
}

function unauthorized(code: 'missing_token' | 'invalid_token', message: string): Reply {
  const challenge = code === 'invalid_token' ? 'Bearer error="invalid_token"' : 'Bearer';
  return { status: 401, body: { error: code, message }, headers: { 'content-type': JSON_TYPE, 'www-authenticate': challenge } };
}

function send(res: ServerResponse, { status, body, headers }: Reply): void {
  res.writeHead(status, { 'content-type': FHIR_TYPE, 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
