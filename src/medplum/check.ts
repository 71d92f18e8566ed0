/**
 * `create-medplum-auth check [directory]`: audits a generated project's credentials.
 * Static checks read the project (env files, modes, git, source); the live check signs in by
 * the project's method and reads `auth/me`. Nothing it prints holds a secret: `auth/me` for a
 * client returns the ClientApplication *with* its secret, so only chosen fields are read.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { MedplumClient } from '@medplum/core';
import type { CheckFlags } from '../cli/args.js';
import { CliError, Interrupted } from '../errors.js';
import { HttpPolicyError, policyFetch } from './http.js';
import type { Method, MethodId } from '../guide/methods.js';
import { publicPrefixes, readProjectEnv, readRecordedProject, requireClientSecret } from '../scaffold/project.js';
import type { Ui } from '../cli/ui.js';

export type Level = 'ok' | 'warning' | 'error' | 'skipped';

export interface Finding {
  readonly id: string;
  readonly level: Level;
  readonly message: string;
}

export interface CheckOptions extends Omit<CheckFlags, 'debug'> {
  /** --debug: where to log each HTTP exchange (never a secret). */
  readonly debug?: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM. */
  readonly interrupt?: AbortSignal;
  /** A project admin already signed in (the scaffold's --provision): reads a web client's ClientApplication. */
  readonly admin?: MedplumClient;
}

/** How each method proves who it is, for the live check; absent = users sign in interactively. */
const SIGN_IN: Partial<Record<MethodId, 'client-secret' | 'basic' | 'jwt'>> = {
  'client-credentials': 'client-secret',
  'device-credentials': 'client-secret',
  'basic-auth': 'basic',
  'jwt-assertion': 'jwt',
};

export interface CheckResult {
  readonly directory: string;
  readonly method: MethodId;
  readonly findings: readonly Finding[];
}

export async function check(options: CheckOptions, cwd: string, processEnv: Readonly<Record<string, string | undefined>>): Promise<CheckResult> {
  const dir = resolve(cwd, options.directory);
  const { method, webEnv } = await readRecordedProject(dir, 'check');
  const env = await readProjectEnv(dir, options.envFile ? resolve(cwd, options.envFile) : undefined, processEnv, webEnv.file);
  const http = policyFetch({ timeoutSeconds: options.timeout, debug: options.debug, interrupt: options.interrupt });
  const server = await serverFindings(env[envName(method, 'MEDPLUM_BASE_URL')], http);
  // A server that did not answer in time is not asked again: each request would wait as long.
  const silent = server.some((f) => f.id === 'server' && f.level === 'error');
  const findings = [
    ...server,
    ...(await staticFindings(dir, env, webEnv.file)),
    ...(silent
      ? [{ id: 'sign-in', level: 'skipped', message: 'not tried: the server did not answer' } as const]
      : [
          ...(await liveFindings(method, env, dir, http)),
          ...(method.app === 'user-facing' ? await webClientFindings(method, env, processEnv, options, http, webEnv.devServer) : []),
        ]),
  ];
  return { directory: dir, method: method.id, findings };
}

/** The starter's name for a setting: MEDPLUM_BASE_URL, VITE_MEDPLUM_BASE_URL, EXPO_PUBLIC_MEDPLUM_BASE_URL, … */
function envName(method: Method, suffix: string): string {
  return method.env.find((v) => v.name.endsWith(suffix))?.name ?? suffix;
}

/** Which Medplum release answers at the base URL, against the releases the starters are made for. */
async function serverFindings(baseUrl: string | undefined, http: typeof fetch): Promise<Finding[]> {
  if (!baseUrl) {
    return []; // the sign-in finding says what is missing
  }
  const [{ MedplumClient }, { releaseWarning, serverRelease }] = await Promise.all([import('@medplum/core'), import('./server.js')]);
  let release;
  try {
    release = await serverRelease(new MedplumClient({ baseUrl, fetch: http }));
  } catch (err) {
    if (err instanceof HttpPolicyError) {
      return [{ id: 'server', level: 'error', message: err.message }];
    }
    throw err;
  }
  const warning = releaseWarning(release, baseUrl);
  return [warning ? { id: 'server', level: 'warning', message: warning } : { id: 'server', level: 'ok', message: `${baseUrl} runs Medplum ${release.text}` }];
}

