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

/** What parsing produced: flags to act on, or text that was asked for (--help, --version). */
export type Parsed = { readonly kind: 'run'; readonly flags: Flags } | { readonly kind: 'print'; readonly text: string };

const METHOD_LIST = METHOD_IDS.map((id) => `  ${id.padEnd(20)} ${METHODS[id].when}`).join('\n');

const EXAMPLES = `
Methods (--method), or let the guide's questions pick one:
${METHOD_LIST}

Other commands:
  ${NAME} add [directory]             add a method's wiring to an existing app or service (--help for options)
  ${NAME} check [directory]           audit a generated project's credentials live (--help for options)
  ${NAME} rotate-secret [directory]   rotate its client secret into .env, as a project admin

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

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** The admin-credential options that --provision, check and rotate-secret share. */
export function withAdminOptions(program: Command, profileHelp: string): Command {
  return program
    .option('--admin-profile <name>', `${profileHelp}: admin credentials from ~/.medplum/<name>.json (default: MEDPLUM_ADMIN_CLIENT_ID/SECRET)`)
    .option('--admin-client-id <id>', 'a project admin ClientApplication (or MEDPLUM_ADMIN_CLIENT_ID)')
    .option('--admin-client-secret <secret>', 'its secret (or MEDPLUM_ADMIN_CLIENT_SECRET; prefer the env var)');
}

/** `--timeout <seconds>`, shared by the scaffold, check and rotate-secret. */
export function withTimeoutOption(program: Command): Command {
  return program.option(
    '--timeout <seconds>',
    `how long each request to Medplum or the identity provider may take, headers and body (default: ${DEFAULT_TIMEOUT_SECONDS})`,
    parseTimeout,
    DEFAULT_TIMEOUT_SECONDS,
  );
}

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError('pass a number of seconds, more than 0 and at most 3600.');
  }
  return seconds;
}

/**
 * Commander with its output captured and no process.exit: the program's options and arguments,
 * the text of --help/--version to print, or a UsageError that says how to get help.
 */
export function parseCommand(
  program: Command,
  argv: readonly string[],
): { readonly kind: 'print'; readonly text: string } | { readonly kind: 'run'; readonly opts: OptionValues; readonly args: readonly string[] } {
  let out = '';
  program
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (out += text), writeErr: () => {}, outputError: () => {} });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) {
      throw err;
    }
    if (err.exitCode === 0) {
      return { kind: 'print', text: out };
    }
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    throw new UsageError(`${message}${/\.$/.test(message) ? '' : '.'} See ${program.name()} --help.`);
  }
  return { kind: 'run', opts: program.opts(), args: program.args };
}

/** What differs between the scaffold's program and `add`'s, which takes the same flags. */
export interface ProgramText {
  readonly name: string;
  readonly description: string;
  readonly directory: string;
  readonly examples: string;
}

const CREATE: ProgramText = {
  name: NAME,
  description: "Scaffold a Medplum project that already signs in, chosen by Medplum's authentication decision guide.",
  directory: 'where to create the project (its name becomes the package name)',
  examples: EXAMPLES,
};

export function createProgram(version: string, text: ProgramText = CREATE): Command {
  const program = new Command(text.name)
    .description(text.description)
    .argument('[directory]', text.directory)
    .addOption(new Option('--app <kind>', 'what you are building').choices(APPS))
    .addOption(new Option('-m, --method <method>', 'the auth method (implies --app)').choices(METHOD_IDS))
    .addOption(new Option('--platform <platform>', 'user-facing apps: a web app (Vite) or a mobile app (Expo: iOS, Android, web)').choices(PLATFORMS))
    .addOption(
      new Option('--ui <ui>', "user-facing methods: Medplum's React components on Mantine (default), or plain React for your own design system").choices(
        WEB_UIS,
      ),
    )
    .option('--base-url <url>', `Medplum server base URL (default: ${DEFAULT_BASE_URL})`)
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
    .option('--debug', 'log each request to the Medplum server on stderr (method, path, status; never a secret)')
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
    .option('--json', 'print one JSON object on stdout (never a secret); implies no prompts')
    .version(version, '-v, --version')
    .addHelpText('after', text.examples)
    .showSuggestionAfterError();
  return withTimeoutOption(withAdminOptions(program, 'with --provision'));
}

export function parseArgs(argv: readonly string[], version: string, program = createProgram(version)): Parsed {
  // `npm create x -- --flag` can pass the `--` through; it means nothing here.
  const args = argv.filter((arg, i) => !(arg === '--' && i === 0));
  const parsed = parseCommand(program, args);
  if (parsed.kind === 'print') {
    return parsed;
  }
  const o = parsed.opts;
  return {
    kind: 'run',
    flags: {
      directory: parsed.args[0],
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
      adminProfile: o.adminProfile,
      adminClientId: o.adminClientId,
      adminClientSecret: o.adminClientSecret,
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
    },
  };
}
