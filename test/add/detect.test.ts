/**
 * detectProject on small projects written here: the refusals word for word, where the entry point
 * is, the package manager from the lockfile.
 */
import { describe, expect, it } from 'vitest';
import { detectProject } from '../../src/add/detect.js';
import { SUPPORTED } from '../../src/add/kinds.js';
import { UsageError } from '../../src/errors.js';
import { project } from './project.js';


/** The message of the UsageError detectProject refuses `dir` with. */
async function refusal(dir: string): Promise<string> {
  const err = await detectProject(dir, 'my-app').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}

const NEXT = { dependencies: { next: '16.0.0', react: '19.0.0' } };
const VITE = { dependencies: { react: '^19.1.0' }, devDependencies: { vite: '^7.0.0' } };

describe('detectProject: refusals', () => {
  it.each([
    ['no package.json', { 'README.md': 'hi' }, `my-app has no package.json. add works on ${SUPPORTED}; for a new project run create-medplum-auth <directory>.`],
    ['a package.json that is not JSON', { 'package.json': '{ "name": ' }, `my-app has a package.json that is not valid JSON. add works on ${SUPPORTED}; for a new project run create-medplum-auth <directory>.`],
    ['Next.js without app/ or pages/', { 'package.json': NEXT, 'components/Button.tsx': '' }, 'my-app uses Next.js but has neither app/ nor pages/: add wraps the root layout or _app in one of them.'],
  ])('refuses a project with %s, in one exact line', async (_, files, message) => {
    expect(await refusal(await project(files))).toBe(message);
  });

  it.each([
    ['vue', 'Vue'],
    ['svelte', 'Svelte'],
    ['@angular/core', 'Angular'],
    ['solid-js', 'Solid'],
    ['astro', 'Astro'],
    ['nuxt', 'Nuxt'],
    ['@remix-run/react', 'Remix'],
    ['react-router', 'React Router'],
    ['expo', 'Expo'],
    ['react-native', 'React Native'],
    ['react', 'React without Vite or Next.js'],
  ])('a project with %s is refused as a %s project', async (dependency, what) => {
    const dir = await project({ 'package.json': { dependencies: { [dependency]: '1.0.0' } } });
    expect(await refusal(dir)).toBe(`my-app looks like a ${what} project. add supports ${SUPPORTED}.`);
  });
});

describe('detectProject: the entry point', () => {
  it.each([
    ['src/main.tsx', true],
    ['src/main.jsx', false],
    ['src/main.ts', true],
    ['src/main.js', false],
    ['src/index.tsx', true],
    ['src/index.jsx', false],
  ])('a Vite + React app with %s: that entry, TypeScript %s', async (entry, typescript) => {
    const detected = await detectProject(await project({ 'package.json': VITE, [entry]: '' }), 'my-app');
    expect(detected).toMatchObject({
      entry: { path: entry },
      typescript,
      description: `Vite + React app (${typescript ? 'TypeScript' : 'JavaScript'})`,
      sourceDir: 'src',
    });
    expect(detected.kind.id).toBe('vite-react');
  });

  it('a Vite + React app without an entry file gets src/main.tsx, in TypeScript', async () => {
    const detected = await detectProject(await project({ 'package.json': VITE }), 'my-app');
    expect(detected).toMatchObject({ entry: { path: 'src/main.tsx' }, typescript: true, description: 'Vite + React app (TypeScript)' });
  });

  it.each([
    [{ 'app/layout.tsx': '' }, { path: 'app/layout.tsx', router: 'app' }, ''],
    [{ 'app/layout.jsx': '' }, { path: 'app/layout.jsx', router: 'app' }, ''],
    [{ 'app/layout.js': '' }, { path: 'app/layout.js', router: 'app' }, ''],
    [{ 'app/page.tsx': '', 'tsconfig.json': '{}' }, { path: 'app/layout.tsx', router: 'app' }, ''],
    [{ 'app/page.jsx': '' }, { path: 'app/layout.jsx', router: 'app' }, ''],
    [{ 'src/app/layout.js': '' }, { path: 'src/app/layout.js', router: 'app' }, 'src'],
    [{ 'pages/_app.jsx': '' }, { path: 'pages/_app.jsx', router: 'pages' }, ''],
    [{ 'src/pages/index.tsx': '', 'tsconfig.json': '{}' }, { path: 'src/pages/_app.tsx', router: 'pages' }, 'src'],
  ])('Next.js with %j: entry %j, source dir %j', async (files, entry, sourceDir) => {
    const detected = await detectProject(await project({ 'package.json': NEXT, ...files }), 'my-app');
    expect(detected.entry).toEqual(entry);
    expect(detected.sourceDir).toBe(sourceDir);
  });
});

describe('detectProject: name and package manager', () => {
  it.each([
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
    ['package-lock.json', 'npm'],
  ])('%s -> %s', async (lockfile, packageManager) => {
    const detected = await detectProject(await project({ 'package.json': {}, [lockfile]: '' }), 'my-app');
    expect(detected.packageManager).toBe(packageManager);
  });

  it('no lockfile: no package manager', async () => {
    expect((await detectProject(await project({ 'package.json': {} }), 'my-app')).packageManager).toBeUndefined();
  });

  it.each([
    [{ name: 'patients-api' }, 'patients-api'],
    [{}, ''],
  ])('package.json %j -> name %j', async (pkg, name) => {
    expect((await detectProject(await project({ 'package.json': pkg }), 'my-app')).name).toBe(name);
  });
});
