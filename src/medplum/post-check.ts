/**
 * The check after the write and the install: `check`'s own findings for the new project
 * (check.ts; no second implementation), boiled down to one line that leads the summary: what is
 * proven, or the failing step and its fix, or why nothing could be tried yet.
 * Loaded only when it runs (it loads @medplum/core).
 */
import { NAME, type Flags } from '../cli/args.js';
import type { Finding } from './check.js';
import type { Io } from '../cli/io.js';
import type { Plan } from '../scaffold/plan.js';
import type { ProvisionedPlan } from './provisioning.js';
import { shellArg } from '../scaffold/escape.js';
import type { Ui } from '../cli/ui.js';

export type PostCheckStatus = 'signed-in' | 'ready' | 'checked' | 'failed' | 'skipped';

export interface PostCheck {
  /**
   * signed-in: the project's own credentials signed in; ready: a web client's ClientApplication
   * fits the starter (there is no sign-in to try without a browser); checked: nothing live to try;
   * failed: an error finding; skipped: the credentials are not there yet.
   */
  readonly status: PostCheckStatus;
  /** One line, without a symbol: what is proven, what failed and its fix, or why it was skipped. */
  readonly headline: string;
  readonly findings: readonly Finding[];
}

/**
 * Runs `check` on the written project, unless what it needs is missing (then a note says what).
 * What provisioning made is used: the admin's session, and the secret file --secret-out wrote.
 */
export async function postWriteCheck(
  plan: Plan,
  flags: Flags,
  io: Io,
  ui: Ui,
  provisioned: Pick<ProvisionedPlan['provisioned'], 'admin' | 'secretFile'> | undefined,
): Promise<PostCheck> {
  const rerun = `${NAME} check${plan.displayDir === '.' ? '' : ` ${shellArg(plan.displayDir)}`}`;
  const { admin, secretFile } = provisioned ?? {};
  const env = secretFile ? { ...io.env, MEDPLUM_CLIENT_SECRET_FILE: secretFile } : io.env;
  const missing = missingCredentials(plan, flags, env, admin !== undefined);
  if (missing) {
    return { status: 'skipped', headline: `Sign-in not checked: ${missing}. Once it is there, run: ${rerun}`, findings: [] };
  }
  ui.info(`Checking ${plan.displayDir} against ${plan.values.baseUrl}…`);
  // Loaded only when there is something to check (it brings node:crypto and @medplum/core).
  const { check } = await import('./check.js');
  const { findings } = await check(
    {
      directory: plan.target,
      adminProfile: flags.adminProfile,
      adminClientId: flags.adminClientId,
      adminClientSecret: flags.adminClientSecret,
      admin,
      timeout: flags.timeout,
      interrupt: io.interrupt,
      json: flags.json,
      strict: flags.strict,
    },
    io.cwd,
    env,
  );
  return { ...summarize(plan, findings, rerun), findings };
}

/** Why the check cannot sign in yet, or undefined when it can. */
function missingCredentials(plan: Plan, flags: Flags, env: Io['env'], hasAdmin: boolean): string | undefined {
  const { method, values } = plan;
  if (!values.clientId) {
    return 'no ClientApplication ID was given (fill in .env)';
  }
  if (method.secret === 'env-file' && !values.clientSecret) {
    return 'no client secret was given (fill in .env)';
  }
  if (method.secret === 'runtime' && !env.MEDPLUM_CLIENT_SECRET && !env.MEDPLUM_CLIENT_SECRET_FILE) {
    return `${method.id} reads its secret at run time, and MEDPLUM_CLIENT_SECRET (or MEDPLUM_CLIENT_SECRET_FILE) is not set`;
  }
  const adminGiven = hasAdmin || flags.adminProfile !== undefined || Boolean((flags.adminClientId ?? env.MEDPLUM_ADMIN_CLIENT_ID) && (flags.adminClientSecret ?? env.MEDPLUM_ADMIN_CLIENT_SECRET));
  if (method.app === 'user-facing' && !adminGiven) {
    return 'reading the ClientApplication (PKCE, redirect URIs) needs a project admin: set MEDPLUM_ADMIN_CLIENT_ID/SECRET or pass --admin-profile';
  }
  return undefined;
}

function summarize(plan: Plan, findings: readonly Finding[], rerun: string): Omit<PostCheck, 'findings'> {
  const failed = findings.find((f) => f.level === 'error');
  if (failed) {
    const fix = fixFor(failed, plan, rerun);
    // The finding's message may end a sentence already: one full stop before the fix.
    return { status: 'failed', headline: fix ? `${failed.message.replace(/\.$/, '')}. Fix: ${fix}` : failed.message };
  }
  const warnings = findings.filter((f) => f.level === 'warning').length;
  const more = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'}: run ${rerun})` : '';
  const signIn = findings.find((f) => f.id === 'sign-in');
  if (signIn?.level === 'ok') {
    return { status: 'signed-in', headline: `Signed in to ${plan.values.baseUrl} as client ${plan.values.clientId} (${plan.method.id})${more}` };
  }
  const ok = (id: string) => findings.some((f) => f.id === id && f.level === 'ok');
  if (ok('pkce-optional') && ok('redirect-uris')) {
    return {
      status: 'ready',
      headline: `ClientApplication/${plan.values.clientId} on ${plan.values.baseUrl} requires PKCE and lists the dev server's redirect URI: ready for users to sign in${more}`,
    };
  }
  return { status: 'checked', headline: `Checked the project; no sign-in to try (${signIn?.message ?? 'none'})${more}` };
}

/** What a failed sign-in's reason points at (Medplum's token errors), for its fix. */
const SETTING_AT_FAULT: readonly (readonly [RegExp, string])[] = [
  [/Invalid secret|CLIENT_SECRET/, 'MEDPLUM_CLIENT_SECRET'],
  [/Invalid client\b(?! assertion)|CLIENT_ID/, 'MEDPLUM_CLIENT_ID'],
];

/** The fix for a failed sign-in, which the finding alone does not give (the others carry their own). */
function fixFor(finding: Finding, plan: Plan, rerun: string): string {
  if (finding.id !== 'sign-in') {
    return '';
  }
  const dotEnv = `${plan.displayDir === '.' ? '' : `${plan.displayDir}/`}.env`;
  const reason = finding.message.replace(/^could not sign in to .* as client [^:]*: /, '');
  const setting = SETTING_AT_FAULT.find(([pattern]) => pattern.test(reason))?.[1];
  return `${setting ? `correct ${setting} in ${dotEnv}` : `fix the cause in ${dotEnv} or on the server`}, then run: ${rerun}`;
}
