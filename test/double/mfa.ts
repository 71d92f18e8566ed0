/**
 * TOTP multi-factor authentication, as Medplum's server does it (no recording covers MFA):
 * - `sendLoginResult` (packages/server/src/auth/utils.ts) answers a password login of a user
 *   enrolled in MFA with `{login, mfaRequired: true, mfaMethods, email}`, and one of a user who
 *   must use MFA but is not enrolled with `{login, mfaEnrollRequired: true, enrollUri,
 *   enrollQrCode, allowedMfaMethods}`; only after that come the code or the memberships.
 * - `POST /auth/mfa/verify` (packages/server/src/auth/mfa.ts) checks the code with
 *   `verifyMfaToken` (packages/server/src/oauth/utils.ts), then answers as `sendLoginResult`.
 * - `POST /auth/mfa/login-enroll` (auth/mfa.ts) enrols the user with a first code, then the same.
 * Email MFA (`method: 'email'`, `auth/mfa/send-email`) is not modelled: it is refused.
 */
import { badRequest, HttpError } from './http.js';
import type { DoubleState, Login, User } from './model.js';
import { checkTotp, generateTotpSecret } from './totp.js';

/** The issuer of a project without a `brandName` setting (auth/utils.ts DEFAULT_MFA_ISSUER). */
const ISSUER = 'medplum.com';

/** The answer that stops a password login at MFA, or undefined when MFA does not apply. */
export function mfaChallenge(login: Login): Record<string, unknown> | undefined {
  const user = login.user;
  if (!user || login.authMethod !== 'password' || login.mfaVerified) {
    return undefined;
  }
  if (user.mfaRequired && !user.mfaEnrolled) {
    // buildTotpEnrollment: a secret is made on first use and kept, so the URI is stable.
    user.mfaSecret ??= generateTotpSecret();
    const enrollUri = keyUri(user.email, user.mfaSecret);
    return { login: login.id, mfaEnrollRequired: true, enrollUri, enrollQrCode: placeholderQrCode(enrollUri), allowedMfaMethods: ['totp'] };
  }
  if (user.mfaEnrolled) {
    return { login: login.id, mfaRequired: true, mfaMethods: ['totp'], email: user.email };
  }
  return undefined;
}

/** `verifyMfaToken`: the login must still be open, the user enrolled, the code right. */
export function verifyMfaCode(state: DoubleState, login: Login, token: string): void {
  assertOpen(login);
  const user = login.user;
  if (!user?.mfaEnrolled) {
    throw new HttpError(badRequest('User not enrolled in MFA'));
  }
  checkCode(state, user, token);
  login.mfaVerified = true;
}

/** `login-enroll` with `method: 'totp'`: the first code enrols the user and verifies this login. */
export function enrollMfa(state: DoubleState, login: Login, method: string | undefined, token: string | undefined): void {
  const user = login.user;
  if (!user) {
    throw new HttpError(badRequest('Invalid login'));
  }
  if (user.mfaEnrolled) {
    throw new HttpError(badRequest('Already enrolled'));
  }
  if (method === 'email') {
    throw new HttpError(badRequest('Email MFA is not modelled by the Medplum test double'));
  }
  if (!user.mfaSecret) {
    throw new HttpError(badRequest('Secret not found'));
  }
  if (!token) {
    throw new HttpError(badRequest('Missing token'));
  }
  assertOpen(login);
  checkCode(state, user, token);
  login.mfaVerified = true;
  user.mfaEnrolled = true;
}

function assertOpen(login: Login): void {
  if (login.revoked) {
    throw new HttpError(badRequest('Login revoked'));
  }
  if (login.granted) {
    throw new HttpError(badRequest('Login granted'));
  }
  if (login.mfaVerified) {
    throw new HttpError(badRequest('Login already verified'));
  }
}

function checkCode(state: DoubleState, user: User, token: string): void {
  if (!user.mfaSecret || !checkTotp(user.mfaSecret, token, state.now())) {
    throw new HttpError(badRequest('Invalid MFA token'));
  }
}

/** otplib's `authenticator.keyuri(accountName, issuer, secret)`. */
function keyUri(accountName: string, secret: string): string {
  const issuer = encodeURIComponent(ISSUER);
  return `otpauth://totp/${issuer}:${encodeURIComponent(accountName)}?secret=${secret}&period=30&digits=6&algorithm=SHA1&issuer=${issuer}`;
}

/**
 * The server sends a PNG QR code of the URI (qrcode's `toDataURL`). The double sends an image of
 * the same kind (a data URL) that is not a QR code: a test reads the secret from
 * `medplum.user(email).mfaSecret` or from `enrollUri` instead of scanning.
 */
function placeholderQrCode(enrollUri: string): string {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160"><title>${enrollUri.replace(/&/g, '&amp;')}</title><rect width="160" height="160" fill="#eee"/></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
