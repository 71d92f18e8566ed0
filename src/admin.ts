/**
 * A Medplum session as a project admin, for the commands that change the server (rotate-secret,
 * and provisioning). Credentials come from MEDPLUM_ADMIN_CLIENT_ID / MEDPLUM_ADMIN_CLIENT_SECRET,
 * or from a Medplum CLI profile (~/.medplum/<name>.json). Loaded only by those commands.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { MedplumClient } from '@medplum/core';
import { CliError, UsageError } from './errors.js';

export interface AdminOptions {
  readonly baseUrl: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly profile?: string;
  readonly home?: string;
}

interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly source: string;
}

async function credentials({ env, profile, home = homedir() }: AdminOptions): Promise<Credentials> {
  if (profile !== undefined) {
    const path = join(home, '.medplum', `${profile}.json`);
    let stored: { clientId?: unknown; clientSecret?: unknown };
    try {
      stored = JSON.parse(await readFile(path, 'utf8')) as typeof stored;
    } catch {
      throw new UsageError(`--admin-profile ${profile}: cannot read ${path}. Create it with: medplum profile set ${profile} ...`);
    }
    if (typeof stored.clientId !== 'string' || typeof stored.clientSecret !== 'string') {
      throw new UsageError(`--admin-profile ${profile}: ${path} has no clientId and clientSecret (only client-credentials profiles work here).`);
    }
    return { clientId: stored.clientId, clientSecret: stored.clientSecret, source: `profile ${profile}` };
  }
  const clientId = env.MEDPLUM_ADMIN_CLIENT_ID;
  const clientSecret = env.MEDPLUM_ADMIN_CLIENT_SECRET;
  if (!clientId || !clientSecret) {
    throw new UsageError(
      'This needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID and MEDPLUM_ADMIN_CLIENT_SECRET (an admin ClientApplication), or pass --admin-profile <name>.',
    );
  }
  return { clientId, clientSecret, source: 'MEDPLUM_ADMIN_CLIENT_ID' };
}

/** Signs in as the admin client; every failure is one line that never holds the secret. */
export async function adminSession(options: AdminOptions): Promise<MedplumClient> {
  const creds = await credentials(options);
  const { MedplumClient, MemoryStorage, ClientStorage } = await import('@medplum/core');
  const medplum = new MedplumClient({
    baseUrl: options.baseUrl,
    storage: new ClientStorage(new MemoryStorage()),
    refreshGracePeriod: 0,
  });
  try {
    await medplum.startClientLogin(creds.clientId, creds.clientSecret);
  } catch (err) {
    throw new CliError(`Admin sign-in to ${options.baseUrl} failed (${creds.source}): ${describe(err, options.baseUrl)}`);
  }
  return medplum;
}

/** One line for a failed Medplum call: unreachable, not Medplum, or the server's own words. */
export function describe(err: unknown, baseUrl: string): string {
  if (err instanceof TypeError && err.cause instanceof Error) {
    return `cannot reach ${baseUrl} (${(err.cause as NodeJS.ErrnoException).code ?? err.cause.message}). Check the base URL and the network.`;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (/Not found|Unexpected token|JSON/i.test(message)) {
    return `${baseUrl} does not answer like a Medplum server (${message}). Check the base URL: it is the API server, e.g. https://api.medplum.com/.`;
  }
  if (/Forbidden/.test(message)) {
    return 'Forbidden: the admin credentials are not a project admin of this project.';
  }
  return message.replace(/^Failed to fetch tokens: /, '');
}
