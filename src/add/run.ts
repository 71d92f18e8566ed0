/**
 * `create-medplum-auth add [directory]`: the same guide and flags as a new project, then the method's
 * wiring added to the project that is there. Steps: flags -> detect the project -> the guide's answers
 * (refusing a method that does not fit the kind) -> the plan in memory -> a diff (--dry-run), or one
 * all-or-nothing write (write.ts, with rollback) -> install only with --install -> the report.
 */
import { existsSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { NAME, type Flags } from '../cli/args.js';
import { provisionIfAsked } from '../cli/create.js';
import { prompterFor, type Io } from '../cli/io.js';
import { printMedplumSide, printNextSteps, unsetVars, type MedplumSide } from '../cli/report.js';
import { displayPath, resolvePlan } from '../cli/resolve.js';
import { install } from '../scaffold/install.js';
import type { Plan } from '../scaffold/plan.js';
import { CliError, UsageError } from '../errors.js';
import { shellArg } from '../scaffold/escape.js';
import { PRIVATE_KEY_FILE } from '../guide/keys.js';
import { GUIDE } from '../guide/guide.js';
import { METHODS, VITE_ENV, type App, type Method } from '../guide/methods.js';
import { flagsFromRecord, recordFile } from '../scaffold/record.js';
import { checklistFor } from '../scaffold/render.js';
import { createUi, type Ui } from '../cli/ui.js';
import { toValidPackageName } from '../guide/validate.js';
import { writeProject } from '../scaffold/write.js';
import { detectProject, type Project } from './detect.js';
import { unifiedDiff } from './diff.js';
import { methodsFor } from './kinds.js';
import { planAdd, type AddPlan, type Change } from './plan.js';

export async function runAdd(parsed: Flags, io: Io): Promise<number> {
  const given = parsed.from ? await flagsFromRecord(resolve(io.cwd, parsed.from), parsed) : parsed;
  const ui = createUi(io.env, io.stdout, io.stderr, given.json);
  const target = resolve(io.cwd, given.directory ?? '.');
  const displayDir = displayPath(io.cwd, target);
  const project = await detectProject(target, displayDir);
  // A second jwt-assertion add signs with the key pair the first one made (a new one would clash).
  const keptKey = given.method === 'jwt-assertion' && given.privateKeyPath === undefined && existsSync(join(target, PRIVATE_KEY_FILE));
  const prompt = await prompterFor(io, given);
  const flags = fitFlags(keptKey ? { ...given, privateKeyPath: relative(io.cwd, join(target, PRIVATE_KEY_FILE)) } : given, project, prompt !== undefined);
  if (prompt) {
    ui.info(`Adding Medplum auth to ${displayDir}, a ${project.description}.`);
  }
  const projectName = toValidPackageName(project.name || basename(target));
  // At a terminal the guide may choose any app: one that does not fit is refused before the other questions.
  const planned = await resolvePlan(flags, io, ui, prompt, {
    target,
    displayDir,
    projectName,
    webEnv: project.kind.webEnv ?? VITE_ENV,
    checkMethod: (method) => checkFits(method, project),
    // At a prompt the first question's default is an app that fits (a Node service: backend).
    suggested: { [GUIDE.id]: project.kind.apps[0] as string },
  });
  // .env keeps the path relative to the project, as the first add wrote it.
  const resolved = keptKey ? { ...planned, values: { ...planned.values, jwt: { ...planned.values.jwt, privateKeyPath: `./${PRIVATE_KEY_FILE}` } } } : planned;
  const { plan, provisioned, undoProvision } = await provisionIfAsked(resolved, flags, io, ui, prompt);

  const add = await planAdd({
    project,
    method: plan.method,
    ui: plan.ui,
    values: plan.values,
    accessPolicy: plan.accessPolicy,
    extraFiles: [...plan.extraFiles, recordFile(plan, provisioned?.record)],
    force: flags.force,
  });
  // What --provision made is deleted again when the project cannot take the wiring.
  const stop = async (message: string): Promise<never> => {
    throw new CliError(`${message}${await undoProvision()}`);
  };
  const incompatible = add.incompatible.map((d) => `${d.name} ${d.have} (the wiring needs ${d.want})`);
  if (incompatible.length > 0 && !flags.force) {
    await stop(`${displayDir} has ${incompatible.join(', ')}: another major version. Upgrade it, or pass --force to set the version it needs.`);
  }
  if (add.clashes.length > 0 && !flags.force) {
    await stop(`${displayDir} already has ${add.clashes.join(', ')}, with other content. Move them away, or pass --force to replace them.`);
  }

  const adapt = project.kind.checklistStep ?? ((step: string) => step);
  const medplumSide: MedplumSide = {
    created: provisioned?.created ?? [],
    todo: checklistFor({ ...plan.values, method: plan.method.id }, provisioned !== undefined).map(adapt),
  };
  // At a terminal, the changes are shown first and written once the user agrees.
  const confirmed = prompt !== undefined && !flags.dryRun && add.changes.length > 0;
  if (confirmed) {
    ui.info(`Adding ${plan.method.id} will change ${add.changes.length} files in ${displayDir}:`);
    listChanges(ui, add.changes);
    if (!(await prompt.confirm({ message: 'Write these changes?', default: true }))) {
      await stop('Nothing was written: the changes were declined');
    }
  }
  if (!flags.dryRun && add.changes.length > 0) {
    const files = new Map(add.changes.map((c) => [c.path, { path: c.path, content: Buffer.from(c.after), mode: c.mode }]));
    try {
      await writeProject(files, target, { force: true, interrupt: io.interrupt });
    } catch (err) {
      const undone = await undoProvision();
      throw new CliError(`Could not change ${displayDir}: ${(err as Error).message}. Nothing was changed${undone}`, { cause: err });
    }
    await provisioned?.handOver(ui);
  }
  const installed = !flags.dryRun && flags.install && add.changes.length > 0 && (await install(plan, flags.json, ui, io.interrupt));
  return report({ project, plan, add, medplumSide, installed, listed: confirmed, flags, ui, io });
}

/**
 * The kind decides the app: a web project takes a user-facing method, a Node service a backend or
 * device one (backend unless asked). A method or app that does not fit is refused before any question.
 * At a terminal the guide asks from its first question, so a user sees it all, and one whose answer
 * does not fit learns which method does. A web app gets the web starter's wiring, never Expo's.
 */
function fitFlags(flags: Flags, project: Project, interactive: boolean): Flags {
  // The plain UI's files are TypeScript: a JavaScript app gets Medplum's components without a question.
  if (flags.ui === 'plain' && project.kind.id !== 'node' && !project.typescript) {
    throw new UsageError(`--ui plain adds TypeScript files and ${project.description} is JavaScript: use --ui medplum (the default).`);
  }
  if (flags.platform === 'mobile') {
    throw new UsageError(`add wires web apps and Node services; --platform mobile is for a new Expo app, e.g. ${NAME} my-app --platform mobile.`);
  }
  const web = project.kind.id !== 'node';
  const fitted = {
    ...flags,
    ui: !web || project.typescript ? flags.ui : 'medplum',
    platform: web ? 'web' : flags.platform,
    packageManager: flags.packageManager ?? project.packageManager,
  } as const;
  if (flags.method) {
    checkFits(METHODS[flags.method], project);
    return fitted;
  }
  if (flags.app && !project.kind.apps.includes(flags.app)) {
    throw new UsageError(`--app ${flags.app} does not fit ${project.description}: ${fitting(project)}.`);
  }
  const decided = project.kind.apps.length === 1 || flags.yes || flags.json;
  const app: App | undefined = flags.app ?? (decided && !interactive ? project.kind.apps[0] : undefined);
  return { ...fitted, app };
}

function checkFits(method: Method, project: Project): void {
  if (!project.kind.apps.includes(method.app)) {
    throw new UsageError(`${method.id} is a ${method.app} method and does not fit ${project.description}: ${fitting(project)}.`);
  }
}

function fitting(project: Project): string {
  const ids = methodsFor(project.kind).map((m) => m.id);
  return project.kind.id === 'node'
    ? `use ${ids.join(', ')} (client-credentials for a long-running service); people signing in belong in a web app`
    : `use ${ids.join(', ')} (oauth-auth-code to start); client-credentials and other server methods belong in a Node service`;
}

interface ReportInput {
  readonly project: Project;
  readonly plan: Plan;
  readonly add: AddPlan;
  readonly medplumSide: MedplumSide;
  readonly installed: boolean;
  /** The changed files were listed before they were written. */
  readonly listed: boolean;
  readonly flags: Flags;
  readonly ui: Ui;
  readonly io: Io;
}

function report({ project, plan, add, medplumSide, installed, listed, flags, ui, io }: ReportInput): number {
  const { method } = plan;
  const already = add.changes.length === 0;
  const envFile = project.kind.envFile;
  const unset = unsetVars(plan)
    .map((v) => project.kind.envName(v))
    .filter((name) => name !== undefined);
  const nextSteps = [
    ...(plan.displayDir === '.' ? [] : [`cd ${shellArg(plan.displayDir)}`]),
    ...(installed || already ? [] : [plan.pm.install]),
    ...(unset.length > 0 ? [`# fill in ${unset.join(', ')} in ${envFile} (see .env.example)`] : []),
    ...add.manual.map((step) => `# ${step}`),
    ...add.usage.map((line) => `# ${line}`),
  ];
  const files = add.changes.map((c) => ({ path: c.path, action: c.action }));
  const diff = unifiedDiff(add.changes);
  if (flags.json) {
    const result = {
      directory: plan.target,
      project: project.description,
      app: method.app,
      method: method.id,
      reasons: plan.decision.reasons,
      alreadyAdded: already,
      files,
      diff,
      keptEnv: add.kept,
      ...(medplumSide.created.length > 0 ? { provisioned: medplumSide.created } : {}),
      inMedplum: medplumSide.todo,
      nextSteps,
      dryRun: flags.dryRun,
    };
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }

  const c = ui.color;
  if (already) {
    ui.info(`${c.green('✔')} Already added: ${c.cyan(method.id)} is wired into ${c.bold(plan.displayDir)} (${project.description}). Nothing changed.`);
  } else if (flags.dryRun) {
    ui.info(`${c.bold('Dry run:')} adding ${c.cyan(method.id)} to ${plan.displayDir} (${project.description}) would change ${files.length} files. Nothing was written.`);
    io.stdout.write(diff);
  } else {
    ui.info(`${c.green('✔')} Added ${c.cyan(method.id)} (${method.title}) to ${c.bold(plan.displayDir)}, a ${project.description}${listed ? '.' : ':'}`);
    if (!listed) {
      listChanges(ui, add.changes);
    }
  }
  for (const name of add.kept) {
    ui.warn(`${name} is already set in ${envFile}: left as it is.`);
  }
  printMedplumSide(ui, medplumSide, plan.values.baseUrl);
  printNextSteps(ui, nextSteps, method.docsUrl);
  return 0;
}

/** One line a file: + created, ~ changed. */
function listChanges(ui: Ui, changes: readonly Change[]): void {
  const c = ui.color;
  for (const file of changes) {
    const sign = file.action === 'create' ? c.green('+') : c.yellow('~');
    ui.info(`  ${sign} ${file.path}${file.mode === 0o600 ? c.dim(' (mode 600)') : ''}`);
  }
}
