import type { FetchLike } from '@medplum/core';
import { ConfigError } from './env.ts';

/** Each request to Medplum gives up after this long instead of hanging the process. */
export const REQUEST_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;

/**
 * The `fetch` for MedplumClient. Node's fetch follows a redirect to any host, and a 307 repeats
 * the POST body, client secret included. Here redirects are followed only within the origin of
 * MEDPLUM_BASE_URL; one that leaves it is an error, and nothing is sent to the other host.
 */
export function medplumFetch(baseUrl: string, next: FetchLike = fetch, timeoutMs = REQUEST_TIMEOUT_MS): FetchLike {
  const origin = new URL(baseUrl);
  return async (url: string, options: RequestInit = {}) => {
    let target = new URL(url);
    let init = options;
    for (let redirects = 0; ; redirects++) {
      const response: Response = await fetchOnce(next, target.href, init, timeoutMs);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status > 399 || location === null) {
        return response;
      }
      await response.body?.cancel();
      const from = target;
      target = new URL(location, from);
      if (target.origin !== origin.origin) {
        throw new ConfigError(
          `Medplum at ${from.host} redirected to ${target.host}, another origin: refused, so that no credentials leave ${origin.host}. Check MEDPLUM_BASE_URL.`
        );
      }
      if (redirects === MAX_REDIRECTS) {
        throw new ConfigError(`Medplum at ${origin.host} redirected more than ${MAX_REDIRECTS} times. Check MEDPLUM_BASE_URL.`);
      }
      // As browsers do: 303 (and 301/302 after a POST) becomes a GET without a body; 307/308 repeat the request.
      if (response.status === 303 || (response.status < 303 && init.method === 'POST')) {
        init = { ...init, method: 'GET', body: undefined };
      }
    }
  };
}

/** One request, without following redirects. A timeout fails like any network error: TypeError with a `code`. */
async function fetchOnce(next: FetchLike, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await next(url, { ...init, signal, redirect: 'manual' });
  } catch (err) {
    if (timeout.aborted) {
      const cause = Object.assign(new Error(`no answer in ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' });
      throw new TypeError('fetch failed', { cause });
    }
    throw err;
  }
}

/** The system error of a request that never got an answer: Node's fetch rejects with `TypeError: fetch failed` and puts it in `cause`. */
export function networkErrorCode(err: unknown): string | undefined {
  if (err instanceof TypeError && err.cause instanceof Error) {
    return (err.cause as NodeJS.ErrnoException).code ?? err.cause.message;
  }
  return undefined;
}