/**
 * A web or mobile app's ClientApplication (PKCE, redirect URIs) can be read only with admin
 * credentials: the app itself holds no secret. Without them these checks are skipped, and say so.
 */
async function webClientFindings(
  method: Method,
  env: Record<string, string>,
  processEnv: Readonly<Record<string, string | undefined>>,
  options: CheckOptions,
  http: typeof fetch,
  webDevServer: string,
): Promise<Finding[]> {
  const { adminProfile, admin } = options;
  const [baseUrlVar, clientIdVar] = [envName(method, 'MEDPLUM_BASE_URL'), envName(method, 'MEDPLUM_CLIENT_ID')];
  const baseUrl = env[baseUrlVar];
  const clientId = env[clientIdVar];
  if (!baseUrl || !clientId) {
    return [{ id: 'client', level: 'error', message: `${baseUrl ? clientIdVar : baseUrlVar} is not set (.env or the environment)` }];
  }
  const devServer = method.devRedirectUri ?? webDevServer;
  const { adminSession, describe, withAdminFlags } = await import('./admin.js');
  const adminEnv = withAdminFlags(processEnv, options);
  if (!admin && adminProfile === undefined && !(adminEnv.MEDPLUM_ADMIN_CLIENT_ID && adminEnv.MEDPLUM_ADMIN_CLIENT_SECRET)) {
    return [
      {
        id: 'client',
        level: 'skipped',
        message: 'PKCE and redirect URIs not checked: set MEDPLUM_ADMIN_CLIENT_ID/SECRET or pass --admin-profile to read the ClientApplication',
      },
    ];
  }
  let client: { pkceOptional?: boolean; redirectUris?: string[]; redirectUri?: string };
  try {
    const session = admin ?? (await adminSession({ baseUrl, env: adminEnv, profile: adminProfile, fetch: http }));
    client = (await session.readResource('ClientApplication', clientId)) as typeof client;
  } catch (err) {
    if (err instanceof Interrupted) {
      throw err;
    }
    const reason = err instanceof CliError ? err.message : describe(err, baseUrl);
    return [{ id: 'client', level: 'error', message: `could not read ClientApplication/${clientId}: ${reason}` }];
  }
  const uris = [...(client.redirectUris ?? []), ...(client.redirectUri ? [client.redirectUri] : [])];
  return [
    client.pkceOptional
      ? { id: 'pkce-optional', level: 'warning', message: 'the ClientApplication has pkceOptional: true. Turn it off: the app always sends PKCE.' }
      : { id: 'pkce-optional', level: 'ok', message: 'the ClientApplication requires PKCE' },
    uris.includes(devServer)
      ? { id: 'redirect-uris', level: 'ok', message: `its redirect URIs include the dev server, ${devServer}` }
      : {
          id: 'redirect-uris',
          level: 'error',
          message: `its redirect URIs (${uris.join(', ') || 'none'}) do not include the dev server, ${devServer}: sign-in would be refused. Add it.`,
        },
  ];
}

