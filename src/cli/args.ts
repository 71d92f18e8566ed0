/** argv -> flags. Commander does the parsing; nothing here prompts or touches the disk. */
import { Command, CommanderError, InvalidArgumentError, Option, type OptionValues } from 'commander';
import { UsageError } from '../errors.js';
import { SHORTCUT_IDS, type Shortcut } from '../guide/guide.js';
import { DEFAULT_TIMEOUT_SECONDS } from '../medplum/http.js';
import { IDP_PROVIDERS, type IdpEndpoints, type IdpProvider } from '../guide/idp.js';
import { APPS, METHOD_IDS, METHODS, PLATFORMS, WEB_UIS, type App, type MethodId, type Platform, type WebUi } from '../guide/methods.js';
import { PACKAGE_MANAGERS, type PackageManager } from '../scaffold/pm.js';

export const NAME = 'create-medplum-auth';
export const DEFAULT_BASE_URL = 'https://api.medplum.com/';

export interface Flags {
  readonly directory?: string;
  readonly app?: App;
  readonly method?: MethodId;
  readonly platform?: Platform;
  readonly ui?: WebUi;
  readonly baseUrl?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly projectId?: string;
  readonly for?: Shortcut;
  readonly googleClientId?: string;
  readonly idp?: IdpProvider;
  readonly idpIssuer?: string;
  readonly idpDomain?: string;
  readonly idpClientId?: string;
  /** With --provision, external-idp: sent to Medplum inside identityProvider, never written or printed. */
  readonly idpClientSecret?: string;
  readonly discover: boolean;
  readonly privateKeyPath?: string;
  readonly deviceId?: string;
  readonly allow: readonly string[];
  readonly allowIp: readonly string[];
  readonly from?: string;
  readonly provision: boolean;
  readonly adminProfile?: string;
  readonly adminClientId?: string;
  readonly adminClientSecret?: string;
  readonly jwksUri?: string;
  readonly secretOut?: string;
  readonly revealSecret: boolean;
  readonly debug: boolean;
  /** Seconds each request to Medplum or the identity provider may take (--timeout). */
  readonly timeout: number;
  /** Endpoints taken from a replayed record (--from), so a replay needs no discovery. Not a flag. */
  readonly idpEndpoints?: IdpEndpoints;
  readonly yes: boolean;
  readonly install: boolean;
  readonly git: boolean;
  /** After the write and the install, prove the sign-in as `check` does (--no-check turns it off). */
  readonly check: boolean;
  /** A failed post-write check exits 1 (without it: 0, and the summary says so). */
  readonly strict: boolean;
  readonly packageManager?: PackageManager;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/** The options of a command on a generated project, as parsed. */
interface ProjectFlags {
  readonly directory: string;
  readonly adminProfile?: string;
  readonly adminClientId?: string;
  readonly adminClientSecret?: string;
  readonly debug: boolean;
  readonly timeout: number;
  readonly json: boolean;
}

export interface CheckFlags extends ProjectFlags {
  readonly envFile?: string;
  readonly strict: boolean;
}

export interface RotateFlags extends ProjectFlags {
  readonly retire: boolean;
  readonly secretOut?: string;
}

/** What parsing produced: the command to run with its options, or text that was asked for (--help, --version). */
export type Parsed =
  | { readonly kind: 'print'; readonly text: string }
  | { readonly kind: 'create' | 'add'; readonly flags: Flags }
  | { readonly kind: 'check'; readonly options: CheckFlags }
  | { readonly kind: 'rotate-secret'; readonly options: RotateFlags };

const METHOD_LIST = METHOD_IDS.map((id) => `  ${id.padEnd(20)} ${METHODS[id].when}`).join('\n');

const EXAMPLES = `
Methods (--method), or let the guide's questions pick one:
${METHOD_LIST}

Examples:
  # Ask the decision guide's questions
  $ npm create medplum-auth@latest

  # A web app where users sign in with Medplum (OAuth authorization code + PKCE)
  $ npx ${NAME} my-portal --method oauth-auth-code --client-id <id>

  # The same sign-in in a mobile app (Expo: iOS, Android and the web)
  $ npx ${NAME} my-app --method oauth-auth-code --platform mobile

  # A backend with the recommended server auth (client credentials), no questions
  $ npx ${NAME} my-api --app backend --yes

  # Enterprise SSO with Okta, endpoints read from its discovery document
  $ npx ${NAME} portal -m external-idp --idp okta --idp-domain example.okta.com --idp-client-id <id> --discover

  # A lab analyzer with no shared secret, allowed only from its network
  $ npx ${NAME} analyzer -m jwt-assertion --allow-ip 10.20.0.0/16

  # Not sure? Start from one of the guide's common questions
  $ npx ${NAME} my-app --for firebase-migration

  # Audit a generated project's credentials live (see: ${NAME} check --help)
  $ npx ${NAME} check my-api --strict

  # In CI: the secret from the environment, a JSON summary on stdout
  $ MEDPLUM_CLIENT_SECRET=... npx ${NAME} my-api -m client-credentials --client-id <id> --no-install --json

Without a TTY, with CI set, or with --yes it never prompts: a missing answer is an error naming its flag.
Docs: https://www.medplum.com/docs/auth/methods`;

const ADD_EXAMPLES = `
Examples:
  # A Vite + React app: MedplumProvider and Medplum's SignInForm around <App />, VITE_* in .env
  $ npx ${NAME} add . --method oauth-auth-code --client-id <id>

  # A Next.js app (App or Pages Router): a client component around the root layout, NEXT_PUBLIC_* in .env.local
  $ npx ${NAME} add my-site -m oauth-auth-code --dry-run

  # The plain UI (TypeScript): the sign-in in plain React on @medplum/react-hooks, without Mantine, in src/medplum/
  $ npx ${NAME} add . -m oauth-auth-code --ui plain --client-id <id>

  # A Node service (TypeScript or JavaScript, ESM or CommonJS): src/medplum.ts with a signed-in client
  $ MEDPLUM_CLIENT_SECRET=... npx ${NAME} add api -m client-credentials --client-id <id> --install

Nothing is committed, and nothing is installed without --install. A second run with the same answers changes nothing.`;

const CHECK_EXAMPLES = `
Examples:
  # Static checks, then a live sign-in with the project's own credentials
  $ npx ${NAME} check my-api

  # In CI: warnings fail too, one JSON object on stdout
  $ npx ${NAME} check my-api --strict --json

  # A web starter: its ClientApplication (PKCE, redirect URIs) read with admin credentials
  $ npx ${NAME} check my-portal --admin-profile prod

Exit 1 when a finding is an error (with --strict, a warning too).`;

const ROTATE_EXAMPLES = `
Examples:
  # A new secret into .env; the old one keeps working at the token endpoint meanwhile
  $ MEDPLUM_ADMIN_CLIENT_ID=... MEDPLUM_ADMIN_CLIENT_SECRET=... npx ${NAME} rotate-secret my-api

  # Once every copy of the app has the new secret: the old one stops working
  $ npx ${NAME} rotate-secret my-api --retire --admin-profile prod

  # device-credentials: hand the new secret over in a file (mode 600), never in .env
  $ npx ${NAME} rotate-secret my-device --secret-out ./new-secret`;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/*
 * The options more than one command takes, each defined once. Commander keeps an Option on the
 * command it was added to, so each command gets a new one.
 */
const baseUrlOption = () => new Option('--base-url <url>', `Medplum server base URL (default: ${DEFAULT_BASE_URL})`);
const debugOption = () => new Option('--debug', 'log each request to the Medplum server on stderr (method, path, status; never a secret)');
const jsonOption = (more = '') => new Option('--json', `print one JSON object on stdout (never a secret)${more}`);
const timeoutOption = () =>
  // Commander adds "(default: 30)" to the help.
  new Option('--timeout <seconds>', 'how long each request to Medplum or the identity provider may take, headers and body')
    .argParser(parseTimeout)
    .default(DEFAULT_TIMEOUT_SECONDS);
/** The admin credentials of --provision, check and rotate-secret; `use` says what they are for. */
const adminOptions = (use: string) => [
  new Option('--admin-profile <name>', `${use}: admin credentials from ~/.medplum/<name>.json (default: MEDPLUM_ADMIN_CLIENT_ID/SECRET)`),
  new Option('--admin-client-id <id>', 'a project admin ClientApplication (or MEDPLUM_ADMIN_CLIENT_ID)'),
  new Option('--admin-client-secret <secret>', 'its secret (or MEDPLUM_ADMIN_CLIENT_SECRET; prefer the env var)'),
];

function addOptions(command: Command, options: readonly Option[]): Command {
  for (const option of options) {
    command.addOption(option);
  }
  return command;
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError('pass a number of seconds, more than 0 and at most 3600.');
  }
  return seconds;
}

