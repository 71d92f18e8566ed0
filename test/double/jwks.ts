/**
 * JSON Web Keys with node:crypto: signing test JWTs (client assertions, Google credentials),
 * fetching a remote JWK Set, and verifying a JWT against one the way the server's `jose`
 * `jwtVerify` does (allowed algorithms, key selection by kid/kty/crv, then iss, aud, nbf, exp),
 * with jose's error texts.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type JsonWebKeyInput, type KeyObject } from 'node:crypto';

export type JwtAlgorithm = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512';

export interface Jwk {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly crv?: string;
  readonly [key: string]: unknown;
}

export interface JwkSet {
  readonly keys: readonly Jwk[];
}

/** A key pair for tests: `privateKey` signs, `jwk` (public, with kid/alg/use) goes into a JWK Set. */
export interface TestSigningKey {
  readonly alg: JwtAlgorithm;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Jwk;
}

const ALGORITHMS: Readonly<Record<JwtAlgorithm, { readonly hash: string; readonly kty: 'EC' | 'RSA'; readonly crv?: string }>> = {
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384' },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521' },
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
};

export const ASSERTION_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];

function isAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === 'string' && Object.hasOwn(ALGORITHMS, alg);
}

const encodeJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A fresh key pair (EC for ES*, 2048-bit RSA for RS*). */
export function generateSigningKey(alg: JwtAlgorithm = 'ES256', kid: string = randomUUID()): TestSigningKey {
  const { kty, crv } = ALGORITHMS[alg];
  const { privateKey, publicKey } =
    kty === 'EC' ? generateKeyPairSync('ec', { namedCurve: crv ?? 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { alg, kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as Jwk };
}

/** Signs `claims` as a compact JWS. The header is `{alg, kid, typ: 'JWT'}` unless overridden. */
export function signJwt(
  key: Pick<TestSigningKey, 'alg' | 'kid' | 'privateKey'>,
  claims: Readonly<Record<string, unknown>>,
  header: Readonly<Record<string, unknown>> = {},
): string {
  const input = `${encodeJson({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${encodeJson(claims)}`;
  const { hash, kty } = ALGORITHMS[key.alg];
  const signature = sign(hash, Buffer.from(input), kty === 'EC' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

export interface DecodedJwt {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The parts of a compact JWS, or undefined when it is not one (no signature check). */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  const [head, payload, sig] = parts;
  if (parts.length !== 3 || head === undefined || payload === undefined || sig === undefined) {
    return undefined;
  }
  const header = decodePart(head);
  const claims = decodePart(payload);
  if (!header || !claims) {
    return undefined;
  }
  return { header, claims, signingInput: `${head}.${payload}`, signature: Buffer.from(sig, 'base64url') };
}

/** GET a JWK Set, as jose's remote key set does; throws on a network error, a non-2xx answer or a body without `keys`. */
export async function fetchJwks(url: string): Promise<JwkSet> {
  const response = await fetch(url, { headers: { accept: 'application/json, application/jwk-set+json' }, signal: AbortSignal.timeout(5000) });
  if (!response.ok) {
    throw new Error(`Expected 200 OK from the JSON Web Key Set HTTP response, got ${response.status}`);
  }
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) {
    throw new Error('JSON Web Key Set malformed');
  }
  return body as JwkSet;
}

export interface VerifyOptions {
  readonly algorithms: readonly JwtAlgorithm[];
  readonly issuer: string;
  readonly audience: string;
  /** Seconds since the epoch. */
  readonly now: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly error: string };

/** Keys jose would try for this header: same kid (when given), the algorithm's kty/crv, alg and use compatible. */
function candidateKeys(jwks: JwkSet, header: Readonly<Record<string, unknown>>, alg: JwtAlgorithm): Jwk[] {
  const { kty, crv } = ALGORITHMS[alg];
  return jwks.keys.filter(
    (key) =>
      (header.kid === undefined || key.kid === header.kid) &&
      key.kty === kty &&
      (crv === undefined || key.crv === crv) &&
      (key.alg === undefined || key.alg === alg) &&
      (key.use === undefined || key.use === 'sig'),
  );
}

function signatureValid(jwt: DecodedJwt, alg: JwtAlgorithm, jwk: Jwk): boolean {
  const { hash, kty } = ALGORITHMS[alg];
  try {
    const key = createPublicKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' });
    const data = Buffer.from(jwt.signingInput);
    return verify(hash, data, kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' } : key, jwt.signature);
  } catch {
    return false;
  }
}

/** jose's `jwtVerify` with a key set, reduced to what Medplum relies on; errors carry jose's messages. */
export function verifyJwt(token: string, jwks: JwkSet, options: VerifyOptions): VerifyResult {
  const fail = (error: string): VerifyResult => ({ ok: false, error });
  const jwt = decodeJwt(token);
  if (!jwt) {
    return fail('Invalid Compact JWS');
  }
  const alg = jwt.header.alg;
  if (!isAlgorithm(alg) || !options.algorithms.includes(alg)) {
    return fail('"alg" (Algorithm) Header Parameter value not allowed');
  }
  const keys = candidateKeys(jwks, jwt.header, alg);
  if (keys.length === 0) {
    return fail('no applicable key found in the JSON Web Key Set');
  }
  // Several matching keys: Medplum tries each one (verifyMultipleMatchingException).
  if (!keys.some((key) => signatureValid(jwt, alg, key))) {
    return fail('signature verification failed');
  }
  const { claims } = jwt;
  if (claims.iss !== options.issuer) {
    return fail('unexpected "iss" claim value');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(options.audience)) {
    return fail('unexpected "aud" claim value');
  }
  for (const name of ['iat', 'nbf', 'exp']) {
    if (claims[name] !== undefined && typeof claims[name] !== 'number') {
      return fail(`"${name}" claim must be a number`);
    }
  }
  if (typeof claims.nbf === 'number' && claims.nbf > options.now) {
    return fail('"nbf" claim timestamp check failed');
  }
  if (typeof claims.exp === 'number' && claims.exp <= options.now) {
    return fail('"exp" claim timestamp check failed');
  }
  return { ok: true, claims };
}
