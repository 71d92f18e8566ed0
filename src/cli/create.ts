/**
 * Creating a project, step by step: every answer (resolvePlan) -> the server side (--provision or
 * the offer) -> the files in memory -> disk, all or nothing (or --dry-run) -> the secret handed over
 * -> install, first commit, the check that proves the sign-in -> the summary. Every question is
 * asked before anything is written; each step's code is imported only once there is work for it.
 */
import { resolve } from 'node:path';
import type { Flags } from './args.js';
import { CliError, Interrupted } from '../errors.js';
import { shellArg } from '../scaffold/escape.js';
import type { PostCheck } from '../medplum/post-check.js';
import type { ProvisionedPlan } from '../medplum/provisioning.js';
import type { FileMap } from '../scaffold/render.js';
import type { Plan } from '../scaffold/plan.js';
import { initGit, install } from '../scaffold/install.js';
import { prompterFor, type Io } from './io.js';
import type { Prompter } from './prompts.js';
import { report, summary, type MedplumSide } from './report.js';
import { resolvePlan } from './resolve.js';
import { createUi, type Ui } from './ui.js';

type Provisioned = ProvisionedPlan['provisioned'];

/** `create-medplum-auth [directory]`: a new project from the parsed flags, step by step. */
export async function create(parsedFlags: Flags, io: Io): Promise<number> {
  const flags = parsedFlags.from
    ? await (await import('../scaffold/record.js')).flagsFromRecord(resolve(io.cwd, parsedFlags.from), parsedFlags)
    : parsedFlags;
  const ui = createUi(io.env, io.stdout, io.stderr, flags.json);
  const prompt = await prompterFor(io, flags);

  const resolved = await resolvePlan(flags, io, ui, prompt);
  const { plan, provisioned, undoProvision } = await provisionIfAsked(resolved, flags, io, ui, prompt);
  const { files, medplumSide } = await renderFiles(plan, provisioned);
  if (flags.dryRun) {
    return report(plan, files, medplumSide, { written: false, installed: false, checked: undefined, flags, ui, io });
  }
  await writeFiles(plan, files, io, ui, undoProvision);
  await provisioned?.handOver(ui);
  const { installed, checked } = await afterWrite(plan, files, flags, io, ui, provisioned, medplumSide);
  return report(plan, files, medplumSide, { written: true, installed, checked, flags, ui, io });
}

/** The server side, when the plan asks for it (--provision, or Yes to the offer); its code loads only then. */
export async function provisionIfAsked(
  plan: Plan,
  flags: Flags,
  io: Io,
  ui: Ui,
  prompt: Prompter | undefined,
): Promise<{ plan: Plan; provisioned: Provisioned | undefined; undoProvision: () => Promise<string> }> {
  return plan.provision
    ? (await import('../medplum/provisioning.js')).provisionPlan(plan, flags, io, ui, prompt)
    : { plan, provisioned: undefined, undoProvision: async () => '' };
}

/** The project in memory, with its record, and what is left to do in Medplum. */
async function renderFiles(plan: Plan, provisioned: Provisioned | undefined): Promise<{ files: FileMap; medplumSide: MedplumSide }> {
  const [{ renderProject, checklistFor }, { recordFile }] = await Promise.all([import('../scaffold/render.js'), import('../scaffold/record.js')]);
  const files = await renderProject({
    ...plan.values,
    method: plan.method.id,
    ui: plan.ui,
    projectName: plan.projectName,
    reasons: plan.decision.reasons,
    pm: plan.pm,
    accessPolicy: plan.accessPolicy,
    created: provisioned?.created ?? [],
    extraFiles: [...plan.extraFiles, recordFile(plan, provisioned?.record)],
  });
  const todo = checklistFor({ ...plan.values, method: plan.method.id }, provisioned !== undefined);
  return { files, medplumSide: { created: provisioned?.created ?? [], todo } };
}

/** All or nothing: on failure nothing is left on disk, and what was provisioned is undone. */
async function writeFiles(plan: Plan, files: FileMap, io: Io, ui: Ui, undoProvision: () => Promise<string>): Promise<void> {
  const { existingFiles, writeProject } = await import('../scaffold/write.js');
  try {
    const overwritten = await existingFiles(files, plan.target);
    // Into a directory that was empty when asked, only a concurrent run could have put files: the lock refuses that below.
    if (overwritten.length > 0 && plan.existing.length > 0) {
      ui.warn(`Overwriting ${overwritten.length} file(s) in ${plan.displayDir}: ${overwritten.join(', ')}`);
    }
    // Consent to write into a non-empty directory was given for what was there when asked.
    await writeProject(files, plan.target, { force: plan.existing.length > 0, interrupt: io.interrupt });
  } catch (err) {
    const undone = await undoProvision();
    const why = err instanceof CliError ? err.message : `Could not write ${plan.displayDir}: ${(err as Error).message}`;
    throw new CliError(`${why}. Nothing was written${undone || '.'}`, { cause: err });
  }
}

/** Install, first commit, then the check that proves the sign-in. A failure here leaves the project written. */
async function afterWrite(
  plan: Plan,
  files: FileMap,
  flags: Flags,
  io: Io,
  ui: Ui,
  provisioned: Provisioned | undefined,
  medplumSide: MedplumSide,
): Promise<{ installed: boolean; checked: PostCheck | undefined }> {
  let installed = false;
  try {
    installed = flags.install && (await install(plan, flags.json, ui, io.interrupt));
    if (flags.git) {
      await initGit(plan, files, ui);
    }
    io.interrupt?.throwIfAborted();
    const checked = flags.check ? await (await import('../medplum/post-check.js')).postWriteCheck(plan, flags, io, ui, provisioned) : undefined;
    return { installed, checked };
  } catch (err) {
    const failure = failedAfterWrite(err, plan, flags.install && !installed);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ ...summary(plan, files, installed, true, medplumSide), error: failure.message }, null, 2)}\n`);
    }
    throw failure;
  }
}

/** A failure after the project was written: it stays, and the message says how to finish. */
function failedAfterWrite(err: unknown, plan: Plan, installPending: boolean): CliError {
  if (err instanceof Interrupted) {
    const finish = installPending ? `; finish the install with: ${plan.displayDir === '.' ? '' : `cd ${shellArg(plan.displayDir)} && `}${plan.pm.install}` : '';
    return new CliError(`${err.message}: the project is written in ${plan.displayDir}${finish}.`);
  }
  if (err instanceof CliError) {
    return err;
  }
  throw err;
}
