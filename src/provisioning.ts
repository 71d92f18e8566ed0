/**
 * `--provision` in the scaffold: checks the flags that go with it, signs in as the admin,
 * provisions (provision.ts), and puts the new client into the plan. The secret goes to .env
 * for methods that keep it there; device-credentials hands it over once (--secret-out or
 * --reveal-secret); other methods never see it.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { adminSession, withAdminFlags } from './admin.js';
import type { Flags } from './args.js';
import type { Io, Plan } from './cli.js';
import { UsageError } from './errors.js';
import { provision, requestFor, undo } from './provision.js';
import type { Prompter } from './prompts.js';
import type { AuthRecord } from './record.js';
import type { Ui } from './ui.js';

export interface ProvisionedPlan {
  readonly plan: Plan;
  readonly provisioned: {
    readonly record: NonNullable<AuthRecord['provisioned']>;
    /** What now exists on the server, a line each: for the summary and the README. */
    readonly created: readonly string[];
    handOver(ui: Ui): Promise<void>;
  };
  /** Deletes what provisioning created, when a later step fails; says what it did. */
  readonly undoProvision: () => Promise<string>;
}

/** Flags that only mean something with --provision are refused without it. */
export function checkProvisionFlags(flags: Flags, plan: Pick<Plan, 'method'>): void {
  const only = (
    [
      ['--admin-profile', flags.adminProfile !== undefined],
      ['--admin-client-id', flags.adminClientId !== undefined],
      ['--admin-client-secret', flags.adminClientSecret !== undefined],
      ['--jwks-uri', flags.jwksUri !== undefined],
      ['--secret-out', flags.secretOut !== undefined],
      ['--reveal-secret', flags.revealSecret],
    ] as const
  ).filter(([, given]) => given);
  if (!flags.provision) {
    if (only.length > 0) {
      throw new UsageError(`${only.map(([flag]) => flag).join(', ')} only ${only.length === 1 ? 'goes' : 'go'} with --provision.`);
    }
    return;
  }
  const { method } = plan;
  if (flags.dryRun) {
    throw new UsageError('--dry-run never changes the server: drop --provision or --dry-run.');
  }
  if (flags.clientId !== undefined) {
    throw new UsageError('--provision creates the ClientApplication: drop --client-id.');
  }
  if (method.id === 'jwt-assertion' && !flags.jwksUri) {
    throw new UsageError('jwt-assertion with --provision needs --jwks-uri <https URL where jwks.json is hosted>.');
  }
  if (flags.jwksUri && method.id !== 'jwt-assertion') {
    throw new UsageError('--jwks-uri is for jwt-assertion.');
  }
  const handsOver = flags.secretOut !== undefined || flags.revealSecret;
  if (method.secret === 'runtime' && !handsOver) {
    throw new UsageError(
      `${method.id} keeps its secret off disk: with --provision, pass --secret-out <file> (mode 600) or --reveal-secret to receive it once.`,
    );
  }
  if (method.secret !== 'runtime' && handsOver) {
    throw new UsageError(`--secret-out and --reveal-secret are for device-credentials; ${method.id} ${method.secret === 'env-file' ? 'keeps its secret in .env' : 'has no client secret'}.`);
  }
  if (flags.revealSecret && flags.json) {
    throw new UsageError('--reveal-secret prints the secret, and --json output never holds one: pass --secret-out instead.');
  }
}

export async function provisionPlan(plan: Plan, flags: Flags, io: Io, prompt: Prompter | undefined): Promise<ProvisionedPlan> {
  const { method, values } = plan;
  const medplum = await adminSession({
    baseUrl: values.baseUrl,
    env: withAdminFlags(io.env, flags),
    profile: flags.adminProfile,
    prompt,
    projectId: values.projectId || undefined,
    ...(flags.debug ? { debug: (line: string) => io.stderr.write(`debug ${line}\n`) } : {}),
  });
  const idp = values.idp;
  const identityProvider =
    method.id === 'external-idp' && idp.authorizeUrl
      ? { authorizeUrl: idp.authorizeUrl, tokenUrl: idp.tokenUrl, userInfoUrl: idp.userInfoUrl, clientId: idp.clientId, usePkce: false }
      : method.id === 'token-exchange' && idp.userInfoUrl
        ? { userInfoUrl: idp.userInfoUrl }
        : undefined;
  const result = await provision(
    medplum,
    requestFor(method, plan.projectName, values.projectId || undefined, plan.accessPolicy, {
      // The Expo starter: the app's scheme and Expo's web dev server instead of Vite's.
      ...(values.appScheme && method.devRedirectUri ? { redirectUris: [`${values.appScheme}://`, method.devRedirectUri] } : {}),
      ...(flags.jwksUri ? { jwksUri: flags.jwksUri } : {}),
      ...(identityProvider ? { identityProvider } : {}),
    }),
    values.baseUrl,
  );
  const secret = result.clientSecret;
  const envNames = method.env.filter((v) => v.name.endsWith('MEDPLUM_CLIENT_ID') || (v.secret && method.secret === 'env-file')).map((v) => v.name);
  const created = [
    `ClientApplication "${plan.projectName}" (ClientApplication/${result.clientId}) in project ${result.projectId}`,
    ...(result.accessPolicyId
      ? [
          `AccessPolicy "${plan.accessPolicy?.name ?? ''}" (AccessPolicy/${result.accessPolicyId})` +
            (result.membershipId ? `, on the client's ProjectMembership/${result.membershipId}` : ''),
        ]
      : []),
    ...(envNames.length > 0 ? [`${envNames.join(' and ')} in .env`] : []),
  ];
  return {
    plan: {
      ...plan,
      values: {
        ...values,
        clientId: result.clientId,
        clientSecret: method.secret === 'env-file' ? secret : undefined,
        projectId: values.projectId,
      },
    },
    provisioned: {
      record: {
        projectId: result.projectId,
        clientApplication: result.clientId,
        ...(result.accessPolicyId ? { accessPolicy: result.accessPolicyId } : {}),
        ...(result.membershipId ? { membership: result.membershipId } : {}),
      },
      created,
      async handOver(ui: Ui) {
        if (flags.secretOut !== undefined) {
          const path = resolve(io.cwd, flags.secretOut);
          await writeFile(path, `${secret}\n`, { mode: 0o600 });
          ui.info(`The client secret is in ${path} (mode 600). Inject it at run time; do not copy it into the project.`);
        } else if (flags.revealSecret) {
          // Asked for explicitly: the one place a secret is ever printed.
          io.stdout.write(`MEDPLUM_CLIENT_SECRET=${secret}\n`);
        }
      },
    },
    undoProvision: () => undo(medplum, result.created),
  };
}
