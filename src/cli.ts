/**
 * The pipeline, top to bottom:
 *   argv -> flags -> answers (flags > prompts > recommended with --yes, else an error naming the flag)
 *   -> chooseMethod -> file map in memory -> disk (or --dry-run) -> install, git -> summary.
 * Every question is asked before anything is written. `main` is the only place that turns
 * errors into exit codes; nothing here calls process.exit.
 * Rendering, writing and provisioning are imported only once there is work for them,
 * so --help and --version start fast.
 */
import { basename, relative, resolve } from 'node:path';
import { DEFAULT_BASE_URL, NAME, parseArgs, type CheckFlags, type Flags, type RotateFlags } from './args.js';
import { CliError, Interrupted, UsageError } from './errors.js';
import { envValue, EnvValueError, shellArg } from './escape.js';
import { answersFor, chooseMethod, GUIDE, MissingAnswer, SHORTCUTS, type Decision, type Question } from './guide.js';
import { appScheme, DEFAULT_WEB_UI, forPlatform, hasUi, METHOD_IDS, METHODS, type EnvInput, type Method, type MethodId, type Platform, type WebUi } from './methods.js';
import type { AccessPolicy } from './policy.js';
import { httpFor } from './http.js';
import { commandsFor, detectPackageManager, type PackageManagerCommands } from './pm.js';
import { isPromptCancel, loadPrompter, type Prompter } from './prompts.js';
import type { FileMap, GeneratedFile } from './render.js';
import { createUi, type Stream, type Ui } from './ui.js';
import { VERSION } from './version.js';
import { checkBaseUrl, checkPackageName, formatTargetDir, isValidPackageName, toValidPackageName, uuidWarning } from './validate.js';

export interface Io {
  readonly stdout: Stream;
  readonly stderr: Stream;
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** How prompts are loaded; tests may inject their own. */
  readonly loadPrompter?: (interrupt?: AbortSignal) => Promise<Prompter>;
  /** Aborted on SIGINT/SIGTERM with an Interrupted (index.ts): what is under way stops cleanly. */
  readonly interrupt?: AbortSignal;
}

export interface Plan {
  readonly target: string;
  readonly displayDir: string;
  /** What made the target non-empty when it was checked (the user agreed to write into it). */
  readonly existing: readonly string[];
  readonly projectName: string;
  readonly decision: Decision;
  readonly method: Method;
  /** The web starter's UI; undefined for methods without one. */
  readonly ui: WebUi | undefined;
  /** Every user value that reaches the generated files. */
  readonly values: EnvInput;
  readonly accessPolicy: AccessPolicy | null;
  readonly extraFiles: readonly GeneratedFile[];
  readonly pm: PackageManagerCommands;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  // Made once the flags are known (or for an error); --help and --version need none.
  let ui: Ui | undefined;
  try {
    const parsed = parseArgs(argv, VERSION);
    switch (parsed.kind) {
      case 'print':
        io.stdout.write(parsed.text);
        return 0;
      case 'check':
        return await runCheck(parsed.options, io);
      case 'rotate-secret':
        return await runRotate(parsed.options, io);
      case 'add':
        return await (await import('./add/run.js')).runAdd(parsed.flags, io);
    }
    const flags = parsed.flags.from
      ? await (await import('./record.js')).flagsFromRecord(resolve(io.cwd, parsed.flags.from), parsed.flags)
      : parsed.flags;
    ui = createUi(io.env, io.stdout, io.stderr, flags.json);
    const interactive = !flags.yes && !flags.json && !isCI(io.env) && io.stdinIsTTY && io.stdout.isTTY === true;
    const prompt = interactive ? await (io.loadPrompter ?? loadPrompter)(io.interrupt) : undefined;

    const resolved = await resolvePlan(flags, io, ui, prompt);
    const { plan, provisioned, undoProvision } = flags.provision
      ? await (await import('./provisioning.js')).provisionPlan(resolved, flags, io, ui, prompt)
      : { plan: resolved, provisioned: undefined, undoProvision: async () => '' };
    const [{ renderProject, checklistFor }, { existingFiles, writeProject }, { buildRecord, RECORD_FILE }] = await Promise.all([
      import('./render.js'),
      import('./write.js'),
      import('./record.js'),
    ]);
    const record = buildRecord(`${NAME}@${VERSION}`, plan, provisioned?.record);
    const files = await renderProject({
      ...plan.values,
      method: plan.method.id,
      ui: plan.ui,
      projectName: plan.projectName,
      reasons: plan.decision.reasons,
      pm: plan.pm,
      accessPolicy: plan.accessPolicy,
      created: provisioned?.created ?? [],
      extraFiles: [
        ...plan.extraFiles,
        { path: RECORD_FILE, content: Buffer.from(`${JSON.stringify(record, null, 2)}\n`), mode: 0o644 },
      ],
    });
    const medplumSide = { created: provisioned?.created ?? [], todo: checklistFor({ ...plan.values, method: plan.method.id }, provisioned !== undefined) };

    if (flags.dryRun) {
      return report(plan, files, medplumSide, { written: false, installed: false, flags, ui, io });
    }
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
    await provisioned?.handOver(ui);

    let installed = false;
    try {
      installed = flags.install && (await install(plan, flags.json, ui, io.interrupt));
      if (flags.git) {
        await initGit(plan, files, ui);
      }
      io.interrupt?.throwIfAborted();
    } catch (err) {
      const failure = afterWrite(err, plan, flags.install && !installed);
      if (flags.json) {
        io.stdout.write(`${JSON.stringify({ ...summary(plan, files, installed, true, medplumSide), error: failure.message }, null, 2)}\n`);
      }
      throw failure;
    }
    return report(plan, files, medplumSide, { written: true, installed, flags, ui, io });
  } catch (err) {
    ui ??= createUi(io.env, io.stdout, io.stderr, false);
    if (isPromptCancel(err)) {
      ui.error('Cancelled. Nothing was written.');
      return 1;
    }
    if (err instanceof Interrupted) {
      ui.error(`${err.message}. Nothing was written.`);
      return 1;
    }
    if (err instanceof UsageError || err instanceof CliError) {
      ui.error(err.message);
      return err.exitCode;
    }
    throw err;
  }
}

