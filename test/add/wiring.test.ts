/**
 * wireProject on projects described here and files read from memory: which files each kind and UI
 * adds, the edit of the entry point or its manual step, the PostCSS setup, and the usage lines.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Project } from '../../src/add/detect.js';
import { kindOf } from '../../src/add/kinds.js';
import { wireProject } from '../../src/add/wiring.js';
import { METHODS, type MethodId } from '../../src/guide/methods.js';

const TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));
const MEDPLUM_USAGE = "In your components, useMedplum() and useMedplumProfile() from '@medplum/react' give the signed-in client and profile.";
const PLAIN_USAGE =
  "In your components, useMedplum() and useMedplumProfile() from '@medplum/react-hooks' give the signed-in client and profile; medplum.signOut() signs out.";
const MAIN = "import App from './App'\n\nrender(<App />)\n";
const MAIN_WRAPPED = "import App from './App'\nimport { MedplumAuth } from './MedplumAuth'\n\nrender(<MedplumAuth><App /></MedplumAuth>)\n";

const base = { dir: '/nowhere', description: '', name: 'app', framework: 'none', esm: true } as const;
const node = (typescript: boolean, esm: boolean): Project => ({ ...base, kind: kindOf('node'), typescript, esm, sourceDir: 'src' });
const vite = (typescript = true): Project => ({ ...base, kind: kindOf('vite-react'), typescript, sourceDir: 'src', entry: { path: `src/main.${typescript ? 'tsx' : 'jsx'}` } });
const nextPages = (): Project => ({ ...base, kind: kindOf('next'), typescript: true, sourceDir: '', entry: { path: 'pages/_app.tsx', router: 'pages' } });

/** A `read` over these files. */
const reader = (files: Record<string, string>) => async (path: string) => files[path];

describe('wireProject: a Node service', () => {
  it.each<[MethodId, boolean, boolean, string, string[]]>([
    ['basic-auth', true, false, 'src/medplum.ts', ["import { getMedplum } from './medplum.js';", 'const medplum = await getMedplum();']],
    ['basic-auth', false, true, 'src/medplum.js', ["import { getMedplum } from './medplum.js';", 'const medplum = await getMedplum();']],
    ['client-credentials', false, false, 'src/medplum.js', ["const { getMedplum } = require('./medplum');", 'const medplum = await getMedplum();']],
    ['token-exchange', true, true, 'src/medplum.ts', ["import { medplumFor } from './medplum.js';", 'const medplum = await medplumFor(idpAccessToken);']],
    ['token-exchange', false, false, 'src/medplum.js', ["const { medplumFor } = require('./medplum');", 'const medplum = await medplumFor(idpAccessToken);']],
  ])('%s, TypeScript %s, ESM %s: %s and its usage', async (method, typescript, esm, path, [importLine, call]) => {
    const wiring = await wireProject(node(typescript, esm), METHODS[method], undefined, reader({}));
    expect([...wiring.files.keys()]).toEqual([path]);
    expect(wiring.edits.size).toBe(0);
    expect(wiring.manual).toEqual([]);
    expect(wiring.usage).toEqual([importLine, `${call} // e.g. await medplum.searchResources('Patient')`]);
  });
});

