/**
 * Real ES384 JWTs, like the recorded server's: one key per double, published as its JWKS.
 * A token is accepted only if this double signed it, so a tampered or foreign token fails.
 */
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';

export type Claims = Readonly<Record<string, unknown>>;

export interface Signer {
  readonly jwk: Readonly<Record<string, unknown>>;
  sign(claims: Claims): string;
  /** The claims of a token this signer issued; undefined when malformed or the signature fails. */
  verify(token: string): Claims | undefined;
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function createSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const kid = randomUUID();
  const header = encodeJson({ alg: 'ES384', kid, typ: 'JWT' });
  const { kty, x, y, crv } = publicKey.export({ format: 'jwk' });
  const signature = { dsaEncoding: 'ieee-p1363' } as const;

  return {
    jwk: { kid, alg: 'ES384', kty, use: 'sig', x, y, crv },

    sign(claims) {
      const input = `${header}.${encodeJson(claims)}`;
      return `${input}.${sign('sha384', Buffer.from(input), { key: privateKey, ...signature }).toString('base64url')}`;
    },

    verify(token) {
      const [head, payload, sig, ...rest] = token.split('.');
      if (head !== header || payload === undefined || sig === undefined || rest.length > 0) {
        return undefined;
      }
      const sigBytes = Buffer.from(sig, 'base64url');
      // Node's base64url decoder skips stray characters; insist on the canonical form.
      if (sigBytes.toString('base64url') !== sig) {
        return undefined;
      }
      if (!verify('sha384', Buffer.from(`${head}.${payload}`), { key: publicKey, ...signature }, sigBytes)) {
        return undefined;
      }
      try {
        const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return typeof claims === 'object' && claims !== null ? (claims as Claims) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
