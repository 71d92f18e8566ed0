/**
 * The Medplum test double, proven two ways:
 * 1. every recorded exchange it implements (shared/medplum/wire/*.json) is replayed against it and
 *    must answer as the real server did: status, content type, recorded headers, body, JWT claims;
 * 2. the real @medplum/core MedplumClient (default fetch) signs in and works against it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ClientStorage, MedplumClient, MemoryStorage } from '@medplum/core';
import { afterAll, afterEach, beforeAll, describe, expect, onTestFinished, test, vi } from 'vitest';
import { startJwksServer } from './jwks-server.js';
import {
  generateSigningKey,
  signGoogleCredential,
  signJwt,
  startMedplumDouble,
  totp,
  type GoogleCredentialInput,
  type MedplumDouble,
  type MedplumDoubleOptions,
  type TestSigningKey,
} from './medplum-double.js';
import { loadWire, Replayer, type WireExchange } from './wire-replay.js';
import { wireWorld, type WireWorld } from './wire-world.js';

// ---- 1. Recorded exchanges ----

const SETUP = 'setup through the admin API; the double is configured instead';

interface ReplayContext {
  readonly world: WireWorld;
  readonly medplum: MedplumDouble;
  readonly replayer: Replayer;
}

interface FilePlan {
  /** Default `wireWorld()`. */
  readonly world?: () => WireWorld;
  /** Only these exchanges are replayed; the others are skipped with `others`. */
  readonly only?: readonly number[];
  readonly others?: string;
  readonly skip?: Readonly<Record<number, string>>;
  /** Once, after the double started (e.g. configuring what a skipped setup exchange created); may return a teardown. */
  readonly setup?: (context: ReplayContext) => Promise<(() => Promise<void>) | void>;
  readonly before?: Readonly<Record<number, (world: WireWorld, medplum: MedplumDouble) => void>>;
  /** Before every replayed exchange (e.g. signing the request JWTs a recording only describes). */
  readonly beforeEach?: (context: ReplayContext, exchange: WireExchange) => void;
  readonly ignore?: Readonly<Record<number, readonly string[]>>;
}

/** When the client assertions of wire/12 were made (their recorded iat); times are replayed relative to it. */
const RECORDED_NOW = 1795948972;

/**
 * wire/12 shows each client assertion only as decoded header and claims: sign them now, with the
 * key the replay's JWKS host serves (or, for "a different key (same kid)", another one), the
 * recorded aud moved to the double and the recorded times moved to now.
 */
function signRecordedAssertion(replayer: Replayer, exchange: WireExchange, keys: { readonly served: TestSigningKey; readonly other: TestSigningKey }): void {
  const placeholder = /^<(client_assertion_jwt_\d+)>$/.exec(String((exchange.request.body as Record<string, unknown> | undefined)?.client_assertion))?.[1];
  const recorded = exchange.jwt?.['request.client_assertion'];
  if (!placeholder || !recorded || replayer.bindings.has(placeholder)) {
    return;
  }
  const now = Math.floor(Date.now() / 1000);
  const claims = Object.fromEntries(
    Object.entries(recorded.claims).map(([name, value]) => {
      if (name === 'jti') {
        return [name, randomUUID()];
      }
      if (typeof value === 'number') {
        return [name, value - RECORDED_NOW + now];
      }
      return [name, typeof value === 'string' ? replayer.substitute(value).replace('http://localhost:8103/', replayer.baseUrl) : value];
    }),
  );
  const header = recorded.header as { kid: string };
  const key = exchange.label.includes('different key') ? keys.other : keys.served;
  replayer.bindings.set(placeholder, signJwt({ ...key, kid: header.kid }, claims));
}

const WIRE_PLAN: Readonly<Record<string, FilePlan>> = {
  '01-password-login-pkce-s256.json': {},
  '02-password-login-pkce-plain.json': {},
  '03-refresh-token.json': { skip: { 14: SETUP } },
  '04-client-credentials.json': {
    skip: { 22: SETUP },
    before: { 24: (world) => world.advance(6500) },
  },
  '05-basic-auth-fhir.json': {},
  '06-restricted-client-access-policy.json': {},
  '07-admin-provisioning.json': {
    // The admin API is replayed: the provisioned clients and policies are made by the exchanges themselves.
    world: () => wireWorld({ provisioning: 'replayed' }),
    setup: async ({ world, medplum, replayer }) => {
      const starter = world.bindings.get('starterProjectId') ?? '';
      const admin = await passwordToken(medplum.baseUrl, 'starter-admin@example.com', world.bindings.get('starterAdminPassword') ?? '', starter);
      const member = await passwordToken(medplum.baseUrl, 'wire-multi@example.com', world.bindings.get('multiMemberPassword') ?? '', starter);
      replayer.bindings.set('starter_admin_access_token (obtained in setup)', admin);
      replayer.bindings.set('non_admin_member_access_token (multi-member user logged into the Starter project, admin=false)', member);
    },
  },
  '08-discovery.json': { ignore: { 4: ['keys.0.x', 'keys.0.y'], 5: ['version', 'runtime'] } },
  '09-token-exchange.json': {
    skip: { 4: SETUP },
    // The recorded "external IdP" is the server itself: its own /oauth2/userinfo.
    setup: async ({ world, medplum }) => {
      medplum.addClient({
        id: world.bindings.get('exchangeClientId'),
        name: 'Wire token exchange client',
        identityProvider: {
          authorizeUrl: `${medplum.baseUrl}oauth2/authorize`,
          tokenUrl: `${medplum.baseUrl}oauth2/token`,
          userInfoUrl: `${medplum.baseUrl}oauth2/userinfo`,
          clientId: 'loopback-idp-client',
          clientSecret: 'unused',
        },
      });
    },
  },
  '10-authorize-redirect-and-logout.json': {
    skip: {
      0: SETUP,
      12: 'no browser session: prompt=none always answers login_required',
      14: '/auth/clientinfo is not modelled',
    },
  },
  '11-auth-method.json': {
    skip: { 3: SETUP, 5: 'FHIR DELETE of a DomainConfiguration is not modelled (the double is configured)' },
    setup: async ({ medplum }) => {
      medplum.addDomain({
        domain: 'wire-sso.example',
        identityProvider: {
          authorizeUrl: 'https://idp.wire-sso.example/oauth2/authorize',
          tokenUrl: 'https://idp.wire-sso.example/oauth2/token',
          userInfoUrl: 'https://idp.wire-sso.example/oauth2/userinfo',
          clientId: 'wire-sso-client',
          clientSecret: 'placeholder-not-a-real-secret',
        },
      });
    },
  },
  '12-private-key-jwt.json': (() => {
    const keys = { served: generateSigningKey('ES256', 'wire-key-1'), other: generateSigningKey('ES256', 'wire-key-1') };
    return {
      skip: { 0: SETUP },
      setup: async ({ world, medplum }) => {
        const jwks = await startJwksServer({ keys: [keys.served.jwk] });
        medplum.addClient({ id: world.bindings.get('jwtClientId'), name: 'Wire private_key_jwt client', jwksUri: jwks.url });
        return () => jwks.close();
      },
      beforeEach: ({ replayer }, exchange) => signRecordedAssertion(replayer, exchange, keys),
    };
  })(),
};

/** A password login into one project (PKCE plain, as the SDK does in Node): the access token. */
async function passwordToken(baseUrl: string, email: string, password: string, projectId: string): Promise<string> {
  const verifier = randomBytes(32).toString('hex');
  const login = await fetch(`${baseUrl}auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, projectId, codeChallenge: verifier, codeChallengeMethod: 'plain' }),
  });
  const { code } = (await login.json()) as { code?: string };
  const token = await fetch(`${baseUrl}oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '', code_verifier: verifier }),
  });
  const { access_token: accessToken } = (await token.json()) as { access_token?: string };
  if (!accessToken) {
    throw new Error(`no token for ${email}`);
  }
  return accessToken;
}

function skipReason(plan: FilePlan, index: number): string | undefined {
  if (plan.only && !plan.only.includes(index)) {
    return plan.others;
  }
  return plan.skip?.[index];
}

/** Parts of /auth/me the double does not reproduce: the session list, and a project admin's extra policy entries. */
function ignoredPaths(plan: FilePlan, index: number, exchange: WireExchange): readonly string[] {
  const ignore = [...(plan.ignore?.[index] ?? [])];
  if (exchange.request.path === '/auth/me' && exchange.response.status === 200) {
    ignore.push('security.sessions');
    const body = exchange.response.body as { membership?: { admin?: boolean } };
    if (body.membership?.admin) {
      ignore.push('accessPolicy.resource');
    }
  }
  return ignore;
}

for (const [file, plan] of Object.entries(WIRE_PLAN)) {
  describe(`wire/${file}`, () => {
    const world = plan.world?.() ?? wireWorld();
    let medplum: MedplumDouble;
    let replayer: Replayer;
    let teardown: (() => Promise<void>) | void;
    beforeAll(async () => {
      medplum = await startMedplumDouble(world.options);
      replayer = new Replayer(medplum.baseUrl, world.bindings);
      teardown = await plan.setup?.({ world, medplum, replayer });
    });
    afterAll(async () => {
      await teardown?.();
      await medplum.close();
    });

    loadWire(file).exchanges.forEach((exchange, index) => {
      const name = `#${index} ${exchange.label}`;
      const reason = skipReason(plan, index);
      if (reason) {
        test.skip(`${name} [${reason}]`, () => {});
        return;
      }
      test(name, async () => {
        plan.before?.[index]?.(world, medplum);
        plan.beforeEach?.({ world, medplum, replayer }, exchange);
        expect(await replayer.replay(exchange, { ignore: ignoredPaths(plan, index, exchange) })).toEqual([]);
      });
    });
  });
}

