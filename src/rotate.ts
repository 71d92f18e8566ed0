/**
 * `create-medplum-auth rotate-secret [directory]`: a new client secret via
 * `ClientApplication/{id}/$rotate-secret` (as a project admin), written straight into .env.
 * The old secret keeps working at the token endpoint as `retiringSecret` until `--retire`.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { adminSession, describe, withAdminFlags } from './admin.js';
import { releaseWarning, serverRelease } from './server.js';
import { NAME, parseCommand, withAdminOptions } from './args.js';
import { CliError, UsageError } from './errors.js';
import { envValue } from './escape.js';
import type { Prompter } from './prompts.js';
import { readClientSecret, readProjectEnv, readRecordedMethod } from './project.js';

export interface RotateOptions {
  readonly directory: string;
  readonly retire: boolean;
  readonly secretOut?: string;
  readonly adminProfile?: string;
  readonly adminClientId?: string;
  readonly adminClientSecret?: string;
  readonly json: boolean;
  readonly debug: boolean;
}

export function parseRotateArgs(argv: readonly string[]): RotateOptions | { readonly help: string } {
  const program = new Command(`${NAME} rotate-secret`)
    .description("Rotate the project's client secret with Medplum's $rotate-secret, as a project admin, and write it into .env.")
    .argument('[directory]', 'the project', '.')
    .option('--retire', 'end the rotation: the old (retiring) secret stops working')
    .option('--secret-out <file>', 'device-credentials: write the new secret to this file (mode 600), never to .env')
    .option('--json', 'print one JSON object on stdout (never a secret)')
    .option('--debug', 'log each request to the Medplum server on stderr (never a secret)');
  const parsed = parseCommand(withAdminOptions(program, 'the admin'), argv);
  if (parsed.kind === 'print') {
    return { help: parsed.text };
  }
  const o = parsed.opts;
  return {
    directory: parsed.args[0] ?? '.',
    retire: o.retire === true,
    secretOut: o.secretOut,
    adminProfile: o.adminProfile,
    adminClientId: o.adminClientId,
    adminClientSecret: o.adminClientSecret,
    json: o.json === true,
    debug: o.debug === true,
  };
}

export interface RotateResult {
  readonly clientId: string;
  readonly action: 'rotated' | 'retired' | 'nothing-to-retire';
  /** Where the new secret went (a path), never the secret. */
  readonly wroteTo?: string;
  /** The server is outside the releases we support (src/server.ts). */
  readonly warning?: string;
}

export async function rotateSecret(
  options: RotateOptions,
  cwd: string,
  processEnv: Readonly<Record<string, string | undefined>>,
  prompt?: Prompter,
  debug?: (line: string) => void,
): Promise<RotateResult> {
  const dir = resolve(cwd, options.directory);
  const method = await readRecordedMethod(dir, 'rotate-secret');
  if (typeof method.secret === 'object') {
    throw new UsageError(`${method.id} has no client secret to rotate.`);
  }
  const envPath = join(dir, '.env');
  const env = await readProjectEnv(dir, undefined, processEnv);
  const secretOut = options.secretOut === undefined ? undefined : resolve(cwd, options.secretOut);
  if (method.secret === 'runtime' && !options.retire && !secretOut) {
    throw new UsageError(`${method.id} keeps its secret off disk: pass --secret-out <file> (mode 600) for the new one.`);
  }
  const { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId } = env;
  if (!baseUrl || !clientId) {
    throw new UsageError(`${baseUrl ? 'MEDPLUM_CLIENT_ID' : 'MEDPLUM_BASE_URL'} is not set in ${envPath} or the environment.`);
  }
  const medplum = await adminSession({ baseUrl, env: withAdminFlags(processEnv, options), profile: options.adminProfile, prompt, debug });
  const warning = releaseWarning(await serverRelease(medplum), baseUrl);
  const result = <T extends Omit<RotateResult, 'warning'>>(r: T): T => (warning ? { ...r, warning } : r);
  const operation = medplum.fhirUrl('ClientApplication', clientId, '$rotate-secret');
  const call = async (parameter: { name: string; valueString: string }) => {
    try {
      return (await medplum.post(operation, { resourceType: 'Parameters', parameter: [parameter] })) as { secret?: string };
    } catch (err) {
      throw new CliError(rotateError(err, baseUrl, clientId));
    }
  };

  if (options.retire) {
    let client: { retiringSecret?: string };
    try {
      client = (await medplum.readResource('ClientApplication', clientId)) as { retiringSecret?: string };
    } catch (err) {
      throw new CliError(`Could not read ClientApplication/${clientId}: ${describe(err, baseUrl)}`);
    }
    if (!client.retiringSecret) {
      return result({ clientId, action: 'nothing-to-retire' });
    }
    await call({ name: 'retiringSecret', valueString: client.retiringSecret });
    return result({ clientId, action: 'retired' });
  }

  const current = await currentSecret(env);
  const rotated = await call({ name: 'secret', valueString: current });
  if (typeof rotated.secret !== 'string') {
    throw new CliError(`${baseUrl} answered $rotate-secret without a new secret; nothing was written.`);
  }
  if (secretOut) {
    await writePrivate(secretOut, `${rotated.secret}\n`);
    return result({ clientId, action: 'rotated', wroteTo: secretOut });
  }
  await writePrivate(envPath, setEnvLine(existsSync(envPath) ? await readFile(envPath, 'utf8') : '', 'MEDPLUM_CLIENT_SECRET', rotated.secret));
  return result({ clientId, action: 'rotated', wroteTo: envPath });
}

async function currentSecret(env: Record<string, string>): Promise<string> {
  const secret = await readClientSecret(env);
  if (secret === undefined) {
    throw new UsageError('The current secret is needed (Medplum checks it): set MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE.');
  }
  return secret;
}

function rotateError(err: unknown, baseUrl: string, clientId: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/Provided secret does not match client/.test(message)) {
    return `Medplum refused: the secret in .env is not the current secret of client ${clientId}. Nothing was changed.`;
  }
  if (/Not found|not supported|Unsupported|Unknown operation/i.test(message)) {
    return `${baseUrl} does not support $rotate-secret on ClientApplication (${message}). Rotate it in the Medplum app, or upgrade the server.`;
  }
  return `$rotate-secret failed for client ${clientId}: ${describe(err, baseUrl)}`;
}

/**
 * Replaces (or appends) one KEY=value entry, keeping every other line as it is. A quoted value may
 * span lines; the whole entry, up to its closing quote, is replaced.
 */
export function setEnvLine(text: string, key: string, value: string): string {
  const entry = `${key}=${envValue(value)}`;
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith(`${key}=`));
  if (first === -1) {
    return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${entry}\n`;
  }
  const rest = (lines[first] as string).slice(key.length + 1);
  const quote = ["'", '"', '`'].find((q) => rest.startsWith(q));
  let last = first;
  if (quote && !rest.slice(1).includes(quote)) {
    while (last + 1 < lines.length && !(lines[last] as string).includes(quote, last === first ? key.length + 2 : 0)) {
      last++;
    }
  }
  lines.splice(first, last - first + 1, entry);
  return lines.join('\n');
}

/** Written beside the target, mode 600, then renamed over it: never half-written, never world-readable. */
async function writePrivate(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content, { mode: 0o600 });
  await rename(temp, path);
}
