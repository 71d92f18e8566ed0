import { execFileSync } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProgram, NAME, parseArgs } from '../../src/cli/args.js';
import { METHODS } from '../../src/guide/methods.js';
import { VERSION } from '../../src/cli/version.js';
import { UsageError } from '../../src/errors.js';
import { runCli, tempDir } from '../helpers.js';
import { BIN } from '../project.js';

/** Errors are one line on stderr, nothing on stdout. */
function expectOneLineError(result: { stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

async function dryRunJson(args: string[], env: Record<string, string> = {}) {
  const cwd = await tempDir();
  const result = await runCli(['app', '--dry-run', '--json', ...args], { cwd, env });
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return { ...JSON.parse(result.stdout), cwd, stderr: result.stderr };
}

describe('help and version', () => {
  it('--help lists every flag, the choices and examples', async () => {
    const { code, stdout } = await runCli(['--help'], { cwd: await tempDir() });
    expect(code).toBe(0);
    for (const flag of [
      '--app',
      '--method',
      '--ui',
      '--base-url',
      '--client-id',
      '--client-secret',
      '--project-id',
      '--yes',
      '--no-install',
      '--no-git',
      '--no-check',
      '--strict',
      '--package-manager',
      '--force',
      '--dry-run',
      '--json',
      '--version',
      '--for',
      '--google-client-id',
      '--idp',
      '--idp-issuer',
      '--idp-domain',
      '--idp-client-id',
      '--discover',
      '--private-key-path',
      '--device-id',
      '--allow',
      '--allow-ip',
    ]) {
      expect(stdout).toContain(flag);
    }
    const flat = stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(/"user-facing", "backend", "device"/);
    expect(flat).toMatch(
      /"oauth-auth-code", "google-auth", "external-idp", "domain-idp", "client-credentials", "basic-auth", "token-exchange", "device-credentials", "jwt-assertion"/,
    );
    expect(flat).toMatch(/--ui <ui> user-facing methods: .*\(choices: "medplum", "plain"\)/);
    expect(flat).toMatch(/"firebase-migration", "okta-sso", "web-and-mobile", "lab-integration"/);
    expect(stdout).toMatch(/Examples:\n[^$]*\$ npm create medplum-auth@latest\n/);
    // Every method, with when to use it.
    for (const [id, method] of Object.entries(METHODS)) {
      expect(stdout).toContain(`  ${id.padEnd(20)} ${method.when}`);
    }
  });

  it('-v prints the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    const { code, stdout } = await runCli(['-v'], { cwd: await tempDir() });
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(pkg.version);
  });
});

describe('one program: create, and its subcommands add, check and rotate-secret', () => {
  const program = createProgram(VERSION);
  /** The help lines of one option, joined (commander wraps them). */
  const optionHelp = (help: string, flag: string) => help.match(new RegExp(`\\n  ${flag}[ ,<].*(\\n {10,}.*)*`))?.[0].replace(/\s+/g, ' ');

  it.each(['', 'add', 'check', 'rotate-secret'])('bin/ prints `%s --help` as the build rendered it, the same bytes the program writes', async (name) => {
    const argv = [...(name ? [name] : []), '--help'];
    const cwd = await tempDir();
    const fromBin = execFileSync(process.execPath, [BIN, ...argv], { cwd });
    expect(fromBin.equals(await readFile(join(BIN, '../../dist/help', `${name || 'create'}.txt`)))).toBe(true);
    expect(fromBin.equals(execFileSync(process.execPath, [join(BIN, '../../dist/index.js'), ...argv], { cwd }))).toBe(true);
  });

  it('--help lists the subcommands', async () => {
    const { code, stdout } = await runCli(['--help'], { cwd: await tempDir() });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: ${NAME} \\[options\\] \\[command\\] \\[directory\\]\\n`));
    for (const name of ['add', 'check', 'rotate-secret']) {
      expect(stdout).toMatch(new RegExp(`\\n  ${name} \\[options\\] \\[directory\\] +\\S`));
    }
  });

  it.each([
    ['add', '--install', /\$ npx create-medplum-auth add \. --method oauth-auth-code/],
    ['check', '--strict', /\$ npx create-medplum-auth check my-api --strict --json/],
    ['rotate-secret', '--retire', /\$ npx create-medplum-auth rotate-secret my-api --retire/],
  ])('%s --help is the main program\'s subcommand, with its own options and examples', async (name, own, example) => {
    const { code, stdout } = await runCli([name, '--help'], { cwd: await tempDir() });
    expect(code).toBe(0);
    const subcommand = program.commands.find((c) => c.name() === name);
    expect(subcommand?.parent).toBe(program);
    expect(stdout.startsWith(subcommand?.helpInformation() ?? '-')).toBe(true);
    expect(stdout).toMatch(new RegExp(`^Usage: ${NAME} ${name} \\[options\\] \\[directory\\]\\n`));
    expect(stdout).toContain(`\n  ${own} `);
    expect(stdout).toMatch(/\nExamples:\n/);
    expect(stdout).toMatch(example);
  });

  it('the options they share read the same in every help', async () => {
    const cwd = await tempDir();
    const helps = await Promise.all(['', 'add', 'check', 'rotate-secret'].map(async (name) => (await runCli([...(name ? [name] : []), '--help'], { cwd })).stdout));
    for (const flag of ['--admin-client-id', '--admin-client-secret', '--timeout', '--debug']) {
      const lines = helps.map((help) => optionHelp(help, flag));
      expect(lines[0]).toBeDefined();
      expect(new Set(lines).size, flag).toBe(1);
    }
    expect(optionHelp(helps[2] as string, '--timeout')).toMatch(/take, headers and body \(default: 30\)$/);
    expect(optionHelp(helps[1] as string, '--base-url')).toBe(optionHelp(helps[0] as string, '--base-url'));
  });

  it.each([
    [['check', '--bogus'], /^error unknown option '--bogus'\. See create-medplum-auth check --help\.\n$/],
    [['rotate-secret', '--timeout', '0'], /^error option '--timeout <seconds>' argument '0' is invalid\. .* See create-medplum-auth rotate-secret --help\.\n$/],
    [['add', '--method', 'nope'], /^error option '-m, --method <method>' argument 'nope' is invalid\. .* See create-medplum-auth add --help\.\n$/],
    [['--bogus'], /^error unknown option '--bogus'\. See create-medplum-auth --help\.\n$/],
  ])('%j: one line naming that command\'s --help, exit 2', async (args, pattern) => {
    const result = await runCli(args, { cwd: await tempDir() });
    expect(result.code).toBe(2);
    expectOneLineError(result, pattern);
  });

  it.each([
    ['0.5', 0.5],
    ['3600', 3600],
    ['12.25', 12.25],
  ])('--timeout %s is %d seconds', (value, seconds) => {
    const parsed = parseArgs(['check', '--timeout', value], VERSION);
    expect(parsed.kind === 'check' && parsed.options.timeout).toBe(seconds);
  });

  it('`help` is a directory like any other: create-medplum-auth help makes a project named help', () => {
    const parsed = parseArgs(['help', '-m', 'basic-auth'], VERSION);
    expect(parsed.kind === 'create' && parsed.flags.directory).toBe('help');
  });

  it('commander\'s two-line message with a suggestion becomes one line, ending in a full stop before the help pointer', () => {
    expect(() => parseArgs(['app', '--debgu'], VERSION)).toThrow(new UsageError(`unknown option '--debgu' (Did you mean --debug?). See ${NAME} --help.`));
  });

  it.each(['0', '3601', '1.', '.5', '12abc', 'x12', '1e3', '-1'])('--timeout %s is refused with the range, in one line', (value) => {
    expect(() => parseArgs(['check', '--timeout', value], VERSION)).toThrow(
      new UsageError(`option '--timeout <seconds>' argument '${value}' is invalid. pass a number of seconds, more than 0 and at most 3600. See ${NAME} check --help.`),
    );
  });
});

describe('flags', () => {
  it('--method implies its app, and reasons start with the choice', async () => {
    const out = await dryRunJson(['--method', 'basic-auth']);
    expect(out.app).toBe('backend');
    expect(out.method).toBe('basic-auth');
    expect(out.reasons[0]).toBe('You chose --method basic-auth.');
    expect(out.reasons.at(-1)).toMatch(/stateless/);
  });

  it.each([
    ['user-facing', 'oauth-auth-code'],
    ['backend', 'client-credentials'],
    ['device', 'device-credentials'],
  ])('--app %s --yes takes the recommended %s', async (app, method) => {
    const out = await dryRunJson(['--app', app, '--yes']);
    expect(out.method).toBe(method);
  });

  it.each([
    [['--for', 'firebase-migration'], 'external-idp', /migrating from Firebase Auth/],
    [['--for', 'firebase-migration', '--app', 'backend'], 'token-exchange', /migrating from Firebase Auth/],
    [['--for', 'web-and-mobile'], 'oauth-auth-code', /works for both/],
    [['--for', 'lab-integration', '--yes'], 'device-credentials', /lab integration/],
  ])('%j follows the common question to %s', async (args, method, reason) => {
    const out = await dryRunJson([...args, ...(method === 'external-idp' ? ['--idp', 'okta'] : [])]);
    expect(out.method).toBe(method);
    expect(out.reasons[0]).toMatch(reason);
  });

  it("--ui: a web starter's UI, medplum unless given; none for backend and device starters", async () => {
    expect((await dryRunJson(['-m', 'google-auth'])).ui).toBe('medplum');
    expect((await dryRunJson(['-m', 'domain-idp', '--ui', 'plain'])).ui).toBe('plain');
    expect((await dryRunJson(['--yes'])).ui).toBe('medplum');
    expect(await dryRunJson(['-m', 'client-credentials'])).not.toHaveProperty('ui');
  });

  it('lists the files case-insensitively, as a file browser does', async () => {
    const { files } = await dryRunJson(['-m', 'oauth-auth-code', '--ui', 'plain']);
    expect(files.indexOf('README.md')).toBeGreaterThan(files.indexOf('package.json'));
    expect(files.indexOf('src/SignIn.tsx')).toBeGreaterThan(files.indexOf('src/redirect.ts'));
    expect(files).toEqual([...files].sort((a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
  });

  it('--app backend --yes takes the recommended client credentials', async () => {
    expect((await dryRunJson(['--app', 'backend', '--yes'])).method).toBe('client-credentials');
  });

  it('--yes alone starts simple: oauth-auth-code in ./medplum-app', async () => {
    const cwd = await tempDir();
    const { code, stdout } = await runCli(['--yes', '--json', '--dry-run'], { cwd });
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(out.method).toBe('oauth-auth-code');
    expect(out.directory).toBe(join(cwd, 'medplum-app'));
  });

  it('--json lists directory, app, method, reasons, files and next steps', async () => {
    const out = await dryRunJson(['--method', 'client-credentials', '--package-manager', 'pnpm']);
    expect(Object.keys(out)).toEqual(expect.arrayContaining(['directory', 'app', 'method', 'reasons', 'files', 'nextSteps']));
    expect(out.files).toEqual(expect.arrayContaining(['.env', '.env.example', '.gitignore']));
    expect(out.nextSteps).toEqual(['cd app', 'pnpm install', '# fill in MEDPLUM_CLIENT_ID, MEDPLUM_CLIENT_SECRET in .env (see .env.example)', 'pnpm start']);
  });

  it('detects the package manager from npm_config_user_agent', async () => {
    const out = await dryRunJson(['--method', 'oauth-auth-code', '--client-id', 'x'], {
      npm_config_user_agent: 'yarn/4.5.0 npm/? node/v22.18.0 linux x64',
    });
    expect(out.nextSteps).toEqual(['cd app', 'yarn', 'yarn dev']);
  });

  it('--no-install leaves the install step in the next steps; the default plans none', async () => {
    const cwd = await tempDir();
    const result = await runCli(['app', '--method', 'device-credentials', '--client-id', 'c', '--no-install', '--no-git', '--json'], {
      cwd,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).nextSteps).toEqual(['cd app', 'npm install', 'npm start -- --once']);
  });

  it('--base-url is normalised with a trailing slash and written to .env', async () => {
    const cwd = await tempDir();
    const result = await runCli(
      ['app', '-m', 'basic-auth', '--base-url', 'https://medplum.example.com/api', '--no-install', '--no-git'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(await readFile(join(cwd, 'app/.env'), 'utf8')).toContain("MEDPLUM_BASE_URL='https://medplum.example.com/api/'");
  });

  it('--client-secret and MEDPLUM_CLIENT_SECRET go to .env for client-credentials, never to output', async () => {
    for (const [args, env] of [
      [['--client-secret', 'flag-secret-1'], {}],
      [[], { MEDPLUM_CLIENT_SECRET: 'env-secret-2' }],
    ] as const) {
      const cwd = await tempDir();
      const secret = args[1] ?? env.MEDPLUM_CLIENT_SECRET;
      const result = await runCli(['app', '-m', 'client-credentials', ...args, '--no-install', '--no-git', '--json'], {
        cwd,
        env,
      });
      expect(result.code).toBe(0);
      expect(result.stdout + result.stderr).not.toContain(secret);
      expect(await readFile(join(cwd, 'app/.env'), 'utf8')).toContain(`MEDPLUM_CLIENT_SECRET='${secret}'`);
    }
  });

  it('--project-id reaches the web starter and is flagged as unused elsewhere', async () => {
    const cwd = await tempDir();
    const pid = '0b7c6a3e-3b1e-4c61-9b53-6d2f2b1b0c11';
    const web = await runCli(['web', '-m', 'oauth-auth-code', '--project-id', pid, '--no-install', '--no-git'], { cwd });
    expect(web.code).toBe(0);
    expect(await readFile(join(cwd, 'web/.env'), 'utf8')).toContain(`VITE_MEDPLUM_PROJECT_ID='${pid}'`);
    const api = await runCli(['api', '-m', 'client-credentials', '--project-id', pid, '--dry-run'], { cwd });
    expect(api.code).toBe(0);
    expect(api.stderr).toMatch(/--project-id is not used by client-credentials/);
  });

  it('--no-check and --strict: the check after the write runs by default, and fails the run only with --strict', () => {
    const flags = (argv: string[]) => {
      const parsed = parseArgs(['app', ...argv], '0.0.0');
      return parsed.kind === 'create' ? { check: parsed.flags.check, strict: parsed.flags.strict } : undefined;
    };
    expect(flags([])).toEqual({ check: true, strict: false });
    expect(flags(['--no-check'])).toEqual({ check: false, strict: false });
    expect(flags(['--strict'])).toEqual({ check: true, strict: true });
  });

  it('a leading -- from `npm create x -- --flags` is ignored', async () => {
    const cwd = await tempDir();
    const result = await runCli(['--', 'app', '--method', 'basic-auth', '--dry-run', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).method).toBe('basic-auth');
  });

  it('warns, without failing, on a client ID that is not a UUID and on plain http to a remote host', async () => {
    const out = await dryRunJson(['-m', 'basic-auth', '--client-id', 'my-client', '--base-url', 'http://medplum.example.com']);
    expect(out.method).toBe('basic-auth');
    expect(out.stderr).toMatch(/--client-id "my-client" is not a UUID/);
    expect(out.stderr).toMatch(/plain http to medplum\.example\.com/);
    const local = await dryRunJson(['-m', 'basic-auth', '--base-url', 'http://localhost:8103/']);
    expect(local.stderr).not.toMatch(/plain http/);
  });
});

describe('the Medplum-side checklist', () => {
  it('external-idp: prints the exact callback URL and identityProvider fields', async () => {
    const cwd = await tempDir();
    const result = await runCli(
      ['portal', '-m', 'external-idp', '--idp', 'auth0', '--idp-domain', 'acme.us.auth0.com', '--idp-client-id', 'abc123', '--dry-run'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('At Auth0, register https://api.medplum.com/auth/external as the app\'s callback (redirect) URL.');
    expect(result.stdout).toContain(
      'Set its identityProvider to {"authorizeUrl":"https://acme.us.auth0.com/authorize","tokenUrl":"https://acme.us.auth0.com/oauth/token","userInfoUrl":"https://acme.us.auth0.com/userinfo","clientId":"abc123","clientSecret":"<PASTE the client secret from your IdP here, in the Medplum app only>","usePkce":false}, then replace the clientSecret placeholder with the client secret from Auth0, in the Medplum app only (Project Admin > Clients > your client).',
    );
  });

  it('--platform mobile: the Expo starter, EXPO_PUBLIC_ variables, both redirect URIs, npm start', async () => {
    const out = await dryRunJson(['-m', 'oauth-auth-code', '--platform', 'mobile', '--client-id', 'c-1']);
    expect(out.platform).toBe('mobile');
    expect(out.files).toEqual(expect.arrayContaining(['app.json', 'index.ts', 'src/auth.ts', 'src/password.ts', 'src/SignIn.tsx', 'README.md']));
    expect(out.files).not.toContain('src/sso.ts');
    expect(out.files).not.toContain('vite.config.ts');
    expect(out.inMedplum).toContain('Add app:// (the app) and http://localhost:8081 (Expo web) to its Redirect URIs.');
    expect(out.nextSteps).toEqual(['cd app', 'npm install', 'npm start']);
    const cwd = await tempDir();
    expect((await runCli(['my_app', '-m', 'oauth-auth-code', '--platform', 'mobile', '--no-install', '--no-git'], { cwd })).code).toBe(0);
    expect(await readFile(join(cwd, 'my_app/.env'), 'utf8')).toMatch(/^EXPO_PUBLIC_MEDPLUM_BASE_URL='https:\/\/api\.medplum\.com\/'$/m);
    expect(JSON.parse(await readFile(join(cwd, 'my_app/app.json'), 'utf8')).expo.scheme).toBe('my-app');
    // Its README says what was run where, and that no device build was.
    expect(await readFile(join(cwd, 'my_app/README.md'), 'utf8')).toMatch(/## What was tested where[^]*No iOS or Android build was run/);
  });

  it.each([
    [['-m', 'google-auth', '--google-client-id', '42-x.apps.googleusercontent.com'], ['src/GoogleButton.tsx', 'src/password.ts'], ['EXPO_PUBLIC_GOOGLE_WEB_CLIENT_ID', 'EXPO_PUBLIC_GOOGLE_IOS_CLIENT_ID', 'EXPO_PUBLIC_GOOGLE_ANDROID_CLIENT_ID'], 'one site per client ID'],
    [['-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'acme.okta.com', '--idp-client-id', 'abc'], ['src/sso.ts', 'src/openSso.ts', 'src/providerName.ts'], ['EXPO_PUBLIC_IDP_AUTHORIZE_URL', 'EXPO_PUBLIC_IDP_CLIENT_ID'], 'Set its identityProvider to'],
    [['-m', 'domain-idp'], ['src/sso.ts', 'src/domain.ts', 'src/password.ts'], [], 'Create a DomainConfiguration'],
  ])('--platform mobile %j: its Expo starter with its own pieces, variables and Medplum steps', async (args, files, variables, step) => {
    const out = await dryRunJson([...args, '--platform', 'mobile', '--client-id', 'c-1']);
    expect(out.platform).toBe('mobile');
    expect(out.files).toEqual(expect.arrayContaining(['app.json', 'src/SignInCard.tsx', ...files]));
    expect(out.files).not.toContain('vite.config.ts');
    expect(out.files.includes('src/password.ts')).toBe(files.includes('src/password.ts'));
    const inMedplum = out.inMedplum.join('\n');
    expect(inMedplum).toContain('Add app:// (the app) and http://localhost:8081 (Expo web) to its Redirect URIs.');
    expect(inMedplum).toContain(step);
    const cwd = await tempDir();
    expect((await runCli(['app', ...args, '--platform', 'mobile', '--no-install', '--no-git'], { cwd })).code).toBe(0);
    const names = [...(await readFile(join(cwd, 'app/.env'), 'utf8')).matchAll(/^(\w+)=/gm)].map((m) => m[1]);
    expect(names).toEqual(['EXPO_PUBLIC_MEDPLUM_BASE_URL', 'EXPO_PUBLIC_MEDPLUM_CLIENT_ID', ...variables]);
  });

  it('--for web-and-mobile without a terminal builds the web starter; --platform web is the default', async () => {
    const shortcut = await dryRunJson(['--for', 'web-and-mobile']);
    expect(shortcut.method).toBe('oauth-auth-code');
    expect(shortcut.platform).toBeUndefined();
    expect(shortcut.files).toContain('vite.config.ts');
    expect((await dryRunJson(['-m', 'google-auth', '--platform', 'web'])).files).toContain('vite.config.ts');
  });

  it('google-auth: the same Google client ID goes to the Medplum project', async () => {
    const cwd = await tempDir();
    const result = await runCli(['g', '-m', 'google-auth', '--google-client-id', '42-x.apps.googleusercontent.com', '--dry-run'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Set the same Google client ID (42-x.apps.googleusercontent.com) on the Medplum project');
    expect(result.stderr).toBe('');
  });
});

describe('bad input: one line, exit 2, nothing written', () => {
  it.each([
    [['app', '--app', 'mainframe'], /argument 'mainframe' is invalid\. Allowed choices are user-facing, backend, device/],
    [['app', '--method', 'magic'], /Allowed choices are oauth-auth-code, google-auth, external-idp, domain-idp, client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion/],
    [['app', '--for', 'vibes'], /Allowed choices are firebase-migration, okta-sso, web-and-mobile, lab-integration/],
    [['app', '--for', 'web-and-mobile', '-m', 'basic-auth'], /--for answers the guide's questions and --method skips them/],
    [['app', '-m', 'external-idp'], /external-idp needs --idp auth0\|okta\|entra-id\|cognito\|oidc/],
    [['app', '-m', 'external-idp', '--idp', 'keycloak'], /Allowed choices are auth0, okta, entra-id, cognito, oidc/],
    [['app', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', 'ftp://idp.example.com'], /--idp-issuer must be an https URL/],
    [['app', '-m', 'external-idp', '--idp', 'oidc', '--idp-issuer', 'nope'], /--idp-issuer "nope" is not a URL/],
    [['app', '-m', 'external-idp', '--idp', 'okta', '--idp-domain', 'https://x.okta.com/'], /--idp-domain "https:\/\/x\.okta\.com\/" is not a host name/],
    [['app', '-m', 'basic-auth', '--idp', 'okta'], /--idp does not apply to basic-auth; it is for external-idp, domain-idp, token-exchange/],
    [['app', '-m', 'oauth-auth-code', '--allow', 'Patient:read'], /--allow does not apply to oauth-auth-code; it is for client-credentials, basic-auth, token-exchange, device-credentials, jwt-assertion/],
    [['app', '--ui', 'fancy'], /argument 'fancy' is invalid\. Allowed choices are medplum, plain/],
    [['app', '-m', 'client-credentials', '--ui', 'plain'], /--ui does not apply to client-credentials; it only applies to user-facing methods \(oauth-auth-code, google-auth, external-idp, domain-idp\)/],
    [['app', '-m', 'jwt-assertion', '--ui', 'medplum'], /--ui does not apply to jwt-assertion; it only applies to user-facing methods/],
    [['app', '-m', 'basic-auth', '--google-client-id', 'x'], /--google-client-id does not apply to basic-auth; it is for google-auth/],
    [['app', '-m', 'device-credentials', '--private-key-path', 'k.pem'], /--private-key-path does not apply to device-credentials; it is for jwt-assertion/],
    [['app', '-m', 'client-credentials', '--device-id', 'thermo-1'], /--device-id does not apply to client-credentials; it is for device-credentials, jwt-assertion/],
    [['app', '-m', 'device-credentials', '--device-id', 'thermo 1'], /--device-id "thermo 1" is not a FHIR id/],
    [['app', '-m', 'jwt-assertion', '--device-id', 'x'.repeat(65)], /is not a FHIR id: 1 to 64 letters/],
    [['app', '-m', 'device-credentials', '--allow', 'Observation'], /--allow "Observation" is not ResourceType:interaction/],
    [['app', '-m', 'device-credentials', '--allow', 'Observation:write'], /"write" is not an interaction/],
    [['app', '-m', 'device-credentials', '--allow-ip', '2001:db8::1'], /--allow-ip "2001:db8::1" is IPv6/],
    [['app', '-m', 'device-credentials', '--allow-ip', '10.0.0.0/12'], /only \/8, \/16, \/24 and \/32 can be expressed/],
    [['app', '-m', 'device-credentials', '--allow-ip', '10.0.0.300'], /octet above 255/],
    [['app', '-m', 'device-credentials', '--allow-ip', 'lab-network'], /--allow-ip "lab-network" is not an IPv4 address or prefix/],
    [['app', '-m', 'jwt-assertion', '--client-secret', 'x'], /jwt-assertion signs in with a private key and has no client secret/],
    [['app', '-m', 'token-exchange', '--client-secret', 'x'], /token-exchange exchanges the users' own IdP tokens/],
    [['app', '-m', 'basic-auth', '--package-manager', 'pip'], /Allowed choices are npm, pnpm, yarn, bun/],
    [['app', '-m', 'basic-auth', '--base-url', 'ftp://medplum.example.com/'], /--base-url must be http or https, not ftp/],
    [['app', '-m', 'basic-auth', '--base-url', 'not a url'], /--base-url "not a url" is not a URL/],
    [['app', '-m', 'basic-auth', '--base-url', 'https://u:p@medplum.example.com/'], /must not contain a user name or password/],
    [['app', '-m', 'basic-auth', '--base-url', 'https://medplum.example.com/?x=1'], /must not have a query/],
    [['app', '--frobnicate'], /unknown option '--frobnicate'/],
    [['app', 'other', '-m', 'basic-auth'], /too many arguments\. Expected 1 argument but got 2/],
    [['app', '--client-id'], /option '--client-id <id>' argument missing/],
    [['app', '--method', 'client-credentials', '--app', 'user-facing'], /--method client-credentials is for backend apps, not --app user-facing.*oauth-auth-code/],
    [['app', '--method', 'oauth-auth-code', '--client-secret', 'x'], /runs in the browser.*Remove --client-secret/],
    [['app', '-m', 'oauth-auth-code', '--platform', 'mobile', '--client-secret', 'x'], /ships inside the app.*Remove --client-secret/],
    [['app', '--platform', 'watch'], /Allowed choices are web, mobile/],
    [['app', '-m', 'client-credentials', '--platform', 'mobile'], /--platform is for user-facing apps; client-credentials is a backend method\. Remove --platform\./],
    [['app', '-m', 'jwt-assertion', '--platform', 'web'], /--platform is for user-facing apps; jwt-assertion is a device method/],
    [['app', '-m', 'oauth-auth-code', '--platform', 'mobile', '--ui', 'plain'], /--ui is for the web starters; the Expo starter \(--platform mobile\) has one UI\. Remove --ui\./],
    [['My App', '-m', 'basic-auth'], /"My App" .* is not a valid npm package name\. Try "my-app"/],
    [['app', '-m', 'basic-auth', '--client-secret', 'a\rb'], /--client-secret contains a carriage return/],
    [['app', '-m', 'basic-auth', '--client-id', `'"\``], /--client-id contains all three quote characters/],
  ])('%j', async (args, pattern) => {
    const cwd = await tempDir();
    const result = await runCli(args, { cwd });
    expect(result.code).toBe(2);
    expectOneLineError(result, pattern);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('non-interactive: a missing answer is an error naming the flag', () => {
  it.each([
    ['no TTY', {}, false],
    ['CI=true, even on a TTY', { CI: 'true' }, true],
  ])('%s', async (_name, env, tty) => {
    const cwd = await tempDir();
    const cases: [string[], RegExp][] = [
      [[], /Missing the project directory\. Pass it first, e\.g\. create-medplum-auth my-app \(or --yes/],
      [['app'], /Missing an answer to "What are you building\?"\. Pass --app user-facing or --app backend or --app device, or --yes/],
      [['app', '--app', 'backend'], /Pass --method client-credentials or --method basic-auth or --method token-exchange, or --yes/],
      [['app', '--app', 'user-facing'], /Pass --method oauth-auth-code or --method external-idp or --method google-auth or --method domain-idp, or --yes/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runCli(args, { cwd, env, tty });
      expect(result.code).toBe(2);
      expectOneLineError(result, pattern);
    }
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--json never prompts, even on a TTY', async () => {
    const cwd = await tempDir();
    const result = await runCli(['app', '--json'], { cwd, tty: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--app user-facing/);
  });
});
