/**
 * medplum-auth.json: the record of a scaffold (the guide's answers, the method and why, the
 * docs, the base URL and the non-secret settings), and `--from` to replay it without prompts.
 * It never holds a secret: secrets come from the environment on replay.
 */
import { readFile } from 'node:fs/promises';
import { NAME, type Flags } from '../cli/args.js';
import { VERSION } from '../cli/version.js';
import type { GeneratedFile } from './render.js';
import type { Plan } from './plan.js';
import { UsageError } from '../errors.js';
import type { IdpEndpoints } from '../guide/idp.js';
import { METHODS, VITE_ENV, type Platform, type WebEnv, type WebUi } from '../guide/methods.js';
import type { AccessPolicy } from '../guide/policy.js';

export const RECORD_FILE = 'medplum-auth.json';
const FORMAT = 1;

export interface AuthRecord {
  readonly format: typeof FORMAT;
  readonly generator: string;
  readonly app: string;
  readonly method: string;
  /** `mobile` for the Expo starter (--platform); absent for web. */
  readonly platform?: Platform;
  /** The web starter's UI (--ui); absent for methods without one. */
  readonly ui?: WebUi;
  /** `add` into a web app that is not built by Vite: whose env dialect and dev server `check` reads. */
  readonly bundler?: WebEnv['bundler'];
  readonly answers: Readonly<Record<string, string>>;
  readonly reasons: readonly string[];
  readonly docs: readonly string[];
  readonly baseUrl: string;
  readonly clientId: string;
  readonly projectId: string;
  readonly googleClientId?: string;
  readonly idp?: { readonly provider: string; readonly clientId: string } & IdpEndpoints;
  /** --device-id: the one Device a device starter posts for. */
  readonly deviceId?: string;
  readonly accessPolicy?: AccessPolicy;
  /** After --provision: what exists on the server (ids only). */
  readonly provisioned?: {
    readonly projectId: string;
    readonly clientApplication: string;
    readonly accessPolicy?: string;
    readonly membership?: string;
  };
}

/** medplum-auth.json, as one of the project's files, made by this version of the CLI. */
export function recordFile(plan: Parameters<typeof buildRecord>[1], provisioned?: AuthRecord['provisioned']): GeneratedFile {
  const record = buildRecord(`${NAME}@${VERSION}`, plan, provisioned);
  return { path: RECORD_FILE, content: Buffer.from(`${JSON.stringify(record, null, 2)}\n`), mode: 0o644 };
}

export function buildRecord(
  generator: string,
  { method, ui, webEnv, decision, values, accessPolicy }: Pick<Plan, 'method' | 'ui' | 'webEnv' | 'decision' | 'values' | 'accessPolicy'>,
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
    ...(ui ? { ui } : {}),
    ...(webEnv === VITE_ENV ? {} : { bundler: webEnv.bundler }),
    answers: decision.answers,
    reasons: decision.reasons,
    docs: [method.docsUrl, 'https://www.medplum.com/docs/auth/methods'],
    baseUrl: values.baseUrl,
    clientId: values.clientId,
    projectId: values.projectId,
    ...(needs.includes('googleClientId') ? { googleClientId: values.googleClientId } : {}),
    ...(provider ? { idp: { provider, issuer, authorizeUrl, tokenUrl, userInfoUrl, clientId } } : {}),
    ...(needs.includes('deviceId') && values.deviceId ? { deviceId: values.deviceId } : {}),
    ...(accessPolicy ? { accessPolicy } : {}),
    ...(provisioned ? { provisioned } : {}),
  };
}

/**
 * The flags a record stands for (`path` is `flags.from` resolved against the working directory). Flags given on the command line win; the rest come from the
 * record, and nothing is asked (`yes`).
 */
export async function flagsFromRecord(path: string, flags: Flags): Promise<Flags> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UsageError(`--from ${flags.from}: ${reason}. Pass the medplum-auth.json of an earlier scaffold.`);
  }
  const record = (await import('./record-schema.js')).checkRecord(parsed, flags.from as string);
  const method = record.method;
  const { idp, accessPolicy: policy } = record;
  const ui = record.ui;
  return {
    ...flags,
    yes: true,
    method: flags.method ?? method,
    platform: flags.platform ?? record.platform,
    ui: flags.ui ?? ui,
    app: flags.app ?? METHODS[method].app,
    baseUrl: flags.baseUrl ?? record.baseUrl,
    // With --provision the client is made (or found) on the server: the recorded one is not asked for.
    clientId: flags.clientId ?? (flags.provision ? undefined : record.clientId),
    projectId: flags.projectId ?? record.projectId,
    googleClientId: flags.googleClientId ?? record.googleClientId,
    deviceId: flags.deviceId ?? record.deviceId,
    idp: flags.idp ?? idp?.provider,
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
