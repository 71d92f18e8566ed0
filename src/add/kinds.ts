/**
 * The kinds of existing project that `add` knows, as data: which apps fit, where the env goes and in
 * which dialect, what to install. A new kind is an entry here, a case in detect.ts and its wiring in
 * wiring.ts (see ARCHITECTURE.md).
 */
import type { App } from '../guide/methods.js';
import { METHOD_IDS, METHODS, type EnvVar, type Method } from '../guide/methods.js';
import type { PackageName } from '../scaffold/versions.js';

export type KindId = 'vite-react' | 'next' | 'node';

export interface Kind {
  readonly id: KindId;
  readonly label: string;
  readonly apps: readonly App[];
  /** Where the values go: appended, never overwritten. */
  readonly envFile: '.env' | '.env.local';
  /** The dependencies the wiring imports, at the versions of src/scaffold/versions.ts. */
  readonly dependencies: readonly PackageName[];
  /** What its build needs (Mantine's PostCSS setup). */
  readonly devDependencies: readonly PackageName[];
  /** The method's env var, in the framework's dialect; undefined when the wiring does not read it. */
  readonly envName: (v: EnvVar) => string | undefined;
  /** A step of the method's Medplum checklist (written for the new-project starters), for this kind. */
  readonly checklistStep?: (step: string) => string;
}

/** What Medplum's React components import (the peers @medplum/react declares). */
const WEB_DEPENDENCIES: readonly PackageName[] = [
  '@medplum/core',
  '@medplum/react',
  '@medplum/react-hooks',
  '@mantine/core',
  '@mantine/hooks',
  '@mantine/notifications',
  '@mantine/spotlight',
  'jsqr',
  'signature_pad',
  // @medplum/react imports it without declaring it.
  'react-router',
  'react',
  'react-dom',
];

/** Mantine's PostCSS preset: @medplum/react's styles use its mixins and breakpoint variables. */
const WEB_DEV_DEPENDENCIES: readonly PackageName[] = ['postcss', 'postcss-preset-mantine', 'postcss-simple-vars'];

export const KINDS: Readonly<Record<KindId, Kind>> = {
  'vite-react': {
    id: 'vite-react',
    label: 'Vite + React app',
    apps: ['user-facing'],
    envFile: '.env',
    dependencies: WEB_DEPENDENCIES,
    devDependencies: WEB_DEV_DEPENDENCIES,
    envName: (v) => v.name,
  },
  next: {
    id: 'next',
    label: 'Next.js app',
    apps: ['user-facing'],
    envFile: '.env.local',
    dependencies: WEB_DEPENDENCIES,
    devDependencies: WEB_DEV_DEPENDENCIES,
    // Next.js inlines NEXT_PUBLIC_* into the browser bundle, as Vite does VITE_*.
    envName: (v) => v.name.replace(/^VITE_/, 'NEXT_PUBLIC_'),
    // The starters' steps name Vite's dev and preview servers and .env; Next.js serves on 3000 and reads .env.local.
    checklistStep: (step) =>
      step
        .replace('http://localhost:5173/ (dev) and http://localhost:4173/ (preview)', 'http://localhost:3000/ (next dev and next start)')
        .replace(/in \.env as VITE_/g, 'in .env.local as NEXT_PUBLIC_'),
  },
  node: {
    id: 'node',
    label: 'Node service',
    apps: ['backend', 'device'],
    envFile: '.env',
    dependencies: ['@medplum/core'],
    devDependencies: [],
    // The module reads the sign-in settings only; PORT, intervals and device ids are the starters' own.
    envName: (v) => (v.optional ? undefined : v.name),
  },
};

export const SUPPORTED = 'a Vite + React app, a Next.js app (App or Pages Router) or a Node service (Express, Fastify, Hono or none)';

/** The methods that fit a kind, for the line that refuses one that does not. */
export function methodsFor(kind: Kind): Method[] {
  return METHOD_IDS.map((id) => METHODS[id]).filter((m) => kind.apps.includes(m.app));
}
