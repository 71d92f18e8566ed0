/**
 * The kinds of existing project that `add` knows, as data: which apps fit, where the env goes and in
 * which dialect, what to install. A new kind is an entry here, a case in detect.ts and its wiring in
 * wiring.ts (see ARCHITECTURE.md).
 */
import { DEFAULT_WEB_UI, METHOD_IDS, METHODS, NEXT_ENV, VITE_ENV, type App, type EnvVar, type Method, type WebEnv, type WebUi } from '../guide/methods.js';
import type { PackageName } from '../scaffold/versions.js';

export type KindId = 'vite-react' | 'next' | 'node';

export interface Kind {
  readonly id: KindId;
  readonly apps: readonly App[];
  /** Where the values go: appended, never overwritten. */
  readonly envFile: '.env' | '.env.local';
  /** What the wiring installs; a web kind's depends on the UI (--ui). */
  readonly packages: (ui: WebUi | undefined) => Packages;
  /** A web kind's public settings: their prefix and env file, and the bundler that inlines them. */
  readonly webEnv?: WebEnv;
  /** The method's env var, in the framework's dialect; undefined when the wiring does not read it. */
  readonly envName: (v: EnvVar) => string | undefined;
  /** A step of the method's Medplum checklist (written for the new-project starters), for this kind. */
  readonly checklistStep?: (step: string) => string;
}

/** At the versions of src/scaffold/versions.ts. */
export interface Packages {
  /** What the wiring imports. */
  readonly dependencies: readonly PackageName[];
  /** What only its build and types need. */
  readonly devDependencies: readonly PackageName[];
}

/** The kind with this id. The table is built on each call (it is small, and `add` asks once), so every test that uses a kind runs its entries. */
export function kindOf(id: KindId): Kind {
  return kinds()[id];
}

function kinds(): Readonly<Record<KindId, Kind>> {
  return {
    'vite-react': {
      id: 'vite-react',
      apps: ['user-facing'],
      envFile: '.env',
      packages: webPackages,
      webEnv: VITE_ENV,
      envName: (v) => v.name,
    },
    next: {
      id: 'next',
      apps: ['user-facing'],
      envFile: '.env.local',
      packages: webPackages,
      webEnv: NEXT_ENV,
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
      apps: ['backend', 'device'],
      envFile: '.env',
      packages: () => ({ dependencies: ['@medplum/core'], devDependencies: [] }),
      // The module reads the sign-in settings only; PORT, intervals and device ids are the starters' own.
      envName: (v) => (v.optional ? undefined : v.name),
    },
  };
}

/** A web kind's packages, by UI. */
function webPackages(ui: WebUi | undefined): Packages {
  switch (ui ?? DEFAULT_WEB_UI) {
    case 'medplum':
      return {
        // What Medplum's React components import (the peers @medplum/react declares).
        dependencies: [
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
        ],
        // Mantine's PostCSS preset: @medplum/react's styles use its mixins and breakpoint variables.
        devDependencies: ['postcss', 'postcss-preset-mantine', 'postcss-simple-vars'],
      };
    case 'plain':
      // The plain starters' own: React and Medplum's hooks, and the FHIR types their sign-in names.
      return { dependencies: ['@medplum/core', '@medplum/react-hooks', 'react', 'react-dom'], devDependencies: ['@medplum/fhirtypes'] };
  }
}

export const SUPPORTED = 'a Vite + React app, a Next.js app (App or Pages Router) or a Node service (Express, Fastify, Hono or none)';

/** The methods that fit a kind, for the line that refuses one that does not. */
export function methodsFor(kind: Kind): Method[] {
  return METHOD_IDS.map((id) => METHODS[id]).filter((m) => kind.apps.includes(m.app));
}
