import { ClientStorage, MedplumClient, MemoryStorage } from '@medplum/core';

// A real MedplumClient, the one the app uses, with a fetch that answers from a table and records every
// request, so a test checks what the app sent and what it did with the answer. The full Medplum protocol
// is proven in create-medplum-auth's own tests, against a wire-faithful test double of the server.

export const BASE_URL = 'https://medplum.example.com/';
export const CLIENT_ID = '0b4a8c3e-6d1f-4e2a-9c7b-5f3e2d1c0b9a';
export const APP_URL = 'http://localhost:5173/';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const accessToken = `${b64({ alg: 'none' })}.${b64({ client_id: CLIENT_ID, login_id: 'l1', exp: Date.now() / 1000 + 3600 })}.x`;

/** Answers by "METHOD path": a body (200) or [status, body]; a redeemed code signs in Ada Lovelace. */
export function testClient(answers: Record<string, unknown> = {}) {
  const table: Record<string, unknown> = {
    'POST oauth2/token': { access_token: accessToken, expires_in: 3600, project: { reference: 'Project/pr1' }, profile: { reference: 'Practitioner/p1' } },
    'GET auth/me': { profile: { resourceType: 'Practitioner', id: 'p1', name: [{ given: ['Ada'], family: 'Lovelace' }] }, project: { id: 'pr1', name: 'Demo' } },
    ...answers,
  };
  const requests: { path: string; body: Record<string, string> }[] = [];
  async function fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const path = `${init.method ?? 'GET'} ${url.replace(BASE_URL, '')}`;
    const text = String(init.body ?? '');
    requests.push({ path, body: text.startsWith('{') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text)) });
    const answer = table[path];
    const [status, body] = Array.isArray(answer) ? answer : [answer ? 200 : 404, answer ?? { resourceType: 'OperationOutcome' }];
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }
  const medplum = new MedplumClient({ baseUrl: BASE_URL, clientId: CLIENT_ID, fetch, storage: new ClientStorage(new MemoryStorage()) });
  return { medplum, requests, body: (path: string) => requests.find((r) => r.path === path)?.body ?? {} };
}

/**
 * Just enough of a browser at APP_URL for the SDK: `window` (whose btoa gives PKCE its S256) and `location`,
 * whose assign() is recorded in `navigations`, not followed.
 */
export function inBrowser(): { navigations: string[]; leave: () => void } {
  const navigations: string[] = [];
  const { protocol, host, pathname, search, origin } = new URL(APP_URL);
  const location = { href: APP_URL, protocol, host, pathname, search, origin, assign: (url: string) => navigations.push(url) };
  Object.assign(globalThis, { window: globalThis, location });
  return { navigations, leave: () => ['window', 'location'].forEach((name) => Reflect.deleteProperty(globalThis, name)) };
}
