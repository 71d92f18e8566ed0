import assert from 'node:assert/strict';
import { test } from 'node:test';
import { medplumFetch, networkErrorCode } from './fetch.ts';

/** A stand-in for fetch that answers from a list and records each request. */
function serve(...answers: Response[]) {
  const calls: { url: string; method?: string; body?: unknown; redirect?: string }[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({ url, method: init.method, body: init.body, redirect: init.redirect });
    return answers.shift() ?? new Response('ok');
  };
  return { calls, fetch };
}
const redirect = (status: number, location: string) => new Response(null, { status, headers: { location } });
const tokenPost = { method: 'POST', body: 'client_secret=s3cret' };

test('follows a redirect within the origin; a 307 repeats the POST, a 303 becomes a GET', async () => {
  const { calls, fetch } = serve(redirect(307, '/v2/oauth2/token'), redirect(303, 'https://medplum.test/done'));

  const res = await medplumFetch('https://medplum.test/', fetch)('https://medplum.test/oauth2/token', tokenPost);

  assert.equal(await res.text(), 'ok');
  assert.deepEqual(calls, [
    { url: 'https://medplum.test/oauth2/token', ...tokenPost, redirect: 'manual' },
    { url: 'https://medplum.test/v2/oauth2/token', ...tokenPost, redirect: 'manual' },
    { url: 'https://medplum.test/done', method: 'GET', body: undefined, redirect: 'manual' },
  ]);
});

test('a redirect to another origin is one line naming both hosts, and nothing is sent there', async () => {
  const { calls, fetch } = serve(redirect(307, 'http://127.0.0.2:8103/oauth2/token'));

  await assert.rejects(medplumFetch('http://127.0.0.1:8103/', fetch)('http://127.0.0.1:8103/oauth2/token', tokenPost), {
    name: 'ConfigError',
    message:
      'Medplum at 127.0.0.1:8103 redirected to 127.0.0.2:8103, another origin: refused, so that no credentials leave 127.0.0.1:8103. Check MEDPLUM_BASE_URL.',
  });
  assert.equal(calls.length, 1);
});

test('a request that gets no answer times out like a network error', async () => {
  // AbortSignal.timeout does not keep Node running: the interval stands for the open connection.
  const hang = (_url: string, init: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      const open = setInterval(() => undefined, 1000);
      init.signal?.addEventListener('abort', () => {
        clearInterval(open);
        reject(init.signal?.reason);
      });
    });

  await assert.rejects(
    medplumFetch('https://medplum.test/', hang, 10)('https://medplum.test/fhir/R4/Patient'),
    (err: TypeError) => err.message === 'fetch failed' && (err.cause as { code: string }).code === 'ETIMEDOUT'
  );
});

test('networkErrorCode: the system error of a request that got no answer, and nothing for any other error', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
  assert.equal(networkErrorCode(refused), 'ECONNREFUSED');
  assert.equal(networkErrorCode(new TypeError('fetch failed', { cause: new Error('other side closed') })), 'other side closed');
  assert.equal(networkErrorCode(new TypeError('not a function')), undefined);
  assert.equal(networkErrorCode(new Error('fetch failed', { cause: refused.cause })), undefined);
});
