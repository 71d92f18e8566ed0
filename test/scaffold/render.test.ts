import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseEnv } from 'node:util';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import { chooseMethod, answersFor } from '../../src/guide/guide.js';
import { hasUi, METHOD_IDS, METHODS, type MethodId } from '../../src/guide/methods.js';
import { NO_IDP } from '../../src/guide/idp.js';
import { resolvePolicy } from '../../src/guide/needs.js';
import { commandsFor } from '../../src/scaffold/pm.js';
import {
  checklistFor,
  renderLayerFiles,
  renderProject,
  renderTemplateFile,
  templateContext,
  templateText,
  TEMPLATES_DIR,
  type GeneratedFile,
  type RenderInput,
} from '../../src/scaffold/render.js';
import { EXPO_VERSIONS, VERSIONS } from '../../src/scaffold/versions.js';
import { HOSTILE, tempDir } from '../helpers.js';

function input(method: MethodId, overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    method,
    projectName: 'my-app',
    reasons: chooseMethod(answersFor(method) ?? {}).reasons,
    baseUrl: 'https://api.medplum.com/',
    clientId: '6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d',
    clientSecret: METHODS[method].secret === 'env-file' ? 'the-secret' : undefined,
    projectId: '',
    googleClientId: '',
    idp: NO_IDP,
    jwt: { keyId: '', privateKeyPath: '' },
    deviceId: '',
    pm: commandsFor('npm'),
    accessPolicy: resolvePolicy({ allow: [], allowIp: [] } as never, METHODS[method], 'my-app'),
    created: [],
    ...overrides,
  };
}

