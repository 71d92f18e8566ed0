/**
 * The user's package manager: detected from `npm_config_user_agent` (set by `npm create`,
 * `pnpm create`, `yarn create`, `bunx`), and the commands to print in its syntax.
 */
export const PACKAGE_MANAGERS = ['npm', 'pnpm', 'yarn', 'bun'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];

export function detectPackageManager(userAgent: string | undefined): PackageManager {
  const name = userAgent?.split(' ')[0]?.split('/')[0];
  return PACKAGE_MANAGERS.find((pm) => pm === name) ?? 'npm';
}

export interface PackageManagerCommands {
  readonly name: PackageManager;
  readonly install: string;
  readonly dev: string;
  readonly start: string;
  readonly startOnce: string;
  readonly test: string;
  readonly typecheck: string;
  readonly build: string;
  readonly preview: string;
  readonly checkAuth: string;
  /** Adds exact-pinned dev dependencies (the specs follow). */
  readonly addDevExact: string;
}

/** `npm run x`, `pnpm x`, `yarn x`, `bun run x`; npm has shorthands for start and test. */
export function runScript(pm: PackageManager, script: string, args: readonly string[] = []): string {
  const npmShorthand = script === 'start' || script === 'test';
  const base = {
    npm: npmShorthand ? `npm ${script}` : `npm run ${script}`,
    pnpm: `pnpm ${script}`,
    yarn: `yarn ${script}`,
    bun: `bun run ${script}`,
  }[pm];
  if (args.length === 0) {
    return base;
  }
  return pm === 'npm' ? `${base} -- ${args.join(' ')}` : `${base} ${args.join(' ')}`;
}

export function commandsFor(pm: PackageManager): PackageManagerCommands {
  return {
    name: pm,
    install: pm === 'yarn' ? 'yarn' : `${pm} install`,
    dev: runScript(pm, 'dev'),
    start: runScript(pm, 'start'),
    startOnce: runScript(pm, 'start', ['--once']),
    test: runScript(pm, 'test'),
    typecheck: runScript(pm, 'typecheck'),
    build: runScript(pm, 'build'),
    preview: runScript(pm, 'preview'),
    checkAuth: runScript(pm, 'check-auth'),
    addDevExact: { npm: 'npm install --save-dev --save-exact', pnpm: 'pnpm add -D -E', yarn: 'yarn add -D -E', bun: 'bun add -d --exact' }[pm],
  };
}
