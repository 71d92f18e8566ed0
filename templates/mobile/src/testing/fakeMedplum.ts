import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ClientStorage, MedplumClient, MemoryStorage } from '@medplum/core';

// MedplumClient uses window.btoa and window.location, which a browser has and the polyfills give a phone.
Object.assign(globalThis, { window: globalThis, location: new URL('http://localhost:8081/') });

export const ADA = { resourceType: 'Practitioner', id: 'ada', name: [{ given: ['Ada'], family: 'Lovelace' }] };

/** Answers one endpoint, given the request's JSON body. */
export type Route = (body: Readonly<Record<string, unknown>>) => Response;

export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
/** Medplum's refusal: an OperationOutcome whose text reaches the app's error line. */
export const refusal = (text: string) => json({ issue: [{ details: { text } }] }, 400);

/**
 * A MedplumClient whose fetch plays Medplum: `routes` answer the auth/ endpoints a test needs; oauth2/token
 * redeems a code only with the verifier of the PKCE challenge the app sent (or `expectChallenge` names),
 * and auth/me is Ada. `paths` lists what was called, with `redeemed <code>` after each token request.
 */
export function fakeMedplum(routes: Readonly<Record<string, Route>>) {
  const paths: string[] = [];
  let challenge = '';
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const path = new URL(url).pathname;
    paths.push(path);
    if (path === '/oauth2/token') {
      const form = new URLSearchParams(init.body as string);
      paths.push(`redeemed ${form.get('code')}`);
      const verifier = form.get('code_verifier') ?? '';
      assert.equal(createHash('sha256').update(verifier).digest('base64url'), challenge, 'the verifier matches the S256 challenge');
      const payload = Buffer.from(JSON.stringify({ client_id: 'app', login_id: 'login-1', exp: Date.now() / 1000 + 3600 })).toString('base64url');
      return json({ access_token: `e30.${payload}.sig`, refresh_token: 'r', profile: { reference: 'Practitioner/ada' }, project: { reference: 'Project/p' } });
    }
    if (path === '/auth/me') {
      return json({ profile: ADA, project: { resourceType: 'Project', id: 'p' }, membership: { resourceType: 'ProjectMembership' } });
    }
    const body = init.body ? JSON.parse(init.body as string) : {};
    if (typeof body.codeChallenge === 'string') {
      assert.equal(body.codeChallengeMethod, 'S256');
      challenge = body.codeChallenge;
    }
    return routes[path]?.(body) ?? json({}, 404);
  };
  const medplum = new MedplumClient({ baseUrl: 'https://medplum.test/', clientId: 'app', storage: new ClientStorage(new MemoryStorage()), fetch });
  return {
    medplum,
    paths,
    /** A challenge that reached Medplum another way, e.g. in an IdP's `state`. */
    expectChallenge: (value: string) => void (challenge = value),
  };
}