/** `create-medplum-auth check [directory]`: loaded only when asked for (it loads @medplum/core). */
async function runCheck(flags: CheckFlags, io: Io): Promise<number> {
  const { check, reportCheck } = await import('./check.js');
  const options = { ...flags, debug: flags.debug ? (line: string) => io.stderr.write(`debug ${line}\n`) : undefined, interrupt: io.interrupt };
  const ui = createUi(io.env, io.stdout, io.stderr, options.json);
  const result = await check(options, io.cwd, io.env);
  return reportCheck(result, options, ui, (text) => io.stdout.write(text));
}

/** `create-medplum-auth rotate-secret [directory]`. */
async function runRotate(options: RotateFlags, io: Io): Promise<number> {
  const { rotateSecret } = await import('./rotate.js');
  const ui = createUi(io.env, io.stdout, io.stderr, options.json);
  const interactive = !options.json && !isCI(io.env) && io.stdinIsTTY && io.stdout.isTTY === true;
  const prompt = interactive ? await (io.loadPrompter ?? loadPrompter)(io.interrupt) : undefined;
  const debug = options.debug ? (line: string) => io.stderr.write(`debug ${line}\n`) : undefined;
  const result = await rotateSecret(options, {
    cwd: io.cwd,
    env: io.env,
    prompt,
    debug,
    rescue: (text) => io.stderr.write(text),
  });
  if (result.warning && !options.json) {
    ui.warn(result.warning);
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const messages = {
    rotated: `Rotated the secret of client ${result.clientId}; the new one is in ${result.wroteTo}. The old secret keeps working at the token endpoint (not as Basic on FHIR) as retiringSecret until you run: ${NAME} rotate-secret --retire`,
    retired: `Retired the old secret of client ${result.clientId}: only the current one works now.`,
    'nothing-to-retire': `Client ${result.clientId} has no retiring secret: nothing to retire.`,
  };
  ui.info(`${ui.color.green('✔')} ${messages[result.action]}`);
  return 0;
}

export function isCI(env: Io['env']): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/**
 * Resolves every answer before anything is written. `add` gives its own target, an existing project
 * it edits file by file (so none of its files counts as one to overwrite).
 */
export async function resolvePlan(
  flags: Flags,
  io: Io,
  ui: Ui,
  prompt: Prompter | undefined,
  into?: Pick<Plan, 'target' | 'displayDir' | 'projectName'>,
): Promise<Plan> {
  const { target, displayDir, projectName, existing } = into ? { ...into, existing: [] } : await resolveTarget(flags, io, prompt);
  const decision = await resolveGuide(flags, prompt);
  const platform = await resolvePlatform(flags, METHODS[decision.method], prompt);
  const method = forPlatform(METHODS[decision.method], platform);
  // Loaded here, not at start-up: --help and --version need none of this (nor node:crypto).
  const { checkFlagsApply, resolveNeeds, resolvePolicy } = await import('./needs.js');
  checkFlagsApply(flags, method);
  if (flags.provision) {
    (await import('./provisioning.js')).checkProvisionFlags(flags, { method });
  }
  const accessPolicy = resolvePolicy(flags, method, projectName);
  const webUi = hasUi(method) ? await resolveUi(flags, prompt) : undefined;

  const baseUrlAnswer =
    flags.baseUrl ??
    (prompt
      ? await prompt.input({ message: 'Medplum base URL', default: DEFAULT_BASE_URL, validate: validateWith(checkBaseUrl) })
      : DEFAULT_BASE_URL);
  const baseUrl = checkBaseUrl(baseUrlAnswer);
  if (baseUrl.warning) {
    ui.warn(baseUrl.warning);
  }

  // With --provision the client is created on the server: there is no ID or secret to ask for.
  const ask = flags.provision ? undefined : prompt;
  const clientId =
    flags.clientId ?? (ask ? await ask.input({ message: 'ClientApplication ID (empty: fill in .env later)', default: '' }) : '');
  const projectId = flags.projectId ?? '';
  checkEnvSafe(baseUrl.url, '--base-url');
  checkEnvSafe(clientId, '--client-id');
  checkEnvSafe(projectId, '--project-id');
  for (const warning of [uuidWarning(clientId, '--client-id'), uuidWarning(projectId, '--project-id')]) {
    if (warning) {
      ui.warn(warning);
    }
  }
  if (projectId && !flags.provision && !method.env.some((v) => v.name.endsWith('PROJECT_ID'))) {
    ui.warn(`--project-id is not used by ${method.id}: a ClientApplication belongs to one project.`);
  }

  const clientSecret = await resolveSecret(flags, io, ui, ask, method);
  if (clientSecret !== undefined) {
    checkEnvSafe(clientSecret, '--client-secret');
  }

  const http = httpFor(flags, io);
  const { extraFiles, ...needs } = await resolveNeeds({ flags, method, baseUrl: baseUrl.url, cwd: io.cwd, prompt, warn: ui.warn, http });
  checkEnvSafe(needs.googleClientId, '--google-client-id');
  checkEnvSafe(needs.idp.authorizeUrl, '--idp-issuer');
  checkEnvSafe(needs.idp.clientId, '--idp-client-id');
  checkEnvSafe(needs.jwt.privateKeyPath, '--private-key-path');

  const pm = commandsFor(flags.packageManager ?? detectPackageManager(io.env.npm_config_user_agent));
  return {
    target,
    displayDir,
    projectName,
    existing,
    decision,
    method,
    ui: webUi,
    values: {
      ...(platform === 'mobile' ? { platform, appScheme: appScheme(projectName) } : {}),
      baseUrl: baseUrl.url,
      clientId,
      clientSecret,
      projectId,
      ...needs,
    },
    accessPolicy,
    extraFiles,
    pm,
  };
}

/**
 * Web or mobile, for the methods with a mobile starter: --platform, else asked at a terminal (always
 * for --for web-and-mobile), else web. Refused for methods that have none.
 */
async function resolvePlatform(flags: Flags, method: Method, prompt: Prompter | undefined): Promise<Platform | undefined> {
  if (!method.mobile) {
    if (flags.platform === undefined || (flags.platform === 'web' && method.app === 'user-facing')) {
      return undefined;
    }
    const mobile = METHOD_IDS.filter((id) => METHODS[id].mobile);
    throw new UsageError(
      method.app === 'user-facing'
        ? `--platform mobile is not available for ${method.id} yet; the mobile starter is for ${mobile.join(', ')}.`
        : `--platform is for user-facing apps; ${method.id} is a ${method.app} method. Remove --platform.`,
    );
  }
  if (flags.platform || !prompt) {
    return flags.platform ?? 'web';
  }
  return prompt.select<Platform>({
    message: flags.for === 'web-and-mobile' ? 'Which one first? (both share one ClientApplication)' : 'Web or mobile?',
    choices: [
      { value: 'web', name: 'Web app', description: 'Vite + React in the browser' },
      { value: 'mobile', name: 'Mobile app', description: 'Expo (React Native): iOS, Android and the web' },
    ],
    default: 'web',
  });
}

/** The web starter's UI: --ui, else asked at a terminal, else Medplum's components. */
async function resolveUi(flags: Pick<Flags, 'ui'>, prompt: Prompter | undefined): Promise<WebUi> {
  if (flags.ui || !prompt) {
    return flags.ui ?? DEFAULT_WEB_UI;
  }
  return prompt.select<WebUi>({
    message: 'Which UI?',
    choices: [
      {
        value: 'medplum',
        name: "Medplum's React components (Mantine)",
        description: 'SignInForm from @medplum/react: MFA, the project chooser, Google and domain sign-in built in',
      },
      {
        value: 'plain',
        name: 'Plain React, no Mantine',
        description: 'A small sign-in form of its own on @medplum/react-hooks, for teams with their own design system',
      },
    ],
    default: DEFAULT_WEB_UI,
  });
}

async function resolveTarget(flags: Flags, io: Io, prompt: Prompter | undefined) {
  const DEFAULT_DIR = 'medplum-app';
  let dir = flags.directory === undefined ? undefined : formatTargetDir(flags.directory);
  if (dir === undefined) {
    if (prompt) {
      dir = formatTargetDir(
        await prompt.input({
          message: 'Project name',
          default: DEFAULT_DIR,
          validate: (value) => value.trim() !== '' || 'Enter a name for the project directory.',
        }),
      );
    } else if (flags.yes) {
      dir = DEFAULT_DIR;
    } else {
      throw new UsageError(`Missing the project directory. Pass it first, e.g. ${NAME} my-app (or --yes for ./${DEFAULT_DIR}).`);
    }
  }
  const target = resolve(io.cwd, dir);
  const fromCwd = relative(io.cwd, target);
  const displayDir = fromCwd === '' ? '.' : fromCwd.startsWith('..') ? target : fromCwd;

  let projectName = basename(target);
  if (!isValidPackageName(projectName)) {
    projectName = prompt
      ? await prompt.input({
          message: 'Package name',
          default: toValidPackageName(projectName),
          validate: (value) => isValidPackageName(value) || 'Use lowercase letters, digits, - and _.',
        })
      : checkPackageName(projectName, `from the directory ${displayDir}`);
  }

  const { occupyingEntries } = await import('./write.js');
  let occupied: string[];
  try {
    occupied = await occupyingEntries(target);
  } catch (err) {
    throw new CliError(`${(err as Error).message}. Choose another directory.`);
  }
  if (occupied.length > 0 && !flags.force) {
    const listing = listFew(occupied);
    const overwrite =
      prompt &&
      (await prompt.confirm({
        message: `${displayDir} is not empty (${listing}). Write into it, overwriting the starter's files?`,
        default: false,
      }));
    if (!overwrite) {
      throw new CliError(
        `${displayDir} is not empty (${listing}). Choose another directory, or pass --force to write into it; it lists the files it overwrites.`,
      );
    }
  }
  return { target, displayDir, projectName, existing: occupied };
}

function listFew(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Walks the guide: flags first, then a prompt, then the recommendation with --yes; otherwise an error. */
export async function resolveGuide(
  flags: Pick<Flags, 'app' | 'method' | 'yes' | 'for'>,
  prompt: Prompter | undefined,
): Promise<Decision> {
  const answers: Record<string, string> = {};
  const reasons: string[] = [];
  if (flags.for) {
    if (flags.method) {
      throw new UsageError(`--for answers the guide's questions and --method skips them: pass one of them.`);
    }
    const shortcut = SHORTCUTS[flags.for];
    const byApp: Readonly<Record<string, Readonly<Record<string, string>>>> = shortcut.byApp;
    Object.assign(answers, shortcut.answers, flags.app ? { app: flags.app, ...byApp[flags.app] } : {});
    reasons.push(`"${shortcut.question}": ${shortcut.reason}`);
  }
  if (flags.method) {
    const implied = answersFor(flags.method) as Record<string, string>;
    if (flags.app && implied[GUIDE.id] !== flags.app) {
      throw new UsageError(
        `--method ${flags.method} is for ${implied[GUIDE.id]} apps, not --app ${flags.app}. Drop one, or choose a ${flags.app} method: ${methodsUnder(GUIDE, flags.app).join(', ')}.`,
      );
    }
    Object.assign(answers, implied);
    reasons.push(`You chose --method ${flags.method}.`);
  } else if (flags.app && !flags.for) {
    answers[GUIDE.id] = flags.app;
  }
  for (;;) {
    try {
      const decision = chooseMethod(answers);
      return { ...decision, reasons: [...reasons, ...decision.reasons] };
    } catch (err) {
      if (!(err instanceof MissingAnswer)) {
        throw err;
      }
      answers[err.question.id] = await answer(err.question, flags.yes, prompt);
    }
  }
}

async function answer(question: Question, yes: boolean, prompt: Prompter | undefined): Promise<string> {
  if (prompt) {
    return prompt.select({
      message: question.message,
      choices: question.choices.map((c) => ({ value: c.value, name: c.label, description: c.hint })),
      default: question.recommended,
    });
  }
  if (yes) {
    return question.recommended;
  }
  const options =
    question.flag === '--method'
      ? methodsUnder(question).map((m) => `--method ${m}`)
      : question.choices.map((c) => `${question.flag} ${c.value}`);
  throw new UsageError(
    `Missing an answer to "${question.message}". Pass ${options.join(' or ')}, or --yes for the recommended one.`,
  );
}

function methodsUnder(question: Question, value?: string): MethodId[] {
  return question.choices
    .filter((c) => value === undefined || c.value === value)
    .flatMap((c) => (typeof c.next === 'string' ? [c.next] : methodsUnder(c.next)));
}

async function resolveSecret(
  flags: Flags,
  io: Io,
  ui: Ui,
  prompt: Prompter | undefined,
  method: Method,
): Promise<string | undefined> {
  const fromFlag = flags.clientSecret;
  const fromEnv = io.env.MEDPLUM_CLIENT_SECRET || undefined;
  if (typeof method.secret === 'object') {
    if (fromFlag !== undefined) {
      throw new UsageError(`${method.id} ${method.secret.refuse}`);
    }
    return undefined;
  }
  switch (method.secret) {
    case 'runtime':
      if (fromFlag !== undefined) {
        ui.warn(
          `The client secret was not stored: ${method.id} keeps secrets off disk. Inject it at run time with MEDPLUM_CLIENT_SECRET or MEDPLUM_CLIENT_SECRET_FILE (see the README).`,
        );
      }
      return undefined;
    case 'env-file':
      return (
        fromFlag ??
        fromEnv ??
        ((prompt && (await prompt.password({ message: 'ClientApplication secret (empty: fill in .env later)' }))) ||
          undefined)
      );
  }
}

function checkEnvSafe(value: string, flag: string): void {
  try {
    envValue(value);
  } catch (err) {
    if (err instanceof EnvValueError) {
      throw new UsageError(`${flag} ${err.message}. Check the value you pasted.`);
    }
    throw err;
  }
}

function validateWith(check: (value: string) => unknown): (value: string) => true | string {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

export async function install(plan: Pick<Plan, 'pm' | 'target' | 'displayDir'>, json: boolean, ui: Ui, interrupt?: AbortSignal): Promise<boolean> {
  ui.info(`Installing dependencies with ${plan.pm.name}…`);
  const [command, ...args] = plan.pm.install.split(' ') as [string, ...string[]];
  // stdin is not the install's: in its own process group it could only stop on reading it.
  const code = await run(command, args, plan.target, ['ignore', json ? 2 : 'inherit', 'inherit'], interrupt);
  interrupt?.throwIfAborted();
  if (code !== 0) {
    throw new CliError(
      `${plan.pm.install} failed (exit ${code}) in ${plan.displayDir}. The project is written; run it again there when the problem is fixed.`,
    );
  }
  return true;
}

/** A failure after the project was written: it stays, and the message says how to finish. */
function afterWrite(err: unknown, plan: Plan, installPending: boolean): CliError {
  if (err instanceof Interrupted) {
    const finish = installPending ? `; finish the install with: ${plan.displayDir === '.' ? '' : `cd ${shellArg(plan.displayDir)} && `}${plan.pm.install}` : '';
    return new CliError(`${err.message}: the project is written in ${plan.displayDir}${finish}.`);
  }
  if (err instanceof CliError) {
    return err;
  }
  throw err;
}

/**
 * A repository with one commit of the starter's files, unless the directory is inside one
 * already. Only the generated files are added: files that were there before (--force) may be
 * the user's own credentials, and stay untracked.
 */
async function initGit(plan: Plan, files: FileMap, ui: Ui): Promise<void> {
  const { target } = plan;
  const quiet = ['ignore', 'ignore', 'ignore'] as const;
  if ((await run('git', ['rev-parse', '--is-inside-work-tree'], target, [...quiet])) === 0) {
    return; // already inside a repository: leave it to the user
  }
  if ((await run('git', ['init', '-q'], target, [...quiet])) !== 0) {
    ui.warn('git init failed; the project has no repository.');
    return;
  }
  // Ignored files (.env, keys) cannot be named to git add: list the others first.
  const { execFile } = await import('node:child_process');
  const listed = await new Promise<string | undefined>((done) =>
    execFile('git', ['ls-files', '-z', '--others', '--exclude-standard', '--', ...files.keys()], { cwd: target }, (err, stdout) =>
      done(err ? undefined : stdout),
    ),
  );
  const toAdd = listed?.split('\0').filter(Boolean) ?? [];
  const committed =
    listed !== undefined &&
    (await run('git', ['add', '--', ...toAdd], target, [...quiet])) === 0 &&
    (await run('git', ['commit', '-q', '-m', `Initial commit from ${NAME}`], target, [...quiet])) === 0;
  if (!committed) {
    ui.warn('git init done, but the first commit failed (is user.name/user.email set?). Commit when ready.');
  } else if (plan.existing.length > 0) {
    ui.warn(`git: the first commit holds only the starter's files; what was already in ${plan.displayDir} is left uncommitted.`);
  }
}

type StdioSpec = ['ignore' | 'inherit', 'ignore' | 'inherit' | 2, 'ignore' | 'inherit'];

/**
 * Runs a command to its end, in its own process group, so that on SIGINT/SIGTERM (`interrupt`)
 * the whole group (npm and what it started) is stopped, not left running as orphans.
 */
async function run(command: string, args: readonly string[], cwd: string, stdio: StdioSpec, interrupt?: AbortSignal): Promise<number> {
  const { spawn } = await import('node:child_process');
  const windows = process.platform === 'win32';
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, stdio, shell: windows, detached: !windows });
    const stop = () => {
      try {
        process.kill(windows ? (child.pid as number) : -(child.pid as number), 'SIGTERM');
      } catch {
        // already gone
      }
    };
    interrupt?.addEventListener('abort', stop, { once: true });
    child.on('error', () => done(127));
    child.on('close', (code) => {
      interrupt?.removeEventListener('abort', stop);
      done(code ?? 1);
    });
  });
}

