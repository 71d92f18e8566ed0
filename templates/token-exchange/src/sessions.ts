import { createHash } from 'node:crypto';
import { ClientStorage, type FetchLike, getStatus, MedplumClient, MemoryStorage, OperationOutcomeError, tryGetJwtExpiration } from '@medplum/core';
import type { Project, Reference } from '@medplum/fhirtypes';
import { medplumFetch } from './fetch.ts';

/**
 * Stop using a Medplum token this long before its `exp`, so it cannot expire between the cache
 * lookup and the FHIR call that uses it.
 */
const EXPIRY_MARGIN_MS = 5_000;

/** Cached sessions (and refused tokens) at most; past this, the least recently used is dropped. */
const MAX_ENTRIES = 10_000;

/** How long a token the identity provider refused is answered 401 without asking Medplum again. */
const REFUSED_FOR_MS = 30_000;

/** New exchanges per second, on average; each costs Medplum a call to your IdP's userinfo. */
const EXCHANGES_PER_SECOND = 10;

/** Who the caller is in Medplum, and the Medplum access token that acts as them. */
export interface Session {
  readonly accessToken: string;
  /** When to stop using `accessToken`, in ms since the epoch. */
  readonly expiresAt: number;
  /** The caller's profile (Practitioner, Patient, ...) in the ClientApplication's project. */
  readonly profile: Reference;
  readonly project?: Reference<Project>;
}

/** Medplum refused the caller's token: the caller should get 401. The message is safe to send back. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

/** Too many new tokens at once: the caller should get 429 and try again shortly. */
export class TooManyExchangesError extends Error {
  override name = 'TooManyExchangesError';
}

/** Medplum refused the exchange for a reason that is this service's to fix. The message says what to check. */
export class ExchangeRefusedError extends Error {
  override name = 'ExchangeRefusedError';
}

export interface SessionsOptions {
  baseUrl: string;
  /** The ClientApplication whose `identityProvider.userInfoUrl` Medplum calls to check external tokens. */
  clientId: string;
  fetch?: FetchLike;
  /** The clock, in ms since the epoch. */
  now?: () => number;
  /** Limits, for tests: see MAX_ENTRIES and EXCHANGES_PER_SECOND. */
  maxEntries?: number;
  exchangesPerSecond?: number;
}

/**
 * Turns the external identity provider's access tokens into Medplum sessions.
 *
 * Each external token is exchanged once (RFC 8693 token exchange, `exchangeExternalAccessToken`),
 * and the Medplum token it yields is reused until it expires. Every request still gets its own
 * MedplumClient: a client holds one user's token, so sharing one between requests could let one
 * user's request run as another.
 */
export class Sessions {
  private readonly options: SessionsOptions;
  private readonly now: () => number;
  /** Both keyed by a SHA-256 of the external token: the raw token is never kept. */
  private readonly cache: Lru<Session>;
  private readonly refused: Lru<InvalidTokenError>;
  /** Exchanges in flight, so concurrent requests with the same token share one exchange. */
  private readonly pending = new Map<string, Promise<Session>>();
  private readonly bucket: TokenBucket;

  constructor(options: SessionsOptions) {
    this.options = options;
    this.now = options.now ?? (() => Date.now());
    this.cache = new Lru(options.maxEntries ?? MAX_ENTRIES);
    this.refused = new Lru(options.maxEntries ?? MAX_ENTRIES);
    this.bucket = new TokenBucket(options.exchangesPerSecond ?? EXCHANGES_PER_SECOND, this.now());
  }

  /** The number of cached sessions. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * Runs `call` with a fresh MedplumClient acting as the owner of `externalToken`.
   * If Medplum rejects a cached token (revoked before its `exp`), the token is exchanged again
   * and `call` runs once more.
   */
  async run<T>(externalToken: string, call: (medplum: MedplumClient, session: Session) => Promise<T>): Promise<T> {
    const key = hash(externalToken);
    const cached = this.cache.get(key, this.now());
    if (cached) {
      try {
        return await call(this.client(cached.accessToken), cached);
      } catch (err) {
        if (!isUnauthorized(err)) {
          throw err;
        }
        this.cache.delete(key);
      }
    }
    const session = await this.exchange(key, externalToken);
    return call(this.client(session.accessToken), session);
  }

  private exchange(key: string, externalToken: string): Promise<Session> {
    let promise = this.pending.get(key);
    if (promise) {
      return promise;
    }
    const refused = this.refused.get(key, this.now());
    if (refused) {
      throw refused;
    }
    if (!this.bucket.take(this.now())) {
      throw new TooManyExchangesError('Too many new sign-ins at once. Try again in a second.');
    }
    promise = this.exchangeNow(externalToken)
      .then((session) => {
        this.cache.set(key, session, session.expiresAt);
        return session;
      })
      .catch((err: unknown) => {
        if (err instanceof InvalidTokenError) {
          this.refused.set(key, err, this.now() + REFUSED_FOR_MS);
        }
        throw err;
      })
      .finally(() => this.pending.delete(key));
    this.pending.set(key, promise);
    return promise;
  }