/** A templates directory holding these files (path under it -> content). */
async function templates(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

const text = (files: Awaited<ReturnType<typeof renderProject>>, path: string): string => {
  const file = files.get(path);
  if (!file) {
    throw new Error(`${path} was not rendered; got ${[...files.keys()].join(', ')}`);
  }
  return file.content.toString('utf8');
};

/** The files each starter must have, beyond the shared ones (the web starters in their default UI, medplum). */
const WEB_FILES = ['index.html', 'vite.config.ts', 'src/main.tsx', 'src/App.tsx', 'src/SignInPage.tsx', 'src/App.test.tsx'];
/** The plain UI's: its own sign-in steps (MFA, the profile chooser) where the method signs in at Medplum. */
const PLAIN_FILES = ['src/main.tsx', 'src/SignIn.tsx', 'src/redirect.ts', 'src/redirect.test.ts'];
const PLAIN_SIGN_IN_STEPS = ['src/login.ts', 'src/login.test.ts', 'src/components/LoginFlow.tsx'];
const PLAIN_KEY_FILES: Record<string, string[]> = {
  'oauth-auth-code': [...PLAIN_FILES, ...PLAIN_SIGN_IN_STEPS],
  'google-auth': [...PLAIN_FILES, ...PLAIN_SIGN_IN_STEPS, 'src/components/GoogleButton.tsx'],
  'external-idp': [...PLAIN_FILES, 'src/external.ts', 'src/external.test.ts'],
  'domain-idp': [...PLAIN_FILES, ...PLAIN_SIGN_IN_STEPS],
};
const KEY_FILES: Record<MethodId, string[]> = {
  'oauth-auth-code': WEB_FILES,
  'google-auth': WEB_FILES,
  'external-idp': WEB_FILES,
  'domain-idp': WEB_FILES,
  'client-credentials': ['src/main.ts', 'access-policy.json'],
  'basic-auth': ['src/main.ts', 'access-policy.json'],
  'token-exchange': ['src/main.ts', 'access-policy.json'],
  'device-credentials': ['src/main.ts', 'access-policy.json'],
  'jwt-assertion': ['src/main.ts', 'access-policy.json'],
};

describe.each(METHOD_IDS.filter((id) => hasUi(METHODS[id])))('the %s starter, in each UI', (method) => {
  it("medplum (the default): Medplum's React components on Mantine, with the build files of the plain UI", async () => {
    const files = await renderProject(input(method));
    const pkg = JSON.parse(text(files, 'package.json'));
    expect(pkg.dependencies).toMatchObject({ '@medplum/react': VERSIONS['@medplum/react'], '@mantine/core': VERSIONS['@mantine/core'] });
    expect(text(files, 'src/SignInPage.tsx')).toMatch(method === 'external-idp' ? /signInWithExternalAuth/ : /<SignInForm/);
    for (const shared of ['vite.config.ts', 'tsconfig.json']) {
      expect(text(files, shared)).toBe(await readFile(join(TEMPLATES_DIR, 'web', shared), 'utf8'));
    }
    expect(text(files, 'index.html')).toContain(`<title>Sign in with ${method === 'external-idp' ? 'SSO' : 'Medplum'}</title>`);
  });

  it('plain: no Mantine, and none of the medplum UI; its own sign-in steps', async () => {
    const files = await renderProject(input(method, { ui: 'plain' }));
    expect(JSON.parse(text(files, 'package.json')).dependencies).not.toHaveProperty('@mantine/core');
    expect(files.has('src/redeemReturnCode.ts')).toBe(false);
    expect([...files.keys()]).toEqual(expect.arrayContaining(PLAIN_KEY_FILES[method] as string[]));
  });
});

describe.each(METHOD_IDS)('the %s starter', (method) => {
  it('has the shared files, its own files, and nothing left as a template', async () => {
    const files = await renderProject(input(method));
    const paths = [...files.keys()];
    expect(paths).toEqual(
      expect.arrayContaining(['.env', '.env.example', '.gitignore', 'README.md', 'package.json', 'tsconfig.json', ...KEY_FILES[method]]),
    );
    expect(paths.some((p) => p.endsWith('.hbs') || p.startsWith('_') || p.includes('/_'))).toBe(false);
    expect(paths.some((p) => /\.test\.tsx?$/.test(p))).toBe(true);
    expect(files.get('.env')?.mode).toBe(0o600);
  });

  it('has a package.json with the project name, the pinned SDK and the scripts', async () => {
    const pkg = JSON.parse(text(await renderProject(input(method)), 'package.json'));
    expect(pkg.name).toBe('my-app');
    expect(pkg.dependencies['@medplum/core']).toBe(VERSIONS['@medplum/core']);
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining([METHODS[method].runScript, 'test', 'typecheck']));
    expect(pkg.engines.node).toBe('>=22.18');
    const { version } = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')));
    expect(pkg.scripts['check-auth']).toBe(`npx --no create-medplum-auth@${version} check .`);
  });

  it('has a README with the choice, the reasons, every env var, the setup and the docs link', async () => {
    const readme = text(await renderProject(input(method)), 'README.md');
    expect(readme).toContain(METHODS[method].docsUrl);
    for (const reason of chooseMethod(answersFor(method) ?? {}).reasons) {
      expect(readme).toContain(reason.slice(0, 30));
    }
    for (const v of METHODS[method].env) {
      expect(readme).toContain(v.name);
    }
    expect(readme).toMatch(/ClientApplication/);
  });

  it('ignores every .env file but the example', async () => {
    const gitignore = text(await renderProject(input(method)), '.gitignore').split('\n');
    expect(gitignore).toContain('.env*');
    expect(gitignore).toContain('!.env.example');
  });

  it('puts the given values in .env and only placeholders in .env.example', async () => {
    const files = await renderProject(input(method));
    const env = parseEnv(text(files, '.env'));
    const example = parseEnv(text(files, '.env.example'));
    const names = METHODS[method].env.filter((v) => (v.envFile ?? 'value') === 'value').map((v) => v.name).sort();
    expect(Object.keys(env).sort()).toEqual(names);
    expect(Object.keys(example).sort()).toEqual(names);
    const exampleText = text(files, '.env.example');
    expect(exampleText).not.toContain('6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d');
    expect(exampleText).not.toContain('the-secret');
    expect(Object.values(env)).toContain('6a4b5c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d');
  });
});

describe('secrets in the starters', () => {
  it('client-credentials and basic-auth keep the secret in .env, and nowhere else', async () => {
    for (const method of ['client-credentials', 'basic-auth'] as const) {
      const files = await renderProject(input(method, { clientSecret: 'only-in-dotenv' }));
      expect(parseEnv(text(files, '.env')).MEDPLUM_CLIENT_SECRET).toBe('only-in-dotenv');
      const elsewhere = [...files.values()].filter((f) => f.path !== '.env' && f.content.includes('only-in-dotenv'));
      expect(elsewhere.map((f) => f.path)).toEqual([]);
    }
  });

  it('device-credentials never writes its secret, even when given one', async () => {
    const files = await renderProject(input('device-credentials', { clientSecret: 'must-not-appear' }));
    expect([...files.values()].filter((f) => f.content.includes('must-not-appear'))).toEqual([]);
    expect(parseEnv(text(files, '.env')).MEDPLUM_CLIENT_SECRET).toBeUndefined();
  });

  it('the web starter has no secret variable and no non-VITE variable', async () => {
    const env = parseEnv(text(await renderProject(input('oauth-auth-code')), '.env'));
    expect(Object.keys(env).every((k) => k.startsWith('VITE_MEDPLUM_'))).toBe(true);
    expect(Object.keys(env).some((k) => /SECRET/.test(k))).toBe(false);
  });
});

