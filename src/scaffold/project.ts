/**
 * A generated project on disk, as the subcommands (check, rotate-secret) read it: the method
 * recorded in its medplum-auth.json, and its env.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { NAME } from '../cli/args.js';
import { CliError, UsageError } from '../errors.js';
import { forPlatform, inDialect, isMethodId, METHODS, VITE_ENV, WEB_ENVS, type Method, type Platform, type WebEnv } from '../guide/methods.js';
import { RECORD_FILE } from './record.js';

/** Browser-visible env prefixes of the usual bundlers: a secret must never carry one. Built on each call, so that the tests run the list (code run only at load escapes mutation testing). */
export function publicPrefixes(): readonly string[] {
  return ['VITE_', 'NEXT_PUBLIC_', 'REACT_APP_', 'EXPO_PUBLIC_', 'PUBLIC_'];
}

/** What medplum-auth.json says of a project: its method (for its platform, in its env dialect), and its web app's env. */
export interface RecordedProject {
  readonly method: Method;
  /** Where a web app's public settings live and where it runs in development (Vite's unless `add` wired another bundler). */
  readonly webEnv: WebEnv;
}

/** `dir`'s medplum-auth.json; `command` names the subcommand in the error. */
export async function readRecordedProject(dir: string, command: string): Promise<RecordedProject> {
  let record: { method?: unknown; platform?: Platform; bundler?: unknown };
  try {
    record = JSON.parse(await readFile(join(dir, RECORD_FILE), 'utf8')) as typeof record;
  } catch {
    throw new UsageError(`No ${RECORD_FILE} in ${dir}: run ${command} in a project made by ${NAME}, or pass its directory.`);
  }
  const { method, platform, bundler = VITE_ENV.bundler } = record;
  if (typeof method !== 'string' || !isMethodId(method)) {
    throw new UsageError(`${RECORD_FILE} in ${dir} names no known method.`);
  }
  const webEnv = WEB_ENVS.find((e) => e.bundler === bundler);
  if (!webEnv) {
    throw new UsageError(`${RECORD_FILE} in ${dir} names no known bundler (one of ${WEB_ENVS.map((e) => e.bundler).join(', ')}).`);
  }
  return { method: inDialect(forPlatform(METHODS[method], platform), webEnv), webEnv };
}

/** The method in `dir`'s medplum-auth.json (see readRecordedProject). */
export async function readRecordedMethod(dir: string, command: string): Promise<Method> {
  return (await readRecordedProject(dir, command)).method;
}

/**
 * The project's env: its env file (`.env`; a Next.js app's `.env.local`), then `envFile`, then the
 * process environment, which wins as with Node's --env-file. Only the project's own variables are
 * taken from the process (MEDPLUM_ and browser-visible ones); admin credentials never are.
 */
export async function readProjectEnv(
  dir: string,
  envFile: string | undefined,
  processEnv: Readonly<Record<string, string | undefined>>,
  ownFile = '.env',
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const file of [join(dir, ownFile), ...(envFile ? [envFile] : [])]) {
    const text = await readEnvText(file, file === envFile ? '--env' : ownFile);
    if (text !== undefined) {
      Object.assign(env, parseEnv(text));
    } else if (file === envFile) {
      throw new UsageError(`--env ${envFile}: no such file.`);
    }
  }
  for (const [key, value] of Object.entries(processEnv)) {
    const own = key.startsWith('MEDPLUM_') || publicPrefixes().some((p) => key.startsWith(p));
    if (value !== undefined && own && !key.startsWith('MEDPLUM_ADMIN_')) {
      env[key] = value;
    }
  }
  return env;
}

/** An env file's text; undefined when there is none. A directory or an unreadable file is one line. */
export async function readEnvText(path: string, what = '.env'): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return undefined;
    }
    throw new UsageError(code === 'EISDIR' ? `${what} ${path} is a directory, not an env file.` : `${what} ${path} cannot be read (${code}).`);
  }
}

/**
 * The client secret as the project's code reads it: the file named by MEDPLUM_CLIENT_SECRET_FILE
 * wins (one trailing newline trimmed), then MEDPLUM_CLIENT_SECRET. Undefined when neither is set.
 */
export async function readClientSecret(env: Readonly<Record<string, string>>): Promise<string | undefined> {
  const file = env.MEDPLUM_CLIENT_SECRET_FILE;
  if (file) {
    try {
      return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
    } catch {
      throw new CliError(`MEDPLUM_CLIENT_SECRET_FILE ${file} cannot be read`);
    }
  }
  return env.MEDPLUM_CLIENT_SECRET || undefined;
}

/** The client secret (see readClientSecret), or the error `missing` makes when there is none. */
export async function requireClientSecret(env: Readonly<Record<string, string>>, missing: () => Error): Promise<string> {
  const secret = await readClientSecret(env);
  if (secret === undefined) {
    throw missing();
  }
  return secret;
}
