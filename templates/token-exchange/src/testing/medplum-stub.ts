/**
 * Medplum's side of the token exchange, as a `fetch`. `oauth2/token` exchanges the IdP tokens in
 * `users` (IdP token -> profile reference) and refuses others with the server's error texts; FHIR
 * searches answer a Bundle whose `id` is the caller's profile. Records every request.
 */
export function medplumStub(users: Record<string, string>, { clientId = 'the-client-id', lifetime = 3600 } = {}) {
  const requests: { url: string; form: URLSearchParams }[] = [];
  const tokens = new Map<string, string>(); // Medplum access token -> profile reference
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    requests.push({ url, form: new URLSearchParams(String(init.body ?? '')) });
    if (url.endsWith('oauth2/token')) {
      const form = new URLSearchParams(String(init.body));
      const profile = users[form.get('subject_token') ?? ''];
      if (form.get('client_id') !== clientId || !profile) {
        const reason = profile ? 'Invalid client' : 'Failed to verify code - check your identity provider configuration';
        return Response.json({ error: 'invalid_request', error_description: reason }, { status: 400 });
      }
      const claims = { client_id: clientId, exp: Math.floor(Date.now() / 1000) + lifetime, n: requests.length };
      const accessToken = ['{}', JSON.stringify(claims), 's'].map((p) => Buffer.from(p).toString('base64url')).join('.');
      tokens.set(accessToken, profile);
      return Response.json({ token_type: 'Bearer', access_token: accessToken, profile: { reference: profile } });
    }
    const caller = tokens.get(new Headers(init.headers).get('authorization')?.replace('Bearer ', '') ?? '');
    if (!caller) {
      return Response.json({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] }, { status: 401 });
    }
    const [resourceType, id] = caller.split('/');
    const body = url.includes('auth/me') ? { profile: { resourceType, id } } : { resourceType: 'Bundle', id: caller };
    return Response.json(body);
  };
  const exchanges = () => requests.filter((r) => r.url.endsWith('oauth2/token')).map((r) => r.form.get('subject_token'));
  return { requests, exchanges, fetch, revoke: () => tokens.clear() };
}