/** The scaffold's questions as flags: a new project's (the program itself) and `add`'s. */
function withScaffoldOptions(command: Command): Command {
  command
    .addOption(new Option('--app <kind>', 'what you are building').choices(APPS))
    .addOption(new Option('-m, --method <method>', 'the auth method (implies --app)').choices(METHOD_IDS))
    .addOption(new Option('--platform <platform>', 'user-facing apps: a web app (Vite) or a mobile app (Expo: iOS, Android, web)').choices(PLATFORMS))
    .addOption(
      new Option('--ui <ui>', "user-facing methods: Medplum's React components on Mantine (default), or plain React for your own design system").choices(
        WEB_UIS,
      ),
    )
    .addOption(baseUrlOption())
    .option('--client-id <id>', 'ClientApplication ID')
    .option('--client-secret <secret>', 'ClientApplication secret (or set MEDPLUM_CLIENT_SECRET)')
    .option('--project-id <id>', 'Medplum project ID')
    .addOption(new Option('--for <question>', "answer from one of the guide's common questions").choices(SHORTCUT_IDS))
    .option('--google-client-id <id>', 'google-auth: the Google OAuth client ID')
    .addOption(new Option('--idp <provider>', 'external-idp, domain-idp, token-exchange: your identity provider').choices(IDP_PROVIDERS))
    .option('--idp-issuer <url>', 'the identity provider\'s issuer URL')
    .option('--idp-domain <domain>', 'the identity provider\'s domain, where it has a known URL pattern (auth0, okta, entra-id, cognito)')
    .option('--idp-client-id <id>', 'the app\'s client ID at the identity provider')
    .option('--discover', 'read the identity provider\'s endpoints from {issuer}/.well-known/openid-configuration')
    .option('--private-key-path <file>', 'jwt-assertion: use this EC P-256 private key (PEM) instead of generating one')
    .option('--device-id <id>', 'device-credentials, jwt-assertion: the Device it posts for; the AccessPolicy allows only that Device')
    .option('--allow <rules>', 'backend/device: the AccessPolicy, e.g. Observation:create,Device:read (repeatable)', collect, [])
    .option('--allow-ip <ipv4>', 'backend/device: allow only this IPv4 address or prefix (repeatable)', collect, [])
    .option('--provision', 'create the AccessPolicy and ClientApplication on the server (as a project admin) and put the secret in .env')
    .option('--jwks-uri <url>', 'with --provision, jwt-assertion: the HTTPS URL where jwks.json is hosted')
    .option('--idp-client-secret <secret>', 'with --provision, external-idp: the app\'s client secret at the identity provider, sent only to Medplum (or MEDPLUM_IDP_CLIENT_SECRET)')
    .option('--secret-out <file>', 'with --provision, device-credentials: hand the new secret over in this file (mode 600)')
    .option('--reveal-secret', 'with --provision, device-credentials: print the new secret once, on stdout')
    .addOption(debugOption())
    .option('--from <file>', 'replay the medplum-auth.json of an earlier scaffold, without prompts')
    .option('-y, --yes', 'never prompt; take the recommended answers')
    .option('--no-install', 'do not install dependencies')
    .option('--no-git', 'do not initialise a git repository')
    .option('--no-check', 'do not sign in after writing the project to prove that it works (as `check` does)')
    .option('--strict', 'exit 1 when that check fails (default: 0; the project stays written either way)')
    .addOption(
      new Option('--package-manager <pm>', 'package manager for install and next steps (default: the one running this)').choices(
        PACKAGE_MANAGERS,
      ),
    )
    .option('--force', 'write into a non-empty directory, overwriting the files it lists')
    .option('--dry-run', 'print the files it would write; write nothing')
    .addOption(jsonOption('; implies no prompts'));
  return addOptions(command, [...adminOptions('with --provision'), timeoutOption()]);
}

