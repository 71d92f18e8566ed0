/**
 * `create-medplum-auth rotate-secret [directory]`: a new client secret via
 * `ClientApplication/{id}/$rotate-secret` (as a project admin), written straight into .env.
 * The old secret keeps working at the token endpoint as `retiringSecret` until `--retire`.
 */
import { join, resolve } from 'node:path';
import { adminSession, describe, withAdminFlags } from './admin.js';
import { NAME, type RotateFlags } from '../cli/args.js';
import { EnvFileError, readEnvEntries, setEnvEntry } from '../scaffold/env-file.js';
import { CliError, UsageError } from '../errors.js';
import { policyFetch } from './http.js';
import type { Prompter } from '../cli/prompts.js';
import { readEnvText, readProjectEnv, readRecordedMethod, requireClientSecret } from '../scaffold/project.js';
import { prepareWrite } from '../scaffold/save.js';
import { releaseWarning, serverRelease } from './server.js';

export type RotateOptions = RotateFlags;

export interface RotateResult {
  readonly clientId: string;
  readonly action: 'rotated' | 'retired' | 'nothing-to-retire';
  /** Where the new secret went (a path), never the secret. */
  readonly wroteTo?: string;
  /** The server is outside the releases we support (src/medplum/server.ts). */
  readonly warning?: string;
}

export interface RotateContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly prompt?: Prompter;
  readonly debug?: (line: string) => void;
  /**
   * Where a new secret goes when it was issued but could not be saved: the one place a secret
   * is ever shown, on stderr, because the old one is already retiring.
   */
  readonly rescue: (text: string) => void;
}

export async function rotateSecret(options: RotateOptions, context: RotateContext): Promise<RotateResult> {
  const dir = resolve(context.cwd, options.directory);
  const method = await readRecordedMethod(dir, 'rotate-secret');
  if (typeof method.secret === 'object') {
    throw new UsageError(`${method.id} has no client secret to rotate.`);
  }
  const envPath = join(dir, '.env');
  const env = await readProjectEnv(dir, undefined, context.env);
  const secretOut = options.secretOut === undefined ? undefined : resolve(context.cwd, options.secretOut);
  if (method.secret === 'runtime' && !options.retire && !secretOut) {
    throw new UsageError(`${method.id} keeps its secret off disk: pass --secret-out <file> (mode 600) for the new one.`);
  }
  const { MEDPLUM_BASE_URL: baseUrl, MEDPLUM_CLIENT_ID: clientId } = env;
  if (!baseUrl || !clientId) {
    throw new UsageError(`${baseUrl ? 'MEDPLUM_CLIENT_ID' : 'MEDPLUM_BASE_URL'} is not set in ${envPath} or the environment.`);
  }
  // Everything that could keep the new secret from reaching the user is checked before the
  // server is asked: the old secret stops being current the moment it answers.
  const envText = secretOut || options.retire ? '' : await checkedEnvText(envPath);
  const destination = options.retire ? undefined : await prepareWrite(secretOut ?? envPath, secretOut ? '--secret-out' : '.env');
  try {
    // No interrupt here: a signal must not cut the exchange in which the server issues the secret
    // (it would be issued and lost). The timeout still bounds every wait.
    const http = policyFetch({ timeoutSeconds: options.timeout, debug: context.debug });
    const medplum = await adminSession({ baseUrl, env: withAdminFlags(context.env, options), profile: options.adminProfile, prompt: context.prompt, fetch: http });
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

    if (!destination) {
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

    const current = await requireClientSecret(
      env,
      () => new UsageError('The current secret is needed (Medplum checks it): set MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE.'),
    );
    const rotated = await call({ name: 'secret', valueString: current });
    if (typeof rotated.secret !== 'string') {
      throw new CliError(`${baseUrl} answered $rotate-secret without a new secret; nothing was written.`);
    }
    try {
      await destination.commit(secretOut ? `${rotated.secret}\n` : setEnvEntry(envText, 'MEDPLUM_CLIENT_SECRET', rotated.secret));
    } catch (err) {
      context.rescue(
        `warning The new secret of client ${clientId} could not be written to ${destination.path} (${(err as Error).message}).\n` +
          'The old secret is retiring, so the new one is shown here, once. Store it now (and clear your scrollback):\n' +
          `MEDPLUM_CLIENT_SECRET=${rotated.secret}\n`,
      );
      throw new CliError(`Rotated the secret of client ${clientId}, but could not save it: it is shown above, once.`);
    }
    return result({ clientId, action: 'rotated', wroteTo: destination.path });
  } finally {
    await destination?.discard();
  }
}

/** .env as rotate-secret will edit it: refused, naming the line, when it can be read two ways. */
async function checkedEnvText(envPath: string): Promise<string> {
  const text = (await readEnvText(envPath)) ?? '';
  try {
    readEnvEntries(text);
  } catch (err) {
    if (err instanceof EnvFileError) {
      throw new UsageError(`${envPath}, ${err.message}. Nothing was rotated.`);
    }
    throw err;
  }
  return text;
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
