/**
 * `--provision` in the scaffold: checks the flags that go with it, signs in as the admin,
 * provisions (provision.ts), and puts the new client into the plan. The secret goes to .env
 * for methods that keep it there; device-credentials hands it over once (--secret-out or
 * --reveal-secret); other methods never see it.
 */
import { resolve } from 'node:path';
import type { MedplumClient } from '@medplum/core';
import { adminSession, withAdminFlags } from './admin.js';
import type { Flags } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import type { Plan } from '../scaffold/plan.js';
import { CliError, UsageError } from '../errors.js';
import { httpFor } from './http.js';
import type { IdpSettings } from '../guide/idp.js';
import { exchangeIdentityProvider, VITE_ENV, type Method } from '../guide/methods.js';
import { provision, requestFor, undo } from './provision.js';
import type { Prompter } from '../cli/prompts.js';
import type { AuthRecord } from '../scaffold/record.js';
import { prepareWrite, type PendingWrite } from '../scaffold/save.js';
import { answersHealthcheck, releaseWarning, requiresFullIdentityProvider, serverRelease, type ServerRelease } from './server.js';
import type { Ui } from '../cli/ui.js';

export interface ProvisionedPlan {
  readonly plan: Plan;
  readonly provisioned: {
    readonly record: NonNullable<AuthRecord['provisioned']>;
    /** What now exists on the server, a line each: for the summary and the README. */
    readonly created: readonly string[];
    handOver(ui: Ui): Promise<void>;
    /** The admin's session: the post-write check reads a web client's ClientApplication with it. */
    readonly admin: MedplumClient;
    /** Where --secret-out handed the secret over: the post-write check signs in with it. */
    readonly secretFile?: string;
  };
  /** Deletes what provisioning created, when a later step fails; says what it did. */
  readonly undoProvision: () => Promise<string>;
}

/** With --provision: the flags that go with it fit the method and each other. */
export function checkProvisionFlags(flags: Flags, plan: Pick<Plan, 'method'>): void {
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
  if (flags.idpClientSecret !== undefined && method.id !== 'external-idp') {
    throw new UsageError(
      method.id === 'domain-idp'
        ? "--idp-client-secret is for external-idp: domain-idp's IdP lives in a DomainConfiguration, which only a super admin can create (see the README)."
        : `--idp-client-secret is for external-idp; ${method.id} has no IdP client secret to set.`,
    );
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

/**
 * At a terminal, when no client was given: offer to create it now (the --provision path). Offered
 * only for methods that --provision sets up without more flags (not jwt-assertion without
 * --jwks-uri, nor device-credentials without a way to hand its secret over). The default is Yes
 * when the server answers its healthcheck.
 */
export async function offerProvision(
  flags: Flags,
  method: Method,
  baseUrl: string,
  http: typeof fetch,
  prompt: Prompter | undefined,
): Promise<boolean> {
  if (flags.provision) {
    return true;
  }
  if (!prompt || flags.clientId !== undefined || flags.clientSecret !== undefined || flags.dryRun || !provisionable(flags, method)) {
    return false;
  }
  return prompt.confirm({
    message: `Create the ClientApplication${method.policy ? ' (and its AccessPolicy)' : ''} on ${baseUrl} now? You'll sign in as a project admin.`,
    default: await answersHealthcheck(baseUrl, http),
  });
}

function provisionable(flags: Flags, method: Method): boolean {
  try {
    checkProvisionFlags({ ...flags, provision: true }, { method });
    return true;
  } catch (err) {
    if (err instanceof UsageError) {
      return false; // it would need a flag the user has not given: today's questions instead
    }
    throw err;
  }
}

export async function provisionPlan(plan: Plan, flags: Flags, io: Io, ui: Ui, prompt: Prompter | undefined): Promise<ProvisionedPlan> {
  // Checked before the client (and its secret) exists: a secret that cannot be handed over is lost.
  const secretOut = flags.secretOut === undefined ? undefined : await prepareWrite(resolve(io.cwd, flags.secretOut), '--secret-out');
  try {
    return await provisionOnServer(plan, flags, io, ui, prompt, secretOut);
  } catch (err) {
    await secretOut?.discard();
    throw err;
  }
}

async function provisionOnServer(
  plan: Plan,
  flags: Flags,
  io: Io,
  ui: Ui,
  prompt: Prompter | undefined,
  secretOut: PendingWrite | undefined,
): Promise<ProvisionedPlan> {
  const { method, values } = plan;
  if (method.id === 'external-idp') {
    // Before anyone is asked to sign in or for the IdP's secret.
    needEndpoints(values.idp, EXTERNAL_IDP_FIELDS, 'Signing users in through the IdP');
  }
  const medplum = await adminSession({
    baseUrl: values.baseUrl,
    env: withAdminFlags(io.env, flags),
    profile: flags.adminProfile,
    prompt,
    projectId: values.projectId || undefined,
    // Not interrupted by a signal: what a run creates on the server must also be undone by it,
    // and that undo runs after the signal. The timeout still bounds every wait.
    fetch: httpFor(flags, { stderr: io.stderr }),
  });
  const release = await serverRelease(medplum);
  const warning = releaseWarning(release, values.baseUrl);
  if (warning) {
    ui.warn(warning);
  }
  const idpSecret = method.id === 'external-idp' ? await idpClientSecret(flags, io, prompt) : undefined;
  const identityProvider = identityProviderFor(method, values.idp, release, idpSecret);
  const result = await provision(
    medplum,
    requestFor(method, plan.projectName, values.projectId || undefined, plan.accessPolicy, {
      // The Expo starter: the app's scheme and Expo's web dev server instead of Vite's; a Next.js app (add): its server.
      ...(values.appScheme && method.devRedirectUri ? { redirectUris: [`${values.appScheme}://`, method.devRedirectUri] } : {}),
      ...(plan.webEnv !== VITE_ENV ? { redirectUris: [plan.webEnv.devServer] } : {}),
      ...(flags.jwksUri ? { jwksUri: flags.jwksUri } : {}),
      ...(identityProvider ? { identityProvider } : {}),
    }),
    values.baseUrl,
  );
  const secret = result.clientSecret;
  const envNames = method.env.filter((v) => v.name.endsWith('MEDPLUM_CLIENT_ID') || (v.name === 'MEDPLUM_CLIENT_SECRET' && method.secret === 'env-file')).map((v) => v.name);
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
      admin: medplum,
      ...(secretOut ? { secretFile: secretOut.path } : {}),
      async handOver(ui: Ui) {
        if (secretOut) {
          try {
            await secretOut.commit(`${secret}\n`);
          } catch (err) {
            // As for rotate-secret: the client exists now, and this is its only copy of the secret.
            io.stderr.write(
              `warning The client secret could not be written to ${secretOut.path} (${(err as Error).message}). It is shown here, once; store it now:\nMEDPLUM_CLIENT_SECRET=${secret}\n`,
            );
            throw new CliError(`The project is written, but the client secret could not be saved: it is shown above, once.`);
          } finally {
            await secretOut.discard();
          }
          ui.info(`The client secret is in ${secretOut.path} (mode 600). Inject it at run time; do not copy it into the project.`);
        } else if (flags.revealSecret) {
          // Asked for explicitly: the one place a secret is ever printed.
          io.stdout.write(`MEDPLUM_CLIENT_SECRET=${secret}\n`);
        }
      },
    },
    undoProvision: async () => {
      await secretOut?.discard();
      return undo(medplum, result.created);
    },
  };
}

