/**
 * The jwt-assertion key pair, made locally with node:crypto: the private key stays on the
 * device (PEM, 0600, gitignored); its public half goes to jwks.json, which the user hosts at the
 * ClientApplication's jwksUri.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CliError } from '../errors.js';

export const PRIVATE_KEY_FILE = 'medplum-device-key.pem';

export interface DeviceKey {
  readonly keyId: string;
  readonly jwks: { readonly keys: readonly Record<string, string>[] };
  /** Set when the key was generated here and must be written into the project. */
  readonly privateKeyPem?: string;
}

export function generateDeviceKey(): DeviceKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...publicJwks(publicKey), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The public JWKS of an existing EC P-256 private key (`--private-key-path`); the key is not copied. */
export async function loadDeviceKey(path: string): Promise<DeviceKey> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readFile(path));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not a PEM or DER private key';
    throw new CliError(`--private-key-path ${path}: ${reason}. Pass an EC P-256 private key, or drop the flag to generate one.`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new CliError(`--private-key-path ${path} is not an EC P-256 key (the starter signs ES256). Generate one: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`);
  }
  return publicJwks(createPublicKey(key));
}

function publicJwks(publicKey: KeyObject): Omit<DeviceKey, 'privateKeyPem'> {
  // An EC public key always exports these four (RFC 7518 section 6.2.1).
  const { crv, kty, x, y } = publicKey.export({ format: 'jwk' }) as { crv: string; kty: string; x: string; y: string };
  // RFC 7638 thumbprint: the required members in lexicographic order, no whitespace.
  const keyId = createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
  return { keyId, jwks: { keys: [{ kty, crv, x, y, kid: keyId, alg: 'ES256', use: 'sig' }] } };
}