/**
 * The one program: creating a project is the program itself (so `create-medplum-auth my-app` and its
 * --help are the scaffold's), and `add`, `check` and `rotate-secret` are its subcommands. Each
 * action only records what was parsed in `done`; the commands themselves run in cli.ts.
 */
export function createProgram(version: string, done: (parsed: Parsed) => void = () => {}): Command {
  const program = new Command(NAME)
    .description("Scaffold a Medplum project that already signs in, chosen by Medplum's authentication decision guide.")
    .argument('[directory]', 'where to create the project (its name becomes the package name)')
    .version(version, '-v, --version')
    .addHelpText('after', EXAMPLES)
    // Set before the subcommands are added: they inherit these settings.
    .helpOption('-h, --help', 'show this help')
    .helpCommand(false) // `create-medplum-auth help` makes a project named help, as it always has
    .enablePositionalOptions() // the program's options go before a subcommand; after it, they are the subcommand's
    .showSuggestionAfterError()
    .action((directory: string | undefined, _o, command: Command) => done({ kind: 'create', flags: toFlags(directory, command.opts()) }));
  withScaffoldOptions(program);

  const add = program
    .command('add')
    .description("Add a Medplum auth method's wiring to an existing Vite + React app, Next.js app or Node service.")
    .argument('[directory]', 'the project to add to (default: .)')
    .addHelpText('after', ADD_EXAMPLES)
    .action((directory: string | undefined, _o, command: Command) => done({ kind: 'add', flags: toFlags(directory, command.opts()) }));
  withScaffoldOptions(add).option('--install', 'install the added dependencies (default: only print the command)');
  // Unlike a new project, an existing one is installed only when asked.
  add.setOptionValueWithSource('install', false, 'default');

  projectCommand(program, 'check', "Audit a generated project's Medplum credentials: sign in by its method, then check for excess privilege.", 'web methods, to read the ClientApplication')
    // Not --env-file: Node 22 reads a script's own --env-file argument too, and exits 9 before any
    // code runs when it names a directory or a missing file.
    .option('--env <file>', 'an env file read after .env (its values win)')
    .option('--env-file <file>', 'the same as --env, the 0.1 spelling (Node itself also reads it, and exits if it is not a file)')
    .option('--strict', 'exit non-zero on warnings too')
    .addHelpText('after', CHECK_EXAMPLES)
    .action((directory: string, o: OptionValues) =>
      done({ kind: 'check', options: { ...projectFlags(directory, o), envFile: o.env ?? o.envFile, strict: o.strict === true } }),
    );

  projectCommand(program, 'rotate-secret', "Rotate the project's client secret with Medplum's $rotate-secret, as a project admin, and write it into .env.", 'the admin')
    .option('--retire', 'end the rotation: the old (retiring) secret stops working')
    .option('--secret-out <file>', 'device-credentials: write the new secret to this file (mode 600), never to .env')
    .addHelpText('after', ROTATE_EXAMPLES)
    .action((directory: string, o: OptionValues) =>
      done({ kind: 'rotate-secret', options: { ...projectFlags(directory, o), retire: o.retire === true, secretOut: o.secretOut } }),
    );
  return program;
}

