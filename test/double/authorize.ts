/**
 * /oauth2/authorize as the recorded server answers it (wire/10): a valid request is redirected, with
 * its query unchanged, to the Medplum app's `/oauth` page (`{appBaseUrl}oauth?…`). Unless a test
 * names another app, `appBaseUrl` is the double's own stand-in app (`{baseUrl}app/`), whose /oauth page
 * is a small sign-in form: its POST signs in with the request's challenge, as the app does through
 * auth/login, and redirects to `redirect_uri?code=…&state=…`. POST /oauth2/authorize, the server's
 * own form handler, answers the same way.
 *
 * Recorded checks, in order: unknown client, missing or unregistered redirect_uri (400 text/html),
 * then error redirects for response_type and a challenge without a method. Stricter than the
 * server, on purpose: a challenge is required and its method must be S256, and `prompt=none`
 * always answers login_required (the double keeps no browser session).
 */
import { escapeHtml, formBody, html, HttpError, isFormRequest, redirect, type DoubleRequest, type Reply } from './http.js';
import { tryLogin } from './login.js';
import { mfaChallenge } from './mfa.js';
import { clientRedirectUris, type Client, type DoubleState } from './model.js';

interface AuthorizeRequest {
  readonly client: Client;
  readonly redirectUri: string;
  readonly query: URLSearchParams;
}

function backTo(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) {
    if (value !== null) {
      url.searchParams.append(key, value);
    }
  }
  return url.toString();
}

function validate(state: DoubleState, query: URLSearchParams): AuthorizeRequest {
  const client = state.clients.get(query.get('client_id') ?? '');
  if (!client) {
    throw new HttpError(html(400, 'Client not found'));
  }
  const redirectUri = query.get('redirect_uri');
  if (!redirectUri) {
    throw new HttpError(html(400, 'Missing redirect URI'));
  }
  if (!clientRedirectUris(client).includes(redirectUri)) {
    throw new HttpError(html(400, 'Invalid redirect URI'));
  }
  const fail = (error: string, description: string): HttpError =>
    new HttpError(redirect(backTo(redirectUri, { error, error_description: description, state: query.get('state') })));
  const challenge = query.get('code_challenge');
  const method = query.get('code_challenge_method');
  if (query.get('response_type') !== 'code') {
    throw fail('unsupported_response_type', 'Invalid response type');
  }
  if (challenge && !method) {
    throw fail('invalid_request', 'Missing code challenge method');
  }
  if (query.get('prompt') === 'none') {
    throw fail('login_required', 'Login required');
  }
  if (!challenge) {
    throw fail('invalid_request', 'Missing code challenge');
  }
  if (method !== 'S256') {
    throw fail('invalid_request', 'Invalid code challenge method');
  }
  return { client, redirectUri, query };
}

function page(query: URLSearchParams, client: Client, error?: string): string {
  const action = escapeHtml(`/app/oauth?${query.toString()}`);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - Medplum app (test double)</title></head>
<body>
<h1>Sign in to ${escapeHtml(client.name)}</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>\n` : ''}<form method="post" action="${action}">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}

/** GET /oauth2/authorize: checked, then on to the Medplum app's /oauth page with the same query (wire/10). */
export function getAuthorize(state: DoubleState, req: DoubleRequest): Reply {
  const { query } = validate(state, req.url.searchParams);
  return redirect(`${new URL('oauth', state.appBaseUrl).href}?${query.toString()}`);
}

/** GET {baseUrl}app/oauth: the stand-in Medplum app's sign-in page for an authorize request. */
export function getAppOauth(state: DoubleState, req: DoubleRequest): Reply {
  const { client, query } = validate(state, req.url.searchParams);
  return html(200, page(query, client));
}

/** The POST of the sign-in page, at /oauth2/authorize or {baseUrl}app/oauth. */
export function postAuthorize(state: DoubleState, req: DoubleRequest): Reply {
  const { client, redirectUri, query } = validate(state, req.url.searchParams);
  const form = isFormRequest(req) ? formBody(req) : {};
  let login;
  try {
    login = tryLogin(state, {
      email: form.email,
      password: form.password,
      clientId: client.id,
      scope: query.get('scope') || undefined,
      nonce: query.get('nonce') || undefined,
      codeChallenge: query.get('code_challenge') ?? undefined,
      codeChallengeMethod: 'S256',
      remoteAddress: req.remoteAddress,
    });
  } catch (err) {
    if (err instanceof HttpError) {
      return html(400, page(query, client, outcomeText(err)));
    }
    throw err;
  }
  if (mfaChallenge(login)) {
    // Medplum's own sign-in page asks for the code; this minimal page does not.
    return html(400, page(query, client, 'MFA is not modelled on the Medplum test double authorize page'));
  }
  return redirect(backTo(redirectUri, { code: login.code, state: query.get('state') }));
}

/** The texts of an OperationOutcome reply, for the form. */
function outcomeText(err: HttpError): string {
  try {
    const outcome = JSON.parse(err.reply.body ?? '{}') as { issue?: { details?: { text?: string } }[] };
    return outcome.issue?.map((issue) => issue.details?.text).join(' ') || 'Sign-in failed';
  } catch {
    return 'Sign-in failed';
  }
}