  private async exchangeNow(externalToken: string): Promise<Session> {
    const medplum = this.client();
    try {
      await medplum.exchangeExternalAccessToken(externalToken, this.options.clientId);
    } catch (err) {
      throw explainExchangeFailure(err);
    }
    const accessToken = medplum.getAccessToken() as string;
    const login = medplum.getActiveLogin();
    return {
      accessToken,
      expiresAt: expiresAt(accessToken, externalToken, this.now()),
      profile: login?.profile ?? {},
      project: login?.project,
    };
  }

  /** A new client for one request: its own memory storage, and no request cache shared with anyone. */
  private client(accessToken?: string): MedplumClient {
    return new MedplumClient({
      baseUrl: this.options.baseUrl,
      clientId: this.options.clientId,
      accessToken,
      fetch: medplumFetch(this.options.baseUrl, this.options.fetch),
      storage: new ClientStorage(new MemoryStorage()),
      // The cache decides when a token is too old. (With the SDK's five-minute early renewal, a
      // token shorter than that would be refreshed on every request.)
      refreshGracePeriod: 0,
      cacheTime: 0,
    });
  }
}

/** A Map used as an LRU cache with a size limit and an expiry per entry: get and set are O(1). */
class Lru<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry || entry.expiresAt <= now) {
      return undefined;
    }
    this.entries.set(key, entry); // now the most recently used
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) {
      this.entries.delete(this.entries.keys().next().value as string); // Maps iterate oldest first
    }
    this.entries.set(key, { value, expiresAt });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** A token bucket: `rate` per second on average, in bursts of up to `rate`. */
class TokenBucket {
  private readonly rate: number;
  private tokens: number;
  private last: number;

  constructor(rate: number, now: number) {
    this.rate = rate;
    this.tokens = rate;
    this.last = now;
  }

  take(now: number): boolean {
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }
}

/**
 * The Medplum token's `exp`, minus a margin. If the external token is a JWT with an earlier `exp`,
 * that one: a session never outlives the token it was made from. (Reading `exp` without checking
 * the signature is fine here: it can only make the session shorter.)
 */
function expiresAt(accessToken: string, externalToken: string, now: number): number {
  const medplumExp = tryGetJwtExpiration(accessToken) ?? now;
  const externalExp = safeJwtExpiration(externalToken) ?? Infinity;
  return Math.min(medplumExp, externalExp) - EXPIRY_MARGIN_MS;
}

function safeJwtExpiration(token: string): number | undefined {
  try {
    return tryGetJwtExpiration(token);
  } catch {
    return undefined; // an opaque token, or not quite a JWT
  }
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof OperationOutcomeError && getStatus(err.outcome) === 401;
}

/**
 * The token endpoint answers 400 for every refused exchange. Those about the caller's token become
 * an InvalidTokenError (401 for the caller); the others (a wrong MEDPLUM_CLIENT_ID, no identity
 * provider on the client) an ExchangeRefusedError. Network errors and outages pass through.
 */
function explainExchangeFailure(err: unknown): unknown {
  if (!(err instanceof OperationOutcomeError) || getStatus(err.outcome) !== 400) {
    return err;
  }
  const reason = err.outcome.issue?.[0]?.details?.text ?? err.message;
  switch (reason) {
    case 'Failed to verify code - check your identity provider configuration':
      // Medplum called the identity provider's userinfo endpoint with the token and was refused:
      // the token is invalid or expired (or identityProvider.userInfoUrl is wrong).
      return new InvalidTokenError('The identity provider did not accept this access token.', { cause: err });
    case 'User not found':
      // The token is good, but no user in the client's project has its email (or external ID).
      return new InvalidTokenError('This user has no access to this application in Medplum.', { cause: err });
    case 'Invalid client':
      return new ExchangeRefusedError(
        'Medplum refused the token exchange: Invalid client. Check MEDPLUM_CLIENT_ID: it must be a ' +
          'ClientApplication with an identity provider (identityProvider.userInfoUrl).',
        { cause: err }
      );
    case 'IP address not allowed':
      return new ExchangeRefusedError(
        "Medplum refused the token exchange: IP address not allowed. The user's AccessPolicy has ipAccessRule " +
          "entries that block this API: Medplum sees the API's address, not the caller's.",
        { cause: err }
      );
    default:
      return new ExchangeRefusedError(
        `Medplum refused the token exchange: ${reason}. ` +
          'Check MEDPLUM_CLIENT_ID and the identity provider settings of that ClientApplication.',
        { cause: err }
      );
  }
}