/** `file` is the project's env file: .env, or a Next.js app's .env.local. */
async function staticFindings(dir: string, env: Record<string, string>, file: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const envPath = join(dir, file);
  if (existsSync(envPath)) {
    const mode = (await stat(envPath)).mode & 0o777;
    findings.push(
      mode & 0o077
        ? { id: 'env-mode', level: 'error', message: `${file} is readable by others (mode ${mode.toString(8)}): run chmod 600 ${file}` }
        : { id: 'env-mode', level: 'ok', message: `${file} is readable only by its owner (mode 600)` },
    );
    findings.push(gitIgnoreFinding(dir, file));
  }

  const secret = env.MEDPLUM_CLIENT_SECRET;
  const exposed = Object.keys(env).filter(
    (key) =>
      publicPrefixes().some((p) => key.startsWith(p)) &&
      (/SECRET|PASSWORD|PRIVATE_KEY/.test(key) || (secret !== undefined && secret !== '' && env[key] === secret)),
  );
  findings.push(
    exposed.length > 0
      ? { id: 'public-secret', level: 'error', message: `${exposed.join(', ')}: a secret in a browser-visible variable ships to every visitor. Remove it.` }
      : { id: 'public-secret', level: 'ok', message: 'no secret in a browser-visible variable' },
  );

  const verbose = await filesMatching(join(dir, 'src'), /logLevel\s*:\s*['"`]verbose['"`]/);
  findings.push(
    verbose.length > 0
      ? {
          id: 'verbose-log',
          level: 'warning',
          message: `logLevel 'verbose' in ${verbose.map((f) => relative(dir, f)).join(', ')}: it can log tokens. Use 'basic' or none.`,
        }
      : { id: 'verbose-log', level: 'ok', message: "no logLevel 'verbose' in src/" },
  );
  return findings;
}

function gitIgnoreFinding(dir: string, file: string): Finding {
  const result = spawnSync('git', ['check-ignore', '-q', file], { cwd: dir, stdio: 'ignore' });
  if (result.status === 0) {
    return { id: 'env-gitignored', level: 'ok', message: `${file} is ignored by git` };
  }
  if (result.status === 1) {
    return { id: 'env-gitignored', level: 'error', message: `${file} is not ignored by git: add .env* and !.env.example to .gitignore` };
  }
  return { id: 'env-gitignored', level: 'skipped', message: `not a git repository: cannot tell whether ${file} would be committed` };
}

async function filesMatching(dir: string, pattern: RegExp): Promise<string[]> {
  if (!existsSync(dir)) {
    return [];
  }
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const hits: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    if (e.isFile() && /\.(m?[jt]sx?)$/.test(e.name) && !path.includes('node_modules') && pattern.test(await readFile(path, 'utf8'))) {
      hits.push(path);
    }
  }
  return hits;
}

interface Me {
  readonly membership?: { readonly admin?: boolean };
  readonly profile?: { readonly resourceType?: string; readonly pkceOptional?: boolean };
  readonly accessPolicy?: { readonly basedOn?: readonly unknown[]; readonly ipAccessRule?: readonly unknown[] };
}

async function liveFindings(
  method: Method,
  env: Record<string, string>,
  dir: string,
  http: typeof fetch,
): Promise<Finding[]> {
  const kind = SIGN_IN[method.id];
  if (!kind) {
    return [{ id: 'sign-in', level: 'skipped', message: `${method.id} signs users in interactively: only the project itself was checked` }];
  }
  const baseUrl = env.MEDPLUM_BASE_URL;
  const clientId = env.MEDPLUM_CLIENT_ID;
  if (!baseUrl || !clientId) {
    return [{ id: 'sign-in', level: 'error', message: `${baseUrl ? 'MEDPLUM_CLIENT_ID' : 'MEDPLUM_BASE_URL'} is not set (.env or the environment)` }];
  }
  const { MedplumClient, MemoryStorage, ClientStorage, parseJWTPayload } = await import('@medplum/core');
  const { describe } = await import('./admin.js');
  const medplum = new MedplumClient({
    baseUrl,
    clientId,
    storage: new ClientStorage(new MemoryStorage()),
    refreshGracePeriod: 0,
    fetch: http,
  });
  let me: Me | null;
  const findings: Finding[] = [];
  try {
    if (kind === 'jwt') {
      await medplum.startJwtAssertionLogin(await clientAssertion(env, baseUrl, clientId, dir));
    } else {
      const secret = await requireClientSecret(env, () => new CliError('MEDPLUM_CLIENT_SECRET (or MEDPLUM_CLIENT_SECRET_FILE) is not set'));
      if (kind === 'basic') {
        medplum.setBasicAuth(clientId, secret);
      } else {
        await medplum.startClientLogin(clientId, secret);
      }
    }
    me = (await medplum.get('auth/me', { cache: 'no-cache' })) as Me | null;
  } catch (err) {
    if (err instanceof Interrupted) {
      throw err;
    }
    const reason = err instanceof CliError ? err.message : describe(err, baseUrl);
    return [{ id: 'sign-in', level: 'error', message: `could not sign in to ${baseUrl} as client ${clientId}: ${reason}` }];
  }
  if (typeof me !== 'object' || me === null) {
    return [{ id: 'sign-in', level: 'error', message: `auth/me at ${baseUrl} answered ${me === null ? 'null' : `a ${typeof me}`}, not the client's profile: is it a Medplum server?` }];
  }
  const token = medplum.getAccessToken();
  const claimed = token ? (parseJWTPayload(token).client_id as string | undefined) : clientId;
  findings.push(
    claimed === clientId
      ? { id: 'sign-in', level: 'ok', message: `signed in to ${baseUrl} as client ${clientId}; auth/me answers` }
      : { id: 'sign-in', level: 'error', message: `the token is for client ${String(claimed)}, not the configured ${clientId}` },
  );
  findings.push(
    me.membership?.admin
      ? { id: 'admin', level: 'error', message: "the client is a project admin: it can do anything in the project. Remove admin from its ProjectMembership." }
      : { id: 'admin', level: 'ok', message: 'the client is not a project admin' },
  );
  const policies = me.accessPolicy?.basedOn ?? [];
  findings.push(
    policies.length > 0
      ? { id: 'access-policy', level: 'ok', message: 'an AccessPolicy limits the client' }
      : {
          id: 'access-policy',
          level: method.app === 'device' ? 'error' : 'warning',
          message: "no AccessPolicy: the client can read and change everything in the project. Attach access-policy.json to its ProjectMembership.",
        },
  );
  if (method.app === 'device') {
    findings.push(
      (me.accessPolicy?.ipAccessRule ?? []).length > 0
        ? { id: 'ip-rules', level: 'ok', message: 'IP rules restrict where the device may sign in from' }
        : { id: 'ip-rules', level: 'warning', message: 'no ipAccessRule: the device may sign in from anywhere. Regenerate the policy with --allow-ip.' },
    );
  }
  if (me.profile?.resourceType === 'ClientApplication' && me.profile.pkceOptional) {
    findings.push({ id: 'pkce-optional', level: 'warning', message: 'the ClientApplication has pkceOptional: true. Turn it off.' });
  }
  return findings;
}

/** A private_key_jwt client assertion (RFC 7523), as the jwt-assertion starter signs it. */
async function clientAssertion(env: Record<string, string>, baseUrl: string, clientId: string, dir: string): Promise<string> {
  // A relative key path is relative to the project, as the starter reads it.
  const path = env.MEDPLUM_PRIVATE_KEY_PATH && resolve(dir, env.MEDPLUM_PRIVATE_KEY_PATH);
  if (!path || !env.MEDPLUM_KEY_ID) {
    throw new CliError(`${path ? 'MEDPLUM_KEY_ID' : 'MEDPLUM_PRIVATE_KEY_PATH'} is not set`);
  }
  let key;
  try {
    key = createPrivateKey(await readFile(path));
  } catch {
    throw new CliError(`the private key at ${path} cannot be read`);
  }
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const tokenUrl = new URL('oauth2/token', baseUrl).href;
  const input = `${encode({ alg: 'ES256', kid: env.MEDPLUM_KEY_ID, typ: 'JWT' })}.${encode({ iss: clientId, sub: clientId, aud: tokenUrl, iat: now, exp: now + 300, jti: randomUUID() })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const SYMBOLS: Record<Level, string> = { ok: '✔', warning: '⚠', error: '✖', skipped: '–' };

export function reportCheck(result: CheckResult, options: CheckOptions, ui: Ui, write: (text: string) => void): number {
  const errors = result.findings.filter((f) => f.level === 'error').length;
  const warnings = result.findings.filter((f) => f.level === 'warning').length;
  if (options.json) {
    write(`${JSON.stringify({ ...result, errors, warnings }, null, 2)}\n`);
  } else {
    const c = ui.color;
    const paint: Record<Level, (s: string) => string> = { ok: c.green, warning: c.yellow, error: c.red, skipped: c.dim };
    ui.info(`${c.bold('Checking')} ${result.directory} (${result.method})`);
    for (const f of result.findings) {
      ui.info(`  ${paint[f.level](SYMBOLS[f.level])} ${f.message}`);
    }
    ui.info(`${errors} error(s), ${warnings} warning(s)${options.strict ? ' (strict: warnings fail)' : ''}`);
  }
  return errors > 0 || (options.strict && warnings > 0) ? 1 : 0;
}