describe('wireProject: the medplum UI', () => {
  it('a Vite app: MedplumAuth.tsx, the starters\' postcss.config.mjs, <App /> wrapped', async () => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader({ 'src/main.tsx': MAIN }));
    expect([...wiring.files.keys()]).toEqual(['src/MedplumAuth.tsx', 'postcss.config.mjs']);
    expect(wiring.files.get('postcss.config.mjs')).toBe(await readFile(`${TEMPLATES}web-medplum/postcss.config.mjs`, 'utf8'));
    expect(wiring.files.get('src/MedplumAuth.tsx')).toContain('export function MedplumAuth(');
    expect([...wiring.edits]).toEqual([['src/main.tsx', MAIN_WRAPPED]]);
    expect(wiring.manual).toEqual([]);
    expect(wiring.usage).toEqual([MEDPLUM_USAGE]);
  });

  it('a JavaScript Vite app: MedplumAuth.jsx', async () => {
    const wiring = await wireProject(vite(false), METHODS['oauth-auth-code'], 'medplum', reader({ 'src/main.jsx': MAIN }));
    expect([...wiring.files.keys()]).toEqual(['src/MedplumAuth.jsx', 'postcss.config.mjs']);
    expect([...wiring.edits]).toEqual([['src/main.jsx', MAIN_WRAPPED]]);
  });

  it('no entry file: the edit is a manual step', async () => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader({}));
    expect(wiring.edits.size).toBe(0);
    expect(wiring.manual).toEqual([
      "In src/main.tsx, add import { MedplumAuth } from './MedplumAuth'; and wrap <App /> in <MedplumAuth>: <MedplumAuth><App /></MedplumAuth>",
    ]);
  });

  it('an entry that already has MedplumAuth is left alone, with no manual step', async () => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader({ 'src/main.tsx': MAIN_WRAPPED }));
    expect(wiring.edits.size).toBe(0);
    expect(wiring.manual).toEqual([]);
  });

  it('Next.js Pages Router without _app: a new _app that imports MedplumAuth', async () => {
    const wiring = await wireProject(nextPages(), METHODS['oauth-auth-code'], undefined, reader({}));
    expect([...wiring.files.keys()]).toEqual(['medplum/MedplumAuth.tsx', 'postcss.config.mjs', 'pages/_app.tsx']);
    expect(wiring.files.get('pages/_app.tsx')).toContain("import { MedplumAuth } from '../medplum/MedplumAuth';");
    expect(wiring.edits.size).toBe(0);
    expect(wiring.manual).toEqual([]);
  });

  const CONFIGS = ['postcss.config.mjs', 'postcss.config.js', 'postcss.config.cjs', 'postcss.config.ts', '.postcssrc', '.postcssrc.json', '.postcssrc.js'];

  it.each(CONFIGS)('a project with its own %s without Mantine\'s preset: a manual step names it, no config added', async (config) => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader({ 'src/main.tsx': MAIN, [config]: 'export default { plugins: {} };' }));
    expect([...wiring.files.keys()]).toEqual(['src/MedplumAuth.tsx']);
    expect(wiring.manual).toEqual([
      `In ${config}, add Mantine's PostCSS plugins as in https://mantine.dev/styles/postcss-preset/: 'postcss-preset-mantine' and 'postcss-simple-vars' with the mantine-breakpoint-* variables (@medplum/react's styles use them).`,
    ]);
  });

  it.each([
    ['postcss.config.js', { 'postcss.config.js': "module.exports = { plugins: { 'postcss-preset-mantine': {} } };" }],
    ['the "postcss" key of package.json', { 'package.json': JSON.stringify({ postcss: { plugins: { 'postcss-preset-mantine': {} } } }) }],
  ])('Mantine\'s preset already in %s: nothing to add, nothing to do', async (_, files) => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader({ 'src/main.tsx': MAIN, ...files }));
    expect([...wiring.files.keys()]).toEqual(['src/MedplumAuth.tsx']);
    expect(wiring.manual).toEqual([]);
  });

  it('a "postcss" key in package.json without Mantine\'s preset: the manual step names package.json', async () => {
    const files = { 'src/main.tsx': MAIN, 'package.json': JSON.stringify({ postcss: { plugins: { autoprefixer: {} } } }) };
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'medplum', reader(files));
    expect([...wiring.files.keys()]).toEqual(['src/MedplumAuth.tsx']);
    expect(wiring.manual).toEqual([expect.stringMatching(/^In package\.json, add Mantine's PostCSS plugins as in/)]);
  });
});

describe('wireProject: the plain UI', () => {
  it('a Vite app: the starter\'s sign-in in src/medplum/, without its page, look or tests; imports without extensions', async () => {
    const wiring = await wireProject(vite(), METHODS['oauth-auth-code'], 'plain', reader({ 'src/main.tsx': MAIN }));
    expect([...wiring.files.keys()].sort()).toEqual([
      'src/medplum/MedplumAuth.tsx',
      'src/medplum/SignIn.tsx',
      'src/medplum/components/LoginFlow.tsx',
      'src/medplum/env.ts',
      'src/medplum/login.ts',
      'src/medplum/redirect.ts',
      'src/medplum/useAction.ts',
      'src/medplum/variables.ts',
    ]);
    expect(wiring.files.get('src/medplum/MedplumAuth.tsx')).toContain("import { SignIn } from './SignIn';");
    expect([...wiring.edits]).toEqual([['src/main.tsx', MAIN_WRAPPED.replace("'./MedplumAuth'", "'./medplum/MedplumAuth'")]]);
    expect(wiring.manual).toEqual([]);
    expect(wiring.usage).toEqual([PLAIN_USAGE]);
  });
});