describe('the replay harness', () => {
  test('reports a difference from the recording', async () => {
    const world = wireWorld();
    const medplum = await startMedplumDouble(world.options);
    try {
      const [login] = loadWire('01-password-login-pkce-s256.json').exchanges;
      const altered = { ...login, response: { ...login?.response, status: 201 } } as WireExchange;
      expect(await new Replayer(medplum.baseUrl, world.bindings).replay(altered)).toEqual(['status: recorded 201, got 200']);
    } finally {
      await medplum.close();
    }
  });
});

// ---- 2. The real SDK against the double ----

const PASSWORD = 'correct horse battery staple';
const DOC = {
  email: 'doc@example.com',
  password: PASSWORD,
  profile: { resourceType: 'Practitioner', name: [{ given: ['Ada'], family: 'Lovelace' }] },
} as const;

const doubles: MedplumDouble[] = [];

async function start(options: MedplumDoubleOptions = {}): Promise<MedplumDouble> {
  const medplum = await startMedplumDouble({ users: [DOC], resources: [{ resourceType: 'Patient', name: [{ family: 'Seed' }] }], ...options });
  doubles.push(medplum);
  return medplum;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(doubles.splice(0).map((medplum) => medplum.close()));
});

const s256 = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

/** A client whose PKCE verifier the test chose, so it can send S256 as a browser would. */
function clientWithVerifier(options: ConstructorParameters<typeof MedplumClient>[0], verifier: string): MedplumClient {
  const storage = new ClientStorage(new MemoryStorage());
  storage.setString('codeVerifier', verifier);
  return new MedplumClient({ ...options, storage });
}

function summary(medplum: MedplumDouble): string[] {
  return medplum.log.map((e) => [e.method, e.path, e.status, e.grantType, e.authScheme].filter((x) => x !== undefined).join(' '));
}

function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
}

