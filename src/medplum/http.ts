/**
 * The one HTTP policy for every request the CLI makes to Medplum or an identity provider. It is
 * the `fetch` of every MedplumClient the CLI creates, and of OpenID discovery:
 * - one deadline (`--timeout`) covers the whole exchange: connecting, the headers and the body;
 * - redirects are followed only within the origin. fetch itself would follow a 307 to any host and
 *   send the body again (a client secret, an admin secret); here a redirect elsewhere is refused
 *   before anything is sent there;
 * - an answer that is not JSON becomes one line, instead of a stack from the SDK's parser;
 * - `--debug` logs each exchange: method, path, status, time; never a header, query or body.
 */
import { debugLines } from '../cli/ui.js';
import { Interrupted } from '../errors.js';

export const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_REDIRECTS = 5;
/** The statuses fetch follows (the Fetch standard's redirect statuses); any other answer is returned, Location or not. */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses whose Response may not carry a body. */
const NULL_BODY = new Set([204, 205, 304]);

export type HttpFailure = 'timeout' | 'redirect' | 'not-json';

export class HttpPolicyError extends Error {
  // MedplumClient retries a failed fetch (twice) unless the error is named AbortError; none of
  // these gets better by retrying, and a retried timeout would wait three times as long.
  override readonly name = 'AbortError';
  readonly kind: HttpFailure;
  constructor(message: string, kind: HttpFailure) {
    super(message);
    this.kind = kind;
  }
}

export interface HttpOptions {
  readonly timeoutSeconds: number;
  /** --debug: where to log each exchange. */
  readonly debug?: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM, with an Interrupted as its reason. */
  readonly interrupt?: AbortSignal;
}

export function policyFetch({ timeoutSeconds, debug, interrupt }: HttpOptions): typeof fetch {
  return async (input, init = {}) => {
    if (input instanceof Request) {
      throw new TypeError('policyFetch takes a URL and init, not a Request');
    }
    let url = new URL(input);
    let { method = 'GET', body } = init;
    const deadline = AbortSignal.timeout(timeoutSeconds * 1000);
    const signal = AbortSignal.any([deadline, ...[init.signal, interrupt].filter((s) => s instanceof AbortSignal)]);
    for (let hops = 0; ; hops++) {
      const started = Date.now();
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { ...init, method, body, signal, redirect: 'manual' });
        text = await response.text();
      } catch (err) {
        debug?.(`${method} ${url.pathname} -> failed (${deadline.aborted ? 'timeout' : (err as Error).message})`);
        if (interrupt?.aborted) {
          throw interrupt.reason instanceof Interrupted ? interrupt.reason : err;
        }
        if (deadline.aborted) {
          throw new HttpPolicyError(
            `${url.host} did not answer ${method} ${url.pathname} within ${timeoutSeconds} s. Check the server, or pass --timeout <seconds>.`,
            'timeout',
          );
        }
        throw err;
      }
      debug?.(`${method} ${url.pathname} -> ${response.status} (${Date.now() - started} ms)`);

      const location = response.headers.get('location');
      if (REDIRECT_STATUSES.has(response.status) && location) {
        const next = new URL(location, url);
        if (next.origin !== url.origin) {
          throw new HttpPolicyError(
            `Refused a redirect from ${url.host} to ${next.host}: credentials are never sent to another host. Check the base URL.`,
            'redirect',
          );
        }
        if (hops === MAX_REDIRECTS) {
          throw new HttpPolicyError(`${url.host} redirected more than ${MAX_REDIRECTS} times (${method} ${url.pathname}).`, 'redirect');
        }
        // As fetch does: 303, and 301/302 after a POST, become a GET without a body; 307 and 308 keep both.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      if (text.trim() !== '' && !isJson(text)) {
        const type = response.headers.get('content-type')?.split(';')[0] || 'no content type';
        throw new HttpPolicyError(`${url.host} answered ${method} ${url.pathname} with HTTP ${response.status} (${type}), not JSON`, 'not-json');
      }
      return new Response(NULL_BODY.has(response.status) ? null : text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
  };
}

/** The policy for a run's flags: --timeout, and --debug lines on stderr. */
export function httpFor(
  flags: { readonly timeout: number; readonly debug: boolean },
  io: { readonly stderr: { write(text: string): unknown }; readonly interrupt?: AbortSignal },
): typeof fetch {
  return policyFetch({
    timeoutSeconds: flags.timeout,
    debug: debugLines(flags.debug, io.stderr),
    interrupt: io.interrupt,
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
