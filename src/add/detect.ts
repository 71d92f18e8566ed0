/**
 * What kind of project is in a directory, from its package.json and files. Anything else is refused
 * in one line that names what is supported.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { PackageManager } from '../scaffold/pm.js';
import { kindOf, SUPPORTED, type Kind } from './kinds.js';

export type Framework = 'express' | 'fastify' | 'hono' | 'none';

export interface Project {
  readonly dir: string;
  readonly kind: Kind;
  /** e.g. "Next.js app (App Router, TypeScript)". */
  readonly description: string;
  readonly name: string;
  readonly typescript: boolean;
  /** `"type": "module"`: .js files are ES modules. */
  readonly esm: boolean;
  readonly framework: Framework;
  /** '' or 'src': where the project keeps its source. */
  readonly sourceDir: string;
  /** The file whose root component gets wrapped: src/main.tsx, app/layout.tsx, pages/_app.tsx. */
  readonly entry?: { readonly path: string; readonly router?: 'app' | 'pages' };
  /** From the lockfile; undefined when there is none. */
  readonly packageManager?: PackageManager;
}

interface PackageJson {
  readonly name?: string;
  readonly type?: string;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/**
 * Browser frameworks `add` does not wire (yet): named in the refusal. This table and the lockfiles'
 * are built per call (a detection reads each once), so the tests that detect a project run them.
 */
const otherFrontends = (): Readonly<Record<string, string>> => ({
  vue: 'Vue',
  svelte: 'Svelte',
  '@angular/core': 'Angular',
  'solid-js': 'Solid',
  astro: 'Astro',
  nuxt: 'Nuxt',
  '@remix-run/react': 'Remix',
  'react-router': 'React Router',
  expo: 'Expo',
  'react-native': 'React Native',
});

const lockfiles = (): readonly [string, PackageManager][] => [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
];

export async function detectProject(dir: string, displayDir: string): Promise<Project> {
  let pkg: PackageJson;
  try {
    pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'has no package.json' : 'has a package.json that is not valid JSON';
    throw new UsageError(`${displayDir} ${reason}. add works on ${SUPPORTED}; for a new project run create-medplum-auth <directory>.`);
  }
  const deps = { ...pkg.devDependencies, ...pkg.dependencies };
  const has = (name: string) => Object.hasOwn(deps, name);
  const file = (...paths: string[]) => paths.find((p) => existsSync(join(dir, p)));
  const typescript = file('tsconfig.json') !== undefined || has('typescript');
  const base = {
    dir,
    name: pkg.name ?? '',
    typescript,
    esm: pkg.type === 'module',
    framework: 'none' as Framework,
    packageManager: lockfiles().find(([lock]) => file(lock))?.[1],
  };
  const language = typescript ? 'TypeScript' : 'JavaScript';

  if (has('next')) {
    const appDir = file('app', 'src/app');
    const pagesDir = file('pages', 'src/pages');
    const routerDir = appDir ?? pagesDir;
    if (routerDir === undefined) {
      throw new UsageError(`${displayDir} uses Next.js but has neither app/ nor pages/: add wraps the root layout or _app in one of them.`);
    }
    const router = appDir ? 'app' : 'pages';
    const stem = `${routerDir}/${router === 'app' ? 'layout' : '_app'}`;
    const entryPath = file(`${stem}.tsx`, `${stem}.jsx`, `${stem}.js`) ?? `${stem}.${typescript ? 'tsx' : 'jsx'}`;
    return {
      ...base,
      kind: kindOf('next'),
      description: `Next.js app (${router === 'app' ? 'App' : 'Pages'} Router, ${language})`,
      sourceDir: routerDir.startsWith('src/') ? 'src' : '',
      entry: { path: entryPath, router },
    };
  }
  if (has('vite') && has('react')) {
    const entry = file('src/main.tsx', 'src/main.jsx', 'src/main.ts', 'src/main.js', 'src/index.tsx', 'src/index.jsx') ?? 'src/main.tsx';
    const tsEntry = /\.tsx?$/.test(entry);
    return {
      ...base,
      typescript: typescript || tsEntry,
      kind: kindOf('vite-react'),
      description: `Vite + React app (${typescript || tsEntry ? 'TypeScript' : 'JavaScript'})`,
      sourceDir: 'src',
      entry: { path: entry },
    };
  }
  const frontends = otherFrontends();
  const frontend = Object.keys(frontends).find(has) ?? (has('react') ? 'react' : undefined);
  if (frontend) {
    const what = frontends[frontend] ?? 'React without Vite or Next.js';
    throw new UsageError(`${displayDir} looks like a ${what} project. add supports ${SUPPORTED}.`);
  }
  const framework = (['express', 'fastify', 'hono'] as const).find(has) ?? 'none';
  return {
    ...base,
    kind: kindOf('node'),
    framework,
    description: `Node service (${language}, ${base.esm ? 'ESM' : 'CommonJS'}${framework === 'none' ? '' : `, ${framework}`})`,
    sourceDir: file('src') ? 'src' : '',
  };
}