describe('MedplumClient, password login', () => {
  test('startLogin + processCode: in Node the SDK falls back to plain PKCE, which the double accepts', async () => {
    const medplum = await start();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    const profile = await sdk.processCode(response.code ?? '');

    expect(profile).toMatchObject({ resourceType: 'Practitioner', name: DOC.profile.name });
    expect(sdk.getProject()?.id).toBe(medplum.project.id);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("Falling back to 'plain'"), expect.anything());
    expect(summary(medplum)).toEqual(['POST /auth/login 200', 'POST /oauth2/token 200 authorization_code', 'GET /auth/me 200 Bearer']);
  });

  test('S256, as a browser sends it, with the MedplumClient clientId carried into the token', async () => {
    const verifier = randomBytes(32).toString('hex');
    const medplum = await start();
    const { id } = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    const sdk = clientWithVerifier({ baseUrl: medplum.baseUrl, clientId: id }, verifier);

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD, codeChallenge: s256(verifier), codeChallengeMethod: 'S256' });
    await sdk.processCode(response.code ?? '', { redirectUri: 'http://localhost:5173/' });

    expect(sdk.getProfile()?.resourceType).toBe('Practitioner');
    expect(medplum.log[1]).toMatchObject({ path: '/oauth2/token', grantType: 'authorization_code', clientId: id, status: 200 });
  });

  test('wrong password and unknown email are refused with the recorded texts', async () => {
    const medplum = await start();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await expect(sdk.startLogin({ email: DOC.email, password: 'not the password' })).rejects.toThrow('Email or password is invalid');
    await expect(sdk.startLogin({ email: 'nobody@example.com', password: PASSWORD })).rejects.toThrow('User not found');
  });

  test('a user in two projects picks one with POST auth/profile', async () => {
    const second = { id: randomUUID(), name: 'Second' };
    const medplum = await start({ projects: [{ name: 'First' }, second], users: [] });
    medplum.addUser({ ...DOC, projects: [medplum.project.id, second.id] });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    expect(response.code).toBeUndefined();
    expect(response.memberships?.map((m) => m.project?.display)).toEqual(['First', 'Second']);

    const chosen = await sdk.post<{ code: string }>('auth/profile', { login: response.login, profile: response.memberships?.[1]?.id });
    await sdk.processCode(chosen.code);
    expect(sdk.getProject()?.id).toBe(second.id);
  });

  test('two memberships in one project (a Practitioner and a Patient profile): a login through that project\'s client chooses too', async () => {
    const medplum = await start({ users: [] });
    const patient = { resourceType: 'Patient', name: [{ given: ['Ada'], family: 'Patient' }] } as const;
    medplum.addUser({ ...DOC, projects: [medplum.project.id, medplum.project.id], profiles: [DOC.profile, patient] });
    const { id } = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl, clientId: id });

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    expect(response.memberships?.map((m) => [m.project?.display, m.profile?.display])).toEqual([
      ['Test Project', 'Ada Lovelace'],
      ['Test Project', 'Ada Patient'],
    ]);
    const chosen = await sdk.post<{ code: string }>('auth/profile', { login: response.login, profile: response.memberships?.[1]?.id });
    expect(await sdk.processCode(chosen.code)).toMatchObject({ resourceType: 'Patient', name: patient.name });
  });

  test('refresh rotates the refresh token; the old one then gets "Invalid token"', async () => {
    const medplum = await start();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD, scope: 'openid offline_access' });
    await sdk.processCode(response.code ?? '');
    const first = sdk.getActiveLogin();

    await sdk.refreshIfExpired(2 * 3600_000); // a grace period longer than the token's life forces a refresh

    const second = sdk.getActiveLogin();
    expect(second?.refreshToken).toBeDefined();
    expect(second?.refreshToken).not.toBe(first?.refreshToken);
    expect(second?.accessToken).not.toBe(first?.accessToken);
    expect(medplum.log).toContainEqual(expect.objectContaining({ path: '/oauth2/token', grantType: 'refresh_token', status: 200 }));

    const reuse = await postForm(`${medplum.baseUrl}oauth2/token`, { grant_type: 'refresh_token', refresh_token: first?.refreshToken ?? '' });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ error: 'invalid_request', error_description: 'Invalid token' });
  });

  test('no refresh token without offline_access', async () => {
    const medplum = await start();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    await sdk.processCode(response.code ?? '');
    expect(sdk.getActiveLogin()?.refreshToken).toBeUndefined();
  });

  test('signOut revokes the token on the server', async () => {
    const medplum = await start();
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.processCode((await sdk.startLogin({ email: DOC.email, password: PASSWORD })).code ?? '');
    const token = sdk.getAccessToken();

    await sdk.signOut();

    const me = await fetch(`${medplum.baseUrl}auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(me.headers.get('www-authenticate')).toBe(`Bearer realm="${medplum.baseUrl}"`);
    expect(medplum.log).toContainEqual(expect.objectContaining({ method: 'POST', path: '/oauth2/logout', status: 200, authScheme: 'Bearer' }));
  });
});

describe('MFA (TOTP): auth/login, auth/mfa/verify, auth/mfa/login-enroll', () => {
  const SECRET = 'JBSWY3DPEHPK3PXP';
  const outcomeText = async (response: Response): Promise<string | undefined> =>
    ((await response.json()) as { issue: { details: { text: string } }[] }).issue[0]?.details.text;
  /** A six-digit code that is none of the three the double accepts now. */
  const wrongCode = (secret: string): string => String((Number(totp(secret)) + 500_000) % 1_000_000).padStart(6, '0');
  const post = (medplum: MedplumDouble, path: string, body: unknown): Promise<Response> =>
    fetch(`${medplum.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('the code is RFC 6238 TOTP: SHA-1, 30 s steps, 6 digits (the RFC test vector)', () => {
    const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
    expect(totp(rfcSecret, 59_000)).toBe('287082');
    expect(totp(rfcSecret, 1_111_111_109_000)).toBe('081804');
  });

  test('a wrong code is refused with the server text; the right one finishes the login', async () => {
    const medplum = await start({ users: [{ ...DOC, mfaSecret: SECRET }] });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    expect(response).toEqual({ login: expect.any(String), mfaRequired: true, mfaMethods: ['totp'], email: DOC.email });

    const refused = await post(medplum, 'auth/mfa/verify', { login: response.login, token: wrongCode(SECRET) });
    expect(refused.status).toBe(400);
    expect(await outcomeText(refused)).toBe('Invalid MFA token');

    const verified = await sdk.post<{ login: string; code: string }>('auth/mfa/verify', { login: response.login, token: totp(SECRET) });
    expect(verified).toEqual({ login: response.login, code: expect.any(String) });
    await sdk.processCode(verified.code);
    expect(sdk.getProfile()?.resourceType).toBe('Practitioner');

    const again = await post(medplum, 'auth/mfa/verify', { login: response.login, token: totp(SECRET) });
    expect(await outcomeText(again)).toBe('Login granted');
  });

  test('after the code, a user in two projects gets the chooser, and auth/profile finishes', async () => {
    const second = { id: randomUUID(), name: 'Second' };
    const medplum = await start({ projects: [{ name: 'First' }, second], users: [] });
    medplum.addUser({ ...DOC, projects: [medplum.project.id, second.id], mfaSecret: SECRET });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const { login } = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    const choice = await sdk.post<{ memberships: { id: string; project: { display: string } }[] }>('auth/mfa/verify', { login, token: totp(SECRET) });
    expect(choice.memberships.map((m) => m.project.display)).toEqual(['First', 'Second']);

    const chosen = await sdk.post<{ code: string }>('auth/profile', { login, profile: choice.memberships[1]?.id });
    await sdk.processCode(chosen.code);
    expect(sdk.getProject()?.id).toBe(second.id);
  });

  test('refusals: missing fields (express-validator), an unknown login, a user without MFA, a code a step too old', async () => {
    const clock = Date.now() - 3600_000; // the double's clock, not the test's
    const medplum = await start({ users: [DOC, { ...DOC, email: 'mfa@example.com', mfaSecret: SECRET }], now: () => clock });

    const missing = await post(medplum, 'auth/mfa/verify', {});
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { issue: { expression: string[]; details: { text: string } }[] }).issue).toEqual([
      expect.objectContaining({ expression: ['login'], details: { text: 'Missing login' } }),
      expect.objectContaining({ expression: ['token'], details: { text: 'Missing token' } }),
    ]);
    expect((await post(medplum, 'auth/mfa/verify', { login: randomUUID(), token: '123456' })).status).toBe(404);

    const plain = (await (await post(medplum, 'auth/login', { email: DOC.email, password: PASSWORD })).json()) as { login: string; code: string };
    expect(plain.code).toEqual(expect.any(String));
    expect(await outcomeText(await post(medplum, 'auth/mfa/verify', { login: plain.login, token: '123456' }))).toBe('User not enrolled in MFA');

    const { login } = (await (await post(medplum, 'auth/login', { email: 'mfa@example.com', password: PASSWORD })).json()) as { login: string };
    const stale = totp(SECRET, clock - 60_000);
    expect(await outcomeText(await post(medplum, 'auth/mfa/verify', { login, token: stale }))).toBe('Invalid MFA token');
    const previousStep = totp(SECRET, clock - 30_000);
    expect((await post(medplum, 'auth/mfa/verify', { login, token: previousStep })).status).toBe(200);
  });

  test('Google sign-in skips MFA, as on the server (only password logins are asked)', async () => {
    const googleClientId = '123-abc.apps.googleusercontent.com';
    const medplum = await start({ users: [{ ...DOC, mfaSecret: SECRET }], google: { clientIds: [googleClientId] } });
    const credential = medplum.google.signCredential({ googleClientId, email: DOC.email });
    const response = await post(medplum, 'auth/google', { googleClientId, googleCredential: credential });
    expect(await response.json()).toEqual({ login: expect.any(String), code: expect.any(String) });
  });

  test('mfaRequired without a secret: login answers mfaEnrollRequired; login-enroll with a first code enrols and finishes', async () => {
    const medplum = await start({ users: [{ ...DOC, mfaRequired: true }] });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const response = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    expect(response).toEqual({
      login: expect.any(String),
      mfaEnrollRequired: true,
      enrollUri: expect.stringMatching(/^otpauth:\/\/totp\/medplum\.com:doc%40example\.com\?secret=[A-Z2-7]{16}&/),
      enrollQrCode: expect.stringMatching(/^data:image\//),
      allowedMfaMethods: ['totp'],
    });
    const secret = medplum.user(DOC.email).mfaSecret ?? '';
    expect(response).toMatchObject({ enrollUri: expect.stringContaining(`secret=${secret}&`) });
    expect(medplum.user(DOC.email).mfaEnrolled).toBe(false);

    const refused = await post(medplum, 'auth/mfa/login-enroll', { login: response.login, method: 'totp', token: wrongCode(secret) });
    expect(await outcomeText(refused)).toBe('Invalid MFA token');
    const enrolled = await sdk.post<{ code: string }>('auth/mfa/login-enroll', { login: response.login, method: 'totp', token: totp(secret) });
    await sdk.processCode(enrolled.code);
    expect(medplum.user(DOC.email).mfaEnrolled).toBe(true);
    expect(await outcomeText(await post(medplum, 'auth/mfa/login-enroll', { login: response.login, token: totp(secret) }))).toBe('Already enrolled');

    const next = await sdk.startLogin({ email: DOC.email, password: PASSWORD });
    expect(next).toMatchObject({ mfaRequired: true });
  });

  test('the minimal authorize page refuses an MFA user instead of skipping the code', async () => {
    const medplum = await start({ users: [{ ...DOC, mfaSecret: SECRET }] });
    const { id } = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    const query = new URLSearchParams({ response_type: 'code', client_id: id, redirect_uri: 'http://localhost:5173/', scope: 'openid', code_challenge: s256('v'.repeat(43)), code_challenge_method: 'S256' });
    const response = await postForm(`${medplum.baseUrl}oauth2/authorize?${query.toString()}`, { email: DOC.email, password: PASSWORD }, {});
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('MFA is not modelled');
  });
});

describe('MedplumClient, client credentials', () => {
  test('startClientLogin, then FHIR with the bearer token; the log shows grant, scheme and client', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient({ name: 'Backend' });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const profile = await sdk.startClientLogin(id, secret);
    const patients = await sdk.searchResources('Patient');

    expect(profile).toMatchObject({ resourceType: 'ClientApplication', id, name: 'Backend' });
    expect(patients.map((p) => p.name?.[0]?.family)).toEqual(['Seed']);
    expect(medplum.log).toEqual([
      { method: 'POST', path: '/oauth2/token', grantType: 'client_credentials', clientId: id, status: 200 },
      { method: 'GET', path: '/auth/me', authScheme: 'Bearer', clientId: id, status: 200 },
      { method: 'GET', path: '/fhir/R4/Patient', authScheme: 'Bearer', clientId: id, status: 200 },
    ]);
  });

  test('a wrong secret fails with "Invalid secret" (400 from the token endpoint)', async () => {
    const medplum = await start();
    const { id } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await expect(sdk.startClientLogin(id, 'wrong-secret')).rejects.toThrow('Invalid secret');
    expect(summary(medplum)).toEqual(['POST /oauth2/token 400 client_credentials']);
  });

  test('new MedplumClient({ clientId, clientSecret }) alone signs in on the first 401', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl, clientId: id, clientSecret: secret });

    await sdk.searchResources('Patient');

    expect(summary(medplum)).toEqual([
      'GET /fhir/R4/Patient 401',
      'POST /oauth2/token 200 client_credentials',
      'GET /auth/me 200 Bearer',
      'GET /fhir/R4/Patient 200 Bearer',
    ]);
  });

  test('a token the server considers expired gets 401, and the SDK signs in again by itself', async () => {
    let offset = 0;
    const medplum = await start({ now: () => Date.now() + offset, accessTokenLifetimeSeconds: 2 });
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl, refreshGracePeriod: 0 });
    await sdk.startClientLogin(id, secret);
    medplum.clearLog();

    offset = 3000;
    await sdk.searchResources('Patient');

    expect(summary(medplum)).toEqual([
      'GET /fhir/R4/Patient 401 Bearer',
      'POST /oauth2/token 200 client_credentials',
      'GET /auth/me 200 Bearer',
      'GET /fhir/R4/Patient 200 Bearer',
    ]);
  });

  test('in real time: a 1 s token expires, and the SDK signs in again before its next call', async () => {
    const medplum = await start({ accessTokenLifetimeSeconds: 1 });
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl, refreshGracePeriod: 0 });
    await sdk.startClientLogin(id, secret);
    const token = sdk.getAccessToken() ?? '';
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number;
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));

    const stale = await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: { authorization: `Bearer ${token}` } });
    expect(stale.status).toBe(401);
    await sdk.searchResources('Patient');
    expect(summary(medplum).filter((line) => line.includes('client_credentials'))).toHaveLength(2);
  });

  test('SDK pitfall: a token shorter than refreshGracePeriod (default 5 min) makes startClientLogin loop on /oauth2/token', async () => {
    const medplum = await start({ accessTokenLifetimeSeconds: 2 });
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const login = sdk.startClientLogin(id, secret).then(
      () => 'settled',
      () => 'failed',
    );
    const outcome = await Promise.race([login, new Promise((resolve) => setTimeout(() => resolve('still running'), 300))]);

    // Each token is already "about to expire", so fetching /auth/me first fetches a new token, and so on.
    expect(outcome).toBe('still running');
    expect(medplum.log.length).toBeGreaterThan(5);
    expect(medplum.log.every((e) => e.path === '/oauth2/token' && e.grantType === 'client_credentials')).toBe(true);
    await medplum.close(); // ends the loop: the next fetch fails
    expect(await login).toBe('failed');
  });

  test('an AccessPolicy refuses calls outside it with the recorded 403 (a search is refused, not emptied)', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient({ accessPolicy: { resource: [{ resourceType: 'Observation', interaction: ['create', 'search'] }] } });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.startClientLogin(id, secret);

    const created = await sdk.createResource({ resourceType: 'Observation', status: 'final', code: { text: 'weight' } });
    await expect(sdk.readResource('Observation', created.id ?? '')).rejects.toThrow('Forbidden');
    await expect(sdk.searchResources('Patient')).rejects.toThrow('Forbidden');
    expect(await sdk.searchResources('Observation')).toHaveLength(1);

    const raw = await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: { authorization: `Bearer ${sdk.getAccessToken()}` } });
    expect(raw.status).toBe(403);
    expect(await raw.json()).toMatchObject({ resourceType: 'OperationOutcome', id: 'forbidden', issue: [{ code: 'forbidden', details: { text: 'Forbidden' } }] });
  });

  test('updateClient changes the policy for the next request', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    sdk.setBasicAuth(id, secret);
    await sdk.searchResources('Patient');
    medplum.updateClient(id, { accessPolicy: { resource: [{ resourceType: 'Device' }] } });
    await expect(sdk.searchResources('Patient')).rejects.toThrow('Forbidden');
  });
});

describe('MedplumClient, HTTP Basic', () => {
  test('setBasicAuth: every call carries Basic and the token endpoint is never called', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    sdk.setBasicAuth(id, secret);

    const [patient] = await sdk.searchResources('Patient');
    await sdk.readResource('Patient', patient?.id ?? '');
    const device = await sdk.createResource({ resourceType: 'Device', deviceName: [{ name: 'scale', type: 'user-friendly-name' }] });

    expect((device as { meta?: unknown }).meta).toMatchObject({ author: { reference: `ClientApplication/${id}` }, project: medplum.project.id });
    expect(medplum.resources('Device')).toHaveLength(1);
    expect(medplum.log.every((e) => e.authScheme === 'Basic' && e.clientId === id && e.status < 300)).toBe(true);
    expect(medplum.log.some((e) => e.path === '/oauth2/token')).toBe(false);
  });

  test('a wrong secret: FHIR answers 401 Basic, then the SDK tries client_credentials with it and fails', async () => {
    const medplum = await start();
    const { id } = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    sdk.setBasicAuth(id, 'wrong-secret');

    await expect(sdk.searchResources('Patient')).rejects.toThrow('Invalid secret');
    // setBasicAuth also stores the pair as clientId/clientSecret, so the SDK's 401 recovery calls the token endpoint.
    expect(summary(medplum)).toEqual(['GET /fhir/R4/Patient 401 Basic', 'POST /oauth2/token 400 client_credentials Basic']);
  });
});

