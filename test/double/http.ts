/**
 * The double's HTTP vocabulary: a parsed request, a reply value that handlers return, and the
 * recorded response shapes (content types, OperationOutcomes, OAuth errors).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const FHIR_JSON_TYPE = 'application/fhir+json; charset=utf-8';
export const HTML_TYPE = 'text/html; charset=utf-8';
export const TEXT_TYPE = 'text/plain; charset=utf-8';

export interface DoubleRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The client address as the recorded server saw it: the last X-Forwarded-For entry (trust proxy = 1), else the socket. */
  readonly remoteAddress: string;
}

export interface Reply {
  readonly status: number;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string;
}

/** Thrown by handlers to answer early; the server sends its reply. */
export class HttpError extends Error {
  readonly reply: Reply;

  constructor(reply: Reply) {
    super(`HTTP ${reply.status}`);
    this.reply = reply;
  }
}

export function json(status: number, value: unknown, headers?: Reply['headers']): Reply {
  return { status, contentType: JSON_TYPE, headers, body: JSON.stringify(value) };
}

export function fhirJson(status: number, value: unknown, headers?: Reply['headers']): Reply {
  return { status, contentType: FHIR_JSON_TYPE, headers, body: JSON.stringify(value) };
}

export function html(status: number, body: string, headers?: Reply['headers']): Reply {
  return { status, contentType: HTML_TYPE, headers, body };
}

/** Express's `res.redirect`: 302, text/plain, "Found. Redirecting to …". */
export function redirect(location: string, headers?: Reply['headers']): Reply {
  return {
    status: 302,
    contentType: TEXT_TYPE,
    headers: { ...headers, location },
    body: `Found. Redirecting to ${location}`,
  };
}

export function hasContentType(req: DoubleRequest, ...types: string[]): boolean {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type !== undefined && types.includes(type);
}

export function isFormRequest(req: DoubleRequest): boolean {
  return hasContentType(req, 'application/x-www-form-urlencoded');
}

/** A form body as a flat record (the last value wins for a repeated key). */
export function formBody(req: DoubleRequest): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
}

/** A JSON object body (`application/json` or `application/fhir+json`); anything else reads as `{}`. */
export function jsonBody(req: DoubleRequest): Record<string, unknown> {
  if (!hasContentType(req, 'application/json', 'application/fhir+json') || req.body.length === 0) {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new HttpError(badRequest('Invalid JSON body (Medplum test double)'));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(badRequest('Expected a JSON object body (Medplum test double)'));
  }
  return value as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// ---- OperationOutcomes, shaped as recorded ----

interface Issue {
  readonly severity: 'error' | 'information';
  readonly code: string;
  readonly details: { readonly text: string };
  readonly expression?: readonly string[];
}

/** Every recorded OperationOutcome carries a tracing extension with per-request uuids. */
function operationOutcome(id: string | undefined, issue: readonly Issue[]): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    ...(id === undefined ? {} : { id }),
    issue,
    extension: [
      {
        url: 'https://medplum.com/fhir/StructureDefinition/tracing',
        extension: [
          { url: 'requestId', valueId: randomUUID() },
          { url: 'traceId', valueId: randomUUID() },
        ],
      },
    ],
  };
}

export type AuthScheme = 'Bearer' | 'Basic';

/** 401 `unauthorized`/`login`/"Unauthorized", with `WWW-Authenticate: <scheme> realm="<baseUrl>"`. */
export function unauthorized(scheme: AuthScheme, baseUrl: string): Reply {
  const body = operationOutcome('unauthorized', [{ severity: 'error', code: 'login', details: { text: 'Unauthorized' } }]);
  return fhirJson(401, body, { 'www-authenticate': `${scheme} realm="${baseUrl}"` });
}

export function forbidden(): Reply {
  return fhirJson(403, operationOutcome('forbidden', [{ severity: 'error', code: 'forbidden', details: { text: 'Forbidden' } }]));
}

export function notFound(): Reply {
  return fhirJson(404, operationOutcome('not-found', [{ severity: 'error', code: 'not-found', details: { text: 'Not found' } }]));
}

/** A 400 from server logic: no id; an expression, when present, follows the details. */
export function badRequest(text: string, expression?: string): Reply {
  const issue: Issue = { severity: 'error', code: 'invalid', details: { text }, ...(expression ? { expression: [expression] } : {}) };
  return fhirJson(400, operationOutcome(undefined, [issue]));
}

/** A 400 from resource validation (recorded for a string `redirectUris`): code `structure`, no id, expression after details. */
export function invalidStructure(text: string, expression: string): Reply {
  return fhirJson(400, operationOutcome(undefined, [{ severity: 'error', code: 'structure', details: { text }, expression: [expression] }]));
}

/** The validator's answer to required properties left out: one issue each. */
export function missingRequired(expressions: readonly string[]): Reply {
  const issues = expressions.map((expression): Issue => ({ severity: 'error', code: 'structure', details: { text: 'Missing required property' }, expression: [expression] }));
  return fhirJson(400, operationOutcome(undefined, issues));
}

/** 410 Gone, as a read of a deleted resource answers. */
export function gone(): Reply {
  return fhirJson(410, operationOutcome('gone', [{ severity: 'error', code: 'deleted', details: { text: 'Deleted' } }]));
}

/** A 400 from express-validator: a random id, one issue per field, expression before details. */
export function invalidFields(errors: readonly { readonly field: string; readonly text: string }[]): Reply {
  const issues = errors.map(({ field, text }) => ({ severity: 'error' as const, code: 'invalid', expression: [field], details: { text } }));
  return fhirJson(400, operationOutcome(randomUUID(), issues));
}

export function allOk(headers?: Reply['headers']): Reply {
  const issue: Issue = { severity: 'information', code: 'informational', details: { text: 'All OK' } };
  return fhirJson(200, operationOutcome('ok', [issue]), headers);
}

/** A bug or an unmodelled case in the double itself: a 500 that says so. */
export function internalError(err: unknown): Reply {
  const text = `Medplum test double failed: ${err instanceof Error ? err.message : String(err)}`;
  return fhirJson(500, operationOutcome(undefined, [{ severity: 'error', code: 'exception', details: { text } }]));
}

/** Token-endpoint errors are always 400 `{error, error_description}` as application/json, never 401. */
export function tokenError(error: 'invalid_request' | 'invalid_grant', description: string): Reply {
  return json(400, { error, error_description: description });
}

/** `Basic base64(id:secret)` decoded like the server: ASCII, `split(':')` (a secret holding ':' is cut there). */
export function basicCredentials(header: string): { readonly id?: string; readonly secret?: string } {
  const [id, secret] = Buffer.from(header.split(' ')[1] ?? '', 'base64').toString('ascii').split(':');
  return { id, secret };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
