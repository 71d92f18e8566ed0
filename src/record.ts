/**
 * medplum-auth.json: the record of a scaffold (the guide's answers, the method and why, the
 * docs, the base URL and the non-secret settings), and `--from` to replay it without prompts.
 * It never holds a secret: secrets come from the environment on replay.
 */
import { readFile } from 'node:fs/promises';
import type { Flags } from './args.js';
import { UsageError } from './errors.js';
import type { Decision } from './guide.js';
import { IDP_PROVIDERS, type IdpEndpoints, type IdpProvider } from './idp.js';
import { isMethodId, METHODS, PLATFORMS, type EnvInput, type Method, type Platform } from './methods.js';
import type { AccessPolicy } from './policy.js';

export const RECORD_FILE = 'medplum-auth.json';
const FORMAT = 1;

export interface AuthRecord {
  readonly format: typeof FORMAT;
  readonly generator: string;
  readonly app: string;
  readonly method: string;
  /** `mobile` for the Expo starter (--platform); absent for web. */
  readonly platform?: Platform;
  readonly answers: Readonly<Record<string, string>>;
  readonly reasons: readonly string[];
  readonly docs: readonly string[];
  readonly baseUrl: string;
  readonly clientId: string;
  readonly projectId: string;
  readonly googleClientId?: string;
  readonly idp?: { readonly provider: string; readonly clientId: string } & IdpEndpoints;
  readonly accessPolicy?: AccessPolicy;
  /** After --provision: what exists on the server (ids only). */
  readonly provisioned?: {
    readonly projectId: string;
    readonly clientApplication: string;
    readonly accessPolicy?: string;
    readonly membership?: string;
  };
}

export function buildRecord(
  generator: string,
  method: Method,
  decision: Decision,
  values: EnvInput,
  accessPolicy: AccessPolicy | null,
  provisioned?: AuthRecord['provisioned'],
): AuthRecord {
  const needs = method.needs ?? [];
  const { provider, issuer, authorizeUrl, tokenUrl, userInfoUrl, clientId } = values.idp;
  return {
    format: FORMAT,
    generator,
    app: method.app,
    method: method.id,
    ...(values.platform === 'mobile' ? { platform: values.platform } : {}),
    answers: decision.answers,
    reasons: decision.reasons,
    docs: [method.docsUrl, 'https://www.medplum.com/docs/auth/methods'],
    baseUrl: values.baseUrl,
    clientId: values.clientId,
    projectId: values.projectId,
    ...(needs.includes('googleClientId') ? { googleClientId: values.googleClientId } : {}),
    ...(provider ? { idp: { provider, issuer, authorizeUrl, tokenUrl, userInfoUrl, clientId } } : {}),
    ...(accessPolicy ? { accessPolicy } : {}),
    ...(provisioned ? { provisioned } : {}),
  };
}

/**
 * The flags a record stands for (`path` is `flags.from` resolved against the working directory). Flags given on the command line win; the rest come from the
 * record, and nothing is asked (`yes`).
 */
export async function flagsFromRecord(path: string, flags: Flags): Promise<Flags> {
  let record: Partial<AuthRecord>;
  try {
    record = JSON.parse(await readFile(path, 'utf8')) as Partial<AuthRecord>;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--from ${flags.from}: ${reason}. Pass the medplum-auth.json of an earlier scaffold.`);
  }
  const bad = (what: string): never => {
    throw new UsageError(`--from ${flags.from}: ${what}. Is it a medplum-auth.json written by create-medplum-auth?`);
  };
  if (record.format !== FORMAT) {
    bad(`unknown format ${JSON.stringify(record.format)} (expected ${FORMAT})`);
  }
  const method = typeof record.method === 'string' && isMethodId(record.method) ? record.method : bad('no known method');
  const text = (value: unknown, what: string): string | undefined =>
    value === undefined ? undefined : typeof value === 'string' ? value : bad(`${what} is not a string`);
  const idp = record.idp;
  if (idp !== undefined && !(IDP_PROVIDERS as readonly string[]).includes(idp.provider)) {
    bad(`unknown identity provider ${JSON.stringify(idp.provider)}`);
  }
  if (record.platform !== undefined && !(PLATFORMS as readonly string[]).includes(record.platform)) {
    bad(`unknown platform ${JSON.stringify(record.platform)}`);
  }
  const policy = record.accessPolicy;
  return {
    ...flags,
    yes: true,
    method: flags.method ?? method,
    platform: flags.platform ?? record.platform,
    app: flags.app ?? METHODS[method].app,
    baseUrl: flags.baseUrl ?? text(record.baseUrl, 'baseUrl'),
    clientId: flags.clientId ?? text(record.clientId, 'clientId'),
    projectId: flags.projectId ?? text(record.projectId, 'projectId'),
    googleClientId: flags.googleClientId ?? text(record.googleClientId, 'googleClientId'),
    idp: flags.idp ?? (idp?.provider as IdpProvider | undefined),
    idpIssuer: flags.idpIssuer ?? (idp?.issuer || undefined),
    idpClientId: flags.idpClientId ?? (idp?.clientId || undefined),
    idpEndpoints:
      flags.idpEndpoints ??
      (idp?.authorizeUrl
        ? { issuer: idp.issuer, authorizeUrl: idp.authorizeUrl, tokenUrl: idp.tokenUrl, userInfoUrl: idp.userInfoUrl }
        : undefined),
    allow: flags.allow.length > 0 ? flags.allow : (policy?.resource ?? []).flatMap((r) => r.interaction.map((i) => `${r.resourceType}:${i}`)),
    allowIp:
      flags.allowIp.length > 0
        ? flags.allowIp
        : (policy?.ipAccessRule ?? []).filter((rule) => rule.action === 'allow').map((rule) => rule.value),
  };
}