describe('the authorize page (browser flow)', () => {
  const redirectUri = 'http://localhost:5173/callback';

  async function authorizeUrl(medplum: MedplumDouble, clientId: string, overrides: Record<string, string> = {}): Promise<string> {
    const params = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: s256('v'.repeat(64)),
      code_challenge_method: 'S256',
      scope: 'openid profile',
      state: 'state-123',
      ...overrides,
    });
    return `${medplum.baseUrl}oauth2/authorize?${params}`;
  }

  test('redirects to the Medplum app\'s /oauth page with the same query (wire/10); the stand-in app\'s form redirects back with code and state; the code is bound to the S256 challenge', async () => {
    const medplum = await start();
    const { id } = medplum.addClient({ redirectUris: [redirectUri] });
    const verifier = randomBytes(32).toString('hex');

    const url = await authorizeUrl(medplum, id, { code_challenge: s256(verifier) });
    const redirected = await fetch(url, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe(`${medplum.baseUrl}app/oauth?${new URL(url).searchParams.toString()}`);
    const page = await fetch(redirected.headers.get('location') ?? '');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toMatch(/<input name="email"/);
    expect(html).toMatch(/<input name="password" type="password"/);
    expect(html).toMatch(/<button type="submit">Sign in<\/button>/);

    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#38;', '&') ?? '';
    const signedIn = await fetch(new URL(action, medplum.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: DOC.email, password: PASSWORD }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(302);
    const location = new URL(signedIn.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('state-123');

    const sdk = clientWithVerifier({ baseUrl: medplum.baseUrl, clientId: id }, verifier);
    await sdk.processCode(location.searchParams.get('code') ?? '', { redirectUri });
    expect(sdk.getProfile()).toMatchObject({ name: DOC.profile.name });
  });

  test('a wrong password shows the form again with the error', async () => {
    const medplum = await start();
    const { id } = medplum.addClient({ redirectUris: [redirectUri] });
    const response = await postForm(await authorizeUrl(medplum, id), { email: DOC.email, password: 'wrong password' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Email or password is invalid');
  });

  test.each([
    [{ code_challenge_method: 'plain' }, 'invalid_request', 'Invalid code challenge method'],
    [{ code_challenge: '', code_challenge_method: '' }, 'invalid_request', 'Missing code challenge'],
    [{ response_type: 'token' }, 'unsupported_response_type', 'Invalid response type'],
  ])('%o redirects back with an error', async (overrides, error, description) => {
    const medplum = await start();
    const { id } = medplum.addClient({ redirectUris: [redirectUri] });
    const response = await fetch(await authorizeUrl(medplum, id, overrides), { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(Object.fromEntries(location.searchParams)).toEqual({ error, error_description: description, state: 'state-123' });
  });

  test('an unregistered redirect_uri or an unknown client gets a 400 page, not a redirect', async () => {
    const medplum = await start();
    const { id } = medplum.addClient({ redirectUris: [redirectUri] });
    const other = await fetch(await authorizeUrl(medplum, id, { redirect_uri: 'http://evil.example/' }), { redirect: 'manual' });
    expect([other.status, await other.text()]).toEqual([400, 'Invalid redirect URI']);
    const unknown = await fetch(await authorizeUrl(medplum, randomUUID()), { redirect: 'manual' });
    expect([unknown.status, await unknown.text()]).toEqual([400, 'Client not found']);
  });
});

describe('MedplumClient, private_key_jwt (startJwtAssertionLogin)', () => {
  const assertionFor = (medplum: MedplumDouble, key: TestSigningKey, clientId: string, claims: Record<string, unknown> = {}): string => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(key, { iss: clientId, sub: clientId, aud: medplum.tokenUrl, iat: now, exp: now + 300, jti: randomUUID(), ...claims });
  };

  test('signs in with an ES256 assertion; the JWK Set is fetched for every assertion; the log marks the assertion', async () => {
    const medplum = await start();
    const key = generateSigningKey('ES256');
    const jwks = await startJwksServer({ keys: [key.jwk] });
    onTestFinished(() => jwks.close());
    const { id } = medplum.addClient({ name: 'Analyzer', jwksUri: jwks.url });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const profile = await sdk.startJwtAssertionLogin(assertionFor(medplum, key, id));
    await sdk.searchResources('Patient');
    await new MedplumClient({ baseUrl: medplum.baseUrl }).startJwtAssertionLogin(assertionFor(medplum, key, id));

    expect(profile).toMatchObject({ resourceType: 'ClientApplication', id, name: 'Analyzer', jwksUri: jwks.url });
    expect(jwks.fetches).toBe(2);
    expect(medplum.log.slice(0, 3)).toEqual([
      { method: 'POST', path: '/oauth2/token', grantType: 'client_credentials', clientId: id, clientAssertion: true, status: 200 },
      { method: 'GET', path: '/auth/me', authScheme: 'Bearer', clientId: id, status: 200 },
      { method: 'GET', path: '/fhir/R4/Patient', authScheme: 'Bearer', clientId: id, status: 200 },
    ]);
  });

  test.each(['ES384', 'ES512', 'RS256', 'RS384', 'RS512'] as const)('accepts %s', async (alg) => {
    const medplum = await start();
    const key = generateSigningKey(alg);
    const { id } = medplum.addClient({ jwksUri: medplum.hostJwks({ keys: [key.jwk] }) });
    await expect(new MedplumClient({ baseUrl: medplum.baseUrl }).startJwtAssertionLogin(assertionFor(medplum, key, id))).resolves.toMatchObject({ id });
  });

  test('refuses, with the recorded texts: expired, wrong key, unknown kid, wrong aud, iss != sub, unknown client, no jwksUri, HS256', async () => {
    let offset = 0;
    const medplum = await start({ now: () => Date.now() + offset });
    const key = generateSigningKey('ES256', 'device-key');
    const { id } = medplum.addClient({ jwksUri: medplum.hostJwks({ keys: [key.jwk] }) });
    const plain = medplum.addClient();
    const post = async (assertion: string) => {
      const response = await postForm(medplum.tokenUrl, {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      });
      return [response.status, ((await response.json()) as { error_description: string }).error_description];
    };
    const good = assertionFor(medplum, key, id);

    expect(await post(assertionFor(medplum, key, id, { exp: Math.floor(Date.now() / 1000) - 60 }))).toEqual([400, 'Invalid client assertion signature']);
    expect(await post(assertionFor(medplum, generateSigningKey('ES256', 'device-key'), id))).toEqual([400, 'Invalid client assertion signature']);
    expect(await post(assertionFor(medplum, generateSigningKey('ES256', 'other-kid'), id))).toEqual([400, 'Invalid client assertion signature']);
    expect(await post(assertionFor(medplum, key, id, { aud: medplum.baseUrl }))).toEqual([400, 'Invalid client assertion audience']);
    expect(await post(assertionFor(medplum, key, id, { aud: [medplum.tokenUrl] }))).toEqual([400, 'Invalid client assertion audience']);
    expect(await post(assertionFor(medplum, key, id, { sub: 'someone-else' }))).toEqual([400, 'Invalid client assertion issuer']);
    const stranger = randomUUID();
    expect(await post(assertionFor(medplum, key, stranger))).toEqual([400, 'Client not found']);
    expect(await post(assertionFor(medplum, key, plain.id))).toEqual([400, 'Client must have a JWK Set URL']);
    const hs256 = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'device-key' })).toString('base64url')}.${good.split('.')[1]}.c2ln`;
    expect(await post(hs256)).toEqual([400, 'Invalid client assertion signature']);
    // Still good, and a replay too (the server keeps no jti); the double's clock decides expiry.
    expect((await post(good))[0]).toBe(200);
    expect((await post(good))[0]).toBe(200);
    offset = 301_000;
    expect(await post(good)).toEqual([400, 'Invalid client assertion signature']);
    const tokenCalls = medplum.log.filter((e) => e.path === '/oauth2/token');
    expect(tokenCalls).toHaveLength(12);
    expect(tokenCalls.every((e) => e.clientAssertion === true && e.grantType === 'client_credentials')).toBe(true);
    expect(JSON.stringify(medplum.log)).not.toContain(good);
  });

  test('a rotated key set is seen on the next assertion (no cache)', async () => {
    const medplum = await start();
    const [oldKey, newKey] = [generateSigningKey('ES256', 'k1'), generateSigningKey('ES256', 'k2')];
    let jwks = { keys: [oldKey.jwk] };
    const { id } = medplum.addClient({ jwksUri: medplum.hostJwks(() => jwks) });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.startJwtAssertionLogin(assertionFor(medplum, oldKey, id));
    jwks = { keys: [newKey.jwk] };
    await expect(sdk.startJwtAssertionLogin(assertionFor(medplum, oldKey, id))).rejects.toThrow('Invalid client assertion signature');
    await sdk.startJwtAssertionLogin(assertionFor(medplum, newKey, id));
    expect(summary(medplum).filter((line) => line.startsWith('GET /test/jwks/'))).toHaveLength(3);
  });

  test('a JWKS URL that does not answer is "Invalid client assertion signature"', async () => {
    const medplum = await start();
    const key = generateSigningKey('ES256');
    const { id } = medplum.addClient({ jwksUri: `${medplum.baseUrl}test/jwks/${randomUUID()}.json` });
    await expect(new MedplumClient({ baseUrl: medplum.baseUrl }).startJwtAssertionLogin(assertionFor(medplum, key, id))).rejects.toThrow(
      'Invalid client assertion signature',
    );
  });
});

const IDP_USER = { email: DOC.email, sub: 'idp|ada' };

describe('token exchange (exchangeExternalAccessToken) against the double as external IdP', () => {
  test('an IdP access token becomes a Medplum login in the client project; the double called /idp/userinfo', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER] } });
    const { id } = medplum.addClient({ name: 'API', identityProvider: {} });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });

    const profile = await sdk.exchangeExternalAccessToken(medplum.idp.issueAccessToken(DOC.email), id);

    expect(profile).toMatchObject({ resourceType: 'Practitioner', name: DOC.profile.name });
    expect(sdk.getActiveLogin()?.refreshToken).toBeDefined(); // default scope openid offline_access
    expect(medplum.log).toEqual([
      { method: 'GET', path: '/idp/userinfo', authScheme: 'Bearer', status: 200 },
      { method: 'POST', path: '/oauth2/token', grantType: 'urn:ietf:params:oauth:grant-type:token-exchange', clientId: id, status: 200 },
      { method: 'GET', path: '/auth/me', authScheme: 'Bearer', clientId: id, status: 200 },
    ]);
  });

  test('a user in two projects is signed in to the client project (no membership choice)', async () => {
    const second = { id: randomUUID(), name: 'Second' };
    const medplum = await start({ projects: [{ name: 'First' }, second], users: [], externalIdp: { users: [IDP_USER] } });
    medplum.addUser({ ...DOC, projects: [medplum.project.id, second.id] });
    const { id } = medplum.addClient({ projectId: second.id, identityProvider: {} });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    await sdk.exchangeExternalAccessToken(medplum.idp.issueAccessToken(DOC.email), id);
    expect(sdk.getProject()?.id).toBe(second.id);
  });

  test('useSubject matches the IdP sub against the membership externalId', async () => {
    const medplum = await start({ users: [{ ...DOC, externalId: 'idp|ada' }], externalIdp: { users: [{ email: 'other@idp.example', sub: 'idp|ada' }] } });
    const { id } = medplum.addClient({ identityProvider: { useSubject: true } });
    const profile = await new MedplumClient({ baseUrl: medplum.baseUrl }).exchangeExternalAccessToken(medplum.idp.issueAccessToken('other@idp.example'), id);
    expect(profile).toMatchObject({ name: DOC.profile.name });
  });

  test('refusals: expired or foreign token, client without identityProvider, user unknown to Medplum', async () => {
    let offset = 0;
    const medplum = await start({ now: () => Date.now() + offset, externalIdp: { users: [IDP_USER, { email: 'stranger@idp.example' }] } });
    const { id } = medplum.addClient({ identityProvider: {} });
    const plain = medplum.addClient();
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    const token = medplum.idp.issueAccessToken(DOC.email, 60);

    await expect(sdk.exchangeExternalAccessToken(token, plain.id)).rejects.toThrow('Invalid client');
    await expect(sdk.exchangeExternalAccessToken('garbage', id)).rejects.toThrow('Failed to verify code - check your identity provider configuration');
    await expect(sdk.exchangeExternalAccessToken(medplum.idp.issueAccessToken('stranger@idp.example'), id)).rejects.toThrow('User not found');
    offset = 61_000;
    await expect(sdk.exchangeExternalAccessToken(token, id)).rejects.toThrow('Failed to verify code - check your identity provider configuration');
    expect(JSON.stringify(medplum.log)).not.toContain(token);
  });
});

describe('POST auth/method and DomainConfiguration', () => {
  test('{} for a normal email, {domain, authorizeUrl} for a configured domain, 400 for an invalid email', async () => {
    const medplum = await start({ domains: [{ domain: 'corp.example', identityProvider: {} }] });
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    expect(await sdk.post('auth/method', { email: DOC.email })).toEqual({});
    const sso = await sdk.post<{ domain: string; authorizeUrl: string }>('auth/method', { email: 'Ada@Corp.Example' });
    expect(sso.domain).toBe('Corp.Example');
    const url = new URL(sso.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(medplum.idp.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: medplum.idp.clientId,
      redirect_uri: `${medplum.baseUrl}auth/external`,
      response_type: 'code',
      scope: 'openid profile email',
    });
    await expect(sdk.post('auth/method', { email: 'not-an-email' })).rejects.toThrow('Valid email address is required');
  });
});

describe('external IdP sign-in through {baseUrl}auth/external (signInWithExternalAuth + processCode)', () => {
  const APP = 'http://localhost:5173/';

  /** What the browser does: the IdP page, its form, the redirects, until the app's URL. */
  async function browse(authorizeUrl: string, email: string): Promise<URL> {
    const page = await fetch(authorizeUrl, { redirect: 'manual' });
    let response = page;
    if (page.status === 200) {
      const html = await page.text();
      expect(html).toMatch(/<input name="email" type="email"/);
      expect(html).toMatch(/<button type="submit">Sign in<\/button>/);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&#38;', '&') ?? '';
      response = await fetch(new URL(action, authorizeUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email }),
        redirect: 'manual',
      });
    }
    expect(response.status).toBe(302);
    const callback = response.headers.get('location') ?? '';
    const back = await fetch(callback, { redirect: 'manual' });
    if (back.status !== 302) {
      throw new Error(`auth/external answered ${back.status}: ${await back.text()}`);
    }
    return new URL(back.headers.get('location') ?? '');
  }

  function appClient(medplum: MedplumDouble, clientId: string, verifier: string): MedplumClient {
    return clientWithVerifier({ baseUrl: medplum.baseUrl, clientId }, verifier);
  }

  test('ClientApplication.identityProvider: app -> IdP -> auth/external -> app?login&code -> processCode (S256)', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER] } });
    const { id } = medplum.addClient({ redirectUris: [APP], identityProvider: {} });
    const verifier = randomBytes(32).toString('hex');
    const sdk = appClient(medplum, id, verifier);
    // The Medplum login carries the S256 challenge (state); the IdP leg has no PKCE (pkceEnabled = false, usePkce unset).
    const baseLogin = { projectId: medplum.project.id, clientId: id, redirectUri: APP, codeChallenge: s256(verifier), codeChallengeMethod: 'S256' as const };
    const authorizeUrl = sdk.getExternalAuthRedirectUri(medplum.idp.authorizeUrl, medplum.idp.clientId, `${medplum.baseUrl}auth/external`, baseLogin, false);
    expect(new URL(authorizeUrl).searchParams.get('code_challenge')).toBeNull();

    const landed = await browse(authorizeUrl, DOC.email);
    expect(`${landed.origin}${landed.pathname}`).toBe(APP);
    expect([...landed.searchParams.keys()]).toEqual(['login', 'code']);
    await sdk.processCode(landed.searchParams.get('code') ?? '');

    expect(sdk.getProfile()).toMatchObject({ name: DOC.profile.name });
    expect(summary(medplum)).toEqual([
      'GET /idp/authorize 200',
      'POST /idp/authorize 302',
      'POST /idp/token 200 Basic',
      'GET /auth/external 302',
      'POST /oauth2/token 200 authorization_code',
      'GET /auth/me 200 Bearer',
    ]);
  });

  test('DomainConfiguration: the auth/method authorizeUrl + a state with the domain; autoApprove skips the IdP form', async () => {
    const medplum = await start({
      users: [{ ...DOC, email: 'ada@corp.example' }],
      externalIdp: { users: [{ email: 'ada@corp.example' }], autoApprove: 'ada@corp.example' },
      domains: [{ domain: 'corp.example', identityProvider: {} }],
    });
    const { id } = medplum.addClient({ redirectUris: [APP] });
    const verifier = randomBytes(32).toString('hex');
    const { domain, authorizeUrl } = await new MedplumClient({ baseUrl: medplum.baseUrl }).post<{ domain: string; authorizeUrl: string }>('auth/method', {
      email: 'ada@corp.example',
    });
    const url = new URL(authorizeUrl);
    url.searchParams.set('state', JSON.stringify({ domain, clientId: id, redirectUri: APP, codeChallenge: s256(verifier), codeChallengeMethod: 'S256' }));

    const landed = await browse(url.toString(), 'ada@corp.example');
    const sdk = appClient(medplum, id, verifier);
    await sdk.processCode(landed.searchParams.get('code') ?? '');
    expect(sdk.getProfile()?.resourceType).toBe('Practitioner');
    expect(summary(medplum)[0]).toBe('POST /auth/method 200');
    expect(summary(medplum)[1]).toBe('GET /idp/authorize 302');
  });

  test('the SDK default (pkceEnabled = true) with S256 fails at an RFC 7636 IdP, with or without usePkce', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER], autoApprove: DOC.email } });
    const verifier = randomBytes(32).toString('hex');
    for (const usePkce of [false, true]) {
      const { id } = medplum.addClient({ redirectUris: [APP], identityProvider: { usePkce } });
      const url = new MedplumClient({ baseUrl: medplum.baseUrl }).getExternalAuthRedirectUri(medplum.idp.authorizeUrl, medplum.idp.clientId, `${medplum.baseUrl}auth/external`, {
        clientId: id,
        redirectUri: APP,
        codeChallenge: s256(verifier),
        codeChallengeMethod: 'S256',
      });
      // The IdP saw code_challenge; Medplum sends no code_verifier (usePkce false) or the challenge itself (usePkce true).
      await expect(browse(url, DOC.email)).rejects.toThrow('Failed to verify code - check your identity provider configuration');
    }
    expect(summary(medplum).filter((line) => line.startsWith('POST /idp/token'))).toEqual(['POST /idp/token 400 Basic', 'POST /idp/token 400 Basic']);
  });

  test('an IdP that ignores PKCE (externalIdp.enforcePkce: false) lets the SDK default through', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER], autoApprove: DOC.email, enforcePkce: false } });
    const { id } = medplum.addClient({ redirectUris: [APP], identityProvider: {} });
    const verifier = randomBytes(32).toString('hex');
    const url = new MedplumClient({ baseUrl: medplum.baseUrl }).getExternalAuthRedirectUri(medplum.idp.authorizeUrl, medplum.idp.clientId, `${medplum.baseUrl}auth/external`, {
      clientId: id,
      redirectUri: APP,
      codeChallenge: s256(verifier),
      codeChallengeMethod: 'S256',
    });
    const landed = await browse(url, DOC.email);
    const sdk = appClient(medplum, id, verifier);
    await sdk.processCode(landed.searchParams.get('code') ?? '');
    expect(sdk.getProfile()?.resourceType).toBe('Practitioner');
  });

  test('usePkce sends the login codeChallenge as code_verifier: fine with plain, refused by a strict IdP with S256', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER], autoApprove: DOC.email } });
    const { id } = medplum.addClient({ redirectUris: [APP], identityProvider: { usePkce: true } });
    const urlFor = (codeChallenge: string, codeChallengeMethod: 'plain' | 'S256') =>
      new MedplumClient({ baseUrl: medplum.baseUrl }).getExternalAuthRedirectUri(medplum.idp.authorizeUrl, medplum.idp.clientId, `${medplum.baseUrl}auth/external`, {
        clientId: id,
        redirectUri: APP,
        codeChallenge,
        codeChallengeMethod,
      });
    const verifier = randomBytes(32).toString('hex');

    const landed = await browse(urlFor(verifier, 'plain'), DOC.email);
    expect(landed.searchParams.get('code')).toBeTruthy();
    await expect(browse(urlFor(s256(verifier), 'S256'), DOC.email)).rejects.toThrow('Failed to verify code - check your identity provider configuration');
    expect(summary(medplum)).toContain('POST /idp/token 400 Basic');
  });

  test('without redirectUri in state the server sends the browser to the Medplum app; an unregistered one is refused', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER], autoApprove: DOC.email }, appBaseUrl: 'http://localhost:3000/' });
    const { id } = medplum.addClient({ redirectUris: [APP], identityProvider: {} });
    const urlFor = (redirectUri?: string) =>
      new MedplumClient({ baseUrl: medplum.baseUrl }).getExternalAuthRedirectUri(medplum.idp.authorizeUrl, medplum.idp.clientId, `${medplum.baseUrl}auth/external`, {
        clientId: id,
        ...(redirectUri ? { redirectUri } : {}),
        codeChallenge: 'c'.repeat(43),
        codeChallengeMethod: 'plain',
      }, false);

    const landed = await browse(urlFor(), DOC.email);
    expect(`${landed.origin}${landed.pathname}`).toBe('http://localhost:3000/signin');
    expect(landed.searchParams.get('login')).toBeTruthy();
    expect(landed.searchParams.get('code')).toBeNull();
    await expect(browse(urlFor('http://localhost:5173/other'), DOC.email)).rejects.toThrow('Invalid redirect URI');
  });

  test('callback errors: missing code or state, bad state, no identity provider, IdP user unknown to Medplum', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER, { email: 'stranger@idp.example' }], autoApprove: 'stranger@idp.example' } });
    const plain = medplum.addClient({ redirectUris: [APP] });
    const withIdp = medplum.addClient({ redirectUris: [APP], identityProvider: {} });
    const callback = async (params: Record<string, string>) => {
      const response = await fetch(`${medplum.baseUrl}auth/external?${new URLSearchParams(params)}`, { redirect: 'manual' });
      return [response.status, ((await response.json()) as { issue: { details: { text: string } }[] }).issue[0]?.details.text];
    };
    expect(await callback({ state: '{}' })).toEqual([400, 'Missing code']);
    expect(await callback({ code: 'x' })).toEqual([400, 'Missing state']);
    expect(await callback({ code: 'x', state: 'not json' })).toEqual([400, 'Invalid state']);
    expect(await callback({ code: 'x', state: JSON.stringify({ clientId: plain.id }) })).toEqual([400, 'Identity provider not found']);
    expect(await callback({ code: 'x', state: JSON.stringify({ clientId: withIdp.id }) })).toEqual([400, 'Failed to verify code - check your identity provider configuration']);
    const stranger = new MedplumClient({ baseUrl: medplum.baseUrl }).getExternalAuthRedirectUri(
      medplum.idp.authorizeUrl,
      medplum.idp.clientId,
      `${medplum.baseUrl}auth/external`,
      { clientId: withIdp.id, redirectUri: APP },
      false,
    );
    await expect(browse(stranger, 'stranger@idp.example')).rejects.toThrow('User not found');
  });

  test('the fake IdP is strict: unknown client, unregistered redirect_uri, unknown user, code reuse', async () => {
    const medplum = await start({ externalIdp: { users: [IDP_USER] } });
    const authorize = (params: Record<string, string>) =>
      `${medplum.idp.authorizeUrl}?${new URLSearchParams({ response_type: 'code', client_id: medplum.idp.clientId, redirect_uri: `${medplum.baseUrl}auth/external`, state: 's', ...params })}`;
    expect((await fetch(authorize({ client_id: 'nope' }))).status).toBe(400);
    expect((await fetch(authorize({ redirect_uri: 'http://evil.example/' }))).status).toBe(400);
    const unknown = await postForm(authorize({}), { email: 'nobody@example.com' });
    expect([unknown.status, (await unknown.text()).includes('No account for nobody@example.com')]).toEqual([400, true]);

    const signedIn = await fetch(authorize({}), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: DOC.email }),
      redirect: 'manual',
    });
    const code = new URL(signedIn.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const basic = { authorization: `Basic ${Buffer.from(`${medplum.idp.clientId}:${medplum.idp.clientSecret}`).toString('base64')}` };
    const exchange = () => postForm(medplum.idp.tokenUrl, { grant_type: 'authorization_code', code, redirect_uri: `${medplum.baseUrl}auth/external` }, basic);
    const first = (await (await exchange()).json()) as { id_token: string; access_token: string };
    expect(JSON.parse(Buffer.from(first.id_token.split('.')[1] ?? '', 'base64url').toString())).toMatchObject({ email: DOC.email, sub: IDP_USER.sub });
    expect((await exchange()).status).toBe(400);
    const info = await fetch(medplum.idp.userInfoUrl, { headers: { authorization: `Bearer ${first.access_token}` } });
    expect(await info.json()).toEqual({ sub: IDP_USER.sub, email: DOC.email, email_verified: true });
  });
});

describe('Google sign-in (startGoogleLogin + processCode)', () => {
  const GOOGLE_CLIENT_ID = '1234-abc.apps.googleusercontent.com';

  test('a credential signed with the double test Google key signs in, bound to the PKCE challenge', async () => {
    const medplum = await start({ google: { clientIds: [GOOGLE_CLIENT_ID] } });
    const { id } = medplum.addClient({ redirectUris: ['http://localhost:5173/'] });
    const verifier = randomBytes(32).toString('hex');
    const sdk = clientWithVerifier({ baseUrl: medplum.baseUrl, clientId: id }, verifier);

    const response = await sdk.startGoogleLogin({
      googleClientId: GOOGLE_CLIENT_ID,
      googleCredential: medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: DOC.email }),
      projectId: medplum.project.id,
      codeChallenge: s256(verifier),
      codeChallengeMethod: 'S256',
    });
    await sdk.processCode(response.code ?? '');

    expect(sdk.getProfile()).toMatchObject({ name: DOC.profile.name });
    expect(sdk.getActiveLogin()?.refreshToken).toBeDefined();
    expect(summary(medplum)).toEqual(['POST /auth/google 200', 'POST /oauth2/token 200 authorization_code', 'GET /auth/me 200 Bearer']);
  });

  test('a test-supplied key set works with signGoogleCredential', async () => {
    const key = generateSigningKey('RS256');
    const medplum = await start({ google: { clientIds: [GOOGLE_CLIENT_ID], jwks: { keys: [key.jwk] } } });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl });
    const response = await sdk.startGoogleLogin({
      googleClientId: GOOGLE_CLIENT_ID,
      googleCredential: signGoogleCredential(key, { googleClientId: GOOGLE_CLIENT_ID, email: DOC.email }),
    });
    expect(response.code).toBeTruthy();
    expect(() => medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: DOC.email })).toThrow('google.jwks');
  });

  test('refusals with the server (jose) texts', async () => {
    const medplum = await start({ google: { clientIds: [GOOGLE_CLIENT_ID] }, domains: [{ domain: 'corp.example', identityProvider: {} }] });
    const google = (googleCredential: string, googleClientId = GOOGLE_CLIENT_ID) =>
      new MedplumClient({ baseUrl: medplum.baseUrl }).startGoogleLogin({ googleClientId, googleCredential, codeChallenge: 'c'.repeat(43), codeChallengeMethod: 'plain' });
    const sign = (input: Partial<GoogleCredentialInput> = {}) => medplum.google.signCredential({ googleClientId: GOOGLE_CLIENT_ID, email: DOC.email, ...input });

    const missing = await fetch(`${medplum.baseUrl}auth/google`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { issue: { details: { text: string } }[] }).issue.map((i) => i.details.text)).toEqual([
      'Missing googleClientId',
      'Missing googleCredential',
    ]);
    await expect(google(sign(), 'other.apps.googleusercontent.com')).rejects.toThrow('Invalid googleClientId');
    await expect(google(sign({ claims: { aud: 'other.apps.googleusercontent.com' } }))).rejects.toThrow('unexpected "aud" claim value');
    await expect(google(sign({ claims: { iss: 'accounts.google.com' } }))).rejects.toThrow('unexpected "iss" claim value');
    await expect(google(sign({ expiresInSeconds: -10 }))).rejects.toThrow('"exp" claim timestamp check failed');
    await expect(google(signGoogleCredential(generateSigningKey('RS256'), { googleClientId: GOOGLE_CLIENT_ID, email: DOC.email }))).rejects.toThrow(
      'no applicable key found in the JSON Web Key Set',
    );
    await expect(google('not-a-jwt')).rejects.toThrow('Invalid Compact JWS');
    await expect(google(sign({ email: 'nobody@example.com' }))).rejects.toThrow('User not found');
    await expect(google(sign({ email: 'ada@corp.example' }))).resolves.toMatchObject({ domain: 'corp.example', authorizeUrl: expect.stringContaining('/idp/authorize?') });
  });
});

describe('admin API, provisioning and $rotate-secret (MedplumClient signed in as a project admin)', () => {
  const ADMIN = {
    email: 'admin@example.com',
    password: PASSWORD,
    admin: true,
    profile: { resourceType: 'Practitioner', name: [{ given: ['Grace'], family: 'Hopper' }] },
  } as const;

  async function signIn(medplum: MedplumDouble, user: { readonly email: string; readonly password: string }): Promise<MedplumClient> {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sdk = new MedplumClient({ baseUrl: medplum.baseUrl, cacheTime: 0 });
    await sdk.processCode((await sdk.startLogin({ email: user.email, password: user.password })).code ?? '');
    return sdk;
  }

  interface ClientApplicationJson {
    readonly resourceType: 'ClientApplication';
    readonly id: string;
    readonly name: string;
    readonly secret: string;
    readonly retiringSecret?: string;
    readonly redirectUris?: string[];
  }

  const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` });

  test('provision: POST admin/projects/{id}/client, an AccessPolicy by FHIR, attach it to the membership; the client then signs in, limited', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const projectId = medplum.project.id;

    const client = await admin.post<ClientApplicationJson>(`admin/projects/${projectId}/client`, {
      name: 'My App',
      description: 'made by the CLI',
      redirectUris: ['http://localhost:5173/'],
      identifier: [{ system: 'https://create-medplum-auth.dev/id', value: 'my-app' }],
    });
    expect(client).toMatchObject({ resourceType: 'ClientApplication', name: 'My App', redirectUris: ['http://localhost:5173/'] });
    expect(client.secret).toMatch(/^[0-9a-f]{64}$/);

    const policy = await admin.createResource({ resourceType: 'AccessPolicy', name: 'My App policy', resource: [{ resourceType: 'Patient', readonly: true }] });
    const membership = await admin.searchOne('ProjectMembership', { user: `ClientApplication/${client.id}` });
    expect(membership).toMatchObject({ user: { reference: `ClientApplication/${client.id}` }, profile: { reference: `ClientApplication/${client.id}` } });
    const updated = await admin.post<Record<string, unknown>>(`admin/projects/${projectId}/members/${membership?.id}`, {
      ...membership,
      accessPolicy: { reference: `AccessPolicy/${policy.id}` },
    });
    expect(updated.accessPolicy).toEqual({ reference: `AccessPolicy/${policy.id}` });

    const app = new MedplumClient({ baseUrl: medplum.baseUrl });
    await app.startClientLogin(client.id, client.secret);
    expect(await app.searchResources('Patient')).toHaveLength(1);
    await expect(app.createResource({ resourceType: 'Patient' })).rejects.toThrow('Forbidden');
    // The policy is read live: a FHIR update of it applies to the next request.
    await admin.updateResource({ ...policy, resource: [{ resourceType: 'Observation' }] });
    await expect(app.searchResources('Patient')).rejects.toThrow('Forbidden');

    // Found again by name or identifier (what an idempotent re-run looks for).
    expect((await admin.searchResources('ClientApplication', { name: 'my app' })).map((c) => c.id)).toEqual([client.id]);
    expect((await admin.searchResources('ClientApplication', { identifier: 'https://create-medplum-auth.dev/id|my-app' })).map((c) => c.id)).toEqual([client.id]);
    expect(await admin.searchResources('ClientApplication', { identifier: 'other' })).toHaveLength(0);
    expect((await admin.searchResources('AccessPolicy', { name: 'My App' })).map((p) => p.id)).toEqual([policy.id]);
    expect(medplum.resources('ClientApplication').map((c) => c.id)).toEqual([client.id]);
    expect(medplum.client(client.id)).toMatchObject({ name: 'My App', projectId, membershipId: membership?.id, admin: false });
  });

  test("an admin client's client_credentials login is the caller too; accessPolicy can go in the /client body; the path project is ignored", async () => {
    const other = { id: randomUUID(), name: 'Other' };
    const medplum = await start({ projects: [{ name: 'Main' }, other] });
    const adminClient = medplum.addClient({ name: 'CI admin', admin: true });
    const admin = new MedplumClient({ baseUrl: medplum.baseUrl });
    await admin.startClientLogin(adminClient.id, adminClient.secret);
    const policy = await admin.createResource({ resourceType: 'AccessPolicy', resource: [{ resourceType: 'Observation' }] });

    const client = await admin.post<ClientApplicationJson>(`admin/projects/${other.id}/client`, {
      name: 'Device',
      accessPolicy: { reference: `AccessPolicy/${policy.id}` },
    });

    expect(medplum.client(client.id).projectId).toBe(medplum.project.id);
    expect(await admin.get(`admin/projects/${other.id}`)).toEqual({ project: { id: medplum.project.id, name: 'Main' } });
    const [membership] = await admin.searchResources('ProjectMembership', { user: `ClientApplication/${client.id}` });
    expect(membership?.accessPolicy).toEqual({ reference: `AccessPolicy/${policy.id}` });
    expect(medplum.log.filter((e) => e.path.startsWith('/admin/')).map((e) => [e.method, e.authScheme, e.clientId, e.status])).toEqual([
      ['POST', 'Bearer', adminClient.id, 201],
      ['GET', 'Bearer', adminClient.id, 200],
    ]);
    await expect(admin.post(`admin/projects/${medplum.project.id}/client`, { description: 'no name' })).rejects.toThrow('Client name is required');
    await expect(admin.post(`admin/projects/${medplum.project.id}/client`, { name: 'x', launchUri: 'https://x' })).rejects.toThrow(
      'ClientApplication.launchUri is not supported by the Medplum test double',
    );
  });

  test('$rotate-secret: a new secret, the old one retiring (token yes, Basic no) until retired; {} is refused', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const { id, secret } = medplum.addClient({ name: 'Rotating' });
    const url = admin.fhirUrl('ClientApplication', id, '$rotate-secret');

    await expect(admin.post(url, {})).rejects.toThrow('Secret to rotate must be provided');
    await expect(admin.post(url, { secret: 'not-it' })).rejects.toThrow('Provided secret does not match client');
    const rotated = await admin.post<ClientApplicationJson>(url, { resourceType: 'Parameters', parameter: [{ name: 'secret', valueString: secret }] });

    expect(rotated).toMatchObject({ resourceType: 'ClientApplication', id, retiringSecret: secret });
    expect(rotated.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.secret).not.toBe(secret);
    expect(medplum.client(id)).toMatchObject({ secret: rotated.secret, retiringSecret: secret });
    const token = (s: string) => postForm(`${medplum.baseUrl}oauth2/token`, { grant_type: 'client_credentials', client_id: id, client_secret: s });
    expect((await token(secret)).status).toBe(200);
    expect((await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: basic(id, secret) })).status).toBe(401);
    expect((await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: basic(id, rotated.secret) })).status).toBe(200);

    const retired = await admin.post<ClientApplicationJson>(url, { retiringSecret: secret });
    expect(retired.retiringSecret).toBeUndefined();
    expect(await (await token(secret)).json()).toEqual({ error: 'invalid_request', error_description: 'Invalid secret' });
    expect(JSON.stringify(medplum.log)).not.toContain(rotated.secret);
  });

  test('a server without $rotate-secret answers 404 "Not found" (setOperationSupported / unsupportedOperations)', async () => {
    const medplum = await start({ users: [DOC, ADMIN], unsupportedOperations: ['rotate-secret'] });
    const admin = await signIn(medplum, ADMIN);
    const { id, secret } = medplum.addClient();
    const url = admin.fhirUrl('ClientApplication', id, '$rotate-secret');

    const raw = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${admin.getAccessToken()}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ secret }) });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toMatchObject({ resourceType: 'OperationOutcome', id: 'not-found', issue: [{ code: 'not-found', details: { text: 'Not found' } }] });
    medplum.setOperationSupported('rotate-secret', true);
    await expect(admin.post(url, { secret })).resolves.toMatchObject({ retiringSecret: secret });
    medplum.setOperationSupported('rotate-secret', false);
    await expect(admin.post(url, { secret: 'x' })).rejects.toThrow('Not found');
  });

  test('a non-admin member: 403 "Forbidden" on /admin, $rotate-secret and ProjectMembership, yet it can read a client secret', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const member = await signIn(medplum, DOC);
    const { id, secret, membershipId } = medplum.addClient({ name: 'Readable' });

    await expect(member.post(`admin/projects/${medplum.project.id}/client`, { name: 'nope' })).rejects.toThrow('Forbidden');
    await expect(member.post(`admin/projects/${medplum.project.id}/members/${membershipId}`, { resourceType: 'ProjectMembership', id: membershipId })).rejects.toThrow('Forbidden');
    await expect(member.post(member.fhirUrl('ClientApplication', id, '$rotate-secret'), { secret })).rejects.toThrow('Forbidden');
    await expect(member.searchResources('ProjectMembership', { user: `ClientApplication/${id}` })).rejects.toThrow('Forbidden');
    expect(await member.readResource('ClientApplication', id)).toMatchObject({ id, secret });
    expect(medplum.resources('ClientApplication')).toHaveLength(1);
    expect(medplum.client(id).secret).toBe(secret);
  });

  test('a ClientApplication made with a plain FHIR create has no secret and no membership: "Invalid client"', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const created = await admin.createResource({ resourceType: 'ClientApplication', name: 'Plain', redirectUris: ['http://localhost:5173/'] });

    expect((created as { secret?: string }).secret).toBeUndefined();
    expect(await admin.searchResources('ProjectMembership', { user: `ClientApplication/${created.id}` })).toHaveLength(0);
    await expect(new MedplumClient({ baseUrl: medplum.baseUrl }).startClientLogin(created.id ?? '', 'anything')).rejects.toThrow('Invalid client');
    await expect(admin.createResource({ resourceType: 'ClientApplication', name: 'Bad', redirectUris: 'http://localhost:5173/' } as never)).rejects.toThrow(
      'Expected array of values for property',
    );
  });

  test('update and delete: a client keeps its secret through a PUT; deleted resources read 410; deleting the membership ends sign-in', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const created = await admin.post<ClientApplicationJson>(`admin/projects/${medplum.project.id}/client`, { name: 'Web', redirectUri: 'http://localhost:3000/cb' });
    const read = await admin.readResource('ClientApplication', created.id);

    const updated = await admin.updateResource({ ...read, redirectUris: ['http://localhost:5173/'] });
    expect(updated).toMatchObject({ secret: created.secret, redirectUri: 'http://localhost:3000/cb', redirectUris: ['http://localhost:5173/'] });
    expect(updated.meta?.versionId).not.toBe(read.meta?.versionId);
    await expect(admin.updateResource({ ...read, secret: 'mine' })).rejects.toThrow('use $rotate-secret');
    // The deprecated single redirectUri is honoured by /oauth2/authorize, as recorded.
    const authorize = (redirectUri: string) =>
      fetch(`${medplum.baseUrl}oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: created.id, redirect_uri: redirectUri, code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' })}`);
    expect([(await authorize('http://localhost:3000/cb')).status, (await authorize('http://localhost:5173/')).status, (await authorize('http://localhost:1/')).status]).toEqual([200, 200, 400]);

    const membership = await admin.searchOne('ProjectMembership', { user: `ClientApplication/${created.id}` });
    await admin.delete(`admin/projects/${medplum.project.id}/members/${membership?.id}`);
    await expect(new MedplumClient({ baseUrl: medplum.baseUrl }).startClientLogin(created.id, created.secret)).rejects.toThrow('Invalid client');
    await admin.deleteResource('ClientApplication', created.id);
    await expect(admin.readResource('ClientApplication', created.id)).rejects.toThrow('Deleted');
    const policy = await admin.createResource({ resourceType: 'AccessPolicy', name: 'gone soon', resource: [{ resourceType: 'Patient' }] });
    await admin.deleteResource('AccessPolicy', policy.id ?? '');
    expect(medplum.resources('ClientApplication')).toEqual([]);
    expect(medplum.resources('AccessPolicy')).toEqual([]);
    expect(medplum.resources('ProjectMembership').map((m) => (m.user as { reference: string }).reference)).toEqual(
      medplum.resources('ProjectMembership').map((m) => (m.user as { reference: string }).reference).filter((r) => r.startsWith('User/')),
    );
  });

  test('failNext: the chosen step fails once, changes nothing, and the log marks it', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const projectId = medplum.project.id;
    const policy = await admin.createResource({ resourceType: 'AccessPolicy', resource: [{ resourceType: 'Patient' }] });
    const client = await admin.post<ClientApplicationJson>(`admin/projects/${projectId}/client`, { name: 'Half' });
    const membership = await admin.searchOne('ProjectMembership', { user: `ClientApplication/${client.id}` });
    medplum.clearLog();

    // (A 5xx is retried by MedplumClient, so a one-off 500 would go unnoticed: inject a 4xx, or `times`.)
    medplum.failNext({ method: 'POST', path: /^\/admin\/projects\/[^/]+\/members\//, status: 400 });
    expect(medplum.pendingFailures).toBe(1);
    const attach = () => admin.post<Record<string, unknown>>(`admin/projects/${projectId}/members/${membership?.id}`, { ...membership, accessPolicy: { reference: `AccessPolicy/${policy.id}` } });
    await expect(attach()).rejects.toThrow('Injected failure (Medplum test double): HTTP 400');
    expect(medplum.pendingFailures).toBe(0);
    expect((await admin.searchOne('ProjectMembership', { user: `ClientApplication/${client.id}` }))?.accessPolicy).toBeUndefined();
    await expect(attach()).resolves.toMatchObject({ accessPolicy: { reference: `AccessPolicy/${policy.id}` } });

    medplum.failNext({ path: `/admin/projects/${projectId}/client`, status: 403 });
    await expect(admin.post(`admin/projects/${projectId}/client`, { name: 'Never' })).rejects.toThrow('Forbidden');
    medplum.failNext({ method: 'get', path: '/fhir/R4/ClientApplication?name=Half', status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: 'custom' } }] } });
    await expect(admin.searchResources('ClientApplication', { name: 'Half' })).rejects.toThrow('custom');

    expect(medplum.resources('ClientApplication').map((c) => c.name)).toEqual(['Half']);
    expect(medplum.log.map((e) => [e.method, e.path.replace(projectId, '{p}').replace(membership?.id ?? '', '{m}'), e.status, e.injected])).toEqual([
      ['POST', '/admin/projects/{p}/members/{m}', 400, true],
      ['GET', '/fhir/R4/ProjectMembership', 200, undefined],
      ['POST', '/admin/projects/{p}/members/{m}', 200, undefined],
      ['POST', '/admin/projects/{p}/client', 403, true],
      ['GET', '/fhir/R4/ClientApplication', 400, true],
    ]);
  });

  test('the log of a whole provisioning holds no secret', async () => {
    const medplum = await start({ users: [DOC, ADMIN] });
    const admin = await signIn(medplum, ADMIN);
    const client = await admin.post<ClientApplicationJson>(`admin/projects/${medplum.project.id}/client`, { name: 'Secretive' });
    await admin.readResource('ClientApplication', client.id);
    await admin.searchResources('ClientApplication', { name: 'Secretive' });
    const rotated = await admin.post<ClientApplicationJson>(admin.fhirUrl('ClientApplication', client.id, '$rotate-secret'), { secret: client.secret });
    await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: basic(client.id, rotated.secret) });
    const log = JSON.stringify(medplum.log);
    for (const secret of [client.secret, rotated.secret, admin.getAccessToken() ?? '', PASSWORD]) {
      expect(log).not.toContain(secret);
    }
    expect(medplum.log.at(-1)).toEqual({ method: 'GET', path: '/fhir/R4/Patient', authScheme: 'Basic', clientId: client.id, status: 200 });
  });
});

