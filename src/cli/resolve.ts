/**
 * Settles the Plan: every answer comes from a flag, else a prompt (at a terminal only), else the
 * recommendation under --yes, else an error that names the flag. Nothing here writes.
 */
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { DEFAULT_BASE_URL, NAME, type Flags } from './args.js';
import { CliError, UsageError } from '../errors.js';
import { envValue, EnvValueError } from '../scaffold/escape.js';
import { answersFor, chooseMethod, GUIDE, MissingAnswer, SHORTCUTS, type Decision, type Question } from '../guide/guide.js';
import { appScheme, DEFAULT_WEB_UI, forPlatform, hasUi, METHODS, VITE_ENV, type Method, type MethodId, type Platform, type WebUi } from '../guide/methods.js';
import { checkBaseUrl, checkPackageName, formatTargetDir, isValidPackageName, toValidPackageName, uuidWarning } from '../guide/validate.js';
import { httpFor } from '../medplum/http.js';
import type { Plan } from '../scaffold/plan.js';
import { commandsFor, detectPackageManager } from '../scaffold/pm.js';
import type { Io } from './io.js';
import type { Prompter } from './prompts.js';
import type { Ui } from './ui.js';

/**
 * Resolves every answer before anything is written. `add` gives its own target, an existing project
 * it edits file by file (so none of its files counts as one to overwrite).
 */
export async function resolvePlan(
  flags: Flags,
  io: Io,
  ui: Ui,
  prompt: Prompter | undefined,
  into?: Pick<Plan, 'target' | 'displayDir' | 'projectName' | 'webEnv'> & {
    readonly checkMethod?: (method: Method) => void;
    /** The guide's answers to offer first at a prompt, by question id. */
    readonly suggested?: Readonly<Record<string, string>>;
  },
): Promise<Plan> {
  const { target, displayDir, projectName, existing } = into ? { ...into, existing: [] } : await resolveTarget(flags, io, prompt);
  const decision = await resolveGuide(flags, prompt, into?.suggested);
  into?.checkMethod?.(METHODS[decision.method]); // add: a method that does not fit is refused before any other question
  const platform = await resolvePlatform(flags, METHODS[decision.method], prompt);
  const method = forPlatform(METHODS[decision.method], platform);
  // Loaded here, not at start-up: --help and --version need none of this (nor node:crypto).
  const { checkFlagsApply, resolveNeeds, resolvePolicy } = await import('../guide/needs.js');
  checkFlagsApply(flags, method);
  // Provisioning code loads only when there may be something to provision.
  const provisioning = flags.provision || (prompt && !into) ? await import('../medplum/provisioning.js') : undefined;
  if (flags.provision) {
    provisioning?.checkProvisionFlags(flags, { method });
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
  checkEnvSafe(baseUrl.url, '--base-url');
  const http = httpFor(flags, io);
  // At a terminal the client may be created now, instead of the user fetching its ID and secret (not for `add`).
  const provision = into || !provisioning ? flags.provision : await provisioning.offerProvision(flags, method, baseUrl.url, http, prompt);

  // When the client is created on the server there is no ID or secret to ask for.
  const ask = provision ? undefined : prompt;
  const clientId =
    flags.clientId ?? (ask ? await ask.input({ message: 'ClientApplication ID (empty: fill in .env later)', default: '' }) : '');
  const projectId = flags.projectId ?? '';
  checkEnvSafe(clientId, '--client-id');
  checkEnvSafe(projectId, '--project-id');
  for (const warning of [uuidWarning(clientId, '--client-id'), uuidWarning(projectId, '--project-id')]) {
    if (warning) {
      ui.warn(warning);
    }
  }
  if (projectId && !provision && !method.env.some((v) => v.name.endsWith('PROJECT_ID'))) {
    ui.warn(`--project-id is not used by ${method.id}: a ClientApplication belongs to one project.`);
  }

  const clientSecret = await resolveSecret(flags, io, ui, ask, method);
  if (clientSecret !== undefined) {
    checkEnvSafe(clientSecret, '--client-secret');
  }

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
    webEnv: into?.webEnv ?? VITE_ENV,
    values: {
      ...(platform === 'mobile' ? { platform, appScheme: appScheme(projectName) } : {}),
      baseUrl: baseUrl.url,
      clientId,
      clientSecret,
      projectId,
      ...needs,
    },
    accessPolicy,
    provision,
    extraFiles,
    pm,
  };
}

/**
 * Web or mobile, for the user-facing methods (each has a mobile starter): --platform, else asked at a
 * terminal (always for --for web-and-mobile), else web. Refused for the backend and device methods.
 */
async function resolvePlatform(flags: Flags, method: Method, prompt: Prompter | undefined): Promise<Platform | undefined> {
  if (!method.mobile) {
    if (flags.platform === undefined) {
      return undefined;
    }
    throw new UsageError(`--platform is for user-facing apps; ${method.id} is a ${method.app} method. Remove --platform.`);
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
  const displayDir = displayPath(io.cwd, target);

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

  const { occupyingEntries } = await import('../scaffold/write.js');
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

/** A directory as the user names it: relative to where they are, `.` for there, absolute when outside. */
export function displayPath(cwd: string, target: string): string {
  const fromCwd = relative(cwd, target);
  // Outside: `..` or `../…` (a name that only starts with dots, such as `..app`, is inside); another drive on Windows.
  const outside = fromCwd === '..' || fromCwd.startsWith(`..${sep}`) || isAbsolute(fromCwd);
  return fromCwd === '' ? '.' : outside ? target : fromCwd;
}

function listFew(names: readonly string[], max = 5): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/**
 * Walks the guide: flags first, then a prompt, then the recommendation with --yes; otherwise an error.
 * `suggested` overrides a question's recommended answer at a prompt (add: the app its project's kind fits).
 */
export async function resolveGuide(
  flags: Pick<Flags, 'app' | 'method' | 'yes' | 'for'>,
  prompt: Prompter | undefined,
  suggested: Readonly<Record<string, string>> = {},
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
      answers[err.question.id] = await answer(err.question, flags.yes, prompt, suggested[err.question.id]);
    }
  }
}

async function answer(question: Question, yes: boolean, prompt: Prompter | undefined, suggested?: string): Promise<string> {
  if (prompt) {
    return prompt.select({
      message: question.message,
      choices: question.choices.map((c) => ({ value: c.value, name: c.label, description: c.hint })),
      default: suggested ?? question.recommended,
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