describe('hostile values', () => {
  it.each(['client-credentials', 'basic-auth'] as const)('%s: client ID and secret round-trip through .env exactly', async (method) => {
    const files = await renderProject(input(method, { clientId: HOSTILE.clientId, clientSecret: HOSTILE.clientSecret }));
    const env = parseEnv(text(files, '.env'));
    expect(env.MEDPLUM_CLIENT_ID).toBe(HOSTILE.clientId);
    expect(env.MEDPLUM_CLIENT_SECRET).toBe(HOSTILE.clientSecret);
    expect(Object.keys(env).sort()).toEqual(['MEDPLUM_BASE_URL', 'MEDPLUM_CLIENT_ID', 'MEDPLUM_CLIENT_SECRET', ...(method === 'client-credentials' ? ['API_KEY', 'HOST', 'PORT'] : [])].sort());
  });

  it('cannot break the README out of its Markdown', async () => {
    const readme = text(await renderProject(input('basic-auth', { reasons: ['# Injected heading\n<script>alert(1)</script> [x](javascript:1)'] })), 'README.md');
    expect(readme).not.toMatch(/^# Injected heading/m);
    expect(readme).not.toContain('<script>');
    expect(readme).toContain('\\# Injected heading \\<script\\>');
    // Rendered by a CommonMark parser: no heading, no script, no link, only the text.
    const html = marked.parse(readme, { async: false });
    expect(html).not.toMatch(/<h1>Injected|<script|<a href="javascript:/);
    expect(html).toContain('# Injected heading &lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:1)');
  });
});

describe('strict templates', () => {
  it('a template that names a missing variable is an error, not an empty string', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '_shared'), { recursive: true });
    await mkdir(join(dir, 'node'), { recursive: true });
    await mkdir(join(dir, 'basic-auth'), { recursive: true });
    await writeFile(join(dir, 'basic-auth', 'README.md.hbs'), 'Hello {{projectNmae}}');
    await expect(renderProject(input('basic-auth'), dir)).rejects.toThrow(/basic-auth\/README\.md\.hbs: "projectNmae" not defined/);
  });

  it('so does a partial', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '_partials'), { recursive: true });
    await mkdir(join(dir, 'basic-auth'), { recursive: true });
    await writeFile(join(dir, '_partials', 'p.hbs'), '{{nope}}');
    await writeFile(join(dir, 'basic-auth', 'README.md.hbs'), '{{> p}}');
    await expect(renderProject(input('basic-auth'), dir)).rejects.toThrow(/"nope" not defined/);
  });

  it('an unknown package in {{version}} is an error', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'basic-auth'), { recursive: true });
    await writeFile(join(dir, 'basic-auth', 'package.json.hbs'), '{ "x": {{version "left-pad"}} }');
    await expect(renderProject(input('basic-auth'), dir)).rejects.toThrow(/"left-pad" is not in src\/scaffold\/versions\.ts/);
  });
});

describe('the helpers', () => {
  /** `template` as the one file of a basic-auth starter, rendered with `overrides`. */
  async function renderOne(template: string, overrides: Partial<RenderInput> = {}): Promise<string> {
    const dir = await templates({ 'basic-auth/out.txt.hbs': template });
    return text(await renderProject(input('basic-auth', overrides), dir), 'out.txt');
  }

  it.each([
    ['{{js projectName}}', `it's "x"`, `"it's \\"x\\""`],
    ['{{code projectName}}', 'a`b', '``a`b``'],
    ['{{cellCode projectName}}', 'a|b', '`a\\|b`'],
    ['{{expoVersion "expo"}}', 'my-app', `"${EXPO_VERSIONS.expo}"`],
  ])('%s with projectName %j: %s', async (template, projectName, expected) => {
    expect(await renderOne(template, { projectName })).toBe(expected);
  });

  it.each([
    ['{{js 5}}', '{{js}} expects a string, got number'],
    ['{{code 5}}', '{{code}} expects a string, got number'],
    ['{{cellCode 5}}', '{{cellCode}} expects a string, got number'],
    ['{{expoVersion 5}}', '{{expoVersion}} expects a string, got number'],
    ['{{expoVersion "left-pad"}}', '{{expoVersion}}: "left-pad" is not in EXPO_VERSIONS (src/scaffold/versions.ts)'],
  ])('%s is an error naming the template, the helper\'s own error as its cause', async (template, message) => {
    const error = await renderOne(template).catch((err: unknown) => err);
    expect(error).toMatchObject({ message: `Template basic-auth/out.txt.hbs: ${message}`, cause: { message } });
  });
});