/** A command on a generated project (check, rotate-secret), with the options both take. */
function projectCommand(program: Command, name: string, description: string, adminUse: string): Command {
  const command = program.command(name).description(description).argument('[directory]', 'the project', '.');
  return addOptions(command, [jsonOption(), debugOption(), ...adminOptions(adminUse), timeoutOption()]);
}

const projectFlags = (directory: string, o: OptionValues): ProjectFlags => ({ directory, ...adminFlags(o), debug: o.debug === true, timeout: o.timeout, json: o.json === true });
const adminFlags = (o: OptionValues) => ({ adminProfile: o.adminProfile, adminClientId: o.adminClientId, adminClientSecret: o.adminClientSecret });

/**
 * argv -> the command to run, with commander's output captured and no process.exit: the text of
 * --help/--version to print, or a UsageError that says which --help to read.
 */
export function parseArgs(argv: readonly string[], version: string): Parsed {
  let parsed: Parsed | undefined;
  let out = '';
  const program = createProgram(version, (p) => (parsed = p));
  for (const command of [program, ...program.commands]) {
    command.exitOverride().configureOutput({ writeOut: (text) => (out += text), writeErr: () => {}, outputError: () => {} });
  }
  // `npm create x -- --flag` can pass the `--` through; it means nothing here.
  const args = argv.filter((arg, i) => !(arg === '--' && i === 0));
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) {
      throw err;
    }
    if (err.exitCode === 0) {
      return { kind: 'print', text: out };
    }
    const subcommand = program.commands.find((c) => c.name() === args[0]);
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${message}${/\.$/.test(message) ? '' : '.'} See ${NAME}${subcommand ? ` ${subcommand.name()}` : ''} --help.`);
  }
  return parsed as Parsed;
}

function toFlags(directory: string | undefined, o: OptionValues): Flags {
  return {
    directory,
    app: o.app,
    method: o.method,
    platform: o.platform,
    ui: o.ui,
    baseUrl: o.baseUrl,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    projectId: o.projectId,
    for: o.for,
    googleClientId: o.googleClientId,
    idp: o.idp,
    idpIssuer: o.idpIssuer,
    idpDomain: o.idpDomain,
    idpClientId: o.idpClientId,
    idpClientSecret: o.idpClientSecret,
    discover: o.discover === true,
    privateKeyPath: o.privateKeyPath,
    deviceId: o.deviceId,
    allow: o.allow,
    allowIp: o.allowIp,
    from: o.from,
    provision: o.provision === true,
    ...adminFlags(o),
    jwksUri: o.jwksUri,
    secretOut: o.secretOut,
    revealSecret: o.revealSecret === true,
    debug: o.debug === true,
    timeout: o.timeout,
    yes: o.yes === true,
    install: o.install,
    git: o.git,
    check: o.check,
    strict: o.strict === true,
    packageManager: o.packageManager,
    force: o.force === true,
    dryRun: o.dryRun === true,
    json: o.json === true,
  };
}
