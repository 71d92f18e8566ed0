import type { KeyObject } from 'node:crypto';
import { ClientStorage, type FetchLike, getStatus, MedplumClient, MemoryStorage, OperationOutcomeError, parseJWTPayload } from '@medplum/core';
import type { SignedIn } from './agent.ts';
import { loadPrivateKey, signAssertion } from './assertion.ts';
import type { Config } from './config.ts';
import { medplumFetch } from './fetch.ts';
import { signInFailure } from './sign-in.ts';

/** Sign in again when the access token has less than this left (or less than half its lifetime). */
const RENEW_BEFORE_MS = 60_000;

export interface DeviceLoginOptions {
  fetch?: FetchLike;
  /** The clock, in ms since the epoch. */
  now?: () => number;
}

/**
 * A MedplumClient signed in with private_key_jwt, and kept signed in.
 *
 * The SDK never renews tokens from `startJwtAssertionLogin`: there is no refresh token, and it
 * holds no secret to log in again with. So before each use, `client()` checks the token's own `exp`
 * and, when it is close, signs a new assertion and logs in again.
 */
export class DeviceLogin implements SignedIn {
  readonly medplum: MedplumClient;
  readonly tokenUrl: string;
  private readonly config: Config;
  private readonly privateKey: KeyObject;
  private readonly now: () => number;
  private renewAt = 0;

  constructor(config: Config, privateKey: KeyObject, options: DeviceLoginOptions = {}) {
    this.config = config;
    this.privateKey = privateKey;
    this.now = options.now ?? (() => Date.now());
    this.tokenUrl = new URL('oauth2/token', config.baseUrl).href;
    this.medplum = new MedplumClient({
      baseUrl: config.baseUrl,
      // The SDK then also checks that each token it receives was issued to this client.
      clientId: config.clientId,
      // Tokens stay in this process's memory: nothing is written to disk, on any Node version.
      storage: new ClientStorage(new MemoryStorage()),
      fetch: medplumFetch(config.baseUrl, options.fetch),
    });
  }

  /** Signs a new assertion (new `jti`, new `exp`) and exchanges it for an access token. */
  async signIn(): Promise<void> {
    const assertion = signAssertion({
      privateKey: this.privateKey,
      keyId: this.config.keyId,
      clientId: this.config.clientId,
      tokenUrl: this.tokenUrl,
      now: Math.floor(this.now() / 1000),
    });
    try {
      await this.medplum.startJwtAssertionLogin(assertion);
    } catch (err) {
      throw signInFailure(err, this.config, (reason) => hint(reason, this.config, this.tokenUrl));
    }
    const { iat, exp } = parseJWTPayload(this.medplum.getAccessToken() as string) as { iat?: number; exp?: number };
    const expiresAt = (exp ?? 0) * 1000;
    const lifetime = expiresAt - (iat ?? 0) * 1000;
    this.renewAt = expiresAt - Math.min(RENEW_BEFORE_MS, lifetime / 2);
  }

  /** The client, with a token that is not about to expire: signs in again first if it is. */
  async client(): Promise<MedplumClient> {
    if (this.now() >= this.renewAt) {
      await this.signIn();
    }
    return this.medplum;
  }

  /**
   * Runs `call` with a signed-in client, signing in again first when the token is close to its
   * expiry (the SDK will not). If Medplum still answers 401 (the token was revoked), signs in again
   * and runs it once more.
   */
  async run<T>(call: (medplum: MedplumClient) => Promise<T>): Promise<T> {
    const medplum = await this.client();
    try {
      return await call(medplum);
    } catch (err) {
      if (!(err instanceof OperationOutcomeError && getStatus(err.outcome) === 401)) {
        throw err;
      }
      await this.signIn();
      return call(this.medplum);
    }
  }
}

/**
 * Reads the private key and signs in once, so that a bad key or setting stops the agent at start-up,
 * and says so on `log`.
 */
export async function signIn(config: Config, log: Pick<Console, 'log' | 'warn'>): Promise<SignedIn> {
  const login = new DeviceLogin(config, loadPrivateKey(config.privateKeyPath));
  await login.signIn();
  log.log(`Signed in to ${config.baseUrl} as client ${config.clientId} (private key JWT, kid ${config.keyId}).`);
  return login;
}

/** What to check for each `error_description` the token endpoint answers with. */
function hint(reason: string, { privateKeyPath, keyId }: Config, tokenUrl: string): string {
  switch (reason) {
    case 'Invalid client assertion signature':
      return (
        `The jwks.json hosted at the ClientApplication's jwksUri must hold the public half of ${privateKeyPath}, ` +
        `with "kid": "${keyId}" (MEDPLUM_KEY_ID). Also check the device clock: each assertion is valid for 5 minutes.`
      );
    case 'Invalid client assertion audience':
      return `The assertion's aud is ${tokenUrl}; it must be exactly the server's token URL. Check MEDPLUM_BASE_URL.`;
    case 'Client not found':
    case 'Invalid client assertion issuer':
      return 'Check MEDPLUM_CLIENT_ID: it must be the ID of the ClientApplication created for this device.';
    case 'Client must have a JWK Set URL':
      return "Set the ClientApplication's JWK Set URL (jwksUri) to the HTTPS URL where jwks.json is hosted.";
    case 'IP address not allowed':
      return "The IP rules in the client's AccessPolicy block this device's address.";
    default:
      return 'Check MEDPLUM_BASE_URL, MEDPLUM_CLIENT_ID, and the jwksUri of the ClientApplication.';
  }
}