/** The IdP client secret for external-idp: the flag, else MEDPLUM_IDP_CLIENT_SECRET, else a masked prompt. */
async function idpClientSecret(flags: Flags, io: Io, prompt: Prompter | undefined): Promise<string> {
  const secret =
    flags.idpClientSecret || io.env.MEDPLUM_IDP_CLIENT_SECRET || (await prompt?.password({ message: "The app's client secret at your identity provider (sent only to Medplum)" }));
  if (!secret) {
    throw new UsageError(
      'external-idp with --provision needs the client secret at your identity provider: set MEDPLUM_IDP_CLIENT_SECRET (or pass --idp-client-secret). Medplum redeems the IdP\'s codes with it.',
    );
  }
  return secret;
}

/**
 * What goes into the new ClientApplication's `identityProvider`, for the server's release: 5.1 requires
 * authorizeUrl, tokenUrl, userInfoUrl, clientId and clientSecret (src/medplum/server.ts), 5.2 none of them.
 */
function identityProviderFor(method: Method, idp: IdpSettings, release: ServerRelease, idpSecret: string | undefined): Record<string, unknown> | undefined {
  if (method.id === 'external-idp') {
    // Its endpoints were checked before the sign-in (EXTERNAL_IDP_FIELDS): they do not depend on the release.
    return { authorizeUrl: idp.authorizeUrl, tokenUrl: idp.tokenUrl, userInfoUrl: idp.userInfoUrl, clientId: idp.clientId, clientSecret: idpSecret, usePkce: false };
  }
  if (method.id === 'token-exchange') {
    const full = requiresFullIdentityProvider(release);
    const server = release.text ? `Medplum ${release.text}` : 'A Medplum server that does not report its version';
    needEndpoints(idp, full ? ['authorizeUrl', 'tokenUrl', 'userInfoUrl'] : ['userInfoUrl'], full ? server : 'The token exchange');
    return exchangeIdentityProvider(idp, full);
  }
  return undefined;
}

/** What external-idp's identityProvider needs on every release, for Medplum to send users to the IdP and back. */
const EXTERNAL_IDP_FIELDS = ['authorizeUrl', 'tokenUrl', 'userInfoUrl', 'clientId'] as const;

function needEndpoints(idp: IdpSettings, fields: readonly (keyof IdpSettings)[], why: string): void {
  const missing = fields.filter((field) => !idp[field]);
  if (missing.length > 0) {
    throw new UsageError(`${why} needs identityProvider.${missing.join(', ')}: pass --idp with --idp-domain, or --idp-issuer with --discover.`);
  }
}
