/**
 * A Medplum session as a project admin, for the commands that change the server (rotate-secret,
 * and provisioning). Credentials come from MEDPLUM_ADMIN_CLIENT_ID / MEDPLUM_ADMIN_CLIENT_SECRET,
 * or from a Medplum CLI profile (~/.medplum/<name>.json). Loaded only by those commands.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { MedplumClient } from '@medplum/core';
import { createHash, randomBytes } from 'node:crypto';
import { CliError, Interrupted, UsageError } from '../errors.js';
import { HttpPolicyError } from './http.js';
import type { Prompter } from '../cli/prompts.js';

export interface AdminOptions {
  readonly baseUrl: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly profile?: string;
  readonly home?: string;
  /** At a terminal: ask for an admin's email and password when no credentials are set. */
  readonly prompt?: Prompter;
  readonly projectId?: string;
  /** The HTTP policy (http.ts): timeout, same-origin redirects, --debug. */
  readonly fetch: typeof fetch;
}

interface Credentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly source: string;
}

async function credentials(options: AdminOptions): Promise<Credentials | undefined> {
  const { env, profile } = options;
  const home = options.home ?? (env.HOME || homedir());
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
    if (options.prompt) {
      return undefined;
    }
    throw new UsageError(
      'This needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID and MEDPLUM_ADMIN_CLIENT_SECRET (an admin ClientApplication), or pass --admin-profile <name>.',
    );
  }
  return { clientId, clientSecret, source: 'MEDPLUM_ADMIN_CLIENT_ID' };
}

/** `--admin-client-id`/`--admin-client-secret` win over the environment's MEDPLUM_ADMIN_*. */
export function withAdminFlags(
  env: Readonly<Record<string, string | undefined>>,
  flags: { readonly adminClientId?: string; readonly adminClientSecret?: string },
): Readonly<Record<string, string | undefined>> {
  return {
    ...env,
    ...(flags.adminClientId !== undefined ? { MEDPLUM_ADMIN_CLIENT_ID: flags.adminClientId } : {}),
    ...(flags.adminClientSecret !== undefined ? { MEDPLUM_ADMIN_CLIENT_SECRET: flags.adminClientSecret } : {}),
  };
}

/** Signs in as the admin client; every failure is one line that never holds the secret. */
export async function adminSession(options: AdminOptions): Promise<MedplumClient> {
  const creds = await credentials(options);
  const { MedplumClient, MemoryStorage, ClientStorage } = await import('@medplum/core');
  const storage = new ClientStorage(new MemoryStorage());
  const medplum = new MedplumClient({
    baseUrl: options.baseUrl,
    storage,
    refreshGracePeriod: 0,
    fetch: options.fetch,
  });
  const source = creds?.source ?? 'email and password';
  try {
    if (creds) {
      await medplum.startClientLogin(creds.clientId, creds.clientSecret);
    } else {
      await passwordLogin(medplum, storage, options.prompt as Prompter, options.projectId);
    }
  } catch (err) {
    if ((err instanceof Error && err.name === 'ExitPromptError') || err instanceof Interrupted) {
      throw err;
    }
    throw new CliError(`Admin sign-in to ${options.baseUrl} failed (${source}): ${describe(err, options.baseUrl)}`);
  }
  return medplum;
}

/** What `auth/login`, `auth/mfa/verify` and `auth/profile` answer (the server's `sendLoginResult`). */
interface LoginResult {
  readonly login: string;
  readonly code?: string;
  readonly mfaRequired?: boolean;
  readonly mfaEnrollRequired?: boolean;
  readonly memberships?: readonly { readonly id: string; readonly project: { readonly display?: string; readonly reference?: string } }[];
}

/**
 * An admin signing in at the terminal: the password is masked, PKCE is S256 (computed here, so
 * the SDK's browser-only hashing is not needed), then the steps the server asks for in turn:
 * the MFA code, and the project for a user of several.
 */
async function passwordLogin(
  medplum: MedplumClient,
  storage: { setString(key: string, value: string): void },
  prompt: Prompter,
  projectId: string | undefined,
): Promise<void> {
  const email = await prompt.input({ message: 'Medplum admin email' });
  const password = await prompt.password({ message: 'Password' });
  const verifier = randomBytes(32).toString('base64url');
  storage.setString('codeVerifier', verifier);
  const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
  let login = (await medplum.startLogin({ email, password, projectId, codeChallenge, codeChallengeMethod: 'S256' })) as LoginResult;
  if (login.mfaEnrollRequired) {
    throw new Error('the account must enrol in MFA first: sign in once in the Medplum app to set it up, then run again');
  }
  if (login.mfaRequired) {
    const token = await prompt.input({ message: 'MFA code (from your authenticator app)', validate: (value) => /^\d{6}$/.test(value.trim()) || 'Enter the 6-digit code.' });
    login = (await medplum.post('auth/mfa/verify', { login: login.login, token: token.trim() })) as LoginResult;
  }
  if (!login.code && login.memberships?.length) {
    const profile = await prompt.select({
      message: 'Which project?',
      choices: login.memberships.map((m) => ({ value: m.id, name: m.project.display ?? m.project.reference ?? m.id })),
    });
    login = (await medplum.post('auth/profile', { login: login.login, profile })) as LoginResult;
  }
  if (!login.code) {
    throw new Error('the server asked for a sign-in step this CLI does not know: use admin client credentials instead');
  }
  await medplum.processCode(login.code);
}

/** One line for a failed Medplum call: unreachable, not Medplum, or the server's own words. */
export function describe(err: unknown, baseUrl: string): string {
  const notMedplum = (why: string) =>
    `${baseUrl} does not answer like a Medplum server (${why}). Check the base URL: it is the API server, e.g. https://api.medplum.com/.`;
  if (err instanceof HttpPolicyError) {
    return err.kind === 'not-json' ? notMedplum(err.message) : err.message;
  }
  if (err instanceof TypeError && err.cause instanceof Error) {
    return `cannot reach ${baseUrl} (${(err.cause as NodeJS.ErrnoException).code ?? err.cause.message}). Check the base URL and the network.`;
  }
  const message = err instanceof Error ? err.message : String(err);
  // A server that answers with something other than Medplum's JSON (but not Medplum's own
  // validation errors, such as "Invalid JSON type", which are its answer to what was sent).
  if (/Not found|Unexpected token|not valid JSON/i.test(message) || message === 'Failed to fetch tokens') {
    return notMedplum(message);
  }
  if (/Forbidden/.test(message)) {
    return 'Forbidden: the admin credentials are not a project admin of this project.';
  }
  return message.replace(/^Failed to fetch tokens: /, '');
}