describe('files and order', () => {
  it('lists the files by path, ignoring case (README.md among the r\'s), upper case first on a tie', async () => {
    const extra = (path: string): GeneratedFile => ({ path, content: Buffer.from(path), mode: 0o644 });
    const paths = ['b.md', 'README.md', 'a/z.ts', 'B.md', 'readme.md', 'C.md', 'a.md'];
    const files = await renderProject(input('basic-auth', { extraFiles: paths.map(extra) }), await tempDir());
    expect([...files.keys()]).toEqual(['a.md', 'a/z.ts', 'B.md', 'b.md', 'C.md', 'README.md', 'readme.md']);
  });

  it('renderLayerFiles: the files of a layer in path order, those in subfolders among them', async () => {
    const dir = await templates({ 'x/z.md': 'z', 'x/a.md': 'a', 'x/src/main.ts': 'main' });
    expect([...(await renderLayerFiles(['x'], () => true, {}, dir))]).toEqual([
      ['a.md', 'a'],
      ['src/main.ts', 'main'],
      ['z.md', 'z'],
    ]);
  });

  it('a layer folder that cannot be read is an error, unlike one that is missing', async () => {
    const dir = await templates({ 'basic-auth': 'a file, not a folder' });
    await expect(renderProject(input('basic-auth'), dir)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('renderTemplateFile: the partials are the files under partialsDir, named by their path there without a final .hbs', async () => {
    const dir = await templates({
      'w/main.hbs': '{{> greet}} {{> [deep/sign.hbs.txt]}}, {{name}}',
      'w/parts/greet.hbs': 'Hello',
      'w/parts/deep/sign.hbs.txt': '(signed)',
      'w/notes.md': 'Not a template, and not valid Handlebars: {{#',
    });
    expect(await renderTemplateFile('w/main.hbs', { name: 'Ada' }, 'w/parts', dir)).toBe('Hello (signed), Ada');
  });

  it('templateText: the file as it is; a missing one is an error naming it and the directory', async () => {
    const dir = await templates({ 'w/a.txt': '{{not rendered}}' });
    expect(await templateText('w/a.txt', dir)).toBe('{{not rendered}}');
    await expect(templateText('w/b.txt', dir)).rejects.toThrow(`No template w/b.txt in ${dir}`);
  });
});

describe('the template context', () => {
  it.each([
    ['oauth-auth-code', '', 'vite'],
    ['client-credentials', 'client', 'node'],
    ['token-exchange', 'users', 'node'],
  ] as const)('%s: policyAttachTo %j, envDialect %s', (method, policyAttachTo, envDialect) => {
    expect(templateContext(input(method))).toMatchObject({ policyAttachTo, envDialect });
  });

  it('checklistFor: without --provision (the default) every step in full; after it, only what is left', () => {
    const values = input('jwt-assertion');
    expect(checklistFor(values)).toContain('Host jwks.json at an HTTPS URL that Medplum can reach.');
    expect(checklistFor(values)).toEqual(checklistFor(values, false));
    expect(checklistFor(values, true)).toContain('Host jwks.json at the --jwks-uri URL, where Medplum will fetch it.');
  });

  const GOOGLE_SITE = 'on the Medplum project: Project Admin > Sites, Google Client ID.';
  it.each([
    ['google-auth', {}, `Set the same Google client ID (VITE_GOOGLE_CLIENT_ID) ${GOOGLE_SITE}`],
    ['google-auth', { googleClientId: '42.apps.googleusercontent.com' }, `Set the same Google client ID (42.apps.googleusercontent.com) ${GOOGLE_SITE}`],
    [
      'google-auth',
      { platform: 'mobile' },
      'Add each Google client ID (EXPO_PUBLIC_GOOGLE_WEB_CLIENT_ID, and the iOS and Android ones) to the Medplum project: Project Admin > Sites, one site per client ID.',
    ],
    ['oauth-auth-code', { platform: 'mobile' }, 'Add your-app:// (the app) and http://localhost:8081 (Expo web) to its Redirect URIs.'],
    ['oauth-auth-code', { platform: 'mobile', appScheme: 'my-app' }, 'Add my-app:// (the app) and http://localhost:8081 (Expo web) to its Redirect URIs.'],
    ['token-exchange', {}, 'Set its identityProvider to {"authorizeUrl":"<authorize URL>","tokenUrl":"<token URL>","userInfoUrl":"<userinfo URL>","clientId":"unused-by-token-exchange","clientSecret":"unused-by-token-exchange"} (Medplum 5.1 requires clientSecret, which the exchange never uses; add "useSubject": true if users are not matched by email).'],
  ] as const)('checklistFor %s %j: a value not given is named by what to put there', (method, overrides, step) => {
    expect(checklistFor(input(method, overrides))).toContain(step);
  });
});