interface ReportOptions {
  readonly written: boolean;
  readonly installed: boolean;
  readonly flags: Flags;
  readonly ui: Ui;
  readonly io: Io;
}

/** The Medplum side: what --provision made (a line each), and the steps left to the user. */
export interface MedplumSide {
  readonly created: readonly string[];
  readonly todo: readonly string[];
}

/** What --json prints (never a secret); the next steps also end the human summary. */
function summary(plan: Plan, files: FileMap, installed: boolean, written: boolean, { created, todo }: MedplumSide) {
  const { method, pm } = plan;
  const unset = method.env
    .filter((v) => (v.envFile ?? 'value') === 'value' && !v.optional && v.value(plan.values) === '')
    .map((v) => v.name);
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

function report(plan: Plan, files: FileMap, medplumSide: MedplumSide, { written, installed, flags, ui, io }: ReportOptions): number {
  const { method } = plan;
  const { created, todo } = medplumSide;
  const result = summary(plan, files, installed, written, medplumSide);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const { nextSteps } = result;

  const c = ui.color;
  if (!written) {
    ui.info(`${c.bold('Dry run:')} would write ${files.size} files to ${plan.displayDir}`);
    for (const file of files.values()) {
      ui.info(`  ${file.path}${file.mode === 0o600 ? c.dim(' (mode 600)') : ''}`);
    }
  } else {
    ui.info(`${c.green('✔')} Created ${c.bold(plan.displayDir)} with ${c.cyan(method.id)}${plan.ui ? ` (${plan.ui} UI)` : ''}: ${method.title}`);
  }
  ui.info();
  ui.info(c.bold('Why'));
  for (const reason of plan.decision.reasons) {
    ui.info(`  • ${reason}`);
  }
  printMedplumSide(ui, { created, todo }, plan.values.baseUrl);
  printNextSteps(ui, nextSteps, method.docsUrl);
  return 0;
}

/** What --provision made and the steps left in Medplum (also for `add`). */
export function printMedplumSide(ui: Ui, { created, todo }: MedplumSide, baseUrl: string): void {
  const c = ui.color;
  ui.info();
  ui.info(c.bold('In Medplum'));
  if (created.length > 0) {
    ui.info(`  Done by --provision on ${baseUrl}:`);
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
