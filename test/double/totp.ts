/**
 * TOTP (RFC 6238) as Medplum's server checks MFA codes with otplib's `authenticator`: a base32
 * secret, HMAC-SHA-1, 30-second steps, 6 digits, one step of drift either way (`window: 1`,
 * the server's default `mfaAuthenticatorWindow`). Tests compute codes with `totp(secret)`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const STEP_MS = 30_000;
const DIGITS = 6;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(bytes: Buffer): string {
  let bits = '';
  for (const byte of bytes) {
    bits += byte.toString(2).padStart(8, '0');
  }
  return (bits.match(/.{1,5}/g) ?? []).map((chunk) => BASE32[parseInt(chunk.padEnd(5, '0'), 2)]).join('');
}

export function base32Decode(text: string): Buffer {
  const bits = [...text.toUpperCase().replace(/=+$/, '')]
    .map((char) => {
      const value = BASE32.indexOf(char);
      if (value < 0) {
        throw new Error(`TOTP: not a base32 secret: ${text}`);
      }
      return value.toString(2).padStart(5, '0');
    })
    .join('');
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

/** A new secret, as `authenticator.generateSecret()` makes (10 random bytes, base32). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(10));
}

/** The code for `secret` at `now` (ms since the epoch; default the current time). */
export function totp(secret: string, now: number = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / STEP_MS)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 10 ** DIGITS).padStart(DIGITS, '0');
}

/** True when `token` is the code of the current step or of one step before or after it. */
export function checkTotp(secret: string, token: string, now: number): boolean {
  return [-1, 0, 1].some((drift) => {
    const expected = Buffer.from(totp(secret, now + drift * STEP_MS));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
