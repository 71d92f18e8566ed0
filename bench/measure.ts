/**
 * What bench.ts and stages.ts share: how one command is timed, the median, and the commander floor.
 * Wall and CPU (user + system): bash's `time`, to the millisecond. Peak RSS: GNU time `%M`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin/create-medplum-auth.js');
export const CREATE_VITE = join(ROOT, 'node_modules/create-vite/index.js');
export const env = { ...process.env, CI: 'true', NO_COLOR: '1', npm_config_user_agent: 'npm/11 node/v22' };
const TIME = '/usr/bin/time';

export interface Sample {
  readonly ms: number;
  readonly cpuMs: number;
  readonly rssKb: number;
}

/** One run of a command in `cwd`: wall and CPU time, and peak RSS when GNU time is there. */
export function measure(args: readonly string[], cwd: string): Sample {
  const useTime = existsSync(TIME);
  const timed = useTime ? [TIME, '-f', 'rss %M', ...args] : args;
  const result = spawnSync('bash', ['-c', 'TIMEFORMAT="time %3R %3U %3S"; time "$@" >/dev/null', 'bash', ...timed], { env, cwd, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  }
  const field = (name: string) => result.stderr.match(new RegExp(`^${name} (.*)$`, 'm'))?.[1]?.split(' ').map(Number) ?? [Number.NaN];
  const [real, user, sys] = field('time') as [number, number, number];
  return { ms: real * 1000, cpuMs: (user + sys) * 1000, rssKb: field('rss')[0] as number };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * The floor of any CLI parsed by commander on Node, built in `work`: commander bundled as our dist
 * bundles it, loaded after the compile cache is on (as bin/ does), one tiny parse, and nothing else.
 * No scaffold can be faster than this, so its ratio to create-vite says how far the ≤ 1.0× target is
 * reachable. Returns the path of its bin.
 */
export function commanderFloor(work: string): string {
  const dir = join(work, 'floor');
  writeFileSync(join(work, 'floor-entry.mjs'), "import { Command } from 'commander';\nnew Command('x').argument('[dir]').option('--method <m>').action(() => {}).parse(process.argv.slice(2), { from: 'user' });\n");
  buildSync({ entryPoints: [join(work, 'floor-entry.mjs')], bundle: true, format: 'esm', platform: 'node', target: 'node22.18', outfile: join(dir, 'commander.mjs'), nodePaths: [join(ROOT, 'node_modules')], logLevel: 'warning' });
  writeFileSync(join(dir, 'bin.mjs'), "import { enableCompileCache } from 'node:module';\nenableCompileCache();\nawait import('./commander.mjs');\n");
  return join(dir, 'bin.mjs');
}
