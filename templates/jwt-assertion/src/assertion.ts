import { createPrivateKey, type KeyObject, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from './env.ts';

/** How long an assertion is valid. Medplum accepts longer ones, but five minutes is the usual ceiling. */
export const ASSERTION_LIFETIME_SECONDS = 300;

export interface AssertionInput {
  privateKey: KeyObject;
  /** The `kid` of the matching public key in jwks.json. */
  keyId: string;
  /** The ClientApplication ID: both `iss` and `sub`. */
  clientId: string;
  /** Medplum's token URL, exactly: `<base URL>oauth2/token`. */
  tokenUrl: string;
  /** Seconds since the epoch; default now. */
  now?: number;
}

/**
 * A client assertion for private_key_jwt (RFC 7523): an ES256 JWT that says "I am this client",
 * signed with the device's private key. Medplum checks it against the public key in the JWKS at the
 * ClientApplication's `jwksUri`. A new one is signed for every login, with a new random `jti`.
 */
export function signAssertion({ privateKey, keyId, clientId, tokenUrl, now }: AssertionInput): string {
  const iat = now ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', kid: keyId, typ: 'JWT' };
  const claims = {
    iss: clientId,
    sub: clientId,
    aud: tokenUrl,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
    jti: randomUUID(),
  };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  // JWS wants the raw r||s signature (IEEE P1363), not the DER that node:crypto produces by default.
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Reads the EC P-256 private key at `path`. Every problem is one ConfigError line naming the file. */
export function loadPrivateKey(path: string): KeyObject {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(
      `Could not read MEDPLUM_PRIVATE_KEY_PATH (${path}): ${code}. ` +
        'Point it at the PEM private key that create-medplum-auth generated (medplum-device-key.pem).'
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`MEDPLUM_PRIVATE_KEY_PATH (${path}) is not a PEM private key.`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ConfigError(
      `MEDPLUM_PRIVATE_KEY_PATH (${path}) is not an EC P-256 key: this agent signs ES256. ` +
        'Generate one with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt'
    );
  }
  return key;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
