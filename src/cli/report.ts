/** The end of a run: the summary for people, or the --json object (never a secret). */
import type { Flags } from './args.js';
import { shellArg } from '../scaffold/escape.js';
import type { PostCheck } from '../medplum/post-check.js';
import type { EnvVar } from '../guide/methods.js';
import type { Plan } from '../scaffold/plan.js';
import type { FileMap } from '../scaffold/render.js';
import type { Io } from './io.js';
import type { Ui } from './ui.js';

interface ReportOptions {
  readonly written: boolean;
  readonly installed: boolean;
  /** The post-write check; undefined with --no-check or --dry-run. */
  readonly checked: PostCheck | undefined;
  readonly flags: Flags;
  readonly ui: Ui;
  readonly io: Io;
}

/** The Medplum side: what --provision made (a line each), and the steps left to the user. */
export interface MedplumSide {
  readonly created: readonly string[];
  readonly todo: readonly string[];
}

/** The variables the project needs in .env that no answer filled in: the user fills them in. */
export function unsetVars({ method, values }: Pick<Plan, 'method' | 'values'>): EnvVar[] {
  return method.env.filter((v) => (v.envFile ?? 'value') === 'value' && !v.optional && v.value(values) === '');
}

/** What --json prints (never a secret); the next steps also end the human summary. */
export function summary(plan: Plan, files: FileMap, installed: boolean, written: boolean, { created, todo }: MedplumSide) {
  const { method, pm } = plan;
  const unset = unsetVars(plan).map((v) => v.name);
  const nextSteps = [
    ...(plan.displayDir === '.' ? [] : [`cd ${shellArg(plan.displayDir)}`]),
    ...(installed ? [] : [pm.install]),
    ...(unset.length > 0 ? [`# fill in ${unset.join(', ')} in .env (see .env.example)`] : []),
    method.runScript === 'dev' ? pm.dev : method.app === 'device' ? pm.startOnce : pm.start,
  ];
  return {
    directory: plan.target,
    app: method.app,
    method: method.id,
    ...(plan.values.platform ? { platform: plan.values.platform } : {}),
    ...(plan.ui ? { ui: plan.ui } : {}),
    reasons: plan.decision.reasons,
    files: [...files.keys()],
    ...(created.length > 0 ? { provisioned: created } : {}),
    inMedplum: todo,
    nextSteps,
    dryRun: !written,
  };
}

export function report(plan: Plan, files: FileMap, medplumSide: MedplumSide, { written, installed, checked, flags, ui, io }: ReportOptions): number {
  const { method } = plan;
  const { created, todo } = medplumSide;
  const result = { ...summary(plan, files, installed, written, medplumSide), ...(checked ? { check: checked } : {}) };
  // The project stays written whatever the check found: only --strict turns a failure into exit 1.
  const code = checked?.status === 'failed' && flags.strict ? 1 : 0;
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return code;
  }
  const { nextSteps } = result;

  const c = ui.color;
  if (!written) {
    ui.info(`${c.bold('Dry run:')} would write ${files.size} files to ${plan.displayDir}`);
    for (const file of files.values()) {
      ui.info(`  ${file.path}${file.mode === 0o600 ? c.dim(' (mode 600)') : ''}`);
    }
  } else {
    printProven(ui, checked, code);
    ui.info(`${c.green('✔')} Created ${c.bold(plan.displayDir)} with ${c.cyan(method.id)}${plan.ui ? ` (${plan.ui} UI)` : ''}: ${method.title}`);
    if (installed) {
      ui.info(`${c.green('✔')} Installed its dependencies with ${plan.pm.name}`);
    }
  }
  ui.info();
  ui.info(c.bold('Why'));
  for (const reason of plan.decision.reasons) {
    ui.info(`  • ${reason}`);
  }
  printMedplumSide(ui, { created, todo }, plan.values.baseUrl);
  printNextSteps(ui, nextSteps, method.docsUrl);
  return code;
}

/** The summary's first line: what the post-write check proved, or what failed and its fix. */
function printProven(ui: Ui, checked: PostCheck | undefined, code: number): void {
  const c = ui.color;
  if (!checked) {
    return;
  }
  if (checked.status === 'failed') {
    ui.info(`${c.red('✖')} Check failed: ${checked.headline}`);
    ui.info(`  The project is written; exit ${code}${code === 0 ? ' (1 with --strict)' : ' (--strict)'}.`);
  } else if (checked.status === 'skipped') {
    ui.info(`${c.dim('–')} ${checked.headline}`);
  } else {
    ui.info(`${c.green('✔')} ${checked.headline}`);
  }
}

/** What --provision made and the steps left in Medplum (also for `add`). */
export function printMedplumSide(ui: Ui, { created, todo }: MedplumSide, baseUrl: string): void {
  const c = ui.color;
  ui.info();
  ui.info(c.bold('In Medplum'));
  if (created.length > 0) {
    ui.info(`  Done on ${baseUrl}:`);
    created.forEach((line) => ui.info(`  ${c.green('✔')} ${line}`));
    ui.info(todo.length > 0 ? '  Left to do:' : '  Nothing is left to do there.');
  }
  todo.forEach((step, i) => ui.info(`  ${i + 1}. ${step}`));
}

/** The next steps (a leading `#` marks a comment) and the method's docs. */
export function printNextSteps(ui: Ui, nextSteps: readonly string[], docsUrl: string): void {
  const c = ui.color;
  ui.info();
  ui.info(c.bold('Next steps'));
  for (const step of nextSteps) {
    ui.info(`  ${step.startsWith('#') ? c.dim(step) : c.cyan(step)}`);
  }
  ui.info();
  ui.info(`Docs: ${docsUrl}`);
}