describe('the double itself', () => {
  test('discovery is relative to the base URL, with the trailing-slash issuer', async () => {
    const medplum = await start();
    expect(medplum.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const config = (await (await fetch(`${medplum.baseUrl}.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(config).toMatchObject({ issuer: medplum.baseUrl, token_endpoint: `${medplum.baseUrl}oauth2/token` });
  });

  test('the log never holds secrets, passwords or tokens', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient();
    const token = (await (await postForm(`${medplum.baseUrl}oauth2/token`, { grant_type: 'client_credentials', client_id: id, client_secret: secret })).json()) as {
      access_token: string;
    };
    const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString('base64')}` });
    await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: basic(`${id}:${secret}`) });
    await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: basic(`${secret}:${id}`) }); // swapped by mistake
    await fetch(`${medplum.baseUrl}fhir/R4/Patient`, { headers: { authorization: `Bearer ${token.access_token}` } });
    await fetch(`${medplum.baseUrl}auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DOC) });

    const log = JSON.stringify(medplum.log);
    expect(summary(medplum)).toEqual([
      'POST /oauth2/token 200 client_credentials',
      'GET /fhir/R4/Patient 200 Basic',
      'GET /fhir/R4/Patient 401 Basic',
      'GET /fhir/R4/Patient 200 Bearer',
      'POST /auth/login 200',
    ]);
    for (const sensitive of [secret, token.access_token, PASSWORD]) {
      expect(log).not.toContain(sensitive);
    }
  });

  test('setAccessTokenLifetime changes expires_in and exp for new tokens; a client lifetime wins', async () => {
    const medplum = await start();
    const plain = medplum.addClient();
    const own = medplum.addClient({ accessTokenLifetimeSeconds: 60 });
    medplum.setAccessTokenLifetime(2);
    const grant = async ({ id, secret }: { id: string; secret: string }) =>
      (await (await postForm(`${medplum.baseUrl}oauth2/token`, { grant_type: 'client_credentials', client_id: id, client_secret: secret })).json()) as {
        expires_in: number;
        access_token: string;
      };
    const [a, b] = [await grant(plain), await grant(own)];
    const lifetime = (token: string) => {
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number };
      return claims.exp - claims.iat;
    };
    expect([a.expires_in, lifetime(a.access_token), b.expires_in, lifetime(b.access_token)]).toEqual([2, 2, 60, 60]);
  });

  test('configuration errors: a client id that is not a UUID, an unknown project', async () => {
    await expect(startMedplumDouble({ clients: [{ id: 'my-client' }] })).rejects.toThrow('must be a UUID');
    await expect(startMedplumDouble({ users: [{ ...DOC, projects: [randomUUID()] }] })).rejects.toThrow('unknown project');
    const medplum = await start();
    expect(() => medplum.addClient({ id: 'my-client' })).toThrow('must be a UUID');
  });

  test('what it does not model is refused and says so', async () => {
    const medplum = await start();
    const { id, secret } = medplum.addClient();
    const basic = { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };

    const search = await fetch(`${medplum.baseUrl}fhir/R4/Patient?name=Seed`, { headers: basic });
    const type = await fetch(`${medplum.baseUrl}fhir/R4/Encounter`, { headers: basic });
    const history = await fetch(`${medplum.baseUrl}fhir/R4/Patient/x/_history`, { headers: basic });
    const anonymous = await fetch(`${medplum.baseUrl}fhir/R4/Patient/x/_history`);

    expect([search.status, type.status, history.status, anonymous.status]).toEqual([400, 400, 400, 401]);
    expect(JSON.stringify(await search.json())).toContain('Search parameter name is not supported by the Medplum test double');
    expect(JSON.stringify(await type.json())).toContain('Resource type Encounter is not supported by the Medplum test double');
  });

  test('CORS: a preflight is answered (and not logged); responses name the origin', async () => {
    const medplum = await start();
    const origin = 'http://localhost:5173';
    const preflight = await fetch(`${medplum.baseUrl}auth/login`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-medplum' },
    });
    const login = await fetch(`${medplum.baseUrl}auth/login`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-medplum');
    expect(login.headers.get('access-control-allow-origin')).toBe(origin);
    expect(login.headers.get('access-control-allow-credentials')).toBe('true');
    expect(summary(medplum)).toEqual(['POST /auth/login 400']);
  });
});
