/**
 * Failure injection: a test arms a failure for a request it names (method and path), and the next
 * matching request gets that answer instead of being handled, so nothing it would have done
 * happens. The log marks it `injected: true`.
 */
import { randomUUID } from 'node:crypto';
import { fhirJson, forbidden, notFound, unauthorized, type Reply } from './http.js';

export interface FailureSpec {
  /** Default: any method. */
  readonly method?: string;
  /**
   * A string is the exact path (`/admin/projects/…/client`), or path and query when it holds a `?`;
   * a RegExp is tested against path and query (`/^\/admin\/projects\/[^/]+\/members\//`).
   */
  readonly path: string | RegExp;
  readonly status: number;
  /** Default: the server's OperationOutcome for 401, 403 and 404, else an `exception` one naming the injection. Objects are sent as JSON. */
  readonly body?: unknown;
  /** Default `application/fhir+json` for a body with a resourceType, else `application/json`. */
  readonly contentType?: string;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
}

export interface ArmedFailure {
  readonly spec: FailureSpec;
  remaining: number;
}

function matches(spec: FailureSpec, method: string, url: URL): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) {
    return false;
  }
  const full = `${url.pathname}${url.search}`;
  if (typeof spec.path === 'string') {
    return spec.path.includes('?') ? spec.path === decodeURIComponent(full) || spec.path === full : spec.path === url.pathname;
  }
  spec.path.lastIndex = 0;
  return spec.path.test(full) || spec.path.test(decodeURIComponent(full));
}

function reply(spec: FailureSpec, baseUrl: string): Reply {
  if (spec.body !== undefined) {
    const isFhir = typeof spec.body === 'object' && spec.body !== null && 'resourceType' in spec.body;
    const contentType = spec.contentType ?? (isFhir ? 'application/fhir+json; charset=utf-8' : 'application/json; charset=utf-8');
    const body = typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
    return { status: spec.status, contentType, body };
  }
  switch (spec.status) {
    case 401:
      return unauthorized('Bearer', baseUrl);
    case 403:
      return forbidden();
    case 404:
      return notFound();
  }
  const outcome = {
    resourceType: 'OperationOutcome',
    id: randomUUID(),
    issue: [{ severity: 'error', code: 'exception', details: { text: `Injected failure (Medplum test double): HTTP ${spec.status}` } }],
  };
  return fhirJson(spec.status, outcome);
}

/** The injected answer for this request, if an armed failure matches (using it up). */
export function takeFailure(failures: ArmedFailure[], method: string, url: URL, baseUrl: string): Reply | undefined {
  const index = failures.findIndex((f) => matches(f.spec, method, url));
  const failure = failures[index];
  if (!failure) {
    return undefined;
  }
  failure.remaining -= 1;
  if (failure.remaining <= 0) {
    failures.splice(index, 1);
  }
  return reply(failure.spec, baseUrl);
}
